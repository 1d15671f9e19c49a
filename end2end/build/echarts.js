// The chart library as Rampart draws with it: ECharts' core with only the chart types and
// components the pages use, bundled by esbuild into one script that defines the global
// `echarts` the page script calls (`echarts.init`, then `setOption` and `resize`). A chart type or
// component added to a page must be added here too, or it is silently not drawn.
import * as echarts from 'echarts/core';
import { BarChart, GaugeChart, LineChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendPlainComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  BarChart, GaugeChart, LineChart,
  DataZoomComponent, GridComponent, LegendPlainComponent, TooltipComponent,
  CanvasRenderer,
]);

// Only what the page script calls: exporting the whole core kept every helper it holds.
export { init, getInstanceByDom } from 'echarts/core';
