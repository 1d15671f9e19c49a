//! ECharts options for the Metrics & trends charts. Each chart's numbers are also on the
//! page as a table, so these only add the drawing (tooltips, legend toggles, date zoom).

use super::data::MetricsData;
use super::trends::{ComparisonLine, RegressionDay, RiskDay, ScoreChanges};
use crate::chart::HistoryPoint;
use charming::component::{Axis, DataZoom, DataZoomType, Grid, Legend};
use charming::datatype::DataPoint;
use charming::element::{
    AxisLabel, AxisLine, AxisLineStyle, AxisType, ItemStyle, LineStyle, LineStyleType, Step, Symbol, Tooltip,
    Trigger,
};
use charming::series::{Bar, Gauge, GaugeDetail, GaugeTitle, Line};
use charming::Chart;
use score::{Percent, Points};

/// Colours of the zones, readable on light and dark backgrounds.
pub const ZONE_COLOURS: [(&str, &str); 3] = [("bad", "#d64545"), ("okay", "#e0a31a"), ("good", "#2e9e5b")];

fn empty() -> DataPoint {
    DataPoint::from("-")
}

fn percent_point(p: Option<Percent>) -> DataPoint {
    p.map_or_else(empty, |p| DataPoint::from(p.as_f64()))
}

fn zoomable(chart: Chart) -> Chart {
    chart
        .data_zoom(DataZoom::new().type_(DataZoomType::Inside))
        .data_zoom(DataZoom::new().type_(DataZoomType::Slider))
}

/// The score on a dial whose bands are the tenant's zones.
pub fn zone_gauge(percent: Percent, okay_from: u32, good_from: u32) -> Chart {
    let band = |p: u32| f64::from(p) / 100.0;
    let colours = AxisLineStyle::new()
        .width(18)
        .color((band(okay_from), ZONE_COLOURS[0].1))
        .color((band(good_from), ZONE_COLOURS[1].1))
        .color((1.0, ZONE_COLOURS[2].1));
    Chart::new().tooltip(Tooltip::new()).series(
        // A flatter arc than ECharts' default leaves the space under the hub free, so the
        // value sits there clear of the 0 and 100 ticks; the card's heading names it, so
        // the dial's own title is left off.
        Gauge::new()
            .name("Secure Score")
            .min(0)
            .max(100)
            .start_angle(200)
            .end_angle(-20)
            .center(("50%", "58%"))
            .axis_line(AxisLine::new().line_style(colours))
            .axis_label(AxisLabel::new().distance(24))
            .title(GaugeTitle::new().show(false))
            .detail(GaugeDetail::new().font_size(24).formatter("{value} %"))
            .data(vec![(percent.as_f64(), "Secure Score")]),
    )
}

/// The tenant's score line with each comparison line; every line can be toggled in the legend.
pub fn comparison_chart(points: &[HistoryPoint], lines: &[ComparisonLine]) -> Chart {
    let days: Vec<String> = points.iter().map(|p| p.day.to_string()).collect();
    let own: Vec<DataPoint> =
        points.iter().map(|p| DataPoint::from(p.current.percent_of(p.max).as_f64())).collect();
    let mut chart = zoomable(
        Chart::new()
            .tooltip(Tooltip::new().trigger(Trigger::Axis))
            .legend(Legend::new().top("top"))
            .grid(Grid::new().left("3%").right("4%").top(56).contain_label(true))
            .x_axis(Axis::new().type_(AxisType::Category).data(days))
            .y_axis(Axis::new().type_(AxisType::Value).name("%").min(0).max(100)),
    )
    .series(Line::new().name("Your score").show_symbol(false).data(own));
    for l in lines {
        let values: Vec<DataPoint> = l.values.iter().map(|v| percent_point(*v)).collect();
        chart = chart.series(
            Line::new()
                .name(l.label.clone())
                .show_symbol(false)
                .line_style(LineStyle::new().type_(LineStyleType::Dashed))
                .data(values),
        );
    }
    chart
}

/// Points lost per day, stacked by action: the tooltip names the actions behind each drop
/// (the largest of each day; smaller ones are stacked as "Other actions").
pub fn regression_chart(days: &[RegressionDay]) -> Chart {
    let labels: Vec<String> = days.iter().map(|d| d.day.to_string()).collect();
    let mut actions: Vec<&str> = days.iter().flat_map(|d| d.actions.iter().map(|a| a.0.as_str())).collect();
    actions.sort_unstable();
    actions.dedup();
    let mut chart = zoomable(
        Chart::new()
            .tooltip(Tooltip::new().trigger(Trigger::Axis))
            .grid(Grid::new().left("3%").right("4%").top(24).contain_label(true))
            .x_axis(Axis::new().type_(AxisType::Category).data(labels))
            .y_axis(Axis::new().type_(AxisType::Value).name("points")),
    );
    for action in actions {
        let values: Vec<DataPoint> = days
            .iter()
            .map(|d| {
                d.actions.iter().find(|a| a.0 == action).map_or_else(empty, |a| DataPoint::from(a.1.as_f64()))
            })
            .collect();
        chart = chart.series(Bar::new().name(action).stack("lost").data(values));
    }
    if days.iter().any(|d| d.more > 0) {
        let values: Vec<DataPoint> = days
            .iter()
            .map(|d| if d.more > 0 { DataPoint::from(d.more_points.as_f64()) } else { empty() })
            .collect();
        chart = chart.series(Bar::new().name("Other actions").stack("lost").data(values));
    }
    chart
}

