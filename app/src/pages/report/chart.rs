//! The report's score chart, drawn on the server: an SVG in the printable page and a PNG
//! in the report email (mail clients run no script). One geometry, two painters, so the
//! page and the email show the same picture.

use crate::chart::HistoryPoint;
use crate::pages::metrics::trends::ComparisonLine;
use chrono::NaiveDate;
use std::fmt::Write;

pub const WIDTH: f32 = 720.0;
pub const HEIGHT: f32 = 240.0;
/// Room for the percent labels on the left and the dates below.
const LEFT: f32 = 44.0;
const RIGHT: f32 = WIDTH - 12.0;
const TOP: f32 = 12.0;
const BOTTOM: f32 = HEIGHT - 28.0;

/// The colours of the zones (bad, okay, good), the score line and the peers' line.
pub const ZONE_COLOURS: [(u8, u8, u8); 3] = [(0xfd, 0xe2, 0xe1), (0xfd, 0xf1, 0xd6), (0xdf, 0xf3, 0xe4)];
pub const SCORE_COLOUR: (u8, u8, u8) = (0x1f, 0x5f, 0xbf);
pub const PEER_COLOUR: (u8, u8, u8) = (0x6b, 0x72, 0x80);

/// Everything placed in the chart's box, in pixels from its top left.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreChart {
    /// Zone bands from the top (good) down: (top, bottom, colour index into [`ZONE_COLOURS`]).
    pub bands: Vec<(f32, f32, usize)>,
    /// The tenant's score, one point per day.
    pub score: Vec<(f32, f32)>,
    /// The peers' average, in runs broken where the group was too small to show.
    pub peers: Vec<Vec<(f32, f32)>>,
    pub peer_label: Option<String>,
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
}

/// Where `percent` (0–100) sits on the chart.
pub fn y_of(percent: f64) -> f32 {
    let p = percent.clamp(0.0, 100.0) as f32;
    TOP + (1.0 - p / 100.0) * (BOTTOM - TOP)
}

/// Where `day` sits between the first and the last day (the middle when they are one).
pub fn x_of(day: NaiveDate, first: NaiveDate, last: NaiveDate) -> f32 {
    let span = (last - first).num_days();
    if span <= 0 {
        return (LEFT + RIGHT) / 2.0;
    }
    LEFT + (day - first).num_days() as f32 / span as f32 * (RIGHT - LEFT)
}

impl ScoreChart {
    /// The score line of `points` over the tenant's zones, with the first comparison line
    /// the viewer may see.
    pub fn new(
        points: &[HistoryPoint],
        peers: Option<&ComparisonLine>,
        okay_from: u32,
        good_from: u32,
    ) -> Self {
        let bands = vec![
            (y_of(100.0), y_of(f64::from(good_from)), 2),
            (y_of(f64::from(good_from)), y_of(f64::from(okay_from)), 1),
            (y_of(f64::from(okay_from)), y_of(0.0), 0),
        ];
        let (Some(first), Some(last)) = (points.first().map(|p| p.day), points.last().map(|p| p.day)) else {
            return ScoreChart {
                bands,
                score: Vec::new(),
                peers: Vec::new(),
                peer_label: None,
                first_day: None,
                last_day: None,
            };
        };
        let score = points
            .iter()
            .map(|p| (x_of(p.day, first, last), y_of(p.current.percent_of(p.max).as_f64())))
            .collect();
        let mut runs: Vec<Vec<(f32, f32)>> = Vec::new();
        let mut run = Vec::new();
        for (p, v) in points.iter().zip(peers.map(|l| l.values.as_slice()).unwrap_or_default()) {
            match v {
                Some(v) => run.push((x_of(p.day, first, last), y_of(v.as_f64()))),
                None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
                None => {}
            }
        }
        if !run.is_empty() {
            runs.push(run);
        }
        let peer_label = peers.filter(|_| !runs.is_empty()).map(|l| l.label.clone());
        ScoreChart { bands, score, peers: runs, peer_label, first_day: Some(first), last_day: Some(last) }
    }

