//! Figures read from the store at scrape time: the pool, and every tenant's live score.

use super::text::{header, sample};
use store::{Store, StoreError};

pub(super) fn render_store(out: &mut String, store: &dyn Store) {
    let pool = store.pool_usage();
    let backend = store.backend();
    header(out, "rampart_store_connections", "gauge", "Database connections open, by state.");
    let busy = pool.open.saturating_sub(pool.idle);
    sample(out, "rampart_store_connections", &[("backend", backend), ("state", "busy")], f64::from(busy));
    sample(
        out,
        "rampart_store_connections",
        &[("backend", backend), ("state", "idle")],
        f64::from(pool.idle),
    );
    header(out, "rampart_store_max_connections", "gauge", "The most connections the pool opens.");
    sample(out, "rampart_store_max_connections", &[("backend", backend)], f64::from(pool.max));
    header(
        out,
        "rampart_store_query_errors_total",
        "counter",
        "Storage operations that failed (not expected refusals such as a duplicate).",
    );
    sample(out, "rampart_store_query_errors_total", &[("backend", backend)], store::query_errors() as f64);
}

/// Each tenant's live score: its kept score, which is the Overview's computation for the
/// tenant's current revision, so the gauge and the page never disagree. All tenants or
/// none: a scrape missing some would look like drops.
pub(super) async fn render_scores(
    out: &mut String,
    state: &app::state::AppState,
    with_names: bool,
) -> Result<(), StoreError> {
    let scores =
        service::portfolio::every_score(state.store.as_ref(), &state.catalog, &state.catalog_fingerprint)
            .await?;
    let rows: Vec<(String, String, f64, f64)> =
        scores.into_iter().map(|(id, name, s)| (id, name, s.current.as_f64(), s.max.as_f64())).collect();
    let series = [
        ("rampart_tenant_score_ratio", "The tenant's live score as a share of its maximum (0 to 1)."),
        ("rampart_tenant_points", "Points the tenant has achieved now."),
        ("rampart_tenant_max_points", "Points the tenant can achieve now."),
    ];
    for (i, (name, help)) in series.into_iter().enumerate() {
        header(out, name, "gauge", help);
        for (id, tenant_name, current, max) in &rows {
            let value = match i {
                0 if *max > 0.0 => current / max,
                0 => 0.0,
                1 => *current,
                _ => *max,
            };
            if with_names {
                sample(out, name, &[("tenant_id", id), ("tenant_name", tenant_name)], value);
            } else {
                sample(out, name, &[("tenant_id", id)], value);
            }
        }
    }
    Ok(())
}
