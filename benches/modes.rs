//! The public-key envelope exchange (RFC 3830 §3.2) and the RSA-R exchange (RFC 4738) next
//! to the RSA operations they contain, measured in the same run, per crypto provider:
//!
//! * PK: SIGNi (sign), PKE (encrypt) at the initiator; verify and decrypt at the responder.
//! * RSA-R: SIGNi (sign) at the initiator; verify, PKE (encrypt) and SIGNr (sign) at the
//!   responder; verify and decrypt at the initiator.
//!
//! After the criterion groups (under `cargo bench`), each provider prints its exchange / RSA
//! floor ratios measured interleaved (exchange and floor alternated, robust to load), and
//! one RSA-2048 private operation next to `openssl speed -seconds 2 rsa2048` run right
//! before and after it on the same machine.

mod common;
use common::rng;

use core::time::Duration;
use criterion::{criterion_group, criterion_main, Criterion};
use mikey::crypto::{CryptoProvider, RsaPrivate, RsaPublic, RustCryptoProvider, SignatureScheme};
use mikey::session::*;
use mikey::wire::{Id, SrtpCs, SrtpPolicy};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

const NOW: Duration = Duration::from_secs(1_800_000_000);
const A: &str = include_str!("../testvectors/keys/rsa2048-a.pem");
const B: &str = include_str!("../testvectors/keys/rsa2048-b.pem");

fn providers() -> Vec<Arc<dyn CryptoProvider>> {
    #[allow(unused_mut)]
    let mut v: Vec<Arc<dyn CryptoProvider>> = vec![Arc::new(RustCryptoProvider)];
    #[cfg(feature = "aws-lc")]
    v.push(Arc::new(mikey::crypto::aws_lc::AwsLcProvider));
    v
}

/// Keys loaded once and shared by every exchange, as a deployment holds them: the two
/// private keys, the responder's public key as the initiator knows it, and each side's
/// trust store (exchanges take their keys by value; parsing a key per exchange would be
/// measured otherwise).
struct Keys {
    a: Arc<dyn RsaPrivate>,
    b: Arc<dyn RsaPrivate>,
    b_pub: Arc<dyn RsaPublic>,
    trust_a: Arc<PinnedKeys>,
    trust_b: Arc<PinnedKeys>,
}

fn keys(p: &dyn CryptoProvider) -> Keys {
    let a: Arc<dyn RsaPrivate> = Arc::from(p.rsa_private_from_pem(A).unwrap());
    let b: Arc<dyn RsaPrivate> = Arc::from(p.rsa_private_from_pem(B).unwrap());
    Keys {
        b_pub: Arc::from(b.public()),
        trust_a: Arc::new(PinnedKeys::new().with(b"alice@example.com", &a.to_spki_der())),
        trust_b: Arc::new(PinnedKeys::new().with(b"bob@example.com", &b.to_spki_der())),
        a,
        b,
    }
}

fn pk_exchange(p: &Arc<dyn CryptoProvider>, k: &Keys, i: u64, r: &mut impl FnMut(&mut [u8])) {
    let now = NOW + Duration::from_secs(i % 200);
    let cfg = PkConfig {
        v: true,
        id_i: Some(Id::nai("alice@example.com")),
        crypto_sessions: vec![SrtpCs {
            policy_no: 0,
            ssrc: 0x1234,
            roc: 0,
        }],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0).unwrap()],
        ..PkConfig::default()
    };
    let mut ini = PkInitiator::new(Box::new(k.a.clone()), Box::new(k.b_pub.clone()), cfg);
    let m = ini
        .initiate(vec![TransportKey::tgk(&[9u8; 16])], now, r)
        .unwrap();
    let mut resp = PkResponder::new(
        Box::new(k.b.clone()),
        k.trust_a.clone(),
        ResponderConfig::default(),
    )
    .with_provider(p.clone());
    let acc = resp.handle(&m, now).unwrap();
    ini.handle_response(acc.response.as_deref().unwrap(), now)
        .unwrap();
    black_box((ini.srtp().unwrap(), resp.srtp(acc.csb_id).unwrap()));
}

