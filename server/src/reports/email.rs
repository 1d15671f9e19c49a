//! The report as an email: a plain-text part for every mail client, and an HTML part with
//! the score chart as an inline PNG (mail clients run no script and many block remote
//! images, so the picture travels inside the message).

use app::pages::report::chart::{ScoreChart, HEIGHT, WIDTH};
use app::pages::report::summary::ReportSummary;
use app::pages::report::ReportData;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;

/// The inline image's Content-ID, which the HTML part points at (`cid:`).
pub const CHART_ID: &str = "score-chart";

/// The report's sections as headings and lines, shared by the text and HTML parts.
fn sections(s: &ReportSummary, r: &ReportData) -> Vec<(&'static str, Vec<String>)> {
    let mut out = vec![(
        "Score",
        vec![format!(
            "{} ({} of {} points), in the {} zone; {}.",
            s.percent,
            s.current,
            s.max,
            s.zone,
            s.change_sentence()
        )],
    )];
    let peers = if s.peers.is_empty() {
        vec!["No comparison can be shown for this tenant yet.".to_owned()]
    } else {
        s.peers
            .iter()
            .map(|(label, avg)| match avg {
                Some(a) => format!("{label}: {a}"),
                None => format!("{label}: too few tenants to show"),
            })
            .collect()
    };
    out.push(("Compared with peers", peers));
    out.push(("Points this period", vec![format!("+{} achieved, {} regressed.", s.achieved, s.regressed)]));
    let next = if r.next_actions.is_empty() {
        vec!["Nothing is left to do: every action is done or decided.".to_owned()]
    } else {
        r.next_actions
            .iter()
            .enumerate()
            .map(|(i, a)| {
                format!("{}. {} — +{} points ({})", i + 1, a.title, a.remaining, a.category.as_str())
            })
            .collect()
    };
    out.push(("Five actions to do next", next));
    let planned = if s.planned.is_empty() {
        vec!["No planned action has a due date.".to_owned()]
    } else {
        s.planned
            .iter()
            .map(|p| {
                let late = if p.overdue { " (overdue)" } else { "" };
                format!("{}{late}: {} — +{} points", p.due, p.title, p.gain)
            })
            .collect()
    };
    out.push(("Planned actions coming due", planned));
    out
}

pub fn subject(s: &ReportSummary) -> String {
    format!("{} — Secure Score report, {} to {}", s.tenant_name, s.from, s.to)
}

pub fn text(s: &ReportSummary, r: &ReportData, link: Option<&str>) -> String {
    let mut out = format!("{}\n\n", subject(s));
    for (heading, lines) in sections(s, r) {
        out.push_str(heading);
        out.push('\n');
        for l in lines {
            out.push_str("  ");
            out.push_str(&l);
            out.push('\n');
        }
        out.push('\n');
    }
    if let Some(link) = link {
        out.push_str(&format!("The printable report, with the chart: {link}\n"));
    }
    out
}

pub fn html(s: &ReportSummary, r: &ReportData, chart: &ScoreChart, link: Option<&str>) -> String {
    let e = escape;
    let mut out = html_head(&subject(s));
    let alt = format!("Score from {} to {}: {}, {}", s.from, s.to, s.percent, s.change_sentence());
    for (i, (heading, lines)) in sections(s, r).into_iter().enumerate() {
        out.push_str(&format!("<h2 style=\"font-size: 16px\">{}</h2>", e(heading)));
        for l in lines {
            out.push_str(&format!("<p style=\"margin: 2px 0\">{}</p>", e(&l)));
        }
        if i == 0 {
            out.push_str(&chart_html(chart, &alt, "this tenant's score"));
        }
    }
    if let Some(link) = link {
        out.push_str(&format!("<p><a href=\"{}\">The printable report</a></p>", e(link)));
    }
    out.push_str("</body></html>");
    out
}

/// A tenant's report as a message: text, and HTML with the chart inline.
pub fn message(
    from: Mailbox,
    to: &[Mailbox],
    s: &ReportSummary,
    r: &ReportData,
    link: Option<&str>,
) -> Result<Message, String> {
    let m = &r.metrics;
    let chart = ScoreChart::new(&m.points, m.comparisons.first(), m.zone_okay_from, m.zone_good_from);
    let parts = Parts { subject: subject(s), text: text(s, r, link), html: html(s, r, &chart, link) };
    assemble(from, to, parts, &chart)
}

/// What a report email says, before the chart is drawn into it.
pub struct Parts {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The message: the text part, and the HTML part with `chart` as the inline PNG it points at.
pub fn assemble(from: Mailbox, to: &[Mailbox], parts: Parts, chart: &ScoreChart) -> Result<Message, String> {
    let png = chart.png().ok_or("the chart could not be drawn")?;
    let mut builder = Message::builder().from(from).subject(parts.subject);
    for t in to {
        builder = builder.to(t.clone());
    }
    let png_type = ContentType::parse("image/png").map_err(|e| e.to_string())?;
    let body = MultiPart::alternative().singlepart(SinglePart::plain(parts.text)).multipart(
        MultiPart::related()
            .singlepart(SinglePart::html(parts.html))
            .singlepart(Attachment::new_inline(CHART_ID.to_owned()).body(png, png_type)),
    );
    builder.multipart(body).map_err(|e| format!("the email could not be built: {e}"))
}

/// The chart as the HTML part shows it: the inline image and what its lines are.
pub fn chart_html(chart: &ScoreChart, alt: &str, what: &str) -> String {
    let legend = match &chart.peer_label {
        Some(l) => format!("Blue: {what}, 0 to 100 %. Grey: {l}."),
        None => format!("Blue: {what}, 0 to 100 %."),
    };
    let days = match (chart.first_day, chart.last_day) {
        (Some(a), Some(b)) => format!(" From {a} (left) to {b} (right)."),
        _ => String::new(),
    };
    format!(
        "<p><img src=\"cid:{CHART_ID}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" alt=\"{}\" style=\"max-width: 100%; height: auto\"></p>\
         <p style=\"color: #5b6577; font-size: 13px\">{}{}</p>",
        escape(alt),
        escape(&legend),
        escape(&days)
    )
}

/// The top of an HTML report: its title as the page title and the heading.
pub fn html_head(title: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title></head>\
         <body style=\"font-family: system-ui, sans-serif; color: #1c2330; max-width: 760px\"><h1 style=\"font-size: 20px\">{t}</h1>",
        t = escape(title)
    )
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
