//! Real receivers for the share tests: an aiosmtpd SMTP server in a child process, and
//! HTTP servers on local ports that record what they are sent.

use axum::body::Bytes;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A port nothing listens on.
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// The aiosmtpd child process; killed when the test ends, however it ends.
pub struct SmtpServer {
    child: std::process::Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first Python that has aiosmtpd (`make tools-test` installs Debian's package).
fn python_with_aiosmtpd() -> String {
    ["python3", "/usr/bin/python3"]
        .into_iter()
        .find(|p| {
            std::process::Command::new(p)
                .args(["-c", "import aiosmtpd"])
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("aiosmtpd is not installed: run `make tools-test` (apt-get install python3-aiosmtpd)")
        .to_owned()
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/smtp_recorder.py");
        let mut child = std::process::Command::new(python_with_aiosmtpd())
            .arg(script)
            .arg(dir.path())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("aiosmtpd starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line).expect("the SMTP server prints its port");
        let port = line.trim().parse().unwrap_or_else(|_| panic!("a port, got {line:?}"));
        SmtpServer { child, port, dir }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<serde_json::Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("mail dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| serde_json::from_str(&std::fs::read_to_string(f).expect("message")).expect("json"))
            .collect()
    }
}

/// One request an HTTP receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub authorization: Option<String>,
    pub accept: Option<String>,
    pub content_type: Option<String>,
    /// The alert webhook's signature header, when sent.
    pub signature: Option<String>,
    pub body: serde_json::Value,
    /// The body as sent, byte for byte (a signature covers these).
    pub raw: Vec<u8>,
}

/// A real HTTP server on a local port that records every request and answers `reply`.
pub struct Receiver {
    port: u16,
    got: Arc<Mutex<Vec<Received>>>,
    status: Arc<Mutex<StatusCode>>,
}

impl Receiver {
    pub async fn start(status: StatusCode, reply: &'static str) -> Receiver {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let seen = got.clone();
        let answer = Arc::new(Mutex::new(status));
        let answers = answer.clone();
        let app =
            axum::Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let seen = seen.clone();
                let answers = answers.clone();
                async move {
                    let h = |name| {
                        headers
                            .get(name)
                            .and_then(|v: &header::HeaderValue| v.to_str().ok())
                            .map(str::to_owned)
                    };
                    assert_eq!(method, Method::POST);
                    seen.lock().expect("lock").push(Received {
                        path: uri.to_string(),
                        authorization: h(header::AUTHORIZATION),
                        accept: h(header::ACCEPT),
                        content_type: h(header::CONTENT_TYPE),
                        signature: headers
                            .get("x-rampart-signature")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned),
                        body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
                        raw: body.to_vec(),
                    });
                    let status = *answers.lock().expect("lock");
                    (status, [(header::CONTENT_TYPE, "application/json")], reply).into_response()
                }
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        tokio::spawn(async move { axum::serve(listener, app).await.expect("receiver serves") });
        Receiver { port, got, status: answer }
    }

    /// What the receiver answers from now on.
    pub fn answer(&self, status: StatusCode) {
        *self.status.lock().expect("lock") = status;
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn requests(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }
}
