//! `rampart connect`: a tenant is connected only once Entra grants the app registration a
//! token, and its client secret is stored sealed, opening only with the server's key.

use crate::microsoft::{
    FakeMicrosoft, CERTIFICATE_PEM, CERTIFICATE_THUMBPRINT, CLIENT_ID, CLIENT_SECRET, DIRECTORY,
};
use server::m365::secret_key::SecretKey;

struct Cli {
    dir: tempfile::TempDir,
    url: String,
    authority: String,
}

impl Cli {
    fn key_file(&self) -> std::path::PathBuf {
        self.dir.path().join("keys/secret.key")
    }

    /// Runs `rampart ARGS…` on this test's database: (success, stdout, stderr).
    async fn run(&self, args: &[&str]) -> (bool, String, String) {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rampart"));
        cmd.args(args)
            .env("DATABASE_URL", &self.url)
            .env("RAMPART_M365_AUTHORITY", &self.authority)
            .env("RAMPART_SECRET_KEY_FILE", self.key_file())
            .env_remove("RAMPART_SECRET_KEY")
            .env("RUST_LOG", "error");
        // Off the runtime's threads: the stand-in for Entra answers on them meanwhile.
        let out = tokio::task::spawn_blocking(move || cmd.output()).await.unwrap().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into(),
            String::from_utf8_lossy(&out.stderr).into(),
        )
    }

    /// `rampart connect TENANT --azure-tenant … --client-id … --client-secret-file …`.
    async fn connect(
        &self,
        tenant: &str,
        directory: &str,
        client: &str,
        secret_file: &str,
    ) -> (bool, String, String) {
        let args = [
            "connect",
            tenant,
            "--azure-tenant",
            directory,
            "--client-id",
            client,
            "--client-secret-file",
            secret_file,
        ];
        self.run(&args).await
    }

    /// `rampart connect TENANT … --certificate-file FILE`.
    async fn connect_with_certificate(&self, tenant: &str, file: &str) -> (bool, String, String) {
        let args = [
            "connect",
            tenant,
            "--azure-tenant",
            DIRECTORY,
            "--client-id",
            CLIENT_ID,
            "--certificate-file",
            file,
        ];
        self.run(&args).await
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    fn secret_file(&self, secret: &str) -> String {
        let path = self.dir.path().join("client-secret.txt");
        std::fs::write(&path, format!("{secret}\n")).unwrap();
        path.display().to_string()
    }
}

