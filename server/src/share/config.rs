//! Where shares go, read once at startup from the operator's environment. Targets left
//! unset are shown as "not configured by the operator"; addresses never come from requests.

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use service::share::ShareTargets;

pub const SMTP_URL: &str = "RAMPART_SMTP_URL";
pub const SMTP_FROM: &str = "RAMPART_SMTP_FROM";
pub const WEBHOOK_URL: &str = "RAMPART_WEBHOOK_URL";
pub const SERVICENOW_URL: &str = "RAMPART_SERVICENOW_URL";
pub const SERVICENOW_USER: &str = "RAMPART_SERVICENOW_USER";
pub const SERVICENOW_PASSWORD: &str = "RAMPART_SERVICENOW_PASSWORD";
pub const SHARE_LIMIT: &str = "RAMPART_SHARE_LIMIT";
/// Shares one person may make per hour unless the operator says otherwise: plenty for
/// handing out work, too few to turn the server into a mail or webhook cannon.
pub const DEFAULT_SHARES_PER_HOUR: u32 = 20;

/// Email through an SMTP server; the URL may hold a password.
#[derive(Clone)]
pub struct Smtp {
    pub url: String,
    pub from: Mailbox,
}

/// A ServiceNow instance and the account that opens change tickets.
#[derive(Clone)]
pub struct ServiceNow {
    /// The instance's base URL, without a trailing slash.
    pub url: String,
    pub user: String,
    pub password: String,
}

#[derive(Clone, Default)]
pub struct ShareConfig {
    pub smtp: Option<Smtp>,
    /// A Teams or Slack incoming webhook; its URL is itself a secret.
    pub webhook_url: Option<String>,
    pub servicenow: Option<ServiceNow>,
    /// Shares one person may make in any hour, over all tenants; `None`: no limit.
    pub per_hour: Option<u32>,
}

/// Secrets stay out of logs: only which targets are set is shown.
impl std::fmt::Debug for ShareConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShareConfig")
            .field("email", &self.smtp.is_some())
            .field("webhook", &self.webhook_url.is_some())
            .field("servicenow", &self.servicenow.is_some())
            .field("per_hour", &self.per_hour)
            .finish()
    }
}

impl ShareConfig {
    /// From the process environment.
    pub fn from_env() -> Result<ShareConfig, String> {
        ShareConfig::from_lookup(|name| std::env::var(name).ok())
    }

    /// From any source of the `RAMPART_…` variables; empty values count as unset. The
    /// error is one line naming the variable, never echoing its value.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<ShareConfig, String> {
        let get = |name: &str| get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let smtp = match (get(SMTP_URL), get(SMTP_FROM)) {
            (None, None) => None,
            (Some(_), None) => {
                return Err(format!("{SMTP_URL} is set but {SMTP_FROM} is not: set the sender address"))
            }
            (None, Some(_)) => {
                return Err(format!("{SMTP_FROM} is set but {SMTP_URL} is not: set the SMTP server"))
            }
            (Some(url), Some(from)) => {
                if AsyncSmtpTransport::<Tokio1Executor>::from_url(&url).is_err() {
                    return Err(format!(
                        "{SMTP_URL} is not a valid SMTP URL: use smtp://HOST:PORT (unencrypted), \
                         smtp://USER:PASSWORD@HOST:587?tls=required (STARTTLS) or smtps://USER:PASSWORD@HOST (TLS)"
                    ));
                }
                let from = from.parse::<Mailbox>().map_err(|_| {
                    format!("{SMTP_FROM} is not an email address, e.g. Rampart <rampart@contoso.example>")
                })?;
                Some(Smtp { url, from })
            }
        };
        let webhook_url = get(WEBHOOK_URL).map(|u| http_url(WEBHOOK_URL, &u)).transpose()?;
        let servicenow = match (get(SERVICENOW_URL), get(SERVICENOW_USER), get(SERVICENOW_PASSWORD)) {
            (None, None, None) => None,
            (Some(url), Some(user), Some(password)) => {
                let url = http_url(SERVICENOW_URL, &url)?.trim_end_matches('/').to_owned();
                Some(ServiceNow { url, user, password })
            }
            _ => {
                return Err(format!(
                    "ServiceNow needs all of {SERVICENOW_URL}, {SERVICENOW_USER} and {SERVICENOW_PASSWORD}, or none"
                ))
            }
        };
        let per_hour = match get(SHARE_LIMIT) {
            None => Some(DEFAULT_SHARES_PER_HOUR),
            Some(v) => match v.parse::<u32>() {
                Ok(0) => None,
                Ok(n) => Some(n),
                Err(_) => {
                    return Err(format!(
                        "{SHARE_LIMIT} must be a whole number of shares per person per hour (0: no limit)"
                    ))
                }
            },
        };
        Ok(ShareConfig { smtp, webhook_url, servicenow, per_hour })
    }

    /// What pages may know: which targets are there, nothing else.
    pub fn targets(&self) -> ShareTargets {
        ShareTargets {
            email: self.smtp.is_some(),
            webhook: self.webhook_url.is_some(),
            servicenow: self.servicenow.is_some(),
        }
    }
}