    /// The chart as an SVG element, with its labels (the page's fonts draw them).
    pub fn svg(&self, label: &str) -> String {
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{}">"#,
            escape(label)
        );
        for (top, bottom, zone) in &self.bands {
            let _ = write!(
                s,
                r#"<rect x="{LEFT}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="{}"/>"#,
                RIGHT - LEFT,
                bottom - top,
                hex(ZONE_COLOURS[*zone])
            );
        }
        for p in [0.0, 25.0, 50.0, 75.0, 100.0] {
            let y = y_of(p);
            let _ = write!(
                s,
                r##"<line x1="{LEFT}" x2="{RIGHT}" y1="{y:.1}" y2="{y:.1}" stroke="#9ca3af" stroke-width="0.5"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="11">{p} %</text>"##,
                LEFT - 6.0,
                y + 4.0
            );
        }
        for run in &self.peers {
            let _ = write!(
                s,
                r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2" stroke-dasharray="6 4"/>"#,
                polyline(run),
                hex(PEER_COLOUR)
            );
        }
        if self.score.len() == 1 {
            let (x, y) = self.score[0];
            let _ = write!(s, r#"<circle cx="{x:.1}" cy="{y:.1}" r="4" fill="{}"/>"#, hex(SCORE_COLOUR));
        } else if !self.score.is_empty() {
            let _ = write!(
                s,
                r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="3" stroke-linejoin="round"/>"#,
                polyline(&self.score),
                hex(SCORE_COLOUR)
            );
        }
        if let (Some(first), Some(last)) = (self.first_day, self.last_day) {
            let y = BOTTOM + 18.0;
            let _ = write!(s, r#"<text x="{LEFT}" y="{y}" font-size="11">{first}</text>"#);
            if last != first {
                let _ =
                    write!(s, r#"<text x="{RIGHT}" y="{y}" text-anchor="end" font-size="11">{last}</text>"#);
            }
        }
        s.push_str("</svg>");
        s
    }

    /// The chart as a PNG, without text: the email says the numbers beside it.
    #[cfg(feature = "ssr")]
    pub fn png(&self) -> Option<Vec<u8>> {
        use tiny_skia::{Color, Paint, PathBuilder, Pixmap, Rect, Stroke, Transform};
        let mut pixmap = Pixmap::new(WIDTH as u32, HEIGHT as u32)?;
        pixmap.fill(Color::WHITE);
        let paint_of = |(r, g, b): (u8, u8, u8)| {
            let mut paint = Paint::default();
            paint.set_color_rgba8(r, g, b, 255);
            paint
        };
        for (top, bottom, zone) in &self.bands {
            if let Some(rect) = Rect::from_ltrb(LEFT, *top, RIGHT, *bottom) {
                pixmap.fill_rect(rect, &paint_of(ZONE_COLOURS[*zone]), Transform::identity(), None);
            }
        }
        let stroke_line = |pixmap: &mut Pixmap, points: &[(f32, f32)], colour, width| {
            let mut path = PathBuilder::new();
            for (i, (x, y)) in points.iter().enumerate() {
                if i == 0 {
                    path.move_to(*x, *y);
                } else {
                    path.line_to(*x, *y);
                }
            }
            if let Some(path) = path.finish() {
                let stroke = Stroke { width, ..Stroke::default() };
                pixmap.stroke_path(&path, &paint_of(colour), &stroke, Transform::identity(), None);
            }
        };
        for p in [0.0, 25.0, 50.0, 75.0, 100.0] {
            stroke_line(&mut pixmap, &[(LEFT, y_of(p)), (RIGHT, y_of(p))], (0x9c, 0xa3, 0xaf), 1.0);
        }
        for run in &self.peers {
            stroke_line(&mut pixmap, run, PEER_COLOUR, 2.0);
        }
        match self.score.as_slice() {
            [] => {}
            [(x, y)] => {
                let dot = PathBuilder::from_circle(*x, *y, 4.0)?;
                pixmap.fill_path(
                    &dot,
                    &paint_of(SCORE_COLOUR),
                    tiny_skia::FillRule::Winding,
                    Transform::identity(),
                    None,
                );
            }
            line => stroke_line(&mut pixmap, line, SCORE_COLOUR, 3.0),
        }
        pixmap.encode_png().ok()
    }
}

fn polyline(points: &[(f32, f32)]) -> String {
    points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ")
}

fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use score::{Percent, Points};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).expect("day")
    }

    fn point(d: u32, current: u32) -> HistoryPoint {
        HistoryPoint { day: day(d), current: Points::whole(current), max: Points::whole(200) }
    }

    #[test]
    fn the_score_runs_from_the_first_day_on_the_left_to_the_last_on_the_right() {
        let c = ScoreChart::new(&[point(1, 100), point(11, 150), point(21, 50)], None, 40, 70);
        assert_eq!(c.score[0], (LEFT, y_of(50.0)));
        assert_eq!(c.score[1].0, (LEFT + RIGHT) / 2.0);
        assert_eq!(c.score[2], (RIGHT, y_of(25.0)));
        assert!(y_of(100.0) < y_of(0.0), "up is better");
        assert_eq!(c.bands[0], (y_of(100.0), y_of(70.0), 2), "good at the top");
    }

    #[test]
    fn peers_break_where_the_group_is_too_small_to_show() {
        let line = ComparisonLine {
            basis: "AllTenants".into(),
            label: "All tenants".into(),
            values: vec![Some(Percent(4000)), None, Some(Percent(4500)), Some(Percent(4600))],
        };
        let c = ScoreChart::new(&[point(1, 1), point(2, 1), point(3, 1), point(4, 1)], Some(&line), 40, 70);
        assert_eq!(c.peers.len(), 2);
        assert_eq!(c.peers[1].len(), 2);
        assert_eq!(c.peer_label.as_deref(), Some("All tenants"));
    }

    #[test]
    fn the_svg_escapes_its_label_and_an_empty_history_draws_only_zones() {
        let c = ScoreChart::new(&[], None, 40, 70);
        let svg = c.svg("<b>\"x\"</b>");
        assert!(svg.contains("aria-label=\"&lt;b&gt;&quot;x&quot;&lt;/b&gt;\""));
        assert!(!svg.contains("polyline"));
        assert_eq!(svg.matches("<rect").count(), 3);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_png_puts_the_score_where_the_geometry_says() {
        let c = ScoreChart::new(&[point(1, 100), point(2, 100)], None, 40, 70);
        let png = c.png().expect("drawn");
        let img = tiny_skia::Pixmap::decode_png(&png).expect("a PNG");
        assert_eq!((img.width(), img.height()), (WIDTH as u32, HEIGHT as u32));
        let at = |x: f32, y: f32| img.pixel(x as u32, y as u32).expect("inside");
        let line = at((LEFT + RIGHT) / 2.0, y_of(50.0));
        assert_eq!((line.red(), line.green(), line.blue()), SCORE_COLOUR);
        let band = at((LEFT + RIGHT) / 2.0, y_of(20.0));
        assert_eq!((band.red(), band.green(), band.blue()), ZONE_COLOURS[0]);
    }
}
