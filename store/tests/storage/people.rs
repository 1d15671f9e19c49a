//! People: users, roles per tenant, sessions, sign-in throttling and API tokens.

use crate::common::{at, new_tenant, password, TestDb};
use score::roles::Role;
use store::{ApiToken, Session, StoreError};

crate::on_both_backends!(
    users_have_unique_case_insensitive_emails,
    roles_are_granted_changed_listed_and_revoked_with_audit,
    sessions_expire_and_can_be_deleted,
    a_password_change_keeps_the_changing_session_and_signing_out_everywhere_ends_all,
    sign_in_attempts_are_counted_per_key_in_a_window,
    a_burst_of_attempts_gets_one_number_each,
    tokens_are_stored_by_hash_and_revoked_only_by_their_owner,
);

async fn users_have_unique_case_insensitive_emails(db: &TestDb) {
    let s = &db.store;
    let u = s.create_user("Ann@Example.com", "Ann", "$argon2id$fake", "cli").await.unwrap();
    assert_eq!(u.email, "ann@example.com");
    assert_eq!(s.user_by_email("ANN@example.COM").await.unwrap().id, u.id);
    assert!(matches!(
        s.create_user("ann@EXAMPLE.com", "Dup", "h", "cli").await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(s.user_by_email("bob@example.com").await, Err(StoreError::NotFound(_))));
    s.set_password_hash(password(&u.id, "$argon2id$secret-new-hash", None), "cli").await.unwrap();
    assert_eq!(s.user(&u.id).await.unwrap().password_hash, "$argon2id$secret-new-hash");
}

async fn roles_are_granted_changed_listed_and_revoked_with_audit(db: &TestDb) {
    let s = &db.store;
    let t1 = s.create_tenant(new_tenant("Beta"), "cli").await.unwrap();
    let t2 = s.create_tenant(new_tenant("Alpha"), "cli").await.unwrap();
    let ann = s.create_user("ann@example.com", "Ann", "$argon2id$hash-of-ann", "cli").await.unwrap();
    let bob = s.create_user("bob@example.com", "Bob", "h", "cli").await.unwrap();
    s.grant_role(&t1.id, &ann.id, Role::GlobalReader, "admin@x").await.unwrap();
    s.grant_role(&t2.id, &ann.id, Role::SecurityAdministrator, "admin@x").await.unwrap();
    s.grant_role(&t1.id, &bob.id, Role::GlobalAdministrator, "admin@x").await.unwrap();
    // Granting again changes the one role the user holds in that tenant.
    s.grant_role(&t1.id, &ann.id, Role::SecurityReader, "admin@x").await.unwrap();
    let mine: Vec<(String, Role)> =
        s.memberships_of_user(&ann.id).await.unwrap().into_iter().map(|m| (m.tenant_id, m.role)).collect();
    assert_eq!(
        mine,
        vec![(t2.id.clone(), Role::SecurityAdministrator), (t1.id.clone(), Role::SecurityReader)]
    );
    let members: Vec<String> =
        s.members_of_tenant(&t1.id).await.unwrap().into_iter().map(|m| m.email).collect();
    assert_eq!(members, ["ann@example.com", "bob@example.com"]);
    // The access check's question: one user's role in one tenant.
    assert_eq!(s.role_in(&ann.id, &t1.id).await.unwrap(), Some(Role::SecurityReader));
    assert_eq!(s.role_in(&bob.id, &t1.id).await.unwrap(), Some(Role::GlobalAdministrator));
    assert_eq!(s.role_in(&bob.id, &t2.id).await.unwrap(), None, "no role in the other tenant");
    s.revoke_role(&t1.id, &ann.id, "admin@x").await.unwrap();
    assert_eq!(s.role_in(&ann.id, &t1.id).await.unwrap(), None, "revoked");
    assert!(matches!(s.revoke_role(&t1.id, &ann.id, "admin@x").await, Err(StoreError::NotFound(_))));
    assert_eq!(s.memberships_of_user(&ann.id).await.unwrap().len(), 1);
    let unknown = "00000000-0000-4000-8000-00000000dead";
    assert_eq!(s.role_in(&ann.id, unknown).await.unwrap(), None, "an unknown tenant answers alike");
    assert!(matches!(
        s.grant_role(unknown, &ann.id, Role::GlobalReader, "x").await,
        Err(StoreError::NotFound(_))
    ));

    let trail = s.audit_trail(&t1.id, 50).await.unwrap();
    let kinds: Vec<&str> = trail.iter().map(|a| a.kind.as_str()).collect();
    assert_eq!(
        &kinds[..4],
        ["membership.revoke", "membership.grant", "membership.grant", "membership.grant"]
    );
    assert!(trail[0].before.contains("SecurityReader"), "{}", trail[0].before);
    assert!(trail[1].before.contains("GlobalReader") && trail[1].after.contains("SecurityReader"));
    assert!(trail.iter().all(|a| !a.before.contains("hash-of-ann") && !a.after.contains("hash-of-ann")));
}

async fn sessions_expire_and_can_be_deleted(db: &TestDb) {
    let s = &db.store;
    let u = s.create_user("ann@example.com", "Ann", "h", "cli").await.unwrap();
    let session = Session {
        token_hash: "abc".into(),
        user_id: u.id.clone(),
        created_at: at(2026, 1, 1, 8),
        expires_at: at(2026, 1, 1, 20),
    };
    s.create_session(&session).await.unwrap();
    assert_eq!(s.session("abc", at(2026, 1, 1, 9)).await.unwrap(), Some(session.clone()));
    assert_eq!(s.session("abc", at(2026, 1, 1, 20)).await.unwrap(), None, "expired at its end");
    assert_eq!(s.session("other", at(2026, 1, 1, 9)).await.unwrap(), None);
    s.delete_session("abc").await.unwrap();
    assert_eq!(s.session("abc", at(2026, 1, 1, 9)).await.unwrap(), None);

    // A password change signs the user out everywhere, and nobody else.
    let bob = s.create_user("bob@example.com", "Bob", "h", "cli").await.unwrap();
    for (hash, user) in [("ann-1", &u.id), ("ann-2", &u.id), ("bob-1", &bob.id)] {
        s.create_session(&Session { token_hash: hash.into(), user_id: user.clone(), ..session.clone() })
            .await
            .unwrap();
    }
    s.set_password_hash(password(&u.id, "$argon2id$new", None), "ann@example.com").await.unwrap();
    for gone in ["ann-1", "ann-2"] {
        assert_eq!(s.session(gone, at(2026, 1, 1, 9)).await.unwrap(), None, "{gone} ended");
    }
    assert!(s.session("bob-1", at(2026, 1, 1, 9)).await.unwrap().is_some(), "other users stay signed in");
}

async fn a_password_change_keeps_the_changing_session_and_signing_out_everywhere_ends_all(db: &TestDb) {
    let s = &db.store;
    let ann = s.create_user("ann@example.com", "Ann", "h", "cli").await.unwrap();
    let bob = s.create_user("bob@example.com", "Bob", "h", "cli").await.unwrap();
    let session = |hash: &str, user: &str| Session {
        token_hash: hash.into(),
        user_id: user.into(),
        created_at: at(2026, 1, 1, 8),
        expires_at: at(2026, 1, 1, 20),
    };
    for (hash, user) in
        [("ann-here", &ann.id), ("ann-phone", &ann.id), ("ann-laptop", &ann.id), ("bob-1", &bob.id)]
    {
        s.create_session(&session(hash, user)).await.unwrap();
    }
    let alive =
        |hash: &'static str| async move { s.session(hash, at(2026, 1, 1, 9)).await.unwrap().is_some() };

    s.set_password_hash(password(&ann.id, "$argon2id$new", Some("ann-here")), "ann@example.com")
        .await
        .unwrap();
    assert!(alive("ann-here").await, "the session that changed the password stays");
    assert!(!alive("ann-phone").await && !alive("ann-laptop").await, "every other session ended");

    s.create_session(&session("ann-phone", &ann.id)).await.unwrap();
    assert_eq!(s.end_sessions(&ann.id, "ann@example.com").await.unwrap(), 2);
    assert!(!alive("ann-here").await && !alive("ann-phone").await, "signed out everywhere");
    assert!(alive("bob-1").await, "nobody else is signed out");
    assert!(matches!(s.end_sessions("no-such-user", "cli").await, Err(StoreError::NotFound(_))));
    let log = db.raw_audit_log().await;
    let ended: Vec<&str> =
        log.iter().filter(|l| l.1 == "user.sign_out_everywhere").map(|l| l.4.as_str()).collect();
    assert_eq!(ended.len(), 1, "one audit line for signing out everywhere");
    assert!(ended[0].contains('2'), "{}", ended[0]);
}

async fn sign_in_attempts_are_counted_per_key_in_a_window(db: &TestDb) {
    let s = &db.store;
    let window_from = |h| at(2026, 1, 1, h);
    for expected in 1..=3 {
        let n = s.claim_sign_in_attempt("ann|10.0.0.1", at(2026, 1, 1, 9), window_from(8)).await.unwrap();
        assert_eq!(n, expected);
    }
    assert_eq!(s.claim_sign_in_attempt("10.0.0.1", at(2026, 1, 1, 9), window_from(8)).await.unwrap(), 1);
    s.forgive_sign_in_attempt("ann|10.0.0.1").await.unwrap();
    assert_eq!(s.claim_sign_in_attempt("ann|10.0.0.1", at(2026, 1, 1, 9), window_from(8)).await.unwrap(), 3);
    s.clear_sign_in_attempts("ann|10.0.0.1").await.unwrap();
    assert_eq!(s.claim_sign_in_attempt("ann|10.0.0.1", at(2026, 1, 1, 9), window_from(8)).await.unwrap(), 1);
    // The window began at 9; an attempt whose window must begin after 10 starts a new one.
    assert_eq!(s.claim_sign_in_attempt("10.0.0.1", at(2026, 1, 1, 11), window_from(10)).await.unwrap(), 1);
    assert_eq!(s.claim_sign_in_attempt("10.0.0.1", at(2026, 1, 1, 11), window_from(10)).await.unwrap(), 2);
}

async fn a_burst_of_attempts_gets_one_number_each(db: &TestDb) {
    let s = &db.store;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move {
                s.claim_sign_in_attempt("burst", at(2026, 1, 1, 9), at(2026, 1, 1, 8)).await
            })
        })
        .collect();
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap().unwrap());
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=20).collect::<Vec<u32>>(), "no two concurrent attempts share a number");
}

