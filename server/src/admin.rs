//! Operator commands for tenants, users and roles.

use crate::config::{TenantCommand, UserCommand};
use crate::startup::StartupError;
use app::auth::secrets::{hash_password, MAX_PASSWORD_LEN, MIN_PASSWORD_LEN};
use app::state::AppState;
use score::roles::Role;
use std::io::BufRead;
use store::{NewPassword, NewTenant};

/// Who the audit trail names for operator commands: `cli:` and the operating-system user
/// who ran them (`cli` alone when that is unknown or not a plain name).
pub fn cli_actor() -> String {
    let user = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_default();
    let plain = !user.is_empty()
        && user.chars().count() <= 64
        && user.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if plain {
        format!("cli:{user}")
    } else {
        "cli".to_owned()
    }
}

fn db(e: store::StoreError) -> StartupError {
    StartupError::Other(e.to_string())
}

fn parse_role(role: &str) -> Result<Role, StartupError> {
    Role::parse(role).ok_or_else(|| {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        StartupError::Other(format!("role `{role}` does not exist; use one of {}", names.join(", ")))
    })
}

pub use app::auth::valid_email;

fn read_password() -> Result<String, StartupError> {
    let password = match std::env::var("RAMPART_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprintln!("password (at least {MIN_PASSWORD_LEN} characters), then Enter:");
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).map_err(|e| StartupError::Other(e.to_string()))?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(StartupError::Other(format!("password: use at least {MIN_PASSWORD_LEN} characters")));
    }
    if password.len() > MAX_PASSWORD_LEN {
        return Err(StartupError::Other(format!("password: use at most {MAX_PASSWORD_LEN} bytes")));
    }
    Ok(password)
}

pub async fn tenant(state: &AppState, cmd: TenantCommand) -> Result<(), StartupError> {
    let actor = cli_actor();
    match cmd {
        TenantCommand::Add { name, seats, industry, active_users } => {
            if name.trim().is_empty() {
                return Err(StartupError::Other("name: must not be empty".into()));
            }
            let t = state
                .store
                .create_tenant(
                    NewTenant {
                        id: None,
                        name: name.trim().to_owned(),
                        licensed_seats: seats,
                        active_users: active_users.unwrap_or(seats),
                        industry,
                        enabled_services: vec![],
                        created_at: chrono::Utc::now(),
                    },
                    &actor,
                )
                .await
                .map_err(db)?;
            println!("{}", t.id);
        }
        TenantCommand::List => {
            for t in state.store.tenants().await.map_err(db)? {
                println!("{}  {}  ({} seats, {})", t.id, t.name, t.licensed_seats, t.industry);
            }
        }
    }
    Ok(())
}

pub async fn user(state: &AppState, cmd: UserCommand) -> Result<(), StartupError> {
    let actor = cli_actor();
    match cmd {
        UserCommand::Add { email, name, tenant, role } => {
            let email = email.trim().to_ascii_lowercase();
            if !valid_email(&email) {
                return Err(StartupError::Other(format!("email: `{email}` is not an email address")));
            }
            let role = role.as_deref().map(parse_role).transpose()?;
            let hash = hash_password(&read_password()?).map_err(|e| StartupError::Other(e.to_string()))?;
            let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
            let user = state.store.create_user(&email, &name, &hash, &actor).await.map_err(db)?;
            println!("user {email} created");
            if let (Some(tenant), Some(role)) = (tenant, role) {
                state.store.grant_role(&tenant, &user.id, role, &actor).await.map_err(db)?;
                println!("{email} is {} in tenant {tenant}", role.label());
            }
        }
        UserCommand::SetPassword { email } => {
            let user = state.store.user_by_email(&email.trim().to_ascii_lowercase()).await.map_err(db)?;
            let hash = hash_password(&read_password()?).map_err(|e| StartupError::Other(e.to_string()))?;
            state
                .store
                .set_password_hash(NewPassword { user_id: &user.id, hash: &hash, keep_session: None }, &actor)
                .await
                .map_err(db)?;
            println!("password of {} set; every session of theirs has ended", user.email);
        }
        UserCommand::Token { email, tenant, scope, name, days } => {
            let user = state.store.user_by_email(&email.trim().to_ascii_lowercase()).await.map_err(db)?;
            // A token acts within its user's role, so a user without one here gets none.
            if state.store.role_in(&user.id, &tenant).await.map_err(db)?.is_none() {
                return Err(StartupError::Other(format!("{} has no role in tenant {tenant}", user.email)));
            }
            let scope = crate::tokens::token_scope(&scope).map_err(StartupError::Other)?;
            let name = crate::tokens::token_name(&name).map_err(StartupError::Other)?;
            let now = chrono::Utc::now();
            let days = days.map(|d| d.to_string()).unwrap_or_default();
            let expires_at = crate::tokens::token_expiry(&days, state.token_max_days, now)
                .map_err(|m| StartupError::Other(m.replace("expires_days", "--days")))?;
            let wanted = crate::tokens::TokenRequest { user_id: &user.id, tenant_id: &tenant, name, scope };
            let secret = crate::tokens::issue_token(state.store.as_ref(), wanted, now, expires_at, &actor)
                .await
                .map_err(|e| match e {
                    crate::tokens::IssueError::Random => {
                        StartupError::Other("could not create a random token".into())
                    }
                    crate::tokens::IssueError::Store(e) => db(e),
                })?;
            eprintln!(
                "token for {} in tenant {tenant}, {scope}, expires {}:",
                user.email,
                expires_at.format("%Y-%m-%d")
            );
            println!("{secret}");
        }
        UserCommand::Grant { email, tenant, role } => {
            let role = parse_role(&role)?;
            let user = state.store.user_by_email(&email.trim().to_ascii_lowercase()).await.map_err(db)?;
            state.store.grant_role(&tenant, &user.id, role, &actor).await.map_err(db)?;
            println!("{} is {} in tenant {tenant}", user.email, role.label());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_for_shape() {
        assert!(valid_email("a@b.example"));
        for bad in ["", "a", "a@b", "@b.example", "a@.example", "a b@c.example", "a@b@c.example"] {
            assert!(!valid_email(bad), "{bad}");
        }
    }
}
