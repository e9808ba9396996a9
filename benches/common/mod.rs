//! What the benches share: the thread CPU-time clock of the interleaved ratios and the
//! filters criterion was given.
#![allow(dead_code)] // each bench uses part of it

/// Seconds of CPU time this thread has run (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`): time
/// spent descheduled by other jobs on the shared machine does not count. CPU time is also
/// what `openssl speed` divides by (user time, unless `-elapsed`).
pub fn cpu_s() -> f64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// The filters given to the bench binary (criterion's positional arguments), or `None`
/// when not run by `cargo bench` (`cargo test --benches`) or when criterion profiles.
pub fn filters() -> Option<Vec<String>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--profile-time") {
        return None;
    }
    let mut filters = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a.starts_with("--") {
            if !a.contains('=')
                && !matches!(
                    a.as_str(),
                    "--bench"
                        | "--exact"
                        | "--list"
                        | "--quiet"
                        | "--verbose"
                        | "--noplot"
                        | "--test"
                        | "--discard-baseline"
                        | "--quick"
                )
            {
                it.next(); // the option's value
            }
        } else if !a.starts_with('-') {
            filters.push(a.clone());
        }
    }
    Some(filters)
}
