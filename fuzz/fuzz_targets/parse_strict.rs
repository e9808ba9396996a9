//! Strict parsing of arbitrary bytes: never panics; what parses re-encodes to exactly the
//! input, the zero-copy view agrees with the owned message, lenient parsing accepts it
//! identically with no quirk, and errors point inside the input. The zero-copy walk
//! (`MessageView::walk`, `PayloadRef` and its typed accessors) yields exactly the owned
//! message's payloads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mikey::wire::{Message, MessageView, ParseOptions, Payload};

/// Every `PayloadRef` decodes to the owned payload at the same position, and its typed
/// accessors agree with that payload.
fn check_walk(v: &MessageView<'_>, m: &Message<'_>) {
    let mut n = 0;
    for (r, p) in v.walk().zip(&m.payloads) {
        n += 1;
        assert_eq!(r.payload_type(), p.payload_type());
        assert!(r.offset() + r.as_bytes().len() <= v.as_bytes().len());
        assert_eq!(r.decode().as_ref(), Ok(p), "walk decodes another payload");
        assert_eq!(
            r.kemac().map(|k| k.to_kemac()).as_ref(),
            match p {
                Payload::Kemac(k) => Some(k),
                _ => None,
            }
        );
        if let Some(k) = r.kemac() {
            assert!(k.encr_data().len() + k.mac().len() <= r.as_bytes().len());
            let _ = (k.encr_alg(), k.mac_alg(), k.mac_offset());
        }
        assert_eq!(
            r.timestamp().as_ref(),
            match p {
                Payload::T(t) => Some(t),
                _ => None,
            }
        );
        assert_eq!(
            r.rand(),
            match p {
                Payload::Rand(x) => Some(&*x.rand),
                _ => None,
            }
        );
        if let Some(sp) = r.sp() {
            let _ = (sp.policy_no(), sp.prot_type(), sp.param_bytes(), sp.srtp());
            assert!(matches!(p, Payload::Sp(_)));
            let _ = sp.params().count();
        }
        if let Some((alg, mac)) = r.verification() {
            assert!(matches!(p, Payload::V(_)));
            let _ = (alg, mac.len());
        }
        let _ = format!("{r:?}");
    }
    assert_eq!(n, m.payloads.len());
    assert_eq!(v.walk().count(), m.payloads.len());
}

fuzz_target!(|data: &[u8]| {
    match Message::parse(data) {
        Ok(m) => {
            assert_eq!(m.encode().unwrap(), data, "strict parse -> encode differs");
            assert_eq!(m.encoded_len(), data.len());
            let v = MessageView::parse(data).expect("view parses what Message parses");
            assert_eq!(v.payloads().count(), m.payloads.len());
            check_walk(&v, &m);
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
