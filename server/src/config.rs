//! Command line and environment settings.

use app::auth::client_address::TrustedProxies;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/rampart.db";

#[derive(Debug, Parser)]
#[command(name = "rampart", version, about = "Rampart: a self-hosted security posture score")]
pub struct Cli {
    #[command(flatten)]
    pub common: Common,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct Common {
    /// Where data lives: sqlite://path/to/file.db or postgres://user@host/db.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,
    /// A catalog file to use instead of the built-in catalog/actions.toml.
    #[arg(long, env = "RAMPART_CATALOG", global = true)]
    pub catalog: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app (the default).
    Serve(Serve),
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Load the demo tenants and their history into an empty database.
    SeedDemo,
    /// Snapshot every tenant now (filed under today, or --day).
    Snapshot {
        /// The day to file the snapshot under (YYYY-MM-DD).
        #[arg(long)]
        day: Option<chrono::NaiveDate>,
    },
    /// Copy a SQLite database, while the server runs, to a new file (PostgreSQL: pg_dump).
    Backup {
        /// The file to write; it must not exist yet.
        file: PathBuf,
    },
    /// Create and list tenants.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Create users and grant them roles.
    #[command(subcommand)]
    User(UserCommand),
    /// Import Microsoft Graph exports (secureScores and secureScoreControlProfiles JSON) into a tenant.
    ImportGraph {
        /// The tenant to import into (defaults to the files' azureTenantId).
        #[arg(long)]
        tenant: Option<String>,
        /// The exported JSON files; each is recognised by its content.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Import scanner reports (Maester, ScubaGear, Prowler JSON) into a tenant.
    ImportScan {
        /// The tenant to import into; a report of another Entra directory is then accepted.
        /// Defaults to the tenant the report's directory is known as.
        #[arg(long)]
        tenant: Option<String>,
        /// The scanner that wrote the files: auto (recognised by content), maester,
        /// scubagear or prowler.
        #[arg(long, default_value = "auto")]
        tool: String,
        /// What becomes of a control no mapping covers: custom (a custom action of the
        /// tenant, tagged with the tool's name) or skip.
        #[arg(long, default_value = "custom")]
        unmapped: String,
        /// The report files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Connect a tenant to Microsoft 365: the Entra app registration Rampart reads the
    /// tenant's Secure Score as. A token is asked for first; nothing is saved if Entra refuses.
    Connect(Connect),
    /// Sync connected tenants from Microsoft 365 now (one tenant, or every connected one).
    Sync {
        /// The tenant's id; every connected tenant when left out.
        tenant: Option<String>,
        #[command(flatten)]
        m365: M365Settings,
    },
    /// Print a tenant's live score as JSON.
    Score {
        /// The tenant's id.
        tenant: String,
    },
}

#[derive(Debug, Clone, Args)]
pub struct Serve {
    /// Address to listen on.
    #[arg(long, env = "RAMPART_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Folder with the built assets (pkg/, rampart.css, echarts.min.js).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    /// Load the demo data when the database holds no tenant yet.
    #[arg(long, env = "RAMPART_DEMO")]
    pub demo: bool,
    /// Time of day (UTC, HH:MM) of the daily snapshot.
    #[arg(long, env = "RAMPART_SNAPSHOT_AT", default_value = "00:00", value_parser = parse_time)]
    pub snapshot_at: chrono::NaiveTime,
    /// Seconds a replica running a daily job may go silent before another replica on the
    /// same database takes the job over (it renews the lease every third of this).
    #[arg(long, env = "RAMPART_JOB_LEASE_SECONDS", default_value_t = crate::lease::DEFAULT_LEASE_SECONDS,
        value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub job_lease_seconds: u64,
    /// The address users reach the server at (e.g. https://rampart.contoso.example), for
    /// links in shared actions and the Graph API. Sharing needs it; without it Graph links
    /// are relative. Never taken from a request's Host header.
    #[arg(long, env = "RAMPART_PUBLIC_URL", value_parser = app::links::parse_public_url)]
    pub public_url: Option<String>,
    /// Reverse proxies (comma-separated IP addresses or CIDR ranges, e.g. 10.0.0.0/8) whose
    /// X-Forwarded-For header names the client for sign-in throttling. Without it the
    /// header is ignored and the connecting address counts.
    #[arg(long, env = "RAMPART_TRUSTED_PROXY", default_value = "", value_parser = TrustedProxies::parse)]
    pub trusted_proxy: TrustedProxies,
    /// Longest lifetime of a new API token, in days; a token asked for with no expiry gets this.
    #[arg(long, env = "RAMPART_TOKEN_MAX_DAYS", default_value_t = app::state::DEFAULT_TOKEN_MAX_DAYS,
        value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub token_max_days: u32,
    /// Seconds a client has to send a request's header (slow clients holding connections).
    #[arg(long, env = "RAMPART_HEADER_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout: u64,
    /// Seconds to read and answer a request (the import upload has its own limit).
    #[arg(long, env = "RAMPART_REQUEST_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout: u64,
    /// Seconds to receive an import upload and start the import.
    #[arg(long, env = "RAMPART_UPLOAD_TIMEOUT", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub upload_timeout: u64,
    /// Imports running at once on this server (one per tenant in any case).
    #[arg(long, env = "RAMPART_IMPORTS_AT_ONCE", default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub imports_at_once: u64,
    /// Seconds a tenant must be quiet after a change before its alert rules are checked
    /// (so an import or a batch of ingest makes one alert).
    #[arg(long, env = "RAMPART_ALERT_QUIET", default_value_t = 20, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub alert_quiet: u64,
    /// Let alert webhooks post to link-local and private IPv6 addresses (169.254.0.0/16,
    /// fd00::/8), where cloud metadata services answer; off unless you need it.
    #[arg(long, env = "RAMPART_ALERT_INTERNAL_WEBHOOKS")]
    pub alert_internal_webhooks: bool,
    /// The token Prometheus sends to scrape /metrics (`Authorization: Bearer …`, at least
    /// 16 characters); without it there is no /metrics.
    #[arg(long, env = "RAMPART_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Whether /metrics labels each tenant's series with its name as well as its id.
    #[arg(long, env = "RAMPART_METRICS_TENANT_NAMES", default_value_t = true, action = clap::ArgAction::Set)]
    pub metrics_tenant_names: bool,
    #[command(flatten)]
    pub m365: M365Settings,
}

impl Serve {
    /// The metrics settings, or why the token cannot be used.
    pub fn metrics(&self) -> Result<Option<crate::monitoring::MetricsSettings>, String> {
        let Some(token) = self.metrics_token.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        if token.chars().count() < crate::monitoring::MIN_TOKEN_CHARS
            || token.chars().any(char::is_whitespace)
        {
            return Err(format!(
                "RAMPART_METRICS_TOKEN must be at least {} characters without spaces",
                crate::monitoring::MIN_TOKEN_CHARS
            ));
        }
        Ok(Some(crate::monitoring::MetricsSettings {
            token: token.to_owned(),
            tenant_names: self.metrics_tenant_names,
        }))
    }

    pub fn alert_settings(&self) -> crate::alerts::AlertSettings {
        crate::alerts::AlertSettings {
            quiet: chrono::Duration::seconds(i64::try_from(self.alert_quiet).unwrap_or(20)),
            internal_webhooks: self.alert_internal_webhooks,
            ..Default::default()
        }
    }

    pub fn limits(&self) -> crate::http::HttpLimits {
        let secs = std::time::Duration::from_secs;
        crate::http::HttpLimits {
            header_read_timeout: secs(self.header_timeout),
            request_timeout: secs(self.request_timeout),
            upload_timeout: secs(self.upload_timeout),
            imports_at_once: usize::try_from(self.imports_at_once).unwrap_or(1),
        }
    }
}

impl Default for Serve {
    fn default() -> Self {
        Serve {
            addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            site_root: PathBuf::from("target/site"),
            demo: false,
            snapshot_at: chrono::NaiveTime::MIN,
            job_lease_seconds: crate::lease::DEFAULT_LEASE_SECONDS,
            public_url: None,
            trusted_proxy: TrustedProxies::default(),
            token_max_days: app::state::DEFAULT_TOKEN_MAX_DAYS,
            header_timeout: 10,
            request_timeout: 30,
            upload_timeout: 600,
            imports_at_once: 4,
            alert_quiet: 20,
            alert_internal_webhooks: false,
            metrics_token: None,
            metrics_tenant_names: true,
            m365: M365Settings::default(),
        }
    }
}

fn parse_time(s: &str) -> Result<chrono::NaiveTime, String> {
    chrono::NaiveTime::parse_from_str(s, "%H:%M")
        .or_else(|_| chrono::NaiveTime::parse_from_str(s, "%H:%M:%S"))
        .map_err(|_| format!("`{s}` is not a time of day as HH:MM"))
}

#[derive(Debug, Clone, Args)]
pub struct Connect {
    /// The Rampart tenant's id.
    pub tenant: String,
    /// The Microsoft 365 organisation's directory (tenant) id, a GUID.
    #[arg(long)]
    pub azure_tenant: String,
    /// The app registration's application (client) id, a GUID.
    #[arg(long)]
    pub client_id: String,
    /// A file holding the client secret's value; it is kept sealed and never printed.
    #[arg(long, required_unless_present = "certificate_file", conflicts_with = "certificate_file")]
    pub client_secret_file: Option<PathBuf>,
    /// Instead of a secret: a PEM file with the certificate uploaded to the app registration
    /// and its unencrypted private key; kept sealed and never printed.
    #[arg(long)]
    pub certificate_file: Option<PathBuf>,
    /// Also send status changes made in Rampart back to Microsoft (the app then needs
    /// SecurityEvents.ReadWrite.All).
    #[arg(long)]
    pub write_back: bool,
    #[command(flatten)]
    pub m365: M365Settings,
}

/// Where Rampart reaches Microsoft, and the key that seals client secrets at rest (from
/// `RAMPART_SECRET_KEY`, 64 hex digits, or else the key file).
#[derive(Debug, Clone, Args)]
pub struct M365Settings {
    /// Entra's sign-in authority (a national cloud's, or a test's stand-in on loopback).
    #[arg(long, env = "RAMPART_M365_AUTHORITY", default_value = "https://login.microsoftonline.com",
        value_parser = parse_base_url)]
    pub authority: String,
    /// Microsoft Graph's address (a national cloud's, or a test's stand-in on loopback).
    #[arg(long = "graph-url", env = "RAMPART_M365_GRAPH", default_value = "https://graph.microsoft.com",
        value_parser = parse_base_url)]
    pub graph: String,
    /// The key file, made with mode 0600 on first use when RAMPART_SECRET_KEY is not set.
    #[arg(long, env = "RAMPART_SECRET_KEY_FILE", default_value = "data/secret.key")]
    pub secret_key_file: PathBuf,
    /// Tenants synced from Microsoft 365 at once.
    #[arg(long, env = "RAMPART_M365_SYNCS_AT_ONCE", default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub syncs_at_once: u64,
}

