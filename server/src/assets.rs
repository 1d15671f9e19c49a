//! The built assets — stylesheet, chart library, page script, client script and wasm — read into memory
//! once at start and served from there under names that carry a hash of their content.
//!
//! A hashed name never changes meaning, so browsers may keep it for a year without asking
//! again (`immutable`): a second visit fetches only the HTML, and a new build is new names.
//! The plain names stay served too (revalidated every time), for links from elsewhere.
//! Each file is sent as its precompressed brotli or gzip copy (`make assets` writes them)
//! when the browser takes it; answering from memory, with no file system on the way, is
//! what lets one core serve tens of thousands of them a second.

use axum::body::Body;
use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;

/// A year: what browsers may keep a hashed name for.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Plain names may change with any build: browsers must ask, and get a 304 if unchanged.
const REVALIDATE: &str = "no-cache";

/// The icon keeps its plain name (browsers ask for `/favicon.ico` themselves): a day.
const A_DAY: &str = "public, max-age=86400";

/// Hex digits of a content hash in a name: 64 bits, ample to tell builds apart.
const HASH_DIGITS: usize = 16;

/// One file as served: its bytes in each encoding it was built in.
#[derive(Debug)]
pub struct Asset {
    content_type: &'static str,
    identity: Variant,
    gzip: Option<Variant>,
    br: Option<Variant>,
    hash: String,
}

/// One encoding of a file, with its tag worked out once: each encoding is a different
/// representation, so a different tag.
#[derive(Debug)]
struct Variant {
    bytes: Bytes,
    etag: HeaderValue,
}

impl Variant {
    fn new(bytes: Bytes, hash: &str, encoding: Option<&str>) -> Variant {
        let tag = format!("\"{hash}{}\"", encoding.map(|e| format!("-{e}")).unwrap_or_default());
        let etag = HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
        Variant { bytes, etag }
    }
}

/// Every built asset under each name it is served by.
#[derive(Debug, Default)]
pub struct Assets {
    routes: Vec<(String, Arc<Asset>, &'static str)>,
    names: app::AssetNames,
    client: Option<String>,
}

/// The built files the pages use: where under the site root, and their content type.
const STYLESHEET: (&str, &str) = ("rampart.css", "text/css; charset=utf-8");
const CHARTS: (&str, &str) = ("echarts.min.js", "text/javascript; charset=utf-8");
const PAGES: (&str, &str) = ("pages.js", "text/javascript; charset=utf-8");
const CLIENT_JS: (&str, &str) = ("pkg/rampart.js", "text/javascript; charset=utf-8");
const CLIENT_WASM: (&str, &str) = ("pkg/rampart_bg.wasm", "application/wasm");
const ICON: (&str, &str) = ("favicon.ico", "image/x-icon");

impl Assets {
    /// Reads the built assets under `site_root`. A file that was not built is left out (the
    /// pages then link its plain name, which answers 404 until `make build` has run).
    pub fn load(site_root: &Path) -> std::io::Result<Assets> {
        let mut assets = Assets::default();
        if let Some(css) = Asset::read(site_root, STYLESHEET)? {
            assets.names.stylesheet = assets.add(&css, "/rampart.css", "rampart.", ".css");
        }
        if let Some(charts) = Asset::read(site_root, CHARTS)? {
            assets.names.charts = assets.add(&charts, "/echarts.min.js", "echarts.", ".min.js");
        }
        if let Some(pages) = Asset::read(site_root, PAGES)? {
            assets.names.pages = assets.add(&pages, "/pages.js", "pages.", ".js");
        }
        // The script and its wasm go together, under one hash: Leptos names both from one
        // output name (`{name}.js`, `{name}_bg.wasm`).
        if let (Some(js), Some(wasm)) =
            (Asset::read(site_root, CLIENT_JS)?, Asset::read(site_root, CLIENT_WASM)?)
        {
            let hash = hash_of(&[&js.identity.bytes, &wasm.identity.bytes]);
            let name = format!("rampart.{hash}");
            assets.serve(&js, "/pkg/rampart.js", format!("/pkg/{name}.js"));
            assets.serve(&wasm, "/pkg/rampart_bg.wasm", format!("/pkg/{name}_bg.wasm"));
            assets.client = Some(name);
        }
        if let Some(icon) = Asset::read(site_root, ICON)? {
            assets.routes.push(("/favicon.ico".to_owned(), icon, A_DAY));
        }
        Ok(assets)
    }

    /// Serves `asset` under its plain name and under `{prefix}{hash}{suffix}`; returns the latter.
    fn add(&mut self, asset: &Arc<Asset>, plain: &str, prefix: &str, suffix: &str) -> String {
        let hashed = format!("/{prefix}{}{suffix}", asset.hash);
        self.serve(asset, plain, hashed.clone());
        hashed
    }

    /// Serves `asset` under its plain name (revalidated) and its hashed one (kept a year).
    fn serve(&mut self, asset: &Arc<Asset>, plain: &str, hashed: String) {
        self.routes.push((plain.to_owned(), asset.clone(), REVALIDATE));
        self.routes.push((hashed, asset.clone(), IMMUTABLE));
    }

