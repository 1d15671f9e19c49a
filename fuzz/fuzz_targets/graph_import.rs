//! Microsoft Graph exports as `rampart import-graph` and the Settings upload read them:
//! `read_export` on one file, and `check_files`, which the upload runs on every file before
//! anything is written.
//!
//! A file's name only labels messages (its kind is told from its content), so each input is
//! read under two of the names the callers give, a command-line path and an uploaded
//! file's own name, and both readings must agree. What is read must keep the bounds the
//! reader promises the import: counts within totals, percentages within 0–100, no negative
//! scores, comments the size of a note.

#![no_main]

use libfuzzer_sys::fuzz_target;
use server::import::graph_json::{read_export, GraphExport, MAX_IMPORTED_COMMENT_CHARS};
use server::import::{check_files, ImportFile};

const CLI_NAME: &str = "/var/exports/secureScores.json";
const UPLOAD_NAME: &str = "secureScoreControlProfiles (1).json";

fuzz_target!(|data: &[u8]| {
    let read = read_export(CLI_NAME, data);
    let checked = check_files(&[ImportFile::from_bytes(UPLOAD_NAME, data)]);
    match (&read, &checked) {
        (Ok(export), Ok(())) => bounds(export),
        (Err(a), Err(b)) => {
            assert_eq!((a.file.as_str(), b.file.as_str()), (CLI_NAME, UPLOAD_NAME));
            assert_eq!((&a.path, &a.message), (&b.path, &b.message), "the name changed the reading");
            assert!(a.path.starts_with('$'), "an error path {} outside the file", a.path);
        }
        _ => panic!("the name changed the outcome: {read:?} / {checked:?}"),
    }
});

fn bounds(export: &GraphExport) {
    match export {
        GraphExport::SecureScores(days) => {
            for (d, c) in days.iter().flat_map(|d| d.controls.iter().map(move |c| (d, c))) {
                let at = d.control_path(c);
                assert!(!c.name.is_empty(), "a control without a name at {at}");
                if let Some((count, total)) = c.units {
                    assert!(count <= total, "{count} of {total} at {at}");
                }
                assert!(c.score.is_none_or(|s| s.is_finite() && s >= 0.0), "score at {at}");
                assert!(c.percent.is_none_or(|p| (0.0..=100.0).contains(&p)), "percent at {at}");
            }
        }
        GraphExport::ControlProfiles(profiles) => {
            for p in profiles {
                assert!(!p.id.is_empty(), "a profile without an id at {}", p.path);
                assert!(p.max_score.is_none_or(|m| m.is_finite() && m >= 0.0), "maxScore at {}", p.path);
                for u in &p.updates {
                    assert!(u.comment.chars().count() <= MAX_IMPORTED_COMMENT_CHARS, "comment at {}", u.path);
                }
            }
        }
    }
}
