//! The SRTP transform per packet (protect + unprotect of a 172-byte RTP packet, 160 bytes
//! of payload): the RFC 3711 / RFC 7714 transforms next to their RFC 4771 ROC-carrying
//! variants (R = 1: every packet carries the ROC), in the same run, so the RCC cost is a
//! ratio. Run with `cargo bench --bench srtp`.

use criterion::{criterion_group, criterion_main, Criterion};
use mikey::srtp::{RccMode, SrtpContext, SrtpSuite};
use std::hint::black_box;

const SSRC: u32 = 0x1234_5678;

fn pair(suite: SrtpSuite, rcc: Option<RccMode>) -> (SrtpContext, SrtpContext) {
    let key = vec![0x42; suite.master_key_len()];
    let salt = vec![0x24; suite.master_salt_len()];
    let make = || {
        let c = SrtpContext::new(suite, &key, &salt).unwrap();
        match rcc {
            Some(m) => c.with_rcc(m, 1).unwrap(),
            None => c,
        }
    };
    (make(), make())
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("srtp protect+unprotect 160 B");
    let cases = [
        (
            "AES-CM-128 HMAC-SHA1-80",
            SrtpSuite::AesCm128HmacSha1_80,
            None,
        ),
        (
            "AES-CM-128 HMAC-SHA1-80 RCCm2 R=1",
            SrtpSuite::AesCm128HmacSha1_80,
            Some(RccMode::Mode2),
        ),
        ("AES-128-GCM", SrtpSuite::AeadAes128Gcm, None),
        (
            "AES-128-GCM RCCm3 R=1",
            SrtpSuite::AeadAes128Gcm,
            Some(RccMode::Mode3),
        ),
    ];
    for (name, suite, rcc) in cases {
        let (mut tx, mut rx) = pair(suite, rcc);
        let mut packet = vec![0x80, 0x08, 0, 0, 0, 0, 0, 0];
        packet.extend_from_slice(&SSRC.to_be_bytes());
        packet.extend_from_slice(&[0xd5; 160]);
        let mut seq = 0u16;
        g.bench_function(name, |b| {
            b.iter(|| {
                seq = seq.wrapping_add(1);
                packet[2..4].copy_from_slice(&seq.to_be_bytes());
                let srtp = tx.protect_rtp(black_box(&packet)).unwrap();
                black_box(rx.unprotect_rtp(&srtp).unwrap())
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