fn rsa_r_exchange(p: &Arc<dyn CryptoProvider>, k: &Keys, i: u64, r: &mut impl FnMut(&mut [u8])) {
    let now = NOW + Duration::from_secs(i % 200);
    let mut ini = RsaRInitiator::new(
        p.clone(),
        Box::new(k.a.clone()),
        k.trust_b.clone(),
        RsaRConfig {
            id_i: Some(Id::nai("alice@example.com")),
            crypto_sessions: vec![SrtpCs {
                policy_no: 0,
                ssrc: 0x1234,
                roc: 0,
            }],
            policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0).unwrap()],
            ..RsaRConfig::default()
        },
    );
    let m = ini.initiate(now, r).unwrap();
    let mut resp = RsaRResponder::new(
        Box::new(k.b.clone()),
        k.trust_a.clone(),
        ResponderConfig {
            id_r: Some(Id::nai("bob@example.com")),
            ..ResponderConfig::default()
        },
    )
    .with_provider(p.clone());
    let acc = resp.handle(&m, now).unwrap();
    let got = ini
        .handle_response(acc.response.as_deref().unwrap(), now)
        .unwrap();
    black_box((ini.srtp().unwrap(), resp.srtp(got.csb_id).unwrap()));
}

/// The RSA work of one PK exchange: sign, verify, encrypt, decrypt.
fn pk_floor(k: &Keys, r: &mut impl FnMut(&mut [u8])) {
    let msg = [0x5au8; 470];
    let s = k.a.sign(r, SignatureScheme::RsaPkcs1Sha256, &msg).unwrap();
    k.a.verify(SignatureScheme::RsaPkcs1Sha256, &msg, &s)
        .unwrap();
    let c = k.b.encrypt_pkcs1v15(r, &[7u8; 16]).unwrap();
    black_box(k.b.decrypt_pkcs1v15(&c).unwrap());
}

/// The RSA work of one RSA-R exchange: two signatures, two verifications, encrypt, decrypt.
fn rsa_r_floor(k: &Keys, r: &mut impl FnMut(&mut [u8])) {
    let msg = [0x5au8; 300];
    let s = k.a.sign(r, SignatureScheme::RsaPkcs1Sha256, &msg).unwrap();
    k.a.verify(SignatureScheme::RsaPkcs1Sha256, &msg, &s)
        .unwrap();
    let s = k.b.sign(r, SignatureScheme::RsaPkcs1Sha256, &msg).unwrap();
    k.b.verify(SignatureScheme::RsaPkcs1Sha256, &msg, &s)
        .unwrap();
    let c = k.a.encrypt_pkcs1v15(r, &[7u8; 16]).unwrap();
    black_box(k.a.decrypt_pkcs1v15(&c).unwrap());
}

fn bench(c: &mut Criterion) {
    for p in providers() {
        let k = keys(p.as_ref());
        let mut g = c.benchmark_group(format!("modes/{}", p.name()));
        g.sample_size(20).measurement_time(Duration::from_secs(4));
        let mut r = rng();
        let mut i = 0u64;
        // One RSA-2048 private-key operation (PKCS#1 v1.5 SHA-256 signature), to compare
        // with `openssl speed rsa2048` on the same machine.
        g.bench_function("rsa2048_sign", |b| {
            b.iter(|| {
                k.a.sign(
                    &mut r,
                    SignatureScheme::RsaPkcs1Sha256,
                    b"mikey benchmark message",
                )
                .unwrap()
            })
        });
        g.bench_function("pk_exchange", |b| {
            b.iter(|| {
                i += 1;
                pk_exchange(&p, &k, i, &mut r)
            })
        });
        g.bench_function("pk_rsa_floor", |b| b.iter(|| pk_floor(&k, &mut r)));
        g.bench_function("rsa_r_exchange", |b| {
            b.iter(|| {
                i += 1;
                rsa_r_exchange(&p, &k, i, &mut r)
            })
        });
        g.bench_function("rsa_r_rsa_floor", |b| b.iter(|| rsa_r_floor(&k, &mut r)));
        g.finish();
        if !extras_wanted() {
            continue;
        }
        // The ratios, exchange and floor interleaved (as in benches/dh.rs).
        let mut r2 = rng();
        let mut j = 1_000u64;
        let (q, e, f) = interleaved(
            || {
                j += 1;
                pk_exchange(&p, &k, j, &mut r)
            },
            || pk_floor(&k, &mut r2),
        );
        println!(
            "{} PK interleaved (CPU time): exchange {e:.3} ms, sign + verify + encrypt + decrypt {f:.3} ms, ratio {q:.3}",
            p.name()
        );
        let (q, e, f) = interleaved(
            || {
                j += 1;
                rsa_r_exchange(&p, &k, j, &mut r)
            },
            || rsa_r_floor(&k, &mut r2),
        );
        println!(
            "{} RSA-R interleaved (CPU time): exchange {e:.3} ms, 2 signs + 2 verifies + encrypt + decrypt {f:.3} ms, ratio {q:.3}",
            p.name()
        );
        // One private operation next to `openssl speed rsa2048`, run right before and after.
        let before = openssl_speed_rsa2048();
        let ours = mean_time(Duration::from_secs(2), || {
            k.a.sign(
                &mut r,
                SignatureScheme::RsaPkcs1Sha256,
                b"mikey benchmark message",
            )
            .unwrap();
        });
        let after = openssl_speed_rsa2048();
        let (ours, wall) = ours;
        match before.zip(after) {
            Some((b, a)) => println!(
                "{} RSA-2048 private op: {:.3} ms CPU time ({:.3} ms wall); `openssl speed -seconds 2 rsa2048` \
                 (CPU user time) before/after: {:.3}/{:.3} ms; ratio {:.2}",
                p.name(),
                ours * 1e3,
                wall * 1e3,
                b * 1e3,
                a * 1e3,
                ours * 2.0 / (a + b)
            ),
            None => println!(
                "{} RSA-2048 private op: {:.3} ms CPU time ({:.3} ms wall); `openssl speed` not available",
                p.name(),
                ours * 1e3,
                wall * 1e3
            ),
        }
    }
}

