//! The full PSK exchange (AES-CM-128, HMAC-SHA-1, V) next to the sum of the crypto it
//! contains, measured in the same run, and SRTP export / PRF on their own.

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

fn bench(c: &mut Criterion) {
    let psk = [0x42u8; 16];
    let mut g = c.benchmark_group("psk");
    // One complete exchange: initiator builds, responder checks and answers, initiator
    // verifies, both export SRTP keys.
    g.bench_function("exchange", |b| {
        let mut r = rng();
        let mut i = 0u64;
        b.iter(|| {
            i += 1;
            let now = NOW + Duration::from_secs(i % 200);
            let mut ini = PskInitiator::new(&psk, cfg());
            let m = ini
                .initiate(vec![TransportKey::tgk(&[9u8; 16])], now, &mut r)
                .unwrap();
            let mut resp =
                PskResponder::new(SecretBytes::from_slice(&psk), ResponderConfig::default());
            let a = resp.handle(&m, now).unwrap();
            ini.handle_response(a.response.as_deref().unwrap(), now)
                .unwrap();
            let x = ini.srtp().unwrap();
            let y = resp.srtp(a.csb_id).unwrap();
            resp.remove_bundle(a.csb_id);
            black_box((x, y))
        })
    });
    // The crypto floor of that exchange: message keys derived twice (initiator and
    // responder: encr, auth, salt), AES-CM over the key data twice, the KEMAC MAC twice
    // and the verification MAC twice over messages of the same sizes, and TEK + salt
    // derivation (cs 1) on both sides.
    let msg = vec![0xa5u8; 120];
    let resp = vec![0x5au8; 66];
    let kd = vec![0x33u8; 20];
    g.bench_function("crypto_floor", |b| {
        b.iter(|| {
            for _ in 0..2 {
                let k = MessageKeys::derive(
                    Prf::MikeyOne,
                    &psk,
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
        })
    });
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
}

criterion_group!(benches, bench);
criterion_main!(benches);
