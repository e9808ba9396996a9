//! What the benches share: the thread CPU-time clock of the interleaved ratios, the filters
//! criterion was given, and a deterministic random generator.
#![allow(dead_code)] // each bench uses part of it

/// Seconds of CPU time this thread has run (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`): time
/// spent descheduled by other jobs on the shared machine does not count. CPU time is also
/// what `openssl speed` divides by (user time, unless `-elapsed`).
pub fn cpu_s() -> f64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// Minor page faults this thread has taken (field 10 of `/proc/thread-self/stat`; 0 where
/// that file is missing). A timed side that gets its memory from the kernel again, because
/// glibc gave the top of the heap back while the other side was freed, pays a fault per
/// 4 KB page in its CPU time: the benches print the count next to such ratios.
pub fn minor_faults() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    // The command name (field 2) may hold spaces; the fields after its ')' do not.
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    after
        .split_whitespace()
        .nth(7)
        .and_then(|f| f.parse().ok())
        .unwrap_or(0)
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

/// The arguments of a profiling harness (`benches/*_profile.rs`): what follows `--` in
/// `cargo bench --bench NAME -- ARGS`, without the flags cargo and criterion add.
pub fn profile_args() -> Vec<String> {
    std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect()
}

/// A deterministic stand-in for the OS random generator (an LCG): the benches time MIKEY,
/// not the OS, and every run sees the same bytes.
pub fn rng() -> impl FnMut(&mut [u8]) {
    let mut n = 0u64;
    move |b: &mut [u8]| {
        for x in b {
            n = n
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *x = (n >> 33) as u8;
        }
    }
}
