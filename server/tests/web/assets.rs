//! The built assets as a browser meets them: linked from each page by names that carry a
//! hash of their content, kept for a year under those names, sent precompressed, and
//! revalidated under their plain names. The site is written here, so what is served can be
//! compared byte for byte with what was built.
#![allow(clippy::unwrap_used)]

use crate::common::{demo_server_on_site, TestServer};
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use sha2::{Digest, Sha256};
use std::path::Path;
use tower::ServiceExt;

struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    /// A site root as `make frontend assets` leaves it: each file with gzip and brotli
    /// copies (their bytes only need to differ from the file's: the server sends them as
    /// they are).
    fn built() -> Site {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
        for (file, body) in [
            ("rampart.css", "body { color: #123456 }".repeat(40)),
            ("echarts.min.js", "var echarts = {};".repeat(40)),
            ("pages.js", "document.title;".repeat(40)),
            ("pkg/rampart.js", "export default function init() {}".repeat(40)),
            ("pkg/rampart_bg.wasm", "\0asm wasm bytes".repeat(40)),
            ("favicon.ico", "icon".repeat(40)),
        ] {
            let path = dir.path().join(file);
            std::fs::write(&path, &body).unwrap();
            std::fs::write(path.with_file_name(format!("{}.gz", name(&path))), format!("gzip of {file}"))
                .unwrap();
            std::fs::write(path.with_file_name(format!("{}.br", name(&path))), format!("brotli of {file}"))
                .unwrap();
        }
        Site { dir }
    }

    fn bytes(&self, file: &str) -> Vec<u8> {
        std::fs::read(self.dir.path().join(file)).unwrap()
    }

    async fn server(&self) -> TestServer {
        demo_server_on_site(Default::default(), |_| {}, self.dir.path().to_str().unwrap()).await
    }
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

fn sha16(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect::<String>()[..16].to_owned()
}

async fn fetch(
    s: &TestServer,
    uri: &str,
    headers: &[(header::HeaderName, &str)],
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(k, *v);
    }
    let resp = s.app.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    let body = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap().to_vec();
    (status, headers, body)
}

