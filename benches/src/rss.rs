//! This process's memory, from `/proc/self/status` (Linux; 0 elsewhere).

fn status_kib(field: &str) -> u64 {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return 0;
    };
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The resident set now (`VmRSS`), KiB.
pub fn current_kib() -> u64 {
    status_kib("VmRSS:")
}

/// The highest resident set so far (`VmHWM`), KiB.
pub fn peak_kib() -> u64 {
    status_kib("VmHWM:")
}