async fn tokens_are_stored_by_hash_and_revoked_only_by_their_owner(db: &TestDb) {
    let s = &db.store;
    let t = s.create_tenant(new_tenant("Tok"), "cli").await.unwrap();
    let ann = s.create_user("ann@example.com", "Ann", "h", "cli").await.unwrap();
    let bob = s.create_user("bob@example.com", "Bob", "h", "cli").await.unwrap();
    let token = ApiToken {
        id: "tok1".into(),
        token_hash: "secret-hash-1".into(),
        user_id: ann.id.clone(),
        tenant_id: t.id.clone(),
        name: "nightly export".into(),
        scope: "SecurityEvents.Read.All".into(),
        created_at: at(2026, 1, 1, 8),
        expires_at: Some(at(2026, 2, 1, 8)),
        revoked_at: None,
    };
    s.create_api_token(&token, "ann@example.com").await.unwrap();
    assert_eq!(s.api_token_by_hash("secret-hash-1").await.unwrap(), Some(token.clone()));
    assert_eq!(s.api_tokens_of_user(&ann.id).await.unwrap(), vec![token.clone()]);
    assert!(matches!(
        s.revoke_api_token(&bob.id, "tok1", "bob@example.com").await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(s.api_token_by_hash("secret-hash-1").await.unwrap().unwrap().revoked_at, None);
    s.revoke_api_token(&ann.id, "tok1", "ann@example.com").await.unwrap();
    assert!(s.api_token_by_hash("secret-hash-1").await.unwrap().unwrap().revoked_at.is_some());
    let trail = s.audit_trail(&t.id, 10).await.unwrap();
    assert_eq!(trail[0].kind, "token.revoke");
    assert_eq!(trail[1].kind, "token.create");
    assert!(
        trail.iter().all(|a| !a.after.contains("secret-hash-1")),
        "the hash never reaches the audit trail"
    );
}
