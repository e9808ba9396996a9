//! Parse and encode speed: the 112-byte gortsplib message and a large message (many crypto
//! sessions, long SP), with the borrowed view and the owned message.

use criterion::{criterion_group, criterion_main, Criterion};
use mikey::wire::*;
use std::hint::black_box;

fn hex(s: &str) -> Vec<u8> {
    let s = s.trim();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn large() -> Vec<u8> {
    let mut h = Header::new(DataType::PskInit, 0x01020304);
    let cs: Vec<SrtpCs> = (0..200u32)
        .map(|i| SrtpCs {
            policy_no: (i % 4) as u8,
            ssrc: 0x1000 + i,
            roc: i,
        })
        .collect();
    h.cs_map = CsIdMap::SrtpId(SrtpIdMap::from_entries(&cs));
    let mut m = Message::new(h)
        .with(Payload::T(Timestamp::ntp_utc(0xebfe6f2db1c13fd0)))
        .with(Payload::Rand(Rand {
            rand: vec![7; 16].into(),
        }));
    for no in 0..4 {
        let mut sp = SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(no);
        for t in 100..160u8 {
            sp.push(t, &[t; 8]);
        }
        m.payloads.push(Payload::Sp(sp));
    }
    m.payloads.push(Payload::Kemac(Kemac {
        encr_alg: EncrAlg::AesCm128,
        encr_data: vec![0x55; 300].into(),
        mac_alg: MacAlg::HmacSha1_160,
        mac: vec![1; 20].into(),
    }));
    m.encode()
}

fn bench(c: &mut Criterion) {
    let small = hex(include_str!("../testvectors/gortsplib-mikey-a.hex"));
    let big = large();
    for (name, bytes) in [("gortsplib-a-112B", &small), ("large", &big)] {
        let mut g = c.benchmark_group(format!("wire/{name}"));
        // Validate the whole message (every payload decoded and checked once), no allocation.
        g.bench_function("view_parse", |b| {
            b.iter(|| {
                MessageView::parse_with(black_box(bytes), ParseOptions::LENIENT)
                    .unwrap()
                    .header()
                    .csb_id
            })
        });
        // Validate, then decode every payload again through the iterator.
        g.bench_function("view_walk", |b| {
            b.iter(|| {
                let v = MessageView::parse_with(black_box(bytes), ParseOptions::LENIENT).unwrap();
                v.payloads().count()
            })
        });
        g.bench_function("message_parse", |b| {
            b.iter(|| {
                Message::parse_with(black_box(bytes), ParseOptions::LENIENT)
                    .unwrap()
                    .0
                    .payloads
                    .len()
            })
        });
        let msg = Message::parse_with(bytes, ParseOptions::LENIENT).unwrap().0;
        let mut out = Vec::with_capacity(bytes.len());
        g.bench_function("encode", |b| {
            b.iter(|| {
                out.clear();
                black_box(&msg).encode_into(&mut out);
                out.len()
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
