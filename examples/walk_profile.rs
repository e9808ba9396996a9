//! Walks the 112-byte gortsplib message many times (for profiling the borrowed view with
//! `valgrind --tool=callgrind` or `perf`).
use mikey::wire::{MessageView, ParseOptions};

fn main() {
    let hex = include_str!("../testvectors/gortsplib-mikey-a.hex").trim();
    let b: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let mut total = 0;
    for _ in 0..n {
        let v = MessageView::parse_with(std::hint::black_box(&b), ParseOptions::LENIENT).unwrap();
        total += v.payloads().count();
    }
    println!("{total}");
}
