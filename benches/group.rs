//! Group keying (RFC 3830 §8.1) of 10,000 PSK members next to 10,000 times the cost of one
//! single-member PSK exchange, measured in the same run: the controller's work must stay
//! linear in the members.
//!
//! * `single_exchange`: one initiator builds an I_MESSAGE, one responder checks and
//!   answers, the initiator checks the verification message.
//! * `key_{1000,10000}_members`: `key_all` for a fresh group (initial messages), every
//!   member's responder handles its message, every reply goes through `handle_reply`.
//! * `single_update` / `rekey_{1000,10000}_members`: the sender side of a rekey for members that
//!   hold the CSB already (update messages, RFC 3830 §4.5; V off so no reply is awaited).
//! * `single_pk_exchange` / `key_1000_pk_members`: the same for public-key members (RFC 3830
//!   §3.2, RSA-2048): one signed I_MESSAGE with an envelope key encrypted to the member,
//!   the member's checks and RSA decryption, the verification message; the group's cost
//!   should be 1,000 times the single exchange. Run alone with
//!   `cargo bench --bench group -- pk --measurement-time 1`.
//!
//! The ratios (issue #7: within 1.1x of N single exchanges) come from the interleaved
//! loops, robust to other jobs on a loaded machine: `group(N)` and `N x single exchange`
//! alternated in the same process, each timed in thread CPU time
//! (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`), setup and teardown untimed on both sides.
//! They run under `cargo bench` unless a filter excludes them; the filter
//! `interleaved` runs only them, `interleaved_psk` only the PSK ones,
//! `interleaved_psk_10000` one of them, `interleaved_pk` the RSA-2048 one (slow).

mod common;
use common::rng;

use core::time::Duration;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode};
use mikey::crypto::{
    CryptoError, CryptoProvider, RsaPrivate, RsaPublic, RustCryptoProvider, SecretBytes,
    SignatureScheme,
};
use mikey::session::group::GroupController;
use mikey::session::*;
use mikey::wire::{SrtpCs, SrtpPolicy};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

const NOW: Duration = Duration::from_secs(1_790_000_000);

fn cs() -> Vec<SrtpCs> {
    vec![SrtpCs {
        policy_no: 0,
        ssrc: 0x1234,
        roc: 0,
    }]
}

fn policies() -> Vec<mikey::wire::SecurityPolicy<'static>> {
    vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0).unwrap()]
}

fn psk(i: usize) -> [u8; 16] {
    let mut k = [0x42u8; 16];
    k[..8].copy_from_slice(&(i as u64).to_be_bytes());
    k
}

fn name(i: usize) -> MemberId {
    MemberId::new(format!("rx{i:05}@example.com"))
}

fn group(n: usize, v: bool) -> GroupController {
    let mut g = GroupController::new(
        GroupConfig {
            v,
            id_i: Some(mikey::wire::Id::nai(SOURCE)),
            crypto_sessions: cs(),
            policies: policies(),
            ..GroupConfig::default()
        },
        &mut rng(),
    )
    .unwrap();
    for i in 0..n {
        g.join(
            name(i),
            Credential::Psk(SecretBytes::from_slice(&psk(i))),
            NOW,
        )
        .unwrap();
    }
    g
}

fn responders(n: usize) -> Vec<PskResponder> {
    (0..n)
        .map(|i| PskResponder::new(SecretBytes::from_slice(&psk(i)), ResponderConfig::default()))
        .collect()
}

/// An `Arc`-shared stored key as the `Box<dyn RsaPrivate>` a responder owns (keys are loaded
/// once; 1,000 simulated members share the two stored RSA-2048 keys).
#[derive(Debug)]
struct Shared(Arc<dyn RsaPrivate>);

impl RsaPublic for Shared {
    fn encrypt_pkcs1v15(
        &self,
        rng: &mut dyn mikey::session::Entropy,
        msg: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        self.0.encrypt_pkcs1v15(rng, msg)
    }
    fn verify(&self, scheme: SignatureScheme, msg: &[u8], sig: &[u8]) -> Result<(), CryptoError> {
        self.0.verify(scheme, msg, sig)
    }
    fn modulus_len(&self) -> usize {
        self.0.modulus_len()
    }
    fn to_spki_der(&self) -> Vec<u8> {
        self.0.to_spki_der()
    }
}

impl RsaPrivate for Shared {
    fn public(&self) -> Box<dyn RsaPublic> {
        self.0.public()
    }
    fn decrypt_pkcs1v15(&self, ciphertext: &[u8]) -> Result<SecretBytes, CryptoError> {
        self.0.decrypt_pkcs1v15(ciphertext)
    }
    fn sign(
        &self,
        rng: &mut dyn mikey::session::Entropy,
        scheme: SignatureScheme,
        msg: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        self.0.sign(rng, scheme, msg)
    }
    fn to_pkcs8_der(&self) -> SecretBytes {
        self.0.to_pkcs8_der()
    }
}

