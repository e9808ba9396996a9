//! The Diffie-Hellman exchanges (OAKLEY 5) next to the cost of the public-key operations
//! they contain, measured in the same run:
//!
//! * DHHMAC (RFC 4650): four exponentiations (g^xi, g^xr, and the TGK on each side, 256-bit
//!   exponents) — `dhhmac/exchange` vs `dhhmac/modexp_floor`;
//! * DH-SIGN (RFC 3830 §3.3, 2048-bit RSA, PKCS#1 v1.5 / SHA-256): the same four
//!   exponentiations, two signatures and two verifications — `dhsign/exchange` vs
//!   `dhsign/crypto_floor`.

mod common;
use common::rng;

use core::time::Duration;
use criterion::{criterion_group, criterion_main, Criterion};
use mikey::crypto::dh::OAKLEY5;
use mikey::crypto::{default_provider, RsaPrivate, SecretBytes, SignatureScheme};
use mikey::session::*;
use mikey::wire::{Id, SrtpCs, SrtpPolicy};
use std::hint::black_box;
use std::sync::Arc;

const NOW: Duration = Duration::from_secs(1_790_000_000);

fn cfg() -> DhConfig {
    DhConfig {
        id_i: Some(Id::nai("alice@example.com")),
        id_r: Some(Id::nai("bob@example.com")),
        crypto_sessions: vec![SrtpCs {
            policy_no: 0,
            ssrc: 0x1234,
            roc: 0,
        }],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0).unwrap()],
        ..DhConfig::default()
    }
}

fn key(name: &str) -> Arc<dyn RsaPrivate> {
    let pem = std::fs::read_to_string(format!(
        "{}/testvectors/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    default_provider()
        .rsa_private_from_pem(&pem)
        .unwrap()
        .into()
}

/// The four exponentiations of one exchange, as the exchange does them.
fn four_modexps(r: &mut impl FnMut(&mut [u8])) {
    let p = default_provider();
    let prime = OAKLEY5.prime;
    let mut x = SecretBytes::zeroed(32);
    r(x.as_mut_bytes());
    let mut y = SecretBytes::zeroed(32);
    r(y.as_mut_bytes());
    let gx = p.modexp(&[2], &x, prime).unwrap();
    let gy = p.modexp(&[2], &y, prime).unwrap();
    black_box(p.modexp(gy.as_bytes(), &x, prime).unwrap());
    black_box(p.modexp(gx.as_bytes(), &y, prime).unwrap());
}

const PSK: [u8; 20] = [0x42u8; 20];

fn dhhmac_exchange(now: Duration, r: &mut impl FnMut(&mut [u8])) {
    let mut ini = DhHmacInitiator::new(&PSK, cfg());
    let m = ini.initiate(now, r).unwrap();
    let mut resp = DhHmacResponder::new(SecretBytes::from_slice(&PSK), ResponderConfig::default());
    let a = resp.handle(&m, now).unwrap();
    ini.handle_response(a.response.as_deref().unwrap(), now)
        .unwrap();
    black_box((ini.srtp().unwrap(), resp.srtp(a.csb_id).unwrap()));
}

struct Keys {
    alice: Arc<dyn RsaPrivate>,
    bob: Arc<dyn RsaPrivate>,
    trust_alice: Arc<dyn PeerVerifier>,
    trust_bob: Arc<dyn PeerVerifier>,
}

fn keys() -> Keys {
    let alice = key("rsa2048-a.pem");
    let bob = key("rsa2048-b.pem");
    Keys {
        trust_bob: Arc::new(PinnedKeys::new().with(b"bob@example.com", &bob.to_spki_der())),
        trust_alice: Arc::new(PinnedKeys::new().with(b"alice@example.com", &alice.to_spki_der())),
        alice,
        bob,
    }
}

fn dhsign_exchange(k: &Keys, now: Duration, r: &mut impl FnMut(&mut [u8])) {
    let mut ini = DhSignInitiator::new(cfg(), Arc::clone(&k.alice), k.trust_bob.clone());
    let m = ini.initiate(now, r).unwrap();
    let mut resp = DhSignResponder::new(
        Arc::clone(&k.bob),
        k.trust_alice.clone(),
        ResponderConfig::default(),
    );
    let a = resp.handle(&m, now).unwrap();
    ini.handle_response(a.response.as_deref().unwrap(), now)
        .unwrap();
    black_box((ini.srtp().unwrap(), resp.srtp(a.csb_id).unwrap()));
}

/// Two signatures and two verifications over messages of the exchange's sizes.
fn rsa_ops(k: &Keys, r: &mut impl FnMut(&mut [u8])) {
    let msg = [0xa5u8; 290];
    let resp_msg = [0x5au8; 280];
    let s = SignatureScheme::RsaPkcs1Sha256;
    let si = k.alice.sign(r, s, &msg).unwrap();
    k.alice.verify(s, &msg, &si).unwrap();
    let sr = k.bob.sign(r, s, &resp_msg).unwrap();
    k.bob.verify(s, &resp_msg, &sr).unwrap();
}

/// Exchange and floor alternated `rounds` times (so load changes on a shared machine hit
/// both alike), timed in CPU time ([`now_s`]): total exchange time / total floor time, and
/// per-exchange milliseconds.
fn interleaved(
    rounds: u32,
    mut exchange: impl FnMut(Duration),
    mut floor: impl FnMut(),
) -> (f64, f64, f64) {
    let (mut te, mut tf) = (0f64, 0f64);
    for i in 0..rounds {
        let t = common::cpu_s();
        exchange(NOW + Duration::from_secs(u64::from(i % 200)));
        te += common::cpu_s() - t;
        let t = common::cpu_s();
        floor();
        tf += common::cpu_s() - t;
    }
    let n = f64::from(rounds);
    (te / tf, te * 1e3 / n, tf * 1e3 / n)
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("dhhmac");
    g.bench_function("exchange", |b| {
        let mut r = rng();
        let mut i = 0u64;
        b.iter(|| {
            i += 1;
            dhhmac_exchange(NOW + Duration::from_secs(i % 200), &mut r)
        })
    });
    g.bench_function("modexp_floor", |b| {
        let mut r = rng();
        b.iter(|| four_modexps(&mut r))
    });
    g.finish();

    let k = keys();
    let mut g = c.benchmark_group("dhsign");
    g.bench_function("exchange", |b| {
        let mut r = rng();
        let mut i = 0u64;
        b.iter(|| {
            i += 1;
            dhsign_exchange(&k, NOW + Duration::from_secs(i % 200), &mut r)
        })
    });
    g.bench_function("crypto_floor", |b| {
        let mut r = rng();
        b.iter(|| {
            four_modexps(&mut r);
            rsa_ops(&k, &mut r);
        })
    });
    g.finish();

    // The ratio, measured interleaved.
    let mut r1 = rng();
    let mut r2 = rng();
    let (q, e, f) = interleaved(
        300,
        |now| dhhmac_exchange(now, &mut r1),
        || four_modexps(&mut r2),
    );
    println!(
        "dhhmac interleaved (CPU time): exchange {e:.3} ms, 4 modexps {f:.3} ms, ratio {q:.3}"
    );
    let (q, e, f) = interleaved(
        150,
        |now| dhsign_exchange(&k, now, &mut r1),
        || {
            four_modexps(&mut r2);
            rsa_ops(&k, &mut r2);
        },
    );
    println!(
        "dhsign interleaved (CPU time): exchange {e:.3} ms, 4 modexps + 2 signatures + 2 verifications \
         {f:.3} ms, ratio {q:.3}"
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
