//! Editing the tenant's score zones: a plain form post answered by a redirect back to the
//! same Metrics & trends view, carrying the outcome in the URL.

use crate::error::AppError;
use crate::pages::history::query::HistoryQuery;
use leptos::prelude::*;

/// Why a zones form was refused: the code travels in the URL, the message names the field.
pub fn error_message(code: &str) -> &'static str {
    match code {
        "okay_from" => "Okay from: a whole percentage from 1 to 99.",
        "good_from" => "Good from: a whole percentage from 2 to 100, above where the okay zone starts.",
        _ => "The change was refused.",
    }
}

/// A zone boundary as typed: a whole percentage in `lo..=hi`.
pub fn parse_percent(text: &str, lo: u32, hi: u32) -> Option<u32> {
    text.trim().parse::<u32>().ok().filter(|p| (lo..=hi).contains(p))
}

/// The outcome of a zones form: the two boundaries, or the code of the field to fix.
pub fn validate(okay_from: &str, good_from: &str) -> Result<(u32, u32), &'static str> {
    let okay = parse_percent(okay_from, 1, 99).ok_or("okay_from")?;
    let good = parse_percent(good_from, 2, 100).ok_or("good_from")?;
    if good <= okay {
        return Err("good_from");
    }
    Ok((okay, good))
}

/// The Metrics & trends URL of the view a form was sent from.
pub fn here(tenant_id: &str, view: &HistoryQuery) -> String {
    format!("/tenants/{}/metrics{}", crate::pages::actions::query::encode(tenant_id), view.to_search())
}

/// The view a form was sent from, plus `outcome` (`key=value`).
pub fn back(tenant_id: &str, view: &HistoryQuery, outcome: &str) -> String {
    let here = here(tenant_id, view);
    let sep = if here.contains('?') { '&' } else { '?' };
    format!("{here}{sep}{outcome}")
}

/// Sets where the okay and good zones start (read-write roles), audited by the store.
#[server(endpoint = "set_zones")]
pub async fn set_zones(
    tenant_id: String,
    okay_from: String,
    good_from: String,
    range: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> Result<(), AppError> {
    use score::roles::Access;
    let access = crate::auth::access::authorize(&tenant_id, Access::Write).await?;
    let view = HistoryQuery::of_range(range, from, to);
    let outcome = match validate(&okay_from, &good_from) {
        Err(code) => format!("error={code}"),
        Ok((okay, good)) => {
            access.state.store.set_zones(&access.tenant_id, okay, good, &access.viewer.email).await?;
            "done=zones".to_owned()
        }
    };
    leptos_axum::redirect(&back(&access.tenant_id, &view, &outcome));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_need_whole_percentages_in_order() {
        assert_eq!(validate("40", "70"), Ok((40, 70)));
        assert_eq!(validate(" 1 ", "100"), Ok((1, 100)));
        assert_eq!(validate("0", "70"), Err("okay_from"));
        assert_eq!(validate("40.5", "70"), Err("okay_from"));
        assert_eq!(validate("40", "101"), Err("good_from"));
        assert_eq!(validate("70", "70"), Err("good_from"));
        assert_eq!(validate("<b>", "70"), Err("okay_from"));
    }

    #[test]
    fn the_way_back_keeps_the_range() {
        let q = HistoryQuery::from_lookup(|k| (k == "range").then(|| "90d".to_owned()));
        assert_eq!(back("t1", &q, "done=zones"), "/tenants/t1/metrics?range=90d&done=zones");
        assert_eq!(
            back("t1", &HistoryQuery::default(), "error=okay_from"),
            "/tenants/t1/metrics?error=okay_from"
        );
    }
}
