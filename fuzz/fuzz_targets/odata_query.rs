//! The OData query options of the Graph collections (`$filter`, `$orderby`, `$select`,
//! `$top`, `$skip`, `$count`), parsed against the real schemas and then evaluated on a few
//! entities, the way the `secureScores` and `secureScoreControlProfiles` handlers do.
//!
//! Besides "no panic", it checks what a client relies on: a page never holds more than
//! `$top` or the page size allows, and every `@odata.nextLink` handed out is itself a query
//! that parses to the same options, one page further on.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use server::graph::odata::{self, QueryOptions, Schema};
use server::graph::{control_profiles, only_select, secure_scores};
use std::sync::OnceLock;

struct Collection {
    schema: &'static Schema,
    page_size: usize,
    base_url: &'static str,
    items: Vec<Value>,
}

/// Entities as the handlers serialise them, plus the awkward cases a store can hold or a
/// comparison must survive: nulls, missing fields, a number where text is expected, dates
/// with offsets or none at all.
fn collections() -> &'static [Collection] {
    static COLLECTIONS: OnceLock<Vec<Collection>> = OnceLock::new();
    COLLECTIONS.get_or_init(|| {
        let scores = vec![
            json!({"id": "t1_2026-11-30", "azureTenantId": "t1", "activeUserCount": 58,
                "createdDateTime": "2026-11-30T00:00:00Z", "currentScore": 123.5,
                "licensedUserCount": 60, "maxScore": 412.0,
                "controlScores": [{"controlName": "AdminMFAV2", "score": 10.0}],
                "vendorInformation": {"provider": "SecureScore"}}),
            json!({"id": "t1_2026-11-29", "azureTenantId": "t1", "activeUserCount": null,
                "createdDateTime": "2026-11-29T23:59:59+01:00", "currentScore": 0,
                "licensedUserCount": 0, "maxScore": 0.01}),
            json!({"id": "t1_2026-11-28", "azureTenantId": null, "createdDateTime": "2026-11-28",
                "currentScore": -1, "maxScore": 1e300, "enabledServices": ["HasExchange"]}),
            json!({"id": "t1_2026-11-27", "azureTenantId": "T1", "activeUserCount": "58",
                "createdDateTime": "not a date", "currentScore": 4294967295_u64}),
            json!({"id": "", "@odata.type": "#microsoft.graph.secureScore"}),
            json!({"id": "t1_2026-11-26", "azureTenantId": "t1", "activeUserCount": 1,
                "createdDateTime": "2026-11-26T08:00:00.123456Z", "currentScore": 123.5,
                "licensedUserCount": 2, "maxScore": 412.0}),
        ];
        let profiles = vec![
            json!({"id": "AdminMFAV2", "azureTenantId": "t1", "actionType": "Config",
                "actionUrl": "https://example.test/a", "controlCategory": "Identity",
                "deprecated": false, "implementationCost": "Low",
                "lastModifiedDateTime": "2026-11-30T10:00:00Z", "maxScore": 10.0, "rank": 1,
                "remediation": "Turn on MFA.", "remediationImpact": "Prompts", "service": "AzureAD",
                "tier": "Core", "title": "Require MFA for administrative roles", "userImpact": "Low",
                "threats": ["AccountBreach"], "controlStateUpdates": [{"state": "Default"}],
                "complianceInformation": null, "vendorInformation": {"vendor": "Microsoft"}}),
            json!({"id": "BlockLegacyAuthentication", "controlCategory": "Identity", "deprecated": true,
                "lastModifiedDateTime": null, "maxScore": 8, "rank": 2, "title": "Block legacy auth",
                "tier": "Core", "userImpact": "Moderate"}),
            json!({"id": "DLPEnabled", "controlCategory": "Data", "deprecated": "false",
                "lastModifiedDateTime": "2026-01-01", "maxScore": "5", "rank": 3.5, "title": "",
                "service": null}),
            json!({"id": "MDEEnabled", "controlCategory": "Device", "maxScore": -0.0, "rank": -7,
                "title": "Ünïcode tïtle ✓", "implementationCost": "High"}),
            json!({"id": "Custom_1", "controlCategory": "Apps", "maxScore": 1, "rank": 1,
                "title": "Require MFA for administrative roles", "tier": "Advanced"}),
        ];
        let scores_url = "https://rampart.test/v1.0/security/secureScores";
        let profiles_url = "https://rampart.test/v1.0/security/secureScoreControlProfiles";
        let profiles_with_query = "https://rampart.test/v1.0/security/secureScoreControlProfiles?x=1";
        // Each list at its real page size and at one smaller than the list, so that paging
        // and next links are reached (one base URL already has a query of its own).
        [
            (&secure_scores::SCHEMA, secure_scores::PAGE_SIZE, scores_url, scores.clone()),
            (&secure_scores::SCHEMA, 2, scores_url, scores),
            (&control_profiles::SCHEMA, control_profiles::PAGE_SIZE, profiles_url, profiles.clone()),
            (&control_profiles::SCHEMA, 1, profiles_with_query, profiles),
        ]
        .into_iter()
        .map(|(schema, page_size, base_url, items)| Collection { schema, page_size, base_url, items })
        .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    // A raw query reaches the handlers as text; invalid UTF-8 cannot, so it is mended
    // rather than thrown away.
    let query = String::from_utf8_lossy(data);
    // The same bytes as a `$filter` value, so that the filter grammar is explored without
    // the fuzzer first having to find `$filter=`.
    let encoded: String = form_urlencoded::byte_serialize(query.as_bytes()).collect();
    let as_filter = format!("$filter={encoded}");
    for collection in collections() {
        check(&query, collection);
        check(&as_filter, collection);
    }
});