/// An absolute http(s) URL with a host, or an error naming the variable.
fn http_url(name: &str, value: &str) -> Result<String, String> {
    match reqwest::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(value.to_owned()),
        _ => Err(format!("{name} is not an http(s) URL such as https://example.service-now.com")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<ShareConfig, String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        ShareConfig::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn nothing_set_means_no_targets() {
        assert_eq!(config(&[]).map(|c| c.targets()), Ok(ShareTargets::default()));
        assert_eq!(config(&[(WEBHOOK_URL, "  ")]).map(|c| c.targets()), Ok(ShareTargets::default()));
    }

    #[test]
    fn every_target_can_be_set() {
        let c = config(&[
            (SMTP_URL, "smtp://user:secret@mail.contoso.example:587?tls=required"),
            (SMTP_FROM, "Rampart <rampart@contoso.example>"),
            (WEBHOOK_URL, "https://hooks.slack.com/services/T/B/X"),
            (SERVICENOW_URL, "https://contoso.service-now.com/"),
            (SERVICENOW_USER, "rampart"),
            (SERVICENOW_PASSWORD, "pw"),
        ])
        .expect("valid");
        assert_eq!(c.targets(), ShareTargets { email: true, webhook: true, servicenow: true });
        assert_eq!(c.servicenow.map(|s| s.url), Some("https://contoso.service-now.com".to_owned()));
        for url in ["smtp://127.0.0.1:2525", "smtps://u:p@mail.example"] {
            assert!(config(&[(SMTP_URL, url), (SMTP_FROM, "a@b.example")]).is_ok(), "{url}");
        }
    }

    #[test]
    fn mistakes_name_the_variable_and_never_echo_secrets() {
        let bad = [
            vec![(SMTP_URL, "smtp://u:hunter2@host")],
            vec![(SMTP_URL, "ftp://u:hunter2@host"), (SMTP_FROM, "a@b.example")],
            vec![(SMTP_URL, "smtp://host"), (SMTP_FROM, "not an address")],
            vec![(WEBHOOK_URL, "hooks.slack.com/hunter2")],
            vec![(SERVICENOW_URL, "https://x.service-now.com"), (SERVICENOW_PASSWORD, "hunter2")],
        ];
        for vars in bad {
            let e = config(&vars).expect_err("refused");
            assert!(e.contains("RAMPART_"), "{e}");
            assert!(!e.contains("hunter2"), "{e}");
        }
        let c = config(&[(WEBHOOK_URL, "https://hooks.example/hunter2")]).expect("valid");
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn the_share_limit_defaults_to_twenty_an_hour_and_zero_lifts_it() {
        let per_hour = |v: &str| config(&[(SHARE_LIMIT, v)]).map(|c| c.per_hour);
        assert_eq!(config(&[]).map(|c| c.per_hour), Ok(Some(DEFAULT_SHARES_PER_HOUR)));
        assert_eq!(per_hour("5"), Ok(Some(5)));
        assert_eq!(per_hour("0"), Ok(None));
        for bad in ["-1", "ten", "2.5"] {
            let e = per_hour(bad).expect_err("refused");
            assert!(e.starts_with(SHARE_LIMIT), "{e}");
        }
    }
}
