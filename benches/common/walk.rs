//! What a receiver reads of a message, shared by `benches/wire.rs`,
//! `benches/walk_profile.rs` and `peers/benches/vs_gstreamer.rs` (each includes this file by
//! path), so the walk that is benched, profiled and compared with GStreamer is one walk.
#![allow(dead_code)] // each includer uses part of it

use mikey::wire::{CsIdMap, Header, MessageView, PayloadType};
use std::hint::black_box;

/// Bytes of a hex test vector.
pub fn hex(s: &str) -> Vec<u8> {
    let s = s.trim();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Reads every field a receiver needs: the header and its CS ID map, and each payload's
/// typed content, all passed to `black_box`.
pub fn walk(v: &MessageView<'_>) {
    read_header(v.header());
    for p in v.walk() {
        match p.payload_type() {
            PayloadType::T => {
                black_box(p.timestamp());
            }
            PayloadType::Rand => {
                black_box(p.rand());
            }
            PayloadType::Sp => {
                let sp = p.sp().unwrap();
                black_box((sp.policy_no(), sp.prot_type()));
                for param in sp.params() {
                    black_box(param);
                }
            }
            PayloadType::Kemac => {
                let k = p.kemac().unwrap();
                black_box((k.encr_alg(), k.encr_data(), k.mac_alg(), k.mac()));
            }
            PayloadType::V => {
                black_box(p.verification());
            }
            _ => {
                let _ = black_box(p.decode());
            }
        }
    }
}

/// The header fields and every CS ID map entry.
pub fn read_header(h: &Header<'_>) {
    black_box((h.data_type, h.v, h.prf, h.csb_id));
    match &h.cs_map {
        CsIdMap::SrtpId(m) => {
            for e in m.iter() {
                black_box(e);
            }
        }
        CsIdMap::GenericId(m) => {
            for cs in m.iter() {
                black_box(cs);
            }
        }
        CsIdMap::Empty { count } => {
            black_box(count);
        }
    }
}