fn check(query: &str, c: &Collection) {
    let Ok(options) = odata::parse(Some(query), c.schema) else { return };
    // What a single-entity read asks of the same options.
    let _ = only_select(&options);
    let _ = options.is_plain();

    let page = options.apply(c.items.clone(), c.page_size);
    assert!(page.items.len() <= c.page_size.max(1), "a page is over the page size");
    if let Some(top) = options.top {
        assert!(page.items.len() <= top, "a page is over $top");
    }
    match page.count {
        Some(count) => assert!(page.items.len() <= count && count <= c.items.len()),
        None => assert!(!options.count, "$count=true without a count"),
    }
    let returned = page.items.len();
    for item in page.items {
        let projected = options.project(item);
        if let (Some(select), Value::Object(fields)) = (&options.select, &projected) {
            for key in fields.keys() {
                assert!(
                    key == "id" || key.starts_with("@odata.") || select.contains(&key.as_str()),
                    "$select let through {key}"
                );
            }
        }
    }
    // Links for any skip, however far, are built without overflow.
    let _ = options.next_link(c.base_url, usize::MAX);
    let _ = options.next_link(c.base_url, 0);

    if let Some(next_skip) = page.next_skip {
        assert!(next_skip > options.skip && returned > 0, "a next link that does not move on");
        let link = options.next_link(c.base_url, next_skip);
        let (_, next_query) = link.split_once('?').expect("a next link has a query");
        let next = odata::parse(Some(next_query), c.schema)
            .unwrap_or_else(|e| panic!("the next link {link} is refused: {e}"));
        same_query(&options, &next, next_skip, returned);
    }
}

/// The next page's options: the same query, moved on by the page just returned.
fn same_query(first: &QueryOptions, next: &QueryOptions, next_skip: usize, returned: usize) {
    assert_eq!(next.filter, first.filter, "the next link changes $filter");
    assert_eq!(next.order_by, first.order_by, "the next link changes $orderby");
    assert_eq!(next.select, first.select, "the next link changes $select");
    assert_eq!(next.count, first.count, "the next link changes $count");
    assert_eq!(next.skip, next_skip, "the next link's $skip");
    assert_eq!(next.top, first.top.map(|t| t - returned), "the next link's $top");
}
