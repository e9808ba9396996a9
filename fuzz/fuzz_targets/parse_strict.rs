//! Strict parsing of arbitrary bytes: never panics; what parses re-encodes to exactly the
//! input, the zero-copy view agrees with the owned message, lenient parsing accepts it
//! identically with no quirk, and errors point inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mikey::wire::{Message, MessageView, ParseOptions, Payload};

fuzz_target!(|data: &[u8]| {
    match Message::parse(data) {
        Ok(m) => {
            assert_eq!(m.encode(), data, "strict parse -> encode differs");
            assert_eq!(m.encoded_len(), data.len());
            let v = MessageView::parse(data).expect("view parses what Message parses");
            assert_eq!(v.payloads().count(), m.payloads.len());
            assert_eq!(v.as_bytes(), data);
            assert!(v.quirks().is_empty());
            let (l, q) = Message::parse_with(data, ParseOptions::LENIENT)
                .expect("lenient parses what strict parses");
            assert_eq!(l, m);
            assert!(q.is_empty(), "strict input with quirks {q:?}");
            for p in &m.payloads {
                if let Payload::Kemac(k) = p {
                    for with_id in [false, true] {
                        if let Some(Err(e)) = k.plaintext_keys(with_id) {
                            assert!(e.offset <= k.encr_data.len());
                        }
                    }
                }
            }
            let _ = format!("{m:?}");
        }
        Err(e) => {
            assert!(e.offset <= data.len(), "{e}");
            assert!(!e.to_string().is_empty());
            assert_eq!(MessageView::parse(data).unwrap_err(), e);
        }
    }
});