    /// The names the shell links (the plain ones for files not built).
    pub fn names(&self) -> app::AssetNames {
        self.names.clone()
    }

    /// The Leptos output name of the client (`rampart.{hash}`), when it was built.
    pub fn client_output_name(&self) -> Option<&str> {
        self.client.as_deref()
    }

    /// Every (path, asset, Cache-Control) to route.
    pub fn routes(&self) -> impl Iterator<Item = (&str, Arc<Asset>, &'static str)> + '_ {
        self.routes.iter().map(|(p, a, c)| (p.as_str(), a.clone(), *c))
    }
}

impl Asset {
    fn read(
        site_root: &Path,
        (file, content_type): (&str, &'static str),
    ) -> std::io::Result<Option<Arc<Asset>>> {
        let path = site_root.join(file);
        let identity = match std::fs::read(&path) {
            Ok(b) => Bytes::from(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        // A compressed copy older than its file is from an earlier build: not served.
        let copy = |ext: &str| -> std::io::Result<Option<Bytes>> {
            let p = path
                .with_file_name(format!("{}.{ext}", path.file_name().unwrap_or_default().to_string_lossy()));
            let fresh = match (std::fs::metadata(&p), std::fs::metadata(&path)) {
                (Ok(c), Ok(f)) => c.modified()? >= f.modified()?,
                _ => false,
            };
            Ok(if fresh { Some(Bytes::from(std::fs::read(&p)?)) } else { None })
        };
        let hash = hash_of(&[&identity]);
        let gzip = copy("gz")?.map(|b| Variant::new(b, &hash, Some("gzip")));
        let br = copy("br")?.map(|b| Variant::new(b, &hash, Some("br")));
        let identity = Variant::new(identity, &hash, None);
        Ok(Some(Arc::new(Asset { content_type, identity, gzip, br, hash })))
    }

    /// The answer to a GET or HEAD with `headers`, cached as `cache_control` says.
    pub fn answer(&self, headers: &HeaderMap, cache_control: &'static str) -> Response {
        let (encoding, variant) = match (&self.br, &self.gzip) {
            (Some(br), _) if takes(headers, "br") => (Some("br"), br),
            (_, Some(gzip)) if takes(headers, "gzip") => (Some("gzip"), gzip),
            _ => (None, &self.identity),
        };
        let etag = variant.etag.as_bytes();
        let matches = headers.get(header::IF_NONE_MATCH).is_some_and(|v| {
            v.as_bytes().split(|b| *b == b',').any(|t| {
                let t = t.trim_ascii();
                t == etag || t == b"*"
            })
        });
        let mut resp = if matches {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let mut r = Response::new(Body::from(variant.bytes.clone()));
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(self.content_type));
            if let Some(e) = encoding {
                r.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
            }
            r
        };
        let h = resp.headers_mut();
        h.insert(header::ETAG, variant.etag.clone());
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control));
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        resp
    }
}

/// The first [`HASH_DIGITS`] hex digits of the SHA-256 of `parts` one after another.
fn hash_of(parts: &[&Bytes]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    let mut hex = app::auth::secrets::hex(&h.finalize());
    hex.truncate(HASH_DIGITS);
    hex
}

/// Whether the request's `Accept-Encoding` takes `coding` (by name or `*`, not `q=0`).
fn takes(headers: &HeaderMap, coding: &str) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|p| {
                p.trim().strip_prefix("q=").is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
            });
            !refused && (name.eq_ignore_ascii_case(coding) || name == "*")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("")));
        h
    }

    /// The encoding an asset with both copies (`true, true`), or only gzip, is sent in.
    fn preferred(headers: &HeaderMap, has_br: bool, has_gzip: bool) -> Option<&'static str> {
        let variant = |e| Variant::new(Bytes::new(), "h", Some(e));
        let asset = Asset {
            content_type: "text/css",
            identity: Variant::new(Bytes::new(), "h", None),
            gzip: has_gzip.then(|| variant("gzip")),
            br: has_br.then(|| variant("br")),
            hash: "h".into(),
        };
        let resp = asset.answer(headers, IMMUTABLE);
        resp.headers().get(header::CONTENT_ENCODING).map(|v| if v == "br" { "br" } else { "gzip" })
    }

    #[test]
    fn brotli_then_gzip_of_what_the_browser_takes() {
        assert_eq!(preferred(&accept("gzip, deflate, br, zstd"), true, true), Some("br"));
        assert_eq!(preferred(&accept("gzip, deflate, br"), false, true), Some("gzip"));
        assert_eq!(preferred(&accept("gzip;q=1.0, br;q=0"), true, true), Some("gzip"));
        assert_eq!(preferred(&accept("identity"), true, true), None);
        assert_eq!(preferred(&HeaderMap::new(), true, true), None);
        assert_eq!(preferred(&accept("*"), false, true), Some("gzip"));
    }
}
