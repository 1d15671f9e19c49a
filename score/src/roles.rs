//! Roles per tenant and what each may do (SPEC §5), as data shared with the browser.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    GlobalAdministrator,
    SecurityAdministrator,
    ExchangeAdministrator,
    SharePointAdministrator,
    HelpdeskAdministrator,
    UserAdministrator,
    ServiceSupportAdministrator,
    SecurityReader,
    SecurityOperator,
    GlobalReader,
}

/// What a request needs on a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Access {
    Read,
    Write,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::GlobalAdministrator,
        Role::SecurityAdministrator,
        Role::ExchangeAdministrator,
        Role::SharePointAdministrator,
        Role::HelpdeskAdministrator,
        Role::UserAdministrator,
        Role::ServiceSupportAdministrator,
        Role::SecurityReader,
        Role::SecurityOperator,
        Role::GlobalReader,
    ];

    /// Stable name used in storage, URLs and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::GlobalAdministrator => "GlobalAdministrator",
            Role::SecurityAdministrator => "SecurityAdministrator",
            Role::ExchangeAdministrator => "ExchangeAdministrator",
            Role::SharePointAdministrator => "SharePointAdministrator",
            Role::HelpdeskAdministrator => "HelpdeskAdministrator",
            Role::UserAdministrator => "UserAdministrator",
            Role::ServiceSupportAdministrator => "ServiceSupportAdministrator",
            Role::SecurityReader => "SecurityReader",
            Role::SecurityOperator => "SecurityOperator",
            Role::GlobalReader => "GlobalReader",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::GlobalAdministrator => "Global administrator",
            Role::SecurityAdministrator => "Security administrator",
            Role::ExchangeAdministrator => "Exchange administrator",
            Role::SharePointAdministrator => "SharePoint administrator",
            Role::HelpdeskAdministrator => "Helpdesk administrator",
            Role::UserAdministrator => "User administrator",
            Role::ServiceSupportAdministrator => "Service support administrator",
            Role::SecurityReader => "Security reader",
            Role::SecurityOperator => "Security operator",
            Role::GlobalReader => "Global reader",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str().eq_ignore_ascii_case(s))
    }

    /// Read-write roles edit status, notes, tags, zones, comparisons, custom actions and
    /// goals, and grant read-only access to others.
    pub fn can_write(self) -> bool {
        matches!(
            self,
            Role::GlobalAdministrator
                | Role::SecurityAdministrator
                | Role::ExchangeAdministrator
                | Role::SharePointAdministrator
        )
    }

    pub fn allows(self, access: Access) -> bool {
        match access {
            Access::Read => true,
            Access::Write => self.can_write(),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_roles_write_six_only_read() {
        assert_eq!(Role::ALL.iter().filter(|r| r.can_write()).count(), 4);
        assert!(Role::ALL.iter().all(|r| r.allows(Access::Read)));
        assert!(!Role::GlobalReader.allows(Access::Write));
        assert!(Role::SharePointAdministrator.allows(Access::Write));
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("SuperUser"), None);
    }
}
