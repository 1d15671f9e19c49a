//! The body of `POST /api/v1/measurements`: decoded and checked item by item against the
//! built-in catalog, by the same functions the handler calls before anything reaches the
//! store.
//!
//! Besides "no panic", it checks the promises of the answer: an accepted batch keeps every
//! item, each within its bounds; a refused one is a 400 naming only items that exist.

#![no_main]

use chrono::{DateTime, Duration, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use score::{ImprovementAction, Scoring};
use server::ingest::{check_batch, decode_batch, MAX_BATCH_ITEMS, MAX_CLOCK_SKEW_MINUTES};
use std::collections::HashMap;
use std::sync::OnceLock;

fn actions() -> &'static HashMap<String, ImprovementAction> {
    static ACTIONS: OnceLock<HashMap<String, ImprovementAction>> = OnceLock::new();
    ACTIONS.get_or_init(|| {
        let catalog = server::catalog_file::load(None).expect("the built-in catalog loads");
        catalog.actions.into_iter().map(|a| (a.id.clone(), a)).collect()
    })
}

/// A fixed clock, so that a run is repeatable and a saved input fails again the same way.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).single().expect("a valid time")
}

fuzz_target!(|data: &[u8]| {
    let items = match decode_batch(data) {
        Ok(items) => items,
        Err(e) => {
            assert_eq!(e.status.as_u16(), 400, "{e}");
            return;
        }
    };
    assert!(!items.is_empty() && items.len() <= MAX_BATCH_ITEMS);
    let n = items.len();
    match check_batch(items, actions(), now()) {
        Ok(inputs) => {
            assert_eq!(inputs.len(), n, "an accepted batch keeps every item");
            for input in &inputs {
                let action = actions().get(&input.action_id).expect("only known actions are accepted");
                let m = &input.measurement;
                assert!(m.count <= m.total, "count {} over total {}", m.count, m.total);
                if matches!(action.scoring, Scoring::Binary) {
                    assert!(m.total <= 1, "a yes/no action with total {}", m.total);
                }
                assert!(m.observed_at <= now() + Duration::minutes(MAX_CLOCK_SKEW_MINUTES));
            }
        }
        Err(e) => {
            assert_eq!(e.status.as_u16(), 400, "{e}");
            assert!(!e.details.is_empty(), "a refused batch names its bad items");
            for d in &e.details {
                let index = d
                    .target
                    .strip_prefix("measurements[")
                    .and_then(|rest| rest.split(']').next())
                    .and_then(|i| i.parse::<usize>().ok())
                    .unwrap_or_else(|| panic!("target {} names no item", d.target));
                assert!(index < n, "target {} is past the {n} items", d.target);
            }
            // The answer goes out as JSON.
            let _ = serde_json::to_vec(&e.details).expect("details serialise");
        }
    }
});
