//! `rampart`: serve Rampart, or run one of its admin commands.

use clap::Parser;
use server::config::{Cli, Command, Serve};
use server::startup::{self, StartupError};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), StartupError> {
    match cli.command.unwrap_or(Command::Serve(Serve::default())) {
        Command::Serve(serve) => startup::serve(&cli.common, &serve).await,
        Command::Migrate => {
            startup::open_app_state(&cli.common).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::SeedDemo => {
            let state = startup::open_app_state(&cli.common).await?;
            let report = startup::seed_demo(&state).await?;
            println!("demo data loaded: {} tenants, {} days of history", report.tenants, report.days);
            Ok(())
        }
        Command::Snapshot { day } => {
            let state = startup::open_app_state(&cli.common).await?;
            let now = chrono::Utc::now();
            let run = server::jobs::snapshot_all(
                state.store.as_ref(),
                &state.catalog,
                day.unwrap_or(now.date_naive()),
                now,
            )
            .await
            .map_err(|e| StartupError::Database(e.to_string()))?;
            println!("snapshot of {} tenants filed under {}", run.tenants, run.day);
            Ok(())
        }
        Command::Backup { file } => {
            // Opening a SQLite file that is not there would create an empty one to back up.
            if let Some(path) = cli.common.database_url.strip_prefix("sqlite://") {
                let path = path.split('?').next().unwrap_or(path);
                if path != ":memory:" && !std::path::Path::new(path).exists() {
                    return Err(StartupError::Database(format!("there is no database at {path}")));
                }
            }
            let store = store::open(&cli.common.database_url)
                .await
                .map_err(|e| StartupError::Database(e.to_string()))?;
            let bytes = store.backup_to(&file).await.map_err(|e| StartupError::Other(e.to_string()))?;
            store.close().await;
            println!("backed up to {} ({bytes} bytes)", file.display());
            Ok(())
        }
        Command::Tenant(cmd) => {
            server::admin::tenant(&startup::open_app_state(&cli.common).await?, cmd).await
        }
        Command::User(cmd) => server::admin::user(&startup::open_app_state(&cli.common).await?, cmd).await,
        Command::ImportGraph { tenant, files } => {
            let state = startup::open_app_state(&cli.common).await?;
            // Read as streams when the import reads them; a missing file is named then.
            let loaded: Vec<_> = files
                .iter()
                .map(|path| server::import::ImportFile::from_path(path.display().to_string(), path))
                .collect();
            let progress = |done: usize, total: usize| eprintln!("imported {done}/{total} days");
            let report = server::import::import_graph(
                state.store.as_ref(),
                &state.catalog,
                tenant.as_deref(),
                &loaded,
                &server::admin::cli_actor(),
                score::MeasurementSource::Import,
                &progress,
            )
            .await
            .map_err(|e| StartupError::Other(e.to_string()))?;
            println!("imported into tenant {}: {}", report.tenant_id, report.summary());
            Ok(())
        }
        Command::ImportScan { tenant, tool, unmapped, files } => {
            let state = startup::open_app_state(&cli.common).await?;
            let bad = |e: String| StartupError::Other(e);
            let tool = match tool.as_str() {
                "auto" => None,
                t => Some(scan::Tool::from_key(t).ok_or_else(|| {
                    bad(format!("--tool: `{t}` is not one of auto, maester, scubagear, prowler"))
                })?),
            };
            let unmapped = scan::mapping::Unmapped::from_key(&unmapped)
                .ok_or_else(|| bad(format!("--unmapped: `{unmapped}` is not one of custom, skip")))?;
            let files: Vec<_> = files
                .iter()
                .map(|path| server::import::ImportFile::from_path(path.display().to_string(), path))
                .collect();
            let target = match tenant {
                Some(t) => server::import::scan::ScanTarget::Named(t),
                None => server::import::scan::ScanTarget::FromFile,
            };
            let options = server::import::scan::ScanOptions { target, tool, unmapped };
            let progress = std::sync::Arc::new(|line: &str| eprintln!("{line}"));
            let reports = server::import::scan::import_scans(
                state.store.as_ref(),
                &state.catalog,
                &files,
                &options,
                &server::admin::cli_actor(),
                progress,
            )
            .await
            .map_err(|e| bad(e.to_string()))?;
            for r in reports {
                println!("imported into tenant {}: {}", r.tenant_id, r.summary());
            }
            Ok(())
        }
        Command::Connect(c) => {
            let state = startup::open_app_state(&cli.common).await?;
            let done = server::m365::connect::connect(&state, &c, &server::admin::cli_actor()).await?;
            println!("{done}");
            Ok(())
        }
        Command::Sync { tenant, m365 } => {
            let state = startup::open_app_state(&cli.common).await?;
            let microsoft = std::sync::Arc::new(server::m365::connect::microsoft(&m365)?);
            let failed = |e: String| StartupError::Other(e);
            match tenant {
                Some(t) => {
                    let report = microsoft
                        .sync(state.store.as_ref(), &state.catalog, &t)
                        .await
                        .map_err(|e| failed(e.to_string()))?;
                    println!("synced tenant {t}: {}", report.summary());
                }
                None => {
                    let run = server::m365::daily::sync_all(
                        &state,
                        microsoft,
                        std::time::Duration::ZERO,
                        m365.syncs_at_once(),
                    )
                    .await
                    .map_err(|e| failed(e.to_string()))?;
                    for (t, why) in &run.failed {
                        eprintln!("tenant {t}: {why}");
                    }
                    println!("synced {} tenants, {} failed", run.synced, run.failed.len());
                    if !run.failed.is_empty() {
                        return Err(failed(format!("{} tenants did not sync", run.failed.len())));
                    }
                }
            }
            Ok(())
        }
        Command::Score { tenant } => {
            let state = startup::open_app_state(&cli.common).await?;
            let live = service::live::live_score(state.store.as_ref(), &state.catalog, &tenant)
                .await
                .map_err(|e| StartupError::Other(e.to_string()))?;
            let out = serde_json::json!({
                "tenant": live.tenant.id,
                "current": live.score.current.to_string(),
                "max": live.score.max.to_string(),
                "percent": live.score.percent().to_string(),
                "categories": live.score.categories.iter().map(|c| serde_json::json!({
                    "name": c.name, "current": c.current.to_string(), "max": c.max.to_string(),
                })).collect::<Vec<_>>(),
                "top": live.ranking.iter().take(5).map(|r| r.id.clone()).collect::<Vec<_>>(),
            });
            println!("{out:#}");
            Ok(())
        }
    }
}
