//! The process's own figures, under the names Prometheus' client libraries use
//! (`process_cpu_seconds_total`, …), so stock dashboards find them. Read from `/proc`;
//! on a system without it they are left out.

use super::text::{header, sample};

/// Linux reports process times in `USER_HZ`, which is 100 on every architecture it runs on.
const TICKS_PER_SECOND: f64 = 100.0;

pub(super) fn render(out: &mut String) {
    if let Some(stat) = read("/proc/self/stat").as_deref().and_then(ProcStat::parse) {
        header(out, "process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.");
        sample(out, "process_cpu_seconds_total", &[], (stat.utime + stat.stime) as f64 / TICKS_PER_SECOND);
        if let Some(boot) = read("/proc/stat").as_deref().and_then(boot_time) {
            header(out, "process_start_time_seconds", "gauge", "When the process started, in Unix seconds.");
            sample(out, "process_start_time_seconds", &[], boot + stat.starttime as f64 / TICKS_PER_SECOND);
        }
    }
    if let Some(kib) = read("/proc/self/status").as_deref().and_then(resident_kib) {
        header(out, "process_resident_memory_bytes", "gauge", "Resident memory, in bytes.");
        sample(out, "process_resident_memory_bytes", &[], kib as f64 * 1024.0);
    }
    if let Ok(fds) = std::fs::read_dir("/proc/self/fd") {
        header(out, "process_open_fds", "gauge", "Open file descriptors (sockets included).");
        sample(out, "process_open_fds", &[], fds.count() as f64);
    }
}

fn read(path: &str) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

struct ProcStat {
    utime: u64,
    stime: u64,
    starttime: u64,
}

impl ProcStat {
    /// The fields after the command name, which is in parentheses and may itself hold
    /// spaces and parentheses: the last `)` ends it.
    fn parse(stat: &str) -> Option<ProcStat> {
        let rest = &stat[stat.rfind(')')? + 1..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // `rest` starts at field 3 (state); utime is field 14, stime 15, starttime 22.
        let field = |n: usize| fields.get(n - 3)?.parse().ok();
        Some(ProcStat { utime: field(14)?, stime: field(15)?, starttime: field(22)? })
    }
}

fn boot_time(stat: &str) -> Option<f64> {
    stat.lines().find_map(|l| l.strip_prefix("btime "))?.trim().parse().ok()
}

fn resident_kib(status: &str) -> Option<u64> {
    status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?.split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_name_with_spaces_and_parentheses_does_not_shift_the_fields() {
        let line =
            "4242 (ram part) (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 9 0 123456 1000 200";
        let s = ProcStat::parse(line).expect("parses");
        assert_eq!((s.utime, s.stime, s.starttime), (250, 75, 123456));
    }

    #[test]
    fn resident_memory_and_boot_time_are_read_from_their_lines() {
        assert_eq!(resident_kib("Name:\trampart\nVmRSS:\t   51200 kB\n"), Some(51200));
        assert_eq!(boot_time("cpu 1 2 3\nbtime 1764806400\n"), Some(1_764_806_400.0));
    }

    #[test]
    fn this_process_reports_its_memory_on_linux() {
        let mut out = String::new();
        render(&mut out);
        if std::path::Path::new("/proc/self/status").exists() {
            assert!(out.contains("process_resident_memory_bytes "), "{out}");
            assert!(out.contains("process_cpu_seconds_total "), "{out}");
        }
    }
}
