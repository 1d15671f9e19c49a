//! People: what never reaches the audit trail, and the refusals (unknown tenant, user or
//! token, bad scope, duplicate secrets) that change nothing.

use crate::common::{at, new_tenant, password, TestDb};
use score::roles::Role;
use store::{ApiToken, StoreError};

crate::on_both_backends!(
    secrets_never_reach_the_audit_log,
    refusals_change_nothing,
    emails_are_lower_cased_beyond_ascii,
    tokens_are_listed_newest_first_and_revoking_twice_is_harmless,
);

fn token(id: &str, hash: &str, user_id: &str, tenant_id: &str, created_hour: u32) -> ApiToken {
    ApiToken {
        id: id.into(),
        token_hash: hash.into(),
        user_id: user_id.into(),
        tenant_id: tenant_id.into(),
        name: format!("token {id}"),
        scope: "SecurityEvents.ReadWrite.All".into(),
        created_at: at(2026, 1, 1, created_hour),
        expires_at: None,
        revoked_at: None,
    }
}

async fn secrets_never_reach_the_audit_log(db: &TestDb) {
    let s = &db.store;
    let t = s.create_tenant(new_tenant("Acme"), "cli").await.unwrap();
    let ann = s.create_user("ann@example.com", "Ann", "$argon2id$SECRET-first", "cli").await.unwrap();
    s.set_password_hash(password(&ann.id, "$argon2id$SECRET-second", None), "ann@example.com").await.unwrap();
    s.grant_role(&t.id, &ann.id, Role::GlobalAdministrator, "cli").await.unwrap();
    let mut tok = token("tok1", "SECRET-token-hash", &ann.id, &t.id, 8);
    tok.expires_at = Some(at(2026, 3, 1, 0));
    s.create_api_token(&tok, "ann@example.com").await.unwrap();
    s.revoke_api_token(&ann.id, "tok1", "ann@example.com").await.unwrap();
    // Sessions and sign-in attempts are not audited.
    s.claim_sign_in_attempt("ann@example.com|10.0.0.1", at(2026, 1, 1, 9), at(2026, 1, 1, 8)).await.unwrap();

    let log = db.raw_audit_log().await;
    for (_, kind, subject, before, after) in &log {
        for text in [subject, before, after] {
            assert!(!text.contains("SECRET"), "{kind} leaks a secret: {text}");
        }
    }
    let kinds: Vec<(Option<&str>, &str)> = log.iter().map(|l| (l.0.as_deref(), l.1.as_str())).collect();
    let tid = Some(t.id.as_str());
    assert_eq!(
        kinds,
        [
            (tid, "tenant.create"),
            (None, "user.create"),
            (None, "user.password"),
            (tid, "membership.grant"),
            (tid, "token.create"),
            (tid, "token.revoke"),
        ]
    );
    let (_, _, subject, before, after) = &log[1];
    assert_eq!(subject, &ann.id);
    assert!(before == "{}" && after.contains("ann@example.com"), "{after}");
    let (_, _, subject, before, after) = &log[2];
    assert_eq!((subject.as_str(), before.as_str(), after.as_str()), (ann.id.as_str(), "{}", "{}"));
    let (_, _, _, before, after) = &log[3];
    assert_eq!(before, "{}", "a first grant has nothing before");
    assert!(after.contains("GlobalAdministrator"), "{after}");
    let after: serde_json::Value = serde_json::from_str(&log[4].4).unwrap();
    assert_eq!(after["id"], "tok1");
    assert_eq!(after["name"], "token tok1");
    assert_eq!(after["scope"], "SecurityEvents.ReadWrite.All");
    assert!(after["expires_at"].as_str().unwrap().starts_with("2026-03-01T00:00:00"), "{after}");
}

