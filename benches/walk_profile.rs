//! Walks the 112-byte gortsplib message N times, for profiling the borrowed view with
//! `valgrind --tool=callgrind` or `perf`: validation, then every payload's typed content
//! read in place by the walk that `benches/wire.rs` `view_walk` benches
//! (`benches/common/walk.rs`); with `parse` only the validation:
//!
//! ```sh
//! cargo bench --bench walk_profile -- N [parse]
//! ```
//!
//! Without N (as in a plain `cargo bench`) it prints its usage and does nothing.
use mikey::wire::{MessageView, ParseOptions};
use std::hint::black_box;

mod common;
#[path = "common/walk.rs"]
mod walk;

fn main() {
    let b = walk::hex(include_str!("../testvectors/gortsplib-mikey-a.hex"));
    let args = common::profile_args();
    let Some(n) = args.first().and_then(|s| s.parse::<usize>().ok()) else {
        eprintln!("walk_profile: cargo bench --bench walk_profile -- N [parse]");
        return;
    };
    let parse_only = args.get(1).map(String::as_str) == Some("parse");
    for _ in 0..n {
        let Ok(v) = MessageView::parse_with(black_box(&b), ParseOptions::LENIENT) else {
            eprintln!("walk_profile: the stored vector does not parse");
            std::process::exit(1);
        };
        if parse_only {
            black_box(v.header().csb_id);
            continue;
        }
        walk::walk(&v);
    }
}