/// A stand-in for Microsoft, a fresh database and a tenant added with `rampart tenant add`.
async fn contoso_on_the_command_line() -> (FakeMicrosoft, Cli, String) {
    let ms = FakeMicrosoft::start().await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("connect.db").display());
    let cli = Cli { dir, url, authority: ms.base.clone() };
    let (ok, tenant, err) =
        cli.run(&["tenant", "add", "Contoso", "--seats", "1200", "--industry", "Technology"]).await;
    assert!(ok, "{err}");
    (ms, cli, tenant.trim().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_is_connected_once_entra_grants_a_token_and_its_secret_is_sealed() {
    let (ms, cli, tenant) = contoso_on_the_command_line().await;
    let good = cli.secret_file(CLIENT_SECRET);

    // Bad input is refused naming the flag, and nothing is asked of Entra.
    let (ok, _, err) = cli.connect(&tenant, "contoso.onmicrosoft.com", CLIENT_ID, &good).await;
    assert!(!ok && err.contains("--azure-tenant"), "{err}");
    let (ok, _, err) = cli.connect(&tenant, DIRECTORY, "app", &good).await;
    assert!(!ok && err.contains("--client-id"), "{err}");
    let empty = cli.secret_file("   ");
    let (ok, _, err) = cli.connect(&tenant, DIRECTORY, CLIENT_ID, &empty).await;
    assert!(!ok && err.contains("--client-secret-file"), "{err}");
    assert!(ms.token_requests().is_empty(), "nothing was sent for bad input");

    // A secret Entra refuses: said in words, and nothing saved.
    let wrong = cli.secret_file("not-the-secret");
    let (ok, _, err) = cli.connect(&tenant, DIRECTORY, CLIENT_ID, &wrong).await;
    assert!(!ok && err.contains("client secret is wrong"), "{err}");
    assert!(!err.contains("not-the-secret"), "the secret is never printed: {err}");
    let store = store::open(&cli.url).await.unwrap();
    assert_eq!(store.m365_connection(&tenant).await.unwrap(), None);

    let good = cli.secret_file(CLIENT_SECRET);
    let (ok, out, err) = cli.connect(&tenant, DIRECTORY, CLIENT_ID, &good).await;
    assert!(ok, "{err}");
    assert!(out.contains("Entra granted a token") && !out.contains(CLIENT_SECRET), "{out}");
    let saved = store.m365_connection(&tenant).await.unwrap().expect("connected");
    assert_eq!((saved.directory_id.as_str(), saved.client_id.as_str()), (DIRECTORY, CLIENT_ID));
    assert!(!saved.sealed_secret.contains(CLIENT_SECRET));
    let key = SecretKey::load(None, &cli.key_file()).unwrap();
    assert_eq!(key.open(&saved.sealed_secret, &tenant).unwrap(), CLIENT_SECRET);
    assert!(key.open(&saved.sealed_secret, "another-tenant").is_err(), "bound to its tenant");
    let trail = store.audit_trail(&tenant, 5).await.unwrap();
    assert_eq!(trail[0].kind, "m365.connect");
    assert!(trail[0].actor.starts_with("cli"), "{:?}", trail[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_is_connected_with_a_certificate_and_its_key_is_sealed() {
    let (ms, cli, tenant) = contoso_on_the_command_line().await;
    // A secret and a certificate at once is refused by the command line itself.
    let secret = cli.secret_file(CLIENT_SECRET);
    let both = cli.file("both.pem", CERTIFICATE_PEM);
    let args = [
        "connect",
        &tenant,
        "--azure-tenant",
        DIRECTORY,
        "--client-id",
        CLIENT_ID,
        "--client-secret-file",
        &secret,
        "--certificate-file",
        &both,
    ];
    let (ok, _, err) = cli.run(&args).await;
    assert!(!ok && err.contains("--certificate-file"), "{err}");

    // A certificate Entra does not have for the app: refused with its thumbprint, nothing saved.
    let other = cli.file("other.pem", include_str!("../../fixtures/m365-unregistered-certificate.pem"));
    let (ok, _, err) = cli.connect_with_certificate(&tenant, &other).await;
    assert!(!ok && err.contains("does not accept the certificate") && err.contains("thumbprint"), "{err}");
    assert!(!err.contains("PRIVATE KEY"), "the key is never printed: {err}");
    let store = store::open(&cli.url).await.unwrap();
    assert_eq!(store.m365_connection(&tenant).await.unwrap(), None);

    // The registered certificate: Entra grants a token on its signed assertion alone.
    let (ok, out, err) = cli.connect_with_certificate(&tenant, &both).await;
    assert!(ok, "{err}");
    assert!(out.contains("with a certificate") && out.contains("Entra granted a token"), "{out}");
    let last = ms.token_requests().pop().unwrap();
    assert!(last.contains_key("client_assertion") && !last.contains_key("client_secret"), "{last:?}");
    let saved = store.m365_connection(&tenant).await.unwrap().expect("connected");
    assert!(!saved.sealed_secret.contains("PRIVATE KEY"), "sealed, not stored as it came");
    let key = SecretKey::load(None, &cli.key_file()).unwrap();
    assert_eq!(key.open(&saved.sealed_secret, &tenant).unwrap(), CERTIFICATE_PEM.trim());
    // What Entra shows for the certificate is what Rampart names it by.
    let cert = server::m365::credential::Certificate::from_pem(CERTIFICATE_PEM).unwrap();
    assert_eq!(cert.thumbprint_hex(), CERTIFICATE_THUMBPRINT.replace(':', ""));
}
