//! A long-lived PSK responder taking an I_MESSAGE from a new peer (the exchange's settings of
//! `benches/common/psk.rs`, so it answers with a verification message), with room in its bundle
//! table and with the table full (1,024 bundles, the default `max_bundles`, and 16,384),
//! where every new bundle makes the table give one up: the least recently used of the
//! biggest peers' (`TableFull`), or the ones idle past `bundle_idle_lifetime` (`Expired`).
//! Each peer holds one bundle, the case where every peer is a biggest one. `replay_full`:
//! the table has room, but the replay cache is full at every message, with one entry just
//! expired (a busy responder's steady state).
//!
//! `room` is the baseline: the caller removes each new bundle as soon as it is accepted, so
//! the table holds as many as a full one and never has to give one up.
//!
//! Messages are built outside the timed loop, in chunks; the clock passed in advances 1 ms a
//! message and `max_skew` is 1 s, so the replay cache holds about 2,000 entries and never
//! fills. Run: `cargo bench --bench full_table`.

mod common;
#[path = "common/psk.rs"]
mod psk;

use core::time::Duration;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use mikey::crypto::SecretBytes;
use mikey::session::*;
use mikey::wire::Id;
use std::time::Instant;

use psk::PSK;
const T0: Duration = Duration::from_secs(1_790_000_000);
const STEP: Duration = Duration::from_millis(1);
const CHUNK: u64 = 4096;

/// The I_MESSAGE of peer `i`, stamped with its time.
fn message(i: u64, r: &mut impl FnMut(&mut [u8])) -> (Vec<u8>, Duration) {
    let t = T0 + STEP * i as u32;
    let c = PskConfig {
        id_i: Some(Id::uri(&format!("sip:cam{i}@example.org"))),
        ..psk::cfg()
    };
    let m = PskInitiator::new(&PSK, c)
        .initiate(vec![TransportKey::tgk(&psk::TGK)], t, r)
        .unwrap();
    (m, t)
}

/// How the table is set up: `held` bundles first, room for `max` in all, bundles idle
/// longer than `life` expire; with `remove`, the caller removes each new bundle once
/// accepted (so the table keeps room and holds `held`, as a full one does); with
/// `replay_full`, the replay cache holds `held` + 1 messages and the skew is `held` ms, so
/// the cache is full at every message and one entry has just expired.
#[derive(Clone, Copy)]
struct Table {
    held: u64,
    max: usize,
    life: Option<Duration>,
    remove: bool,
    replay_full: bool,
}

/// A responder holding `t.held` bundles, and the number of the next peer.
fn responder(t: Table, r: &mut impl FnMut(&mut [u8])) -> (PskResponder, u64) {
    let mut limits = ResponderLimits {
        max_skew: Duration::from_secs(1),
        max_bundles: t.max,
        bundle_idle_lifetime: t.life,
        ..ResponderLimits::default()
    };
    if t.replay_full {
        limits.max_skew = STEP * t.held as u32;
        limits.replay_capacity = t.held as usize + 1;
    }
    let cfg = ResponderConfig {
        limits,
        ..ResponderConfig::default()
    };
    let mut resp = PskResponder::new(SecretBytes::from_slice(&PSK), cfg);
    for i in 0..t.held {
        let (m, now) = message(i, r);
        resp.handle(&m, now).unwrap();
    }
    // One more, as the timed ones are taken: a full table gives its first bundle up here
    // and builds the order it gives them up in (once in its life, not timed).
    let (m, now) = message(t.held, r);
    let a = resp.handle(&m, now).unwrap();
    if t.remove {
        resp.remove_bundle(a.csb_id);
    }
    (resp, t.held + 1)
}

/// Time to take `iters` new peers' messages, built a chunk at a time outside the clock.
fn run(t: Table, iters: u64) -> Duration {
    let mut r = common::rng();
    let (mut resp, mut next) = responder(t, &mut r);
    let mut spent = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let n = left.min(CHUNK);
        let chunk: Vec<_> = (next..next + n).map(|i| message(i, &mut r)).collect();
        let start = Instant::now();
        for (m, now) in &chunk {
            let a = resp.handle(m, *now).unwrap();
            if t.remove {
                resp.remove_bundle(a.csb_id);
            }
            std::hint::black_box(a.csb_id);
        }
        spent += start.elapsed();
        while resp.poll_event().is_some() {}
        next += n;
        left -= n;
    }
    assert!(resp.csb_ids().count() <= t.max);
    spent
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("psk_new_peer");
    g.sample_size(20);
    for n in [1024u64, 16_384] {
        let t = Table {
            held: n,
            max: n as usize,
            life: None,
            remove: false,
            replay_full: false,
        };
        let cases = [
            (
                "room",
                Table {
                    max: n as usize + 1,
                    remove: true,
                    ..t
                },
            ),
            ("full", t),
            (
                "full_expiring",
                Table {
                    life: Some(STEP * (n as u32 - 1)),
                    ..t
                },
            ),
            (
                "replay_full",
                Table {
                    max: n as usize + 1,
                    remove: true,
                    replay_full: true,
                    ..t
                },
            ),
        ];
        for (name, t) in cases {
            g.bench_with_input(BenchmarkId::new(name, n), &t, |b, &t| {
                b.iter_custom(|iters| run(t, iters))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
