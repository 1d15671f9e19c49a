//! Charts: built as ECharts options with charming on both sides, drawn only in the
//! browser after hydration. Every chart also renders its data as a table, so the
//! numbers read well with JavaScript off and to screen readers.

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
    let node = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    {
        let chart = std::sync::Arc::new(history_chart_of(&points, subject));
        Effect::new(move |_| draw_when_mounted(id, node, chart.clone(), MOUNT_WAIT_FRAMES));
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
    view! {
        <div id=id node_ref=node class="chart" role="img"
            aria-label=format!("{subject} history chart; the data table below has the same numbers")></div>
        <ChartData days=points.len()>
            <table>
                <thead><tr><th>"Day"</th><th>"Points"</th><th>"Max"</th><th>"Score"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </ChartData>
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

/// A chart drawn in the browser once hydrated, with `children` (its data table) under it
/// for readers without JavaScript. `options` runs only in the browser.
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
    let node = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    {
        let chart = std::sync::Arc::new(options());
        Effect::new(move |_| draw_when_mounted(id, node, chart.clone(), MOUNT_WAIT_FRAMES));
    }
    #[cfg(not(feature = "hydrate"))]
    drop(options);
    view! {
        <div id=id node_ref=node class=class.unwrap_or("chart") role="img" aria-label=label></div>
        {children()}
    }
}

/// Animation frames a chart waits for its element to enter the document.
#[cfg(feature = "hydrate")]
const MOUNT_WAIT_FRAMES: u8 = 30;

/// Draws the chart once its element is in the document. ECharts finds the element by id,
/// and after a client-side navigation the effect can run before the new view is mounted.
/// A view replaced before it was ever mounted is simply not drawn.
#[cfg(feature = "hydrate")]
fn draw_when_mounted(
    id: &'static str,
    node: NodeRef<leptos::html::Div>,
    chart: std::sync::Arc<Chart>,
    frames_left: u8,
) {
    let mounted = node.get_untracked().is_some_and(|el| el.is_connected());
    if !mounted {
        if frames_left > 0 {
            request_animation_frame(move || draw_when_mounted(id, node, chart, frames_left - 1));
        }
        return;
    }
    render(id, chart);
}

/// Draws `chart` in the element `id` in the colours the browser asks for now.
#[cfg(feature = "hydrate")]
fn render(id: &'static str, chart: std::sync::Arc<Chart>) {
    let mut renderer = charming::WasmRenderer::new_opt(None, Some(320));
    if prefers_dark() {
        renderer = renderer.theme(charming::theme::Theme::Dark);
    }
    // Each theme paints its own background; the card's colour shows through instead.
    let options = (*chart).clone().background_color("transparent");
    match renderer.render(id, &options) {
        Ok(echarts) => follow_window(id, echarts, chart),
        Err(e) => leptos::logging::error!("could not draw chart {id}: {e:?}"),
    }
}

#[cfg(feature = "hydrate")]
mod bindings {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// ECharts' own `echarts.dispose(element)`: a theme is fixed when a chart is made,
        /// so a new theme means a new chart in the same element.
        #[wasm_bindgen(js_namespace = echarts, js_name = dispose)]
        pub fn dispose(element: &web_sys::Element);
    }
}

/// Whether the browser asks for dark colours: the page's style follows the same query.
#[cfg(feature = "hydrate")]
fn prefers_dark() -> bool {
    window().match_media("(prefers-color-scheme: dark)").ok().flatten().is_some_and(|m| m.matches())
}

/// A chart on the page: its element, the ECharts instance drawing it, and its options.
#[cfg(feature = "hydrate")]
type Drawn = (&'static str, charming::Echarts, std::sync::Arc<Chart>);

#[cfg(feature = "hydrate")]
thread_local! {
    /// The latest chart drawn in each element, resized with the window. One per element id
    /// (a page has a fixed set), so navigating back and forth keeps no more than that.
    static DRAWN: std::cell::RefCell<Vec<Drawn>> = const { std::cell::RefCell::new(Vec::new()) };
    /// Whether the window's listeners are in place (once per page, however often charts
    /// are drawn again).
    static LISTENING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Charts take their container's width and the browser's colour scheme when drawn; this
/// redraws them at a new width when the window changes size, and in the other colours when
/// the scheme changes (the system switching to dark at dusk). One listener of each serves
/// every chart.
#[cfg(feature = "hydrate")]
fn follow_window(id: &'static str, echarts: charming::Echarts, chart: std::sync::Arc<Chart>) {
    if !LISTENING.replace(true) {
        let listener = window_event_listener_untyped("resize", |_| {
            DRAWN
                .with(|d| d.borrow().iter().for_each(|(_, e, _)| e.resize(wasm_bindgen::JsValue::UNDEFINED)));
        });
        // The listeners live as long as the page does.
        std::mem::forget(listener);
        follow_colour_scheme();
    }
    DRAWN.with(|drawn| {
        let mut drawn = drawn.borrow_mut();
        drawn.retain(|(i, _, _)| *i != id);
        drawn.push((id, echarts, chart));
    });
}

#[cfg(feature = "hydrate")]
fn follow_colour_scheme() {
    use wasm_bindgen::JsCast;
    let Some(query) = window().match_media("(prefers-color-scheme: dark)").ok().flatten() else { return };
    let redraw = wasm_bindgen::closure::Closure::<dyn Fn()>::new(|| {
        let charts: Vec<Drawn> = DRAWN.with(|d| d.borrow_mut().drain(..).collect());
        for (id, _, chart) in charts {
            if let Some(el) = document().get_element_by_id(id) {
                bindings::dispose(&el);
                render(id, chart);
            }
        }
    });
    let _ = query.add_event_listener_with_callback("change", redraw.as_ref().unchecked_ref());
    redraw.forget();
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
