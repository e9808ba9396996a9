//! Parse and encode speed: the 112-byte gortsplib message and a large message (many crypto
//! sessions, long SP), with the borrowed view and the owned message.

#[path = "common/walk.rs"]
mod walk;

use criterion::{criterion_group, criterion_main, Criterion};
use mikey::wire::*;
use std::hint::black_box;
use walk::{hex, read_header, walk};

fn large() -> Vec<u8> {
    let mut h = Header::new(DataType::PskInit, 0x01020304);
    let cs: Vec<SrtpCs> = (0..200u32)
        .map(|i| SrtpCs {
            policy_no: (i % 4) as u8,
            ssrc: 0x1000 + i,
            roc: i,
        })
        .collect();
    h.cs_map = CsIdMap::SrtpId(SrtpIdMap::from_entries(&cs).unwrap());
    let mut m = Message::new(h)
        .with(Payload::T(Timestamp::ntp_utc(0xebfe6f2db1c13fd0)))
        .with(Payload::Rand(Rand {
            rand: vec![7; 16].into(),
        }));
    for no in 0..4 {
        let mut sp = SrtpPolicy::aes_cm_128_hmac_sha1_80()
            .to_payload(no)
            .unwrap();
        for t in 100..160u8 {
            sp.push(t, &[t; 8]).unwrap();
        }
        m.payloads.push(Payload::Sp(sp));
    }
    m.payloads.push(Payload::Kemac(Kemac {
        encr_alg: EncrAlg::AesCm128,
        encr_data: vec![0x55; 300].into(),
        mac_alg: MacAlg::HmacSha1_160,
        mac: vec![1; 20].into(),
    }));
    m.encode().unwrap()
}

/// The same reading from a decoded [`Payload`].
fn read_payload(p: &Payload<'_>) {
    match p {
        Payload::T(t) => {
            black_box(t);
        }
        Payload::Rand(r) => {
            black_box(&*r.rand);
        }
        Payload::Sp(sp) => {
            black_box((sp.policy_no, sp.prot_type));
            for param in sp.params() {
                black_box(param);
            }
        }
        Payload::Kemac(k) => {
            black_box((k.encr_alg, &*k.encr_data, k.mac_alg, &*k.mac));
        }
        Payload::V(v) => {
            black_box((v.auth_alg, &*v.mac));
        }
        p => {
            black_box(p);
        }
    }
}

/// The previous `view_walk` algorithm, for a same-run comparison: every payload checked by
/// its full parser (`Payload::parse`), then decoded again into the `Payload` enum, and the
/// same fields read as [`walk`] reads. Returns the number of payloads.
fn previous_walk(bytes: &[u8], decode: bool) -> usize {
    let mut r = Reader::new(bytes);
    let (h, first) = Header::parse(&mut r).unwrap();
    let start = r.offset();
    let mut ctx = ParseCtx {
        lenient: true,
        kemac_with_id: matches!(h.data_type, DataType::PkInit | DataType::RsaRResp),
        ..ParseCtx::default()
    };
    let mut next = first;
    while next != PayloadType::Last {
        next = Payload::parse(next, &mut r, &mut ctx).unwrap().1;
    }
    let end = r.offset();
    assert!(matches!(r.rest(), [] | [0]));
    if !decode {
        return 0;
    }
    read_header(&h);
    let mut r = Reader::with_base(&bytes[start..end], start);
    ctx.validate = false;
    let (mut next, mut n) = (first, 0);
    while next != PayloadType::Last {
        let (p, nx) = Payload::parse(next, &mut r, &mut ctx).unwrap();
        read_payload(&p);
        next = nx;
        n += 1;
    }
    n
}

/// `a` and `b` alternated in batches of `batch` calls, `rounds` times (so load changes on a
/// shared machine hit both alike): mean and fastest-batch nanoseconds per call of each.
fn interleaved(rounds: u32, batch: u32, mut a: impl FnMut(), mut b: impl FnMut()) -> [f64; 4] {
    let (mut ta, mut tb, mut ma, mut mb) = (0f64, 0f64, f64::MAX, f64::MAX);
    for _ in 0..rounds {
        let t = std::time::Instant::now();
        for _ in 0..batch {
            a();
        }
        let e = t.elapsed().as_secs_f64();
        ta += e;
        ma = ma.min(e);
        let t = std::time::Instant::now();
        for _ in 0..batch {
            b();
        }
        let e = t.elapsed().as_secs_f64();
        tb += e;
        mb = mb.min(e);
    }
    let per = |x: f64, n: f64| x * 1e9 / n;
    let n = f64::from(rounds) * f64::from(batch);
    [
        per(ta, n),
        per(tb, n),
        per(ma, batch.into()),
        per(mb, batch.into()),
    ]
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
        // Validate, then visit every payload and read its typed content in place
        // (`PayloadRef` accessors), and the header's CS ID map entries.
        g.bench_function("view_walk", |b| {
            b.iter(|| {
                let v = MessageView::parse_with(black_box(bytes), ParseOptions::LENIENT).unwrap();
                walk(&v);
            })
        });
        // Validate, then decode every payload into the `Payload` enum (`payloads()`) and
        // read the same fields.
        g.bench_function("view_payloads", |b| {
            b.iter(|| {
                let v = MessageView::parse_with(black_box(bytes), ParseOptions::LENIENT).unwrap();
                read_header(v.header());
                for p in v.payloads() {
                    read_payload(&p);
                }
            })
        });
        // The previous algorithm, same run (see `previous_walk`).
        g.bench_function("previous_view_parse", |b| {
            b.iter(|| previous_walk(black_box(bytes), false))
        });
        g.bench_function("previous_view_walk", |b| {
            b.iter(|| previous_walk(black_box(bytes), true))
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
                black_box(&msg).encode_into(&mut out).unwrap();
                out.len()
            })
        });
        g.finish();
        let [w, pw, wmin, pwmin] = interleaved(
            if bytes.len() > 1000 { 200 } else { 2000 },
            1000,
            || walk(&MessageView::parse_with(black_box(bytes), ParseOptions::LENIENT).unwrap()),
            || {
                previous_walk(black_box(bytes), true);
            },
        );
        println!(
            "wire/{name} interleaved: view_walk {w:.1} ns (fastest batch {wmin:.1}), previous \
             {pw:.1} ns (fastest {pwmin:.1}), previous/new {:.2}",
            pw / w
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
