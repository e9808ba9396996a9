//! Walks the 112-byte gortsplib message many times (for profiling the borrowed view with
//! `valgrind --tool=callgrind` or `perf`): validation, then every payload's typed content
//! read in place, as `benches/wire.rs` `view_walk` does. `walk_profile N parse` only validates.
use mikey::wire::{CsIdMap, MessageView, ParseOptions, PayloadType};
use std::hint::black_box;

fn main() {
    let hex = include_str!("../testvectors/gortsplib-mikey-a.hex").trim();
    let b: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let parse_only = args.next().as_deref() == Some("parse");
    for _ in 0..n {
        let v = MessageView::parse_with(black_box(&b), ParseOptions::LENIENT).unwrap();
        if parse_only {
            black_box(v.header().csb_id);
            continue;
        }
        if let CsIdMap::SrtpId(m) = &v.header().cs_map {
            for e in m.iter() {
                black_box(e);
            }
        }
        for p in v.walk() {
            match p.payload_type() {
                PayloadType::T => {
                    black_box(p.timestamp());
                }
                PayloadType::Rand => {
                    black_box(p.rand());
                }
                PayloadType::Sp => {
                    for param in p.sp().unwrap().params() {
                        black_box(param);
                    }
                }
                PayloadType::Kemac => {
                    let k = p.kemac().unwrap();
                    black_box((k.encr_alg(), k.encr_data(), k.mac_alg(), k.mac()));
                }
                _ => {
                    let _ = black_box(p.decode());
                }
            }
        }
    }
}
