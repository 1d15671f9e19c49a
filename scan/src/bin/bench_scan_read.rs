//! `bench_scan_read`: writes a Prowler OCSF file of 100,000 findings (an Azure estate of a few
//! thousand resources under 40 checks) to a temporary directory, reads it back with
//! `scan::read` and prints the time taken, the file's size and the peak memory of the
//! process. Run in release: `cargo run --release -p scan --bin bench_scan_read [findings] [keep-as]`;
//! with a second argument the file is kept there (for timing `rampart import-scan` on it).

use serde_json::{json, Value};
use std::error::Error;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::time::Instant;

const FINDINGS: usize = 100_000;
const CHECKS: [(&str, &str, &str, &str); 8] = [
    (
        "storage_secure_transfer_required_is_enabled",
        "Storage account has secure transfer required enabled",
        "High",
        "microsoft.storage/storageaccounts",
    ),
    (
        "storage_blob_public_access_level_is_disabled",
        "Storage account blob public access is disabled",
        "High",
        "microsoft.storage/storageaccounts",
    ),
    (
        "storage_ensure_minimum_tls_version_12",
        "Storage account requires TLS 1.2 or later",
        "Medium",
        "microsoft.storage/storageaccounts",
    ),
    (
        "keyvault_rbac_enabled",
        "Key vault uses role-based access control",
        "High",
        "microsoft.keyvault/vaults",
    ),
    (
        "keyvault_recoverable",
        "Key vault has soft delete and purge protection enabled",
        "High",
        "microsoft.keyvault/vaults",
    ),
    (
        "vm_ensure_using_managed_disks",
        "Virtual machine uses managed disks",
        "Medium",
        "microsoft.compute/virtualmachines",
    ),
    (
        "network_ssh_internet_access_restricted",
        "Network security group restricts SSH from the internet",
        "High",
        "microsoft.network/networksecuritygroups",
    ),
    (
        "app_ensure_http_is_redirected_to_https",
        "App Service redirects HTTP to HTTPS",
        "Medium",
        "microsoft.web/sites",
    ),
];
/// Each check is run in this many variants (per region pairing), so 40 checks in all.
const VARIANTS: usize = 5;
const TENANT: &str = "4a7c2d1e-8b3f-4e6a-9c5d-1f2e3a4b5c6d";

