//! The full PSK exchange (AES-CM-128, HMAC-SHA-1, V) next to the sum of the crypto it
//! contains, measured in the same run, and SRTP export / PRF on their own.

mod common;

use core::time::Duration;
use criterion::{criterion_group, criterion_main, Criterion};
use mikey::crypto::{self, KemacCipher, MacKind, MessageKeys, Prf, SecretBytes};
use mikey::session::*;
use mikey::wire::{SrtpCs, SrtpPolicy};
use std::hint::black_box;

const NOW: Duration = Duration::from_secs(1_790_000_000);

fn rng() -> impl FnMut(&mut [u8]) {
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

fn cfg() -> PskConfig {
    PskConfig {
        v: true,
        crypto_sessions: vec![SrtpCs {
            policy_no: 0,
            ssrc: 0x1234,
            roc: 0,
        }],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)],
        ..PskConfig::default()
    }
}

/// One complete exchange: initiator builds, responder checks and answers, initiator
/// verifies, both export SRTP keys.
fn exchange(psk: &[u8], now: Duration, r: &mut impl FnMut(&mut [u8])) {
    let mut ini = PskInitiator::new(psk, cfg());
    let m = ini
        .initiate(vec![TransportKey::tgk(&[9u8; 16])], now, r)
        .unwrap();
    let mut resp = PskResponder::new(SecretBytes::from_slice(psk), ResponderConfig::default());
    let a = resp.handle(&m, now).unwrap();
    ini.handle_response(a.response.as_deref().unwrap(), now)
        .unwrap();
    let x = ini.srtp().unwrap();
    let y = resp.srtp(a.csb_id).unwrap();
    resp.remove_bundle(a.csb_id);
    black_box((x, y));
}

/// The crypto floor of that exchange: message keys derived twice (initiator and
/// responder: encr, auth, salt), AES-CM over the key data twice, the KEMAC MAC twice
/// and the verification MAC twice over messages of the same sizes, and TEK + salt
/// derivation (cs 1) on both sides.
fn crypto_floor(psk: &[u8]) {
    let msg = [0xa5u8; 120];
    let resp = [0x5au8; 66];
    let kd = [0x33u8; 20];
    for _ in 0..2 {
        let k = MessageKeys::derive(
            Prf::MikeyOne,
            psk,
            0x01020304,
            &[7; 16],
            KemacCipher::AesCm128,
            MacKind::HmacSha1_160,
        );
        let ct = crypto::kemac::encrypt(
            KemacCipher::AesCm128,
            k.encr.as_bytes(),
            k.salt.as_bytes(),
            1,
            2,
            &kd,
        )
        .unwrap();
        black_box(crypto::kemac::mac(
            MacKind::HmacSha1_160,
            k.auth.as_bytes(),
            &msg,
        ));
        black_box(crypto::kemac::mac(
            MacKind::HmacSha1_160,
            k.auth.as_bytes(),
            &resp,
        ));
        black_box(ct);
        black_box(crypto::derive_from_tgk(
            Prf::MikeyOne,
            &[9; 16],
            crypto::TGK_CONST_TEK,
            1,
            0x01020304,
            &[7; 16],
            16,
        ));
        black_box(crypto::derive_from_tgk(
            Prf::MikeyOne,
            &[9; 16],
            crypto::TGK_CONST_SALT,
            1,
            0x01020304,
            &[7; 16],
            14,
        ));
    }
}

/// Exchange and floor alternated in batches of `batch`, `rounds` times (so load changes on
/// a shared machine hit both alike), timed in thread CPU time: total exchange time / total
/// floor time, and the mean of each in microseconds.
fn interleaved(psk: &[u8], rounds: u32, batch: u32) -> (f64, f64, f64) {
    let mut r = rng();
    let (mut te, mut tf) = (0f64, 0f64);
    for i in 0..rounds {
        let t = common::cpu_s();
        for j in 0..batch {
            exchange(
                psk,
                NOW + Duration::from_secs(u64::from((i + j) % 200)),
                &mut r,
            );
        }
        te += common::cpu_s() - t;
        let t = common::cpu_s();
        for _ in 0..batch {
            crypto_floor(psk);
        }
        tf += common::cpu_s() - t;
    }
    let n = f64::from(rounds * batch);
    (te / tf, te * 1e6 / n, tf * 1e6 / n)
}

fn bench(c: &mut Criterion) {
    let psk = [0x42u8; 16];
    let mut g = c.benchmark_group("psk");
    g.bench_function("exchange", |b| {
        let mut r = rng();
        let mut i = 0u64;
        b.iter(|| {
            i += 1;
            exchange(&psk, NOW + Duration::from_secs(i % 200), &mut r)
        })
    });
    g.bench_function("crypto_floor", |b| b.iter(|| crypto_floor(&psk)));
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
    let (q, e, f) = interleaved(&psk, 400, 50);
    println!("psk interleaved: exchange {e:.3} us, crypto floor {f:.3} us, ratio {q:.3}");
}

criterion_group!(benches, bench);
criterion_main!(benches);
