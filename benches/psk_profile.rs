//! Runs N PSK exchanges in a loop, or the crypto floor of `benches/exchange.rs` in a loop
//! (`floor`), or measures the bench's interleaved ratio over N rounds (`ratio`), or times
//! each step of the exchange next to the crypto it contains over N rounds (`phases`), or
//! runs only the responder's step of those, untimed (`respond-loop`), or measures the rate
//! at which forged messages are refused, next to their crypto (`forged`: with the default
//! budget of Error messages; `forged-answered`: every one answered), or runs only those,
//! untimed (`forged-loop`), for profiling with `valgrind --tool=callgrind` or `perf`; the
//! workload is the bench's own (`benches/common/psk.rs`):
//!
//! ```sh
//! cargo bench --bench psk_profile -- N [floor|ratio|phases|respond-loop|forged|forged-answered|forged-loop]
//! ```
//!
//! Without N (as in a plain `cargo bench`) it prints its usage and does nothing.
use core::time::Duration;
use mikey::session::ResponderLimits;

mod common;
#[path = "common/psk.rs"]
mod psk;

fn main() {
    let args = common::profile_args();
    let Some(n) = args.first().and_then(|s| s.parse::<u64>().ok()) else {
        eprintln!(
            "psk_profile: cargo bench --bench psk_profile -- N \
             [floor|ratio|phases|respond-loop|forged|forged-answered|forged-loop]"
        );
        return;
    };
    let mode = args.get(1).cloned();
    if mode.as_deref() == Some("ratio") {
        // The bench's interleaved measurement, N rounds of 50.
        let lens = psk::mac_input_lens();
        let m = psk::interleaved(common::cpu_s, &psk::PSK, lens, n as u32, 50);
        println!("psk interleaved: {m}");
        return;
    }
    if mode.as_deref() == Some("respond-loop") {
        // Only the responder's step of `phases`, untimed (for perf or callgrind).
        psk::respond_loop(n);
        return;
    }
    if mode.as_deref() == Some("phases") {
        // The exchange taken apart, each step next to its crypto, N rounds of 50.
        println!("{}", psk::phases(common::cpu_s, n as u32, 50));
        return;
    }
    if let Some(m @ ("forged" | "forged-answered")) = mode.as_deref() {
        // Forged messages (MAC wrong) handed to one responder, next to the crypto each
        // needs before it is refused, alternated in 10 rounds; the responder answers as
        // many as its default budget lets it, or every one.
        let budget = match m {
            "forged" => ResponderLimits::default().error_replies_per_sec,
            _ => u32::MAX,
        };
        let lens = psk::mac_input_lens();
        let (mut tf, mut tc) = (0.0, 0.0);
        for _ in 0..10 {
            tf += psk::forged(common::cpu_s, n, budget);
            tc += psk::forged_floor(common::cpu_s, n, lens.0);
        }
        let total = 10.0 * n as f64;
        println!(
            "forged psk: {:.0} rejected/s per core ({:.3} us each), crypto floor {:.3} us, ratio {:.3}",
            total / tf,
            tf * 1e6 / total,
            tc * 1e6 / total,
            tf / tc
        );
        return;
    }
    if mode.as_deref() == Some("forged-loop") {
        // Only the forged messages, untimed (for callgrind, which the clock trips).
        psk::forged(|| 0.0, n, ResponderLimits::default().error_replies_per_sec);
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
