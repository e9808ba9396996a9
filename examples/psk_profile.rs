//! Runs PSK exchanges in a loop, or the crypto floor of `benches/exchange.rs` in a loop
//! (`psk_profile N floor`), or measures the bench's interleaved ratio (`psk_profile N ratio`), for profiling with `valgrind --tool=callgrind` or `perf`: the
//! workload is the bench's own (`benches/common/psk.rs`).
use core::time::Duration;

#[path = "../benches/common/mod.rs"]
mod common;
#[path = "../benches/common/psk.rs"]
mod psk;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let mode = args.next();
    if mode.as_deref() == Some("ratio") {
        // The bench's interleaved measurement, N rounds of 50.
        let lens = psk::mac_input_lens();
        let m = psk::interleaved(common::cpu_s, &psk::PSK, lens, n as u32, 50);
        println!("psk interleaved: {m}");
        return;
    }
    if mode.as_deref() == Some("floor") {
        let lens = psk::mac_input_lens();
        for _ in 0..n {
            psk::crypto_floor(&psk::PSK, lens);
        }
        return;
    }
    let mut rng = common::rng();
    for i in 0..n {
        // As benches/exchange.rs does: a fresh initiator and responder per exchange.
        let now = Duration::from_secs(1_790_000_000 + i % 200);
        psk::exchange(&psk::PSK, now, &mut rng);
    }
}
