//! Sign-in throttling counters and ending a user's sessions: the writes behind the
//! sign-in, password-change and sign-out-everywhere flows.

use crate::audit::{write_audit, AuditLine};
use crate::codec::micros;
use crate::pool::{on_pool, Begin, SqlStore};
use crate::Result;
use chrono::{DateTime, Utc};

/// One upsert both counts the attempt and reads the count: the row lock (PostgreSQL) or the
/// write lock (SQLite) makes concurrent attempts take turns, so each sees its own number.
/// Every SET expression reads the row as it was, so both CASEs agree on whether the window
/// is over.
const CLAIM: &str = "INSERT INTO sign_in_attempts (key, window_start, attempts) VALUES ($1, $2, 1) \
    ON CONFLICT (key) DO UPDATE SET \
    attempts = CASE WHEN sign_in_attempts.window_start < $3 THEN 1 ELSE sign_in_attempts.attempts + 1 END, \
    window_start = CASE WHEN sign_in_attempts.window_start < $3 THEN $2 ELSE sign_in_attempts.window_start END \
    RETURNING attempts";

pub(crate) async fn claim(
    store: &SqlStore,
    key: &str,
    at: DateTime<Utc>,
    window_began_after: DateTime<Utc>,
) -> Result<u32> {
    let n: i64 = on_pool!(store, p => {
        let mut tx = p.begin_write().await?;
        let n: i64 = sqlx::query_scalar(CLAIM)
            .bind(key)
            .bind(micros(at))
            .bind(micros(window_began_after))
            .fetch_one(&mut *tx)
            .await?;
        // Windows that are over are useless; sweeping them here keeps the table small.
        sqlx::query("DELETE FROM sign_in_attempts WHERE window_start < $1 AND key <> $2")
            .bind(micros(window_began_after))
            .bind(key)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        n
    });
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

pub(crate) async fn forgive(store: &SqlStore, key: &str) -> Result<()> {
    on_pool!(store, p => {
        sqlx::query("UPDATE sign_in_attempts SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0")
            .bind(key)
            .execute(p)
            .await?;
    });
    Ok(())
}

pub(crate) async fn clear(store: &SqlStore, key: &str) -> Result<()> {
    on_pool!(store, p => {
        sqlx::query("DELETE FROM sign_in_attempts WHERE key = $1").bind(key).execute(p).await?;
    });
    Ok(())
}

/// What the audit trail shows of ending sessions: how many, never which.
#[derive(serde::Serialize)]
struct SessionsEnded {
    sessions_ended: u64,
}

pub(crate) async fn end_sessions(store: &SqlStore, user_id: &str, actor: &str) -> Result<u64> {
    let ended = on_pool!(store, p => {
        let mut tx = p.begin_write().await?;
        let known: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            return Err(crate::people_rows::no_user(user_id));
        }
        let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let audit = AuditLine::new(None, actor, "user.sign_out_everywhere", user_id)
            .after(&SessionsEnded { sessions_ended: ended })?;
        write_audit!(tx, audit)?;
        tx.commit().await?;
        ended
    });
    Ok(ended)
}
