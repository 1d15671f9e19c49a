//! Operator commands for tenants, users and roles.

use crate::config::{TenantCommand, UserCommand};
use crate::startup::StartupError;
use app::auth::secrets::{hash_password, MIN_PASSWORD_LEN};
use app::state::AppState;
use score::roles::Role;
use std::io::BufRead;
use store::NewTenant;

const ACTOR: &str = "cli";

fn db(e: store::StoreError) -> StartupError {
    StartupError::Other(e.to_string())
}

fn parse_role(role: &str) -> Result<Role, StartupError> {
    Role::parse(role).ok_or_else(|| {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        StartupError::Other(format!("role `{role}` does not exist; use one of {}", names.join(", ")))
    })
}

/// A plausible email: one @, something on both sides, a dot in the domain, no spaces.
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

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
    Ok(password)
}

pub async fn tenant(state: &AppState, cmd: TenantCommand) -> Result<(), StartupError> {
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
                    ACTOR,
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
    match cmd {
        UserCommand::Add { email, name, tenant, role } => {
            let email = email.trim().to_ascii_lowercase();
            if !valid_email(&email) {
                return Err(StartupError::Other(format!("email: `{email}` is not an email address")));
            }
            let role = role.as_deref().map(parse_role).transpose()?;
            let hash = hash_password(&read_password()?).map_err(|e| StartupError::Other(e.to_string()))?;
            let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
            let user = state.store.create_user(&email, &name, &hash, ACTOR).await.map_err(db)?;
            println!("user {email} created");
            if let (Some(tenant), Some(role)) = (tenant, role) {
                state.store.grant_role(&tenant, &user.id, role, ACTOR).await.map_err(db)?;
                println!("{email} is {} in tenant {tenant}", role.label());
            }
        }
        UserCommand::Grant { email, tenant, role } => {
            let role = parse_role(&role)?;
            let user = state.store.user_by_email(&email.trim().to_ascii_lowercase()).await.map_err(db)?;
            state.store.grant_role(&tenant, &user.id, role, ACTOR).await.map_err(db)?;
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
