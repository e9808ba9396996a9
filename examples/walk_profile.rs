//! Walks the 112-byte gortsplib message many times (for profiling the borrowed view with
//! `valgrind --tool=callgrind` or `perf`): validation, then every payload's typed content
//! read in place by the walk `benches/wire.rs` `view_walk` benches (`benches/common/walk.rs`). `walk_profile N parse` only validates.
use mikey::wire::{MessageView, ParseOptions};
use std::hint::black_box;

#[path = "../benches/common/walk.rs"]
mod walk;

fn main() {
    let b = walk::hex(include_str!("../testvectors/gortsplib-mikey-a.hex"));
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let parse_only = args.next().as_deref() == Some("parse");
    for _ in 0..n {
        let v = MessageView::parse_with(black_box(&b), ParseOptions::LENIENT).unwrap();
        if parse_only {
            black_box(v.header().csb_id);
            continue;
        }
        walk::walk(&v);
    }
}