/// Whether to run the interleaved ratios and the `openssl speed` reference: under
/// `cargo bench` (not `cargo test --benches`), unless a filter excludes them (they match
/// a filter that is part of, or contains, "interleaved" or "openssl") or criterion is
/// profiling.
fn extras_wanted() -> bool {
    let Some(filters) = common::filters() else {
        return false;
    };
    filters.is_empty()
        || filters.iter().any(|f| {
            ["interleaved", "openssl"]
                .iter()
                .any(|w| w.contains(f) || f.contains(w))
        })
}

/// After a second of warm-up, exchange and floor alternated for about three seconds (at
/// least 20 rounds), so load
/// changes on a shared machine hit both alike, timed in [`now_s`]: total exchange time /
/// total floor time, and per-round milliseconds of each.
fn interleaved(mut exchange: impl FnMut(), mut floor: impl FnMut()) -> (f64, f64, f64) {
    // Warm up first, as criterion does (allocator and library state).
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(1) {
        exchange();
        floor();
    }
    let (mut te, mut tf, mut n) = (0f64, 0f64, 0u32);
    let start = Instant::now();
    while n < 20 || start.elapsed() < Duration::from_secs(3) {
        let t = common::cpu_s();
        exchange();
        te += common::cpu_s() - t;
        let t = common::cpu_s();
        floor();
        tf += common::cpu_s() - t;
        n += 1;
    }
    let n = f64::from(n);
    (te / tf, te * 1e3 / n, tf * 1e3 / n)
}

/// Mean seconds per call of `f` over about `d` of wall time: (CPU time as [`now_s`], wall).
fn mean_time(d: Duration, mut f: impl FnMut()) -> (f64, f64) {
    let start = Instant::now();
    let c = common::cpu_s();
    let mut n = 0u32;
    while n < 10 || start.elapsed() < d {
        f();
        n += 1;
    }
    let n = f64::from(n);
    ((common::cpu_s() - c) / n, start.elapsed().as_secs_f64() / n)
}

/// Seconds per RSA-2048 private operation as `openssl speed -seconds 2 rsa2048` reports it
/// (its "sign/s" column: a PKCS#1 v1.5 private-key operation with blinding), or `None` when
/// the command is missing or its output does not parse.
fn openssl_speed_rsa2048() -> Option<f64> {
    let out = std::process::Command::new("openssl")
        .args(["speed", "-seconds", "2", "rsa2048"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    // "rsa 2048 bits 0.000201s 0.000012s   4965.3  82633.5": seconds per sign, verify (and,
    // in OpenSSL 3.2 and later, encrypt and decrypt), then the same as operations per second.
    let line = text.lines().find(|l| l.starts_with("rsa 2048 bits"))?;
    let fields: Vec<&str> = line.split_whitespace().skip(3).collect();
    let times = fields.iter().take_while(|f| f.ends_with('s')).count();
    let sign_per_s: f64 = fields.get(times)?.parse().ok()?;
    (sign_per_s > 0.0).then(|| 1.0 / sign_per_s)
}

criterion_group!(benches, bench);
criterion_main!(benches);
