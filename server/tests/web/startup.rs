//! Startup failures: each stops the server with one clear line and creates nothing.

use std::process::Command;

fn server() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rampart"));
    c.env("RUST_LOG", "error").env_remove("DATABASE_URL").env_remove("RAMPART_CATALOG");
    c
}

fn fails_with(cmd: &mut Command) -> String {
    let out = cmd.output().expect("server runs");
    assert!(!out.status.success(), "expected a failure");
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
    assert_eq!(stderr.lines().count(), 1, "one line, got: {stderr}");
    stderr
}

#[test]
fn unknown_database_scheme_names_the_accepted_ones() {
    let line = fails_with(server().args(["migrate", "--database-url", "mysql://localhost/x"]));
    assert!(line.contains("sqlite://") && line.contains("postgres://"), "{line}");
}

#[test]
fn missing_data_directory_is_named() {
    let line = fails_with(server().args(["migrate", "--database-url", "sqlite:///no/such/dir/rampart.db"]));
    assert!(line.contains("/no/such/dir"), "{line}");
}

#[test]
fn port_in_use_fails_before_the_database_is_created() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("r.db");
    let url = format!("sqlite://{}", db.display());
    let line = fails_with(server().args(["serve", "--addr", &addr, "--database-url", &url]));
    assert!(line.contains(&addr) && line.contains("already in use"), "{line}");
    assert!(!db.exists(), "no database file was created");
}

#[test]
fn malformed_catalog_names_file_entry_and_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let catalog = dir.path().join("bad.toml");
    let text = server::catalog_file::BUILT_IN.replacen("max_points = 10", "max_points = 11", 1);
    std::fs::write(&catalog, text).expect("write");
    let db = dir.path().join("r.db");
    let url = format!("sqlite://{}", db.display());
    let line = fails_with(server().args(["migrate", "--database-url", &url, "--catalog"]).arg(&catalog));
    assert!(
        line.contains("bad.toml") && line.contains("action #") && line.contains("`max_points`"),
        "{line}"
    );
    assert!(!db.exists(), "no database file was created");
}

#[test]
fn a_public_url_that_is_not_an_http_root_is_refused() {
    let out = server()
        .args(["serve", "--addr", "127.0.0.1:0", "--public-url", "rampart.contoso.example/app"])
        .output()
        .expect("server runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--public-url") && stderr.contains("the public URL needs http"), "{stderr}");
}

#[test]
fn a_backup_is_a_whole_database_and_never_overwrites_a_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("live.db").display());
    let add = server()
        .args([
            "tenant",
            "add",
            "Backed Up Ltd",
            "--seats",
            "40",
            "--industry",
            "Technology",
            "--database-url",
            &url,
        ])
        .output()
        .expect("runs");
    assert!(add.status.success(), "{}", String::from_utf8_lossy(&add.stderr));
    let copy = dir.path().join("copy.db");
    let out = server()
        .args(["backup", copy.to_str().expect("path"), "--database-url", &url])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("backed up to"));
    // The copy is a database of its own, with the tenant in it.
    let copy_url = format!("sqlite://{}", copy.display());
    let list = server().args(["tenant", "list", "--database-url", &copy_url]).output().expect("runs");
    assert!(
        String::from_utf8_lossy(&list.stdout).contains("Backed Up Ltd"),
        "{}",
        String::from_utf8_lossy(&list.stdout)
    );
    // A second backup to the same file is refused, and the file is left as it was.
    let before = std::fs::read(&copy).expect("copy");
    let line = fails_with(server().args(["backup", copy.to_str().expect("path"), "--database-url", &url]));
    assert!(line.contains("exists already"), "{line}");
    assert_eq!(std::fs::read(&copy).expect("copy"), before);
    // No database there: refused, and none is created.
    let missing = dir.path().join("missing.db");
    let line = fails_with(server().args([
        "backup",
        dir.path().join("x.db").to_str().expect("path"),
        "--database-url",
        &format!("sqlite://{}", missing.display()),
    ]));
    assert!(line.contains("no database"), "{line}");
    assert!(!missing.exists());
}
