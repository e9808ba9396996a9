//! The full PSK exchange (AES-CM-128, HMAC-SHA-1, V) next to the sum of the crypto it
//! contains, measured in the same run, and SRTP export / PRF on their own.

mod common;
#[path = "common/psk.rs"]
mod psk;

use common::rng;
use core::time::Duration;
use criterion::{criterion_group, criterion_main, Criterion};
use mikey::crypto::{self, Prf};
use psk::{crypto_floor, exchange, mac_input_lens};
use std::hint::black_box;

const NOW: Duration = Duration::from_secs(1_790_000_000);

fn bench(c: &mut Criterion) {
    let psk = psk::PSK;
    let lens = mac_input_lens();
    let mut g = c.benchmark_group("psk");
    g.bench_function("exchange", |b| {
        let mut r = rng();
        let mut i = 0u64;
        b.iter(|| {
            i += 1;
            exchange(&psk, NOW + Duration::from_secs(i % 200), &mut r)
        })
    });
    g.bench_function("crypto_floor", |b| b.iter(|| crypto_floor(&psk, lens)));
    g.bench_function("prf_mikey1_16_to_16", |b| {
        let mut out = [0u8; 16];
        b.iter(|| {
            crypto::prf(
                Prf::MikeyOne,
                black_box(&psk),
                black_box(&[1u8; 25]),
                &mut out,
            )
        })
    });
    g.finish();

    // The ratio, measured interleaved.
    let m = psk::interleaved(common::cpu_s, &psk, lens, 400, 50);
    println!("psk interleaved: {m}");
}

criterion_group!(benches, bench);
criterion_main!(benches);
