//! parse -> encode -> parse, strict and lenient: the second parse gives an equal message
//! (and the same quirks but the trailing zero, which encoding drops), re-encoding gives
//! identical bytes, and owned copies encode the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mikey::wire::{Message, ParseOptions, Quirk};

fuzz_target!(|data: &[u8]| {
    for opts in [ParseOptions::STRICT, ParseOptions::LENIENT] {
        let Ok((m, q)) = Message::parse_with(data, opts) else {
            continue;
        };
        let enc = m.encode().unwrap();
        assert_eq!(enc.len(), m.encoded_len());
        if opts == ParseOptions::STRICT {
            assert_eq!(enc, data, "strict: identical bytes");
        } else if q.contains(Quirk::TrailingZero) {
            assert_eq!(enc, data[..data.len() - 1], "lenient: identical bytes");
        } else {
            assert_eq!(enc, data, "lenient: identical bytes");
        }
        let (m2, q2) = Message::parse_with(&enc, opts).expect("the encoding parses");
        assert_eq!(m2, m, "parse(encode(m)) != m");
        assert_eq!(
            q2.iter().collect::<Vec<_>>(),
            q.iter()
                .filter(|x| *x != Quirk::TrailingZero)
                .collect::<Vec<_>>()
        );
        assert_eq!(m2.encode().unwrap(), enc, "encode is not stable");
        let owned = m.clone().into_owned();
        assert_eq!(owned, m);
        assert_eq!(owned.encode().unwrap(), enc);
    }
});