async fn refusals_change_nothing(db: &TestDb) {
    let s = &db.store;
    let t = s.create_tenant(new_tenant("Acme"), "cli").await.unwrap();
    let ann = s.create_user("ann@example.com", "Ann", "h", "cli").await.unwrap();
    s.create_api_token(&token("tok1", "hash-1", &ann.id, &t.id, 8), "ann").await.unwrap();
    let lines = db.raw_audit_log().await.len();
    let unknown = "00000000-0000-4000-8000-00000000dead";
    let not_found = |r: Result<(), StoreError>, what: &str| {
        assert!(matches!(r, Err(StoreError::NotFound(_))), "{what}: {r:?}");
    };

    not_found(s.user(unknown).await.map(drop), "user by id");
    not_found(s.set_password_hash(password(unknown, "h2", None), "cli").await, "password of nobody");
    not_found(s.grant_role(&t.id, unknown, Role::GlobalReader, "cli").await.map(drop), "grant to nobody");
    not_found(
        s.grant_role(unknown, &ann.id, Role::GlobalReader, "cli").await.map(drop),
        "grant in no tenant",
    );
    not_found(s.revoke_role(unknown, &ann.id, "cli").await, "revoke in no tenant");
    not_found(s.revoke_role(&t.id, unknown, "cli").await, "revoke of nobody");
    not_found(s.revoke_role(&t.id, &ann.id, "cli").await, "revoke of a role not held");
    not_found(s.revoke_api_token(&ann.id, "no-such-token", "ann").await, "revoke of no token");
    not_found(
        s.create_api_token(&token("t2", "hash-2", &ann.id, unknown, 9), "ann").await,
        "token, no tenant",
    );
    not_found(s.create_api_token(&token("t3", "hash-3", unknown, &t.id, 9), "ann").await, "token, no user");
    let twin = s.create_api_token(&token("t4", "hash-1", &ann.id, &t.id, 9), "ann").await;
    assert!(matches!(twin, Err(StoreError::Conflict(_))), "same token hash: {twin:?}");
    let bad_scope = ApiToken { scope: "Everything".into(), ..token("t5", "hash-5", &ann.id, &t.id, 9) };
    let bad = s.create_api_token(&bad_scope, "ann").await;
    assert!(matches!(bad, Err(StoreError::Invalid(_))), "scope: {bad:?}");
    let empty = s.create_user("  ", "Nobody", "h", "cli").await;
    assert!(matches!(empty, Err(StoreError::Invalid(_))), "empty email: {empty:?}");

    assert_eq!(db.raw_audit_log().await.len(), lines, "refused writes leave no audit line");
    assert!(s.memberships_of_user(&ann.id).await.unwrap().is_empty());
    assert!(s.members_of_tenant(&t.id).await.unwrap().is_empty());
    assert_eq!(s.api_tokens_of_user(&ann.id).await.unwrap().len(), 1);
    assert_eq!(s.user(&ann.id).await.unwrap().password_hash, "h");
}

async fn emails_are_lower_cased_beyond_ascii(db: &TestDb) {
    let s = &db.store;
    let u = s.create_user(" Åsa.Öberg@Example.SE ", "Åsa", "h", "cli").await.unwrap();
    assert_eq!(u.email, "åsa.öberg@example.se");
    assert_eq!(s.user(&u.id).await.unwrap(), u, "stored as returned");
    assert_eq!(s.user_by_email("ÅSA.ÖBERG@EXAMPLE.SE").await.unwrap().id, u.id);
    let dup = s.create_user("åsa.öberg@example.se", "Twin", "h", "cli").await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
}

async fn tokens_are_listed_newest_first_and_revoking_twice_is_harmless(db: &TestDb) {
    let s = &db.store;
    let t = s.create_tenant(new_tenant("Acme"), "cli").await.unwrap();
    let ann = s.create_user("ann@example.com", "Ann", "h", "cli").await.unwrap();
    let bob = s.create_user("bob@example.com", "Bob", "h", "cli").await.unwrap();
    s.create_api_token(&token("old", "hash-old", &ann.id, &t.id, 8), "ann").await.unwrap();
    s.create_api_token(&token("new", "hash-new", &ann.id, &t.id, 10), "ann").await.unwrap();
    s.create_api_token(&token("bobs", "hash-bob", &bob.id, &t.id, 9), "bob").await.unwrap();
    let ids: Vec<String> = s.api_tokens_of_user(&ann.id).await.unwrap().into_iter().map(|t| t.id).collect();
    assert_eq!(ids, ["new", "old"]);
    assert_eq!(s.api_token_by_hash("nope").await.unwrap(), None);

    s.revoke_api_token(&ann.id, "old", "ann").await.unwrap();
    let revoked_at = s.api_token_by_hash("hash-old").await.unwrap().unwrap().revoked_at;
    let lines = db.raw_audit_log().await.len();
    s.revoke_api_token(&ann.id, "old", "ann").await.unwrap();
    assert_eq!(s.api_token_by_hash("hash-old").await.unwrap().unwrap().revoked_at, revoked_at);
    assert_eq!(db.raw_audit_log().await.len(), lines, "a second revocation is not a change");
    let others = s.revoke_api_token(&ann.id, "bobs", "ann").await;
    assert!(matches!(others, Err(StoreError::NotFound(_))), "{others:?}");
    assert_eq!(s.api_token_by_hash("hash-bob").await.unwrap().unwrap().revoked_at, None);
}
