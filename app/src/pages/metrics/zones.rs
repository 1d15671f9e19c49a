//! Editing the tenant's score zones: a plain form post answered by a redirect back to the
//! same Metrics & trends view, carrying the outcome in the URL.

use crate::error::AppError;
use crate::pages::history::query::HistoryQuery;
use leptos::prelude::*;
use service::refusal::{Refusal, Refusals};

/// Why a zones form is refused.
pub const REFUSALS: Refusals = Refusals(&[
    Refusal::new("okay_from", "okay_from", "Okay from: a whole percentage from 1 to 99."),
    Refusal::new(
        "good_from",
        "good_from",
        "Good from: a whole percentage from 2 to 100, above where the okay zone starts.",
    ),
]);

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

/// Sets where the okay and good zones start (read-write roles), audited by the store.
#[server(endpoint = "set_zones")]
pub async fn set_zones(
    tenant_id: String,
    okay_from: String,
    good_from: String,
    #[server(flatten)] view: HistoryQuery,
) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse, with_param};
    use score::roles::Access;
    let access = crate::auth::access::authorize(&tenant_id, Access::Write).await?;
    let here = super::view_url(&access.tenant_id, &view);
    let (okay, good) = match validate(&okay_from, &good_from) {
        Ok(zones) => zones,
        Err(code) => return refuse(&here, REFUSALS.of(code)).await,
    };
    access.state.store.set_zones(&access.tenant_id, okay, good, &access.viewer.email).await?;
    done(&with_param(&here, "done", "zones"))
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
        let back = |q: &HistoryQuery, k: &str, v: &str| {
            service::url::with_param(&super::super::view_url("t1", q), k, v)
        };
        assert_eq!(back(&q, "done", "zones"), "/tenants/t1/metrics?range=90d&done=zones");
        assert_eq!(
            back(&HistoryQuery::default(), "error", "okay_from"),
            "/tenants/t1/metrics?error=okay_from"
        );
        let sorted = HistoryQuery::from_lookup(|k| (k == "sort").then(|| "points".to_owned()));
        assert_eq!(super::super::view_url("t1", &sorted), "/tenants/t1/metrics", "only the range comes back");
    }
}
