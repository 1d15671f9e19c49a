//! The one CSV writer behind every export (actions, history, audit trail): RFC 4180 through
//! the `csv` crate, a guard against spreadsheet formulas, and a body streamed in batches.

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures::{Stream, StreamExt};
use service::csv::Cell;

/// Lines encoded into one chunk of the body: large enough to keep the overhead small,
/// small enough that no export is ever held whole in memory as text.
pub const LINES_PER_CHUNK: usize = 500;

/// Encodes lines (each a row of cells) as CSV with CRLF line ends.
pub fn encode<'a>(lines: impl IntoIterator<Item = &'a [Cell]>) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    for line in lines {
        writer.write_record(line.iter().map(Cell::guarded).map(|c| c.into_owned()))?;
    }
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

fn header_line(header: &[&str]) -> Result<Vec<u8>, csv::Error> {
    let cells: Vec<Cell> = header.iter().map(|h| Cell::text(*h)).collect();
    encode([cells.as_slice()])
}

/// A download of `filename`: the header line, then each batch of lines as it comes. A
/// batch that fails (a storage error half way) ends the body with an error, so the client
/// sees a broken download rather than a file that silently stops.
pub fn download<S, E>(filename: &str, header: &[&str], batches: S) -> Response
where
    S: Stream<Item = Result<Vec<Vec<Cell>>, E>> + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    let first = header_line(header).map(Bytes::from).map_err(std::io::Error::other);
    let rest = batches.map(|batch| {
        let batch = batch.map_err(|e| {
            tracing::error!(error = %e, "CSV export stopped");
            std::io::Error::other("the export stopped on an error")
        })?;
        let mut out = Vec::new();
        for chunk in batch.chunks(LINES_PER_CHUNK) {
            out.extend(encode(chunk.iter().map(Vec::as_slice)).map_err(std::io::Error::other)?);
        }
        Ok::<_, std::io::Error>(Bytes::from(out))
    });
    // Fused: the compression layer polls once more after the end.
    let body = futures::stream::once(async move { first }).chain(rest).fuse();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// Lines already in memory (computed for the page anyway), handed to the body in chunks.
pub fn in_chunks(
    lines: Vec<Vec<Cell>>,
) -> impl Stream<Item = Result<Vec<Vec<Cell>>, std::convert::Infallible>> {
    let mut lines = lines.into_iter();
    futures::stream::iter(std::iter::from_fn(move || {
        let chunk: Vec<Vec<Cell>> = lines.by_ref().take(LINES_PER_CHUNK).collect();
        (!chunk.is_empty()).then_some(Ok(chunk))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(cells: Vec<Cell>) -> String {
        String::from_utf8(encode([cells.as_slice()]).expect("encodes")).expect("utf-8")
    }

    #[test]
    fn text_that_starts_like_a_formula_is_shown_as_text() {
        for start in ["=", "+", "-", "@", "\t", "\r"] {
            let value = format!("{start}HYPERLINK(\"http://evil.example\")");
            let text = line(vec![Cell::text(&value)]);
            let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
            let record = reader.records().next().expect("a line").expect("parses");
            assert_eq!(&record[0], format!("'{value}"), "{start:?}");
        }
    }

    #[test]
    fn numbers_keep_their_sign_and_plain_text_is_untouched() {
        assert_eq!(
            line(vec![Cell::number("-2.50"), Cell::text("Teams"), Cell::text("a,b")]),
            "-2.50,Teams,\"a,b\"\r\n"
        );
    }
}
