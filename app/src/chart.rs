//! Charts: built as ECharts options with charming on the server, drawn by ECharts in the
//! browser (`pages.js`). Every chart also renders its data as a table, so the numbers read
//! well with JavaScript off and to screen readers.

use charming::component::{Axis, DataZoom, Grid, Legend};
use charming::datatype::DataPoint;
use charming::element::{AxisType, Tooltip, Trigger};
use charming::series::Line;
use charming::Chart;
use chrono::NaiveDate;
use leptos::prelude::*;
use score::Points;
use serde::{Deserialize, Serialize};

/// One day of the score history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPoint {
    pub day: NaiveDate,
    pub current: Points,
    pub max: Points,
}

/// ECharts options for the score-history line of `subject` (the whole score, or one
/// category's share of it): percent per day, zoomable by date.
pub fn history_chart_of(points: &[HistoryPoint], subject: &str) -> Chart {
    let days: Vec<String> = points.iter().map(|p| p.day.to_string()).collect();
    let percent: Vec<DataPoint> =
        points.iter().map(|p| DataPoint::from(p.current.percent_of(p.max).as_f64())).collect();
    let earned: Vec<DataPoint> = points.iter().map(|p| DataPoint::from(p.current.as_f64())).collect();
    Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().top("top"))
        .grid(Grid::new().left("3%").right("4%").top(48).contain_label(true))
        .data_zoom(DataZoom::new().type_(charming::component::DataZoomType::Inside))
        .data_zoom(DataZoom::new().type_(charming::component::DataZoomType::Slider))
        .x_axis(Axis::new().type_(AxisType::Category).data(days))
        .y_axis(Axis::new().type_(AxisType::Value).name("%").min(0).max(100))
        .y_axis(Axis::new().type_(AxisType::Value).name("points"))
        .series(Line::new().name(format!("{subject} (%)")).show_symbol(false).data(percent))
        .series(Line::new().name("Points achieved").show_symbol(false).y_axis_index(1).data(earned))
}

/// The history line with its data table. `id` must be unique on the page; `subject` names
/// what the line measures (the Secure Score unless given).
#[component]
pub fn HistoryChart(
    id: &'static str,
    points: Vec<HistoryPoint>,
    #[prop(optional)] subject: Option<&'static str>,
) -> impl IntoView {
    let subject = subject.unwrap_or("Secure Score");
    if let Some(said) = too_few_days(id, points.len()) {
        return said;
    }
    let rows = points
        .iter()
        .rev()
        .map(|p| {
            view! {
                <tr>
                    <td>{p.day.to_string()}</td>
                    <td class="num">{p.current.to_string()}</td>
                    <td class="num">{p.max.to_string()}</td>
                    <td class="num">{p.current.percent_of(p.max).to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    let days = points.len();
    view! {
        <DrawnChart id label=format!("{subject} history chart; the data table below has the same numbers")
            options=move || history_chart_of(&points, subject)>
            <ChartData days>
                <table>
                    <thead><tr><th>"Day"</th><th>"Points"</th><th>"Max"</th><th>"Score"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </ChartData>
        </DrawnChart>
    }
    .into_any()
}

/// A line over days needs two of them: with fewer, the page says why there is none
/// (`{id}-empty`) instead of drawing empty axes.
pub fn too_few_days(id: &str, days: usize) -> Option<AnyView> {
    let why = match days {
        0 => "No daily snapshot in this range yet, so there is no line to draw.",
        1 => "Only one day in this range so far, so there is no line to draw yet.",
        _ => return None,
    };
    Some(view! { <p class="empty" id=format!("{id}-empty")>{why}</p> }.into_any())
}

/// A chart drawn in the browser, with `children` (its data table) under it for readers
/// without JavaScript. The server builds the ECharts options and writes them into the
/// element as JSON (`data-chart`); the page script hands them to ECharts as they are, so
/// the browser needs no code of its own to draw a chart.
#[component]
pub fn DrawnChart<F>(
    id: &'static str,
    label: String,
    options: F,
    #[prop(optional)] class: Option<&'static str>,
    children: Children,
) -> impl IntoView
where
    F: FnOnce() -> Chart + 'static,
{
    view! {
        <div id=id class=class.unwrap_or("chart") role="img" aria-label=label data-chart=options_json(options())></div>
        {children()}
    }
}

/// The options as ECharts reads them. Each theme paints its own background; the card's
/// colour shows through instead.
#[cfg(feature = "ssr")]
fn options_json(chart: Chart) -> String {
    serde_json::to_string(&chart.background_color("transparent")).unwrap_or_default()
}

/// Only the server draws pages: nothing in the browser asks for a chart's options.
#[cfg(not(feature = "ssr"))]
fn options_json(chart: Chart) -> String {
    drop(chart);
    String::new()
}

/// A chart's numbers, folded under it: what a screen reader and a reader without
/// JavaScript get.
#[component]
pub fn ChartData(days: usize, children: Children) -> impl IntoView {
    view! {
        <details class="chart-data">
            <summary>"Data table (" {days} " days)"</summary>
            {children()}
        </details>
    }
}
