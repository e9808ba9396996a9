//! Lenient parsing of arbitrary bytes: never panics; the zero-copy view and the owned
//! message agree on the payloads (count, offsets, lengths), the payloads cover the message
//! exactly, only a reported trailing-zero quirk leaves a byte over, and a parse without
//! quirks is exactly the strict parse.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mikey::wire::{Message, MessageView, ParseOptions, Payload, Quirk};

fuzz_target!(|data: &[u8]| {
    let strict = Message::parse(data);
    let view = match MessageView::parse_with(data, ParseOptions::LENIENT) {
        Ok(v) => v,
        Err(e) => {
            assert!(e.offset <= data.len(), "{e}");
            assert!(strict.is_err(), "strict accepts what lenient refuses");
            assert_eq!(
                Message::parse_with(data, ParseOptions::LENIENT).unwrap_err(),
                e
            );
            return;
        }
    };
    let (m, q) = Message::parse_with(data, ParseOptions::LENIENT).expect("view parsed it");
    assert_eq!(q, view.quirks());
    assert_eq!(&m.header, view.header());

    // The view and the message agree on the payloads, which tile the message exactly.
    let mut count = 0;
    let mut expected_off = m.header.encoded_len();
    for ((off, p), mp) in view.payloads_with_offsets().zip(&m.payloads) {
        assert_eq!(off, expected_off, "payload {count} offset");
        assert_eq!(&p, mp, "payload {count}");
        expected_off += p.encoded_len();
        count += 1;
    }
    assert_eq!(view.payloads().count(), m.payloads.len(), "payload count");
    assert_eq!(count, m.payloads.len());
    assert_eq!(
        expected_off,
        view.as_bytes().len(),
        "payloads cover the message"
    );
    assert_eq!(
        m.encode().unwrap(),
        view.as_bytes(),
        "lenient parse -> encode differs"
    );
    match view.kemac() {
        Some((off, k)) => {
            assert!(off < view.as_bytes().len());
            assert!(m.payloads.contains(&Payload::Kemac(k)));
        }
        None => assert!(!m.payloads.iter().any(|p| matches!(p, Payload::Kemac(_)))),
    }

    // Only the trailing-zero quirk leaves input over, exactly one 0x00.
    if view.as_bytes().len() != data.len() {
        assert!(q.contains(Quirk::TrailingZero));
        assert_eq!(data.len(), view.as_bytes().len() + 1);
        assert_eq!(data.last(), Some(&0));
    } else {
        assert!(!q.contains(Quirk::TrailingZero));
    }
    // Without quirks, lenient parsing is strict parsing.
    if q.is_empty() {
        assert_eq!(strict.expect("no quirk, yet strict refuses"), m);
    } else {
        assert!(strict.is_err(), "quirks {q:?} but strict accepts");
    }
});