struct PkKeys {
    source: Arc<dyn RsaPrivate>,
    member: Arc<dyn RsaPrivate>,
}

fn pk_keys() -> PkKeys {
    let load = |n: &str| -> Arc<dyn RsaPrivate> {
        let pem = std::fs::read_to_string(format!(
            "{}/testvectors/keys/{n}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        Arc::from(RustCryptoProvider.rsa_private_from_pem(&pem).unwrap())
    };
    PkKeys {
        source: load("rsa2048-a.pem"),
        member: load("rsa2048-b.pem"),
    }
}

const SOURCE: &str = "source@example.com";

fn pk_responder(k: &PkKeys, i: usize) -> PkResponder {
    PkResponder::new(
        Box::new(Shared(k.member.clone())),
        PinnedKeys::new().with(SOURCE.as_bytes(), &k.source.to_spki_der()),
        ResponderConfig {
            id_r: Some(mikey::wire::Id::nai(name(i).as_str())),
            ..ResponderConfig::default()
        },
    )
    .with_provider(Arc::new(RustCryptoProvider))
}

fn pk_group(k: &PkKeys, n: usize) -> GroupController {
    let mut g = GroupController::new(
        GroupConfig {
            id_i: Some(mikey::wire::Id::nai(SOURCE)),
            crypto_sessions: cs(),
            policies: policies(),
            ..GroupConfig::default()
        },
        &mut rng(),
    )
    .unwrap()
    .with_signing_key(Arc::new(RustCryptoProvider), k.source.clone(), Vec::new());
    let spki = k.member.to_spki_der();
    for i in 0..n {
        g.join(
            name(i),
            Credential::PublicKey {
                spki_der: spki.clone(),
            },
            NOW,
        )
        .unwrap();
    }
    g
}

/// The group's fan-out, answered by every member (`answer` runs a member's responder and
/// returns its verification message) and every answer checked by the group: the timed work
/// of the `key_N_*members` benches. Returns the messages sent.
fn key_all_confirmed<R>(
    grp: &mut GroupController,
    rx: &mut [R],
    r: &mut impl Entropy,
    mut answer: impl FnMut(&mut R, &[u8]) -> Vec<u8>,
) -> Vec<(MemberId, Vec<u8>)> {
    let msgs = grp.key_all(NOW, r).unwrap();
    for ((m, bytes), resp) in msgs.iter().zip(rx.iter_mut()) {
        grp.handle_reply(m, &answer(resp, bytes), NOW).unwrap();
    }
    assert_eq!(grp.acknowledged(1), (rx.len(), rx.len()));
    msgs
}

/// A PSK member's answer to the group's message.
fn psk_answer(resp: &mut PskResponder, bytes: &[u8]) -> Vec<u8> {
    resp.handle(bytes, NOW).unwrap().response.unwrap()
}

/// A public-key member's answer to the group's message.
fn pk_answer(resp: &mut PkResponder, bytes: &[u8]) -> Vec<u8> {
    resp.handle(bytes, NOW).unwrap().response.unwrap()
}

/// The single-member reference for public-key member `i`: the same work the group does per
/// member, for one member (initiator with its config, I_MESSAGE with the same TGK and MKI,
/// the member's checks and answer, the check of the answer).
fn single_pk(k: &PkKeys, i: usize, resp: &mut PkResponder, r: &mut impl FnMut(&mut [u8])) {
    let mut ini = PkInitiator::new(
        Box::new(Shared(k.source.clone())),
        k.member.public(),
        PkConfig {
            v: true,
            csb_id: Some(0x0102_0304),
            rand: Some(vec![7; 16]),
            id_i: Some(mikey::wire::Id::nai(SOURCE)),
            id_r: Some(mikey::wire::Id::nai(name(i).as_str())),
            crypto_sessions: cs(),
            policies: policies(),
            cache: mikey::wire::CacheType::NoCache,
            ..PkConfig::default()
        },
    );
    let m = ini
        .initiate(
            vec![TransportKey::tgk(&[9u8; 16]).with_mki(&[0, 0, 0, 1])],
            NOW,
            r,
        )
        .unwrap();
    let a = resp.handle(&m, NOW).unwrap();
    black_box(
        ini.handle_response(a.response.as_deref().unwrap(), NOW)
            .unwrap(),
    );
}

fn bench_pk(c: &mut Criterion) {
    let k = pk_keys();
    let mut g = c.benchmark_group("group_pk");
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(3));
    g.bench_function("single_pk_exchange", |b| {
        let mut r = rng();
        b.iter(|| {
            let mut resp = pk_responder(&k, 7);
            single_pk(&k, 7, &mut resp, &mut r);
        })
    });
    g.sample_size(10);
    g.sampling_mode(SamplingMode::Flat);
    let n = 1_000usize;
    g.bench_function(format!("key_{n}_pk_members"), |b| {
        let mut r = rng();
        b.iter_batched(
            || {
                (
                    pk_group(&k, n),
                    (0..n).map(|i| pk_responder(&k, i)).collect::<Vec<_>>(),
                )
            },
            |(mut grp, mut rx)| {
                key_all_confirmed(&mut grp, &mut rx, &mut r, pk_answer);
                black_box(grp.poll(NOW).len());
                (grp, rx)
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("group");
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(3));
    // The reference: the same per-member work as the group's, for one member. Like the
    // group's receivers (built in the untimed setup), the responder is made outside the
    // timing; the initiator with its config, the I_MESSAGE, the responder's checks and
    // answer, and the check of the answer are timed.
    g.bench_function("single_exchange", |b| {
        let mut r = rng();
        let p = psk(7);
        b.iter_batched(
            || PskResponder::new(SecretBytes::from_slice(&p), ResponderConfig::default()),
            |mut resp| {
                single_psk(&p, &name(7), &mut resp, &mut r);
                resp
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("single_update", |b| {
        let mut r = rng();
        let p = psk(7);
        let mut ini = PskInitiator::new(
            &p,
            PskConfig {
                csb_id: Some(0x0102_0304),
                rand: Some(vec![7; 16]),
                id_r: Some(mikey::wire::Id::nai("rx00007@example.com")),
                crypto_sessions: cs(),
                policies: policies(),
                ..PskConfig::default()
            },
        );
        ini.initiate(vec![TransportKey::tgk(&[9u8; 16])], NOW, &mut r)
            .unwrap();
        let mut i = 0u32;
        b.iter(|| {
            // A fresh key each time, like a rekey; a long-lived initiator's bundle would grow,
            // so the key replaces the previous one (same SPI).
            i = i.wrapping_add(1);
            black_box(
                ini.initiate(
                    vec![TransportKey::tgk(&[9u8; 16]).with_mki(&[0, 0, 0, 1])],
                    NOW + Duration::from_micros(i as u64),
                    &mut r,
                )
                .unwrap(),
            )
        })
    });
    g.sample_size(10);
    g.sampling_mode(SamplingMode::Flat);
    for n in [1_000usize, 10_000] {
        g.bench_function(format!("key_{n}_members"), |b| {
            let mut r = rng();
            b.iter_batched(
                || (group(n, true), responders(n)),
                |(mut grp, mut rx)| {
                    key_all_confirmed(&mut grp, &mut rx, &mut r, psk_answer);
                    black_box(grp.poll(NOW).len());
                    (grp, rx)
                },
                BatchSize::PerIteration,
            )
        });
    }
    for n in [1_000usize, 10_000] {
        g.bench_function(format!("rekey_{n}_members"), |b| {
            let mut r = rng();
            let mut grp = group(n, false);
            grp.key_all(NOW, &mut r).unwrap();
            let mut now = NOW;
            b.iter(|| {
                now += Duration::from_secs(1);
                grp.rekey(now, &mut r).unwrap();
                black_box(grp.key_all(now, &mut r).unwrap().len())
            })
        });
    }
    g.finish();
}

// ---------------------------------------------------------------------------------------
// Interleaved ratios, in thread CPU time

/// Whether the interleaved measurement `name` runs: under `cargo bench`, with no filter or
/// a filter that is part of its name.
fn wanted(name: &str) -> bool {
    common::filters().is_some_and(|f| f.is_empty() || f.iter().any(|f| name.contains(f.as_str())))
}

/// `group` and `single` alternated (which goes first alternates too), after `warm_up`
/// rounds, for at least `min_rounds` rounds and about `secs` seconds of wall time. Each
/// side gets a fresh state from its `setup` (untimed) and returns what it wants dropped
/// untimed. Returns (total group time / total single time, mean ms of each, mean minor
/// page faults of each per round).
fn interleaved<G, S, Dg, Ds>(
    warm_up: u32,
    min_rounds: u32,
    secs: f64,
    mut setup_g: impl FnMut() -> G,
    mut group: impl FnMut(G) -> Dg,
    mut setup_s: impl FnMut() -> S,
    mut single: impl FnMut(S) -> Ds,
) -> (f64, f64, f64, Faults) {
    let (mut tg, mut ts, mut n) = (0f64, 0f64, 0u32);
    let (mut fg, mut fs) = (0u64, 0u64);
    let start = Instant::now();
    let mut round = 0u32;
    loop {
        let measured = round >= warm_up;
        if measured && n >= min_rounds && start.elapsed().as_secs_f64() >= secs {
            break;
        }
        for side in 0..2 {
            let is_group = (side + round).is_multiple_of(2);
            let (dt, df) = if is_group {
                let st = setup_g();
                timed(|| group(st))
            } else {
                let st = setup_s();
                timed(|| single(st))
            };
            let (t, f) = match is_group {
                true => (&mut tg, &mut fg),
                false => (&mut ts, &mut fs),
            };
            if measured {
                (*t, *f) = (*t + dt, *f + df);
            }
        }
        if measured {
            n += 1;
        }
        round += 1;
    }
    let n = f64::from(n.max(1));
    let faults = Faults(fg as f64 / n, fs as f64 / n);
    (tg / ts, tg * 1e3 / n, ts * 1e3 / n, faults)
}

/// Runs `f`: the thread CPU time and the minor page faults it took. What it returns is
/// dropped after the clock stops.
fn timed<D>(f: impl FnOnce() -> D) -> (f64, u64) {
    let (t, faults) = (common::cpu_s(), common::minor_faults());
    let d = f();
    let took = (common::cpu_s() - t, common::minor_faults() - faults);
    drop(d);
    took
}

/// Mean minor page faults per round taken inside the timed group and single sides.
struct Faults(f64, f64);

impl core::fmt::Display for Faults {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "page faults per round: group {:.0}, singles {:.0}",
            self.0, self.1
        )
    }
}

/// The single-member reference for member `i`: the same work the group does per member, for
/// one member. The initiator with its config (IDr = the member's name), the I_MESSAGE
/// carrying the same TGK and MKI, the member's checks and answer, the check of the answer.
fn single_psk(
    p: &[u8; 16],
    name: &MemberId,
    resp: &mut PskResponder,
    r: &mut impl FnMut(&mut [u8]),
) {
    let mut ini = PskInitiator::new(
        p,
        PskConfig {
            v: true,
            csb_id: Some(0x0102_0304),
            rand: Some(vec![7; 16]),
            id_r: Some(mikey::wire::Id::nai(name.as_str())),
            crypto_sessions: cs(),
            policies: policies(),
            ..PskConfig::default()
        },
    );
    let m = ini
        .initiate(
            vec![TransportKey::tgk(&[9u8; 16]).with_mki(&[0, 0, 0, 1])],
            NOW,
            r,
        )
        .unwrap();
    let a = resp.handle(&m, NOW).unwrap();
    black_box(
        ini.handle_response(a.response.as_deref().unwrap(), NOW)
            .unwrap(),
    );
}

fn bench_interleaved(_: &mut Criterion) {
    for n in [1_000usize, 10_000] {
        let label = format!("interleaved_psk_{n}");
        if !wanted(&label) {
            continue;
        }
        let (mut r1, mut r2) = (rng(), rng());
        let keys: Vec<[u8; 16]> = (0..n).map(psk).collect();
        let names: Vec<MemberId> = (0..n).map(name).collect();
        let (q, g, s, faults) = interleaved(
            1,
            if n >= 10_000 { 10 } else { 40 },
            5.0,
            || (group(n, true), responders(n)),
            |(mut grp, mut rx)| {
                let msgs = key_all_confirmed(&mut grp, &mut rx, &mut r1, psk_answer);
                black_box(grp.poll(NOW).len());
                (grp, rx, msgs)
            },
            || responders(n),
            |mut rx| {
                for ((p, m), resp) in keys.iter().zip(&names).zip(rx.iter_mut()) {
                    single_psk(p, m, resp, &mut r2);
                }
                rx
            },
        );
        println!(
            "{label} (CPU time): group {g:.2} ms, {n} x single exchange {s:.2} ms, ratio {q:.3}; {faults}"
        );
    }
    let label = "interleaved_pk_1000";
    if wanted(label) {
        let n = 1_000usize;
        let k = pk_keys();
        let (mut r1, mut r2) = (rng(), rng());
        let (q, g, s, faults) = interleaved(
            0,
            2,
            0.0,
            || {
                (
                    pk_group(&k, n),
                    (0..n).map(|i| pk_responder(&k, i)).collect::<Vec<_>>(),
                )
            },
            |(mut grp, mut rx)| {
                let msgs = key_all_confirmed(&mut grp, &mut rx, &mut r1, pk_answer);
                (grp, rx, msgs)
            },
            || (0..n).map(|i| pk_responder(&k, i)).collect::<Vec<_>>(),
            |mut rx| {
                for (i, resp) in rx.iter_mut().enumerate() {
                    single_pk(&k, i, resp, &mut r2);
                }
                rx
            },
        );
        println!(
            "{label} (CPU time): group {g:.1} ms, {n} x single PK exchange {s:.1} ms, ratio {q:.3}; {faults}"
        );
    }
}

criterion_group!(benches, bench, bench_pk, bench_interleaved);
criterion_main!(benches);