/// Risk-accepted actions and the points they stand for, over the range.
pub fn risk_chart(days: &[RiskDay]) -> Chart {
    let labels: Vec<String> = days.iter().map(|d| d.day.to_string()).collect();
    let count: Vec<DataPoint> = days.iter().map(|d| DataPoint::from(f64::from(d.actions))).collect();
    let points: Vec<DataPoint> = days.iter().map(|d| DataPoint::from(d.points.as_f64())).collect();
    zoomable(
        Chart::new()
            .tooltip(Tooltip::new().trigger(Trigger::Axis))
            .legend(Legend::new().top("top"))
            .grid(Grid::new().left("3%").right("4%").top(56).contain_label(true))
            .x_axis(Axis::new().type_(AxisType::Category).data(labels))
            .y_axis(Axis::new().type_(AxisType::Value).name("actions").min_interval(1))
            .y_axis(Axis::new().type_(AxisType::Value).name("points")),
    )
    .series(Line::new().name("Risk-accepted actions").show_symbol(false).step(Step::End).data(count))
    .series(
        Line::new()
            .name("Points risk accepted")
            .show_symbol(false)
            .step(Step::End)
            .y_axis_index(1)
            .data(points),
    )
}

/// The range's changes by cause, as bars.
pub fn changes_chart(c: &ScoreChanges) -> Chart {
    let rows = changes_rows(c);
    let labels: Vec<String> = rows.iter().map(|r| r.0.to_owned()).collect();
    let values: Vec<DataPoint> = rows.iter().map(|r| DataPoint::from(r.1.as_f64())).collect();
    Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(Grid::new().left("3%").right("4%").top(24).contain_label(true))
        .x_axis(Axis::new().type_(AxisType::Category).data(labels))
        .y_axis(Axis::new().type_(AxisType::Value).name("points"))
        .series(Bar::new().name("Points").data(values))
}

/// The score changes as labelled rows, in the order the page lists them.
pub fn changes_rows(c: &ScoreChanges) -> [(&'static str, Points); 5] {
    [
        ("Points achieved", c.achieved),
        ("Points regressed", c.regressed),
        ("Points from new actions", c.from_new_actions),
        ("Other changes", c.other),
        ("Net change", c.net),
    ]
}

/// From the live score to the projected one, step by step as planned actions fall due.
pub fn projection_chart(d: &MetricsData) -> Chart {
    let mut labels = vec!["Now".to_owned()];
    let mut values = vec![DataPoint::from(d.percent.as_f64())];
    for s in &d.projection {
        labels.push(s.due.map_or_else(|| "No due date".to_owned(), |day| day.to_string()));
        values.push(DataPoint::from(s.score_after.percent_of(d.max).as_f64()));
    }
    let mut chart = Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(Grid::new().left("3%").right("4%").top(32).contain_label(true));
    // The goal: a level line, its date placed on the axis among the due dates, where the
    // projected line shows the score expected by then.
    if let Some(g) = d.goal {
        let at = d.projection.iter().take_while(|s| s.due.is_some_and(|due| due <= g.by)).count() + 1;
        labels.insert(at, format!("Goal date {}", g.by));
        values.insert(at, DataPoint::from(g.projected_by.as_f64()));
        let level: Vec<DataPoint> = labels.iter().map(|_| DataPoint::from(g.target().as_f64())).collect();
        chart = chart.legend(Legend::new().top(0)).series(
            Line::new()
                .name(format!("Goal {} by {}", g.target(), g.by))
                .symbol(Symbol::None)
                .line_style(LineStyle::new().type_(LineStyleType::Dotted).color(GOAL_COLOUR).width(2))
                .item_style(ItemStyle::new().color(GOAL_COLOUR))
                .data(level),
        );
    }
    chart
        .x_axis(Axis::new().type_(AxisType::Category).data(labels))
        .y_axis(Axis::new().type_(AxisType::Value).name("%").min(0).max(100))
        .series(
            Line::new()
                .name("Projected score")
                .step(Step::End)
                .line_style(LineStyle::new().type_(LineStyleType::Dashed))
                .data(values),
        )
}

/// The goal line's colour: apart from the zone colours and the series palette.
const GOAL_COLOUR: &str = "#8e44ad";
