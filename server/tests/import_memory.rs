//! The Graph import reader holds what it keeps, never the file: memory measured by a
//! counting allocator while real exports on disk are read.
#![allow(clippy::unwrap_used)]

use peak_alloc::PeakAlloc;
use server::bench_data::{write_graph_export, CONTROLS_PER_DAY};
use server::import::graph_json::{read_export, GraphExport, MAX_CONTROLS_PER_DAY, MAX_ENTRIES};
use std::io::Write;
use std::sync::Mutex;

/// Counts the bytes in use, and the most in use at once.
#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;
/// The two tests measure one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Runs `f`, answering its result and the most memory it had in use at once beyond what
/// was in use before.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    let out = f();
    (out, ALLOCATOR.peak_usage().saturating_sub(before))
}

const MIB: usize = 1024 * 1024;

#[test]
fn a_large_export_is_read_in_less_memory_than_the_file_takes() {
    let _one = ONE_AT_A_TIME.lock().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secure-scores.json");
    let ids: Vec<String> = (0..60).map(|i| format!("Catalog.Action{i}")).collect();
    let newest = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let size = write_graph_export(&mut out, "tenant-a", &ids, newest, 32 * MIB as u64).unwrap();
    out.flush().unwrap();
    drop(out);
    assert!(size.days > 100, "{size:?}");

    let (read, peak) = peak_of(|| read_export("secure-scores.json", std::fs::File::open(&path).unwrap()));
    let Ok(GraphExport::SecureScores(days)) = read else { panic!("not read: {read:?}") };
    // Everything is there: every day, every control, the newest first as written.
    assert_eq!(days.len(), size.days);
    assert!(days.iter().all(|d| d.controls.len() == CONTROLS_PER_DAY));
    assert_eq!(days[0].created.date_naive(), newest);
    // Holding the file, or a parsed tree of it, takes more than the file's size.
    let file = usize::try_from(size.bytes).unwrap();
    assert!(peak < file / 2, "reading a {} MiB export took {} MiB at its peak", file / MIB, peak / MIB);
    eprintln!("reading a {} MiB export took {:.1} MiB at its peak", file / MIB, peak as f64 / MIB as f64);
}

#[test]
fn an_export_past_the_entry_bound_is_refused_before_memory_grows_with_it() {
    let _one = ONE_AT_A_TIME.lock().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dense.json");
    // The smallest control scores there can be, days of as many as a day may list, and a
    // day padded with a huge field the reader skips.
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    write!(out, "{{\"value\":[").unwrap();
    let days = MAX_ENTRIES / MAX_CONTROLS_PER_DAY + 1;
    for day in 0..days {
        let date =
            chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap() - chrono::Duration::days(day as i64);
        let comma = if day == 0 { "" } else { "," };
        write!(out, "{comma}{{\"createdDateTime\":\"{date}T00:00:00Z\",\"enabledServices\":[").unwrap();
        if day == 0 {
            for i in 0..2_000_000 {
                write!(out, "{}1", if i == 0 { "" } else { "," }).unwrap();
            }
        }
        write!(out, "],\"controlScores\":[").unwrap();
        for i in 0..MAX_CONTROLS_PER_DAY {
            write!(out, "{}{{\"controlName\":\"C{}\"}}", if i == 0 { "" } else { "," }, i % 100).unwrap();
        }
        write!(out, "]}}").unwrap();
    }
    write!(out, "]}}").unwrap();
    drop(out);

    let (read, peak) = peak_of(|| read_export("dense.json", std::fs::File::open(&path).unwrap()));
    let err = read.expect_err("past the bound");
    assert_eq!(err.file, "dense.json");
    // Each day counts as one entry after its control scores: entry MAX_ENTRIES + 1 is
    // the first refused.
    let per_day = MAX_CONTROLS_PER_DAY + 1;
    let (day, index) = (MAX_ENTRIES / per_day, MAX_ENTRIES % per_day);
    assert_eq!(err.path, format!("$.value[{day}].controlScores[{index}]"), "{err}");
    assert!(err.message.contains(&format!("at most {MAX_ENTRIES}")), "{err}");
    // What is kept up to the bound is compact: well under 150 bytes an entry.
    assert!(peak < MAX_ENTRIES * 150, "took {} MiB at its peak", peak / MIB);
    eprintln!("refusing a dense export took {:.1} MiB at its peak", peak as f64 / MIB as f64);
}