impl M365Settings {
    pub fn syncs_at_once(&self) -> usize {
        usize::try_from(self.syncs_at_once).unwrap_or(1)
    }
}

impl Default for M365Settings {
    fn default() -> Self {
        M365Settings {
            authority: "https://login.microsoftonline.com".into(),
            graph: "https://graph.microsoft.com".into(),
            secret_key_file: PathBuf::from("data/secret.key"),
            syncs_at_once: 4,
        }
    }
}

fn parse_base_url(text: &str) -> Result<String, String> {
    crate::m365::base_url(text).map_err(str::to_owned)
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant and print its id.
    Add {
        /// The organisation's name.
        name: String,
        /// Licensed seats.
        #[arg(long)]
        seats: u32,
        /// Industry, used by the industry comparison.
        #[arg(long)]
        industry: String,
        /// Active users (defaults to the seat count).
        #[arg(long)]
        active_users: Option<u32>,
    },
    /// List every tenant on this server.
    List,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user. The password comes from RAMPART_PASSWORD or one line on standard input.
    Add {
        email: String,
        /// Display name (defaults to the part of the email before @).
        #[arg(long)]
        name: Option<String>,
        /// Grant a role in this tenant right away (needs --role).
        #[arg(long, requires = "role")]
        tenant: Option<String>,
        /// One of the ten roles, e.g. GlobalAdministrator or GlobalReader.
        #[arg(long, requires = "tenant")]
        role: Option<String>,
    },
    /// Set a user's password and end all their sessions. The password comes from
    /// RAMPART_PASSWORD or one line on standard input.
    SetPassword { email: String },
    /// Make an API token acting for a user in a tenant where they have a role, and print
    /// it (the only time it is shown), e.g. for a sync agent set up by a deploy script.
    Token {
        email: String,
        #[arg(long)]
        tenant: String,
        /// SecurityEvents.Read.All, or SecurityEvents.ReadWrite.All to change statuses and
        /// send measurements as far as the user's role allows.
        #[arg(long, default_value = "SecurityEvents.Read.All")]
        scope: String,
        /// What the token is for, as Settings lists it.
        #[arg(long, default_value = "command line")]
        name: String,
        /// Days until it expires (at most --token-max-days; the longest when left out).
        #[arg(long)]
        days: Option<u32>,
    },
    /// Grant (or change) a user's role in a tenant.
    Grant {
        email: String,
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        role: String,
    },
}