fn header_of(h: &HeaderMap, name: header::HeaderName) -> &str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn pages_link_hashed_names_that_browsers_keep_for_a_year() {
    let site = Site::built();
    let s = site.server().await;
    let (status, headers, page) = fetch(&s, "/sign-in", &[(header::ACCEPT, "text/html")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header_of(&headers, header::CACHE_CONTROL), "no-cache", "a page is asked for again each time");
    let page = String::from_utf8(page).unwrap();

    let css = format!("/rampart.{}.css", sha16(&[&site.bytes("rampart.css")]));
    let charts = format!("/echarts.{}.min.js", sha16(&[&site.bytes("echarts.min.js")]));
    let pages = format!("/pages.{}.js", sha16(&[&site.bytes("pages.js")]));
    let client = sha16(&[&site.bytes("pkg/rampart.js"), &site.bytes("pkg/rampart_bg.wasm")]);
    let (js, wasm) = (format!("/pkg/rampart.{client}.js"), format!("/pkg/rampart.{client}_bg.wasm"));
    for link in [&css, &charts, &pages] {
        assert!(page.contains(&format!("\"{link}\"")), "the page links {link}: {page}");
    }
    assert!(!page.contains("\"/rampart.css\"") && !page.contains("\"/echarts.min.js\""), "{page}");
    // A page without an island loads no wasm at all.
    assert!(!page.contains("/pkg/"), "{page}");
    let cookie = s.sign_in("reader@contoso.example", server::demo::DEMO_PASSWORD).await;
    let list = s.get(&format!("/tenants/{}/actions", server::demo::CONTOSO_ID), Some(&cookie)).await;
    for link in [&js, &wasm] {
        assert!(list.body.contains(&format!("\"{link}\"")), "the list links {link}: {}", list.body);
    }

    for (uri, file, content_type) in [
        (&css, "rampart.css", "text/css"),
        (&charts, "echarts.min.js", "text/javascript"),
        (&pages, "pages.js", "text/javascript"),
        (&js, "pkg/rampart.js", "text/javascript"),
        (&wasm, "pkg/rampart_bg.wasm", "application/wasm"),
    ] {
        let (status, h, body) = fetch(&s, uri, &[]).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(body, site.bytes(file), "{uri} is the built file");
        assert!(header_of(&h, header::CONTENT_TYPE).starts_with(content_type), "{uri}: {h:?}");
        assert_eq!(header_of(&h, header::CACHE_CONTROL), "public, max-age=31536000, immutable", "{uri}");
        assert_eq!(header_of(&h, header::CONTENT_ENCODING), "", "{uri} asked for without compression");
    }
    let (status, h, body) = fetch(&s, "/favicon.ico", &[]).await;
    assert_eq!((status, body), (StatusCode::OK, site.bytes("favicon.ico")));
    assert_eq!(header_of(&h, header::CACHE_CONTROL), "public, max-age=86400", "the icon keeps its name");
}

#[tokio::test]
async fn each_asset_goes_out_precompressed_as_the_browser_takes_it() {
    let site = Site::built();
    let s = site.server().await;
    let css = format!("/rampart.{}.css", sha16(&[&site.bytes("rampart.css")]));

    let (_, h, body) = fetch(&s, &css, &[(header::ACCEPT_ENCODING, "gzip, deflate, br, zstd")]).await;
    assert_eq!(header_of(&h, header::CONTENT_ENCODING), "br");
    assert_eq!(body, site.bytes("rampart.css.br"));
    assert_eq!(header_of(&h, header::VARY), "accept-encoding");

    let (_, h, body) = fetch(&s, &css, &[(header::ACCEPT_ENCODING, "gzip, br;q=0")]).await;
    assert_eq!(header_of(&h, header::CONTENT_ENCODING), "gzip");
    assert_eq!(body, site.bytes("rampart.css.gz"));
}

#[tokio::test]
async fn a_kept_copy_is_confirmed_with_a_304_and_plain_names_are_revalidated() {
    let site = Site::built();
    let s = site.server().await;
    let (status, h, body) = fetch(&s, "/rampart.css", &[(header::ACCEPT_ENCODING, "br")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, site.bytes("rampart.css.br"));
    assert_eq!(header_of(&h, header::CACHE_CONTROL), "no-cache", "a plain name may change with a build");
    let etag = header_of(&h, header::ETAG).to_owned();
    assert!(etag.starts_with('"') && etag.len() > 2, "{etag}");

    let (status, h, body) =
        fetch(&s, "/rampart.css", &[(header::ACCEPT_ENCODING, "br"), (header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    assert_eq!(header_of(&h, header::ETAG), etag);

    // The tag names the encoding too: a gzip copy is not confirmed by the brotli one's tag.
    let (status, ..) =
        fetch(&s, "/rampart.css", &[(header::ACCEPT_ENCODING, "gzip"), (header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_compressed_copy_older_than_its_file_is_not_sent() {
    let site = Site::built();
    let gz = site.dir.path().join("rampart.css.gz");
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options().write(true).open(&gz).unwrap().set_modified(old).unwrap();
    std::fs::remove_file(site.dir.path().join("rampart.css.br")).unwrap();
    let s = site.server().await;
    let (status, h, body) = fetch(&s, "/rampart.css", &[(header::ACCEPT_ENCODING, "gzip")]).await;
    assert_eq!(status, StatusCode::OK);
    // Compressed on the way out instead, from the file itself.
    assert_ne!(body, site.bytes("rampart.css.gz"));
    assert_eq!(header_of(&h, header::CONTENT_ENCODING), "gzip");
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(body.as_slice()), &mut plain).unwrap();
    assert_eq!(plain, site.bytes("rampart.css"));
}

#[tokio::test]
async fn without_built_assets_the_pages_link_the_plain_names() {
    let s = demo_server_on_site(Default::default(), |_| {}, "/nonexistent/site").await;
    let (_, _, page) = fetch(&s, "/sign-in", &[(header::ACCEPT, "text/html")]).await;
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("\"/rampart.css\"") && page.contains("\"/echarts.min.js\""), "{page}");
    assert!(page.contains("\"/pages.js\""), "{page}");
}