fn main() -> Result<(), Box<dyn Error>> {
    let findings: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(FINDINGS);
    let keep = std::env::args().nth(2).map(std::path::PathBuf::from);
    let dir = std::env::temp_dir().join(format!("rampart-bench-scan-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = keep.clone().unwrap_or_else(|| dir.join("prowler-output.ocsf.json"));

    let started = Instant::now();
    write_findings(&path, findings)?;
    let written = started.elapsed();
    let size = std::fs::metadata(&path)?.len();
    let rss_before = status_kib("VmRSS:");

    let started = Instant::now();
    let report = scan::read(BufReader::new(File::open(&path)?), None)?;
    let elapsed = started.elapsed();
    let entities: usize = report.controls.iter().map(|c| c.entities.len()).sum();

    println!("findings:     {findings}");
    println!("file size:    {:.1} MB ({size} bytes)", size as f64 / 1e6);
    println!("written in:   {:.2} s", written.as_secs_f64());
    println!(
        "read in:      {:.2} s ({:.0} MB/s)",
        elapsed.as_secs_f64(),
        size as f64 / 1e6 / elapsed.as_secs_f64()
    );
    println!("controls:     {} with {entities} entities", report.controls.len());
    println!("RSS before:   {:.1} MiB", rss_before as f64 / 1024.0);
    println!("peak RSS:     {:.1} MiB (VmHWM)", status_kib("VmHWM:") as f64 / 1024.0);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

fn write_findings(path: &std::path::Path, count: usize) -> Result<(), Box<dyn Error>> {
    let mut out = BufWriter::new(File::create(path)?);
    out.write_all(b"[")?;
    for i in 0..count {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut out, &finding(i))?;
    }
    out.write_all(b"]")?;
    out.flush()?;
    Ok(())
}

/// One finding with the fields Prowler 5.x writes for Azure, texts of their usual length.
fn finding(i: usize) -> Value {
    let checks = CHECKS.len() * VARIANTS;
    let (check, title, severity, resource_type) = CHECKS[i % CHECKS.len()];
    let variant = (i / CHECKS.len()) % VARIANTS;
    let check_id = if variant == 0 { check.to_string() } else { format!("{check}_{variant}") };
    let resource = i / checks;
    let subscription = format!("5c1f0e8a-3b7d-4c2e-9f1a-{:012x}", resource % 12);
    let name = format!("contoso{resource:05}");
    let uid = format!(
        "/subscriptions/{subscription}/resourceGroups/rg-workload-{:03}/providers/{resource_type}/{name}",
        resource % 300
    );
    let status = match i % 17 {
        0 | 5 | 11 => "FAIL",
        16 => "MANUAL",
        _ => "PASS",
    };
    let muted = i.is_multiple_of(53);
    let time = 1_773_037_852 + (i / 1000) as i64;
    let message =
        format!("{title}: {status} for {name} in subscription Contoso Workloads {}.", resource % 12);
    json!({
        "message": message,
        "metadata": {
            "event_code": check_id,
            "product": {"name": "Prowler", "uid": "prowler", "vendor_name": "Prowler", "version": "5.20.0"},
            "profiles": ["cloud", "datetime"],
            "tenant_uid": TENANT,
            "version": "1.5.0"
        },
        "severity_id": 4,
        "severity": severity,
        "status": if muted { "Suppressed" } else { "New" },
        "status_code": status,
        "status_detail": message,
        "status_id": if muted { 3 } else { 1 },
        "unmapped": {
            "related_url": "https://learn.microsoft.com/en-us/azure/storage/common/storage-require-secure-transfer",
            "categories": ["encryption"],
            "depends_on": [],
            "related_to": [],
            "additional_urls": [],
            "notes": "",
            "compliance": {"CIS-3.0": ["3.1"], "ENS-RD2022": ["mp.com.2.az.1"], "MITRE-ATTACK": ["T1530"]},
            "scan_id": "01956f3c-2a1b-7c3d-8e4f-5a6b7c8d9e0f",
            "provider_uid": subscription,
            "provider": "azure"
        },
        "activity_name": "Create",
        "activity_id": 1,
        "finding_info": {
            "created_time": time,
            "created_time_dt": "2026-03-09T07:30:52.104213",
            "desc": "Requires clients to use secure connections when they send data to the resource.",
            "title": title,
            "types": [],
            "uid": format!("prowler-azure-{check_id}-{subscription}-westeurope-{name}")
        },
        "resources": [{
            "cloud_partition": "AzureCloud",
            "region": "westeurope",
            "data": {"details": "", "metadata": {"id": uid, "name": name, "location": "westeurope"}},
            "group": {"name": check.split('_').next().unwrap_or_default()},
            "labels": ["environment:production", "owner:platform-team"],
            "name": name,
            "type": resource_type,
            "uid": uid
        }],
        "category_name": "Findings",
        "category_uid": 2,
        "class_name": "Detection Finding",
        "class_uid": 2004,
        "cloud": {
            "account": {"name": "Contoso Workloads", "type": "Azure AD Account", "type_id": 6, "uid": subscription, "labels": []},
            "org": {"name": "contosopharma.onmicrosoft.com", "uid": TENANT},
            "provider": "azure",
            "region": "westeurope"
        },
        "remediation": {
            "desc": "Enable the setting on the resource in the Azure portal or with the Azure CLI.",
            "references": ["https://learn.microsoft.com/en-us/azure/storage/common/storage-require-secure-transfer"]
        },
        "risk_details": "Unencrypted connections expose data in transit to interception.",
        "time": time,
        "time_dt": "2026-03-09T07:30:52.104213",
        "type_uid": 200401,
        "type_name": "Detection Finding: Create"
    })
}

/// A `VmRSS:`/`VmHWM:` line of /proc/self/status, in KiB (0 where there is none).
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with(field))?.to_string();
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}
