//! Hostile input for the TS 33.180 layer: every truncation and bit flip of every
//! MIKEY-SAKKE vector through the I_MESSAGE view and the type-7 extension, and every
//! truncation of a KMS document, end in a value or an error, never a panic; no key
//! material shows in `Debug` output.
#![cfg(feature = "sakke")]

mod common;
use common::{hex, load};
use mikey::mcx::imessage::IMessageView;
use mikey::mcx::kms::KmsResponse;
use mikey::mcx::KeyParamsExt;
use mikey::wire::{Message, ParseOptions};

const STW_GMK: &str = "07d1a1677ac36d8e81620484689b3c2d";

/// Runs the view, and the type-7 extension with the Streamwide GMK, over `bytes`.
fn exercise(bytes: &[u8]) -> usize {
    let Ok((m, q)) = Message::parse_with(bytes, ParseOptions::LENIENT) else {
        return 0;
    };
    let Ok(v) = IMessageView::new(&m, q) else {
        return 1;
    };
    if let Some(Ok(ext)) = v.key_params() {
        let _ = ext.key_parameters(&hex(STW_GMK));
    }
    2
}

#[test]
fn truncated_and_flipped_vectors_never_panic() {
    let files: Vec<_> = common::message_files()
        .into_iter()
        .filter(|f| f.starts_with("sw-"))
        .collect();
    for f in &files {
        let b = load(f);
        assert_eq!(exercise(&b), 2, "{f}");
        for n in 0..b.len() {
            exercise(&b[..n]);
        }
        for i in 0..b.len() {
            for bit in [0x01u8, 0x80] {
                let mut t = b.clone();
                t[i] ^= bit;
                exercise(&t);
            }
        }
    }
}

#[test]
fn type7_payloads_under_truncation_and_flips() {
    let b = load("sw-stw-ref-gmk-imessage.b64");
    let (m, q) = Message::parse_with(&b, ParseOptions::LENIENT).unwrap();
    let v = IMessageView::new(&m, q).unwrap();
    let data: &[u8] = &v.extensions[0].data;
    let key = hex(STW_GMK);
    for n in 0..data.len() {
        if let Ok(e) = KeyParamsExt::parse(&data[..n]) {
            assert!(e.key_parameters(&key).is_err(), "{n}");
        }
    }
    for i in 0..data.len() {
        let mut t = data.to_vec();
        t[i] ^= 0x01;
        if let Ok(e) = KeyParamsExt::parse(&t) {
            // Only the payload type octet (offset 32) is outside the authenticated data.
            assert_eq!(e.key_parameters(&key).is_ok(), i == 32, "{i}");
        }
    }
}

#[test]
fn kms_document_truncations_never_panic() {
    let doc = r#"<?xml version="1.0"?><KmsResponse xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"><UserUri>a&amp;b</UserUri><KmsUri>k</KmsUri><Time>t</Time><ClientReqUrl>u</ClientReqUrl><KmsMessage><KmsInit><KmsCertificate><KmsUri>k</KmsUri><UserIdFormat>2</UserIdFormat><UserKeyPeriod>10</UserKeyPeriod><UserKeyOffset>0</UserKeyOffset><PubEncKey>00</PubEncKey><PubAuthKey>00</PubAuthKey></KmsCertificate></KmsInit></KmsMessage></KmsResponse>"#;
    let mut ok = 0;
    for n in 0..=doc.len() {
        if let Some(d) = doc.get(..n) {
            ok += usize::from(KmsResponse::from_xml(d).is_ok());
        }
    }
    assert_eq!(
        ok, 0,
        "the points are invalid: no prefix of the document is accepted"
    );
}

#[test]
fn debug_output_shows_no_key_material() {
    let b = load("sw-stw-ref-csk-imessage.b64");
    let (m, q) = Message::parse_with(&b, ParseOptions::LENIENT).unwrap();
    let v = IMessageView::new(&m, q).unwrap();
    let ext = v.key_params().unwrap().unwrap();
    let key = hex("e06e65106183547342d3e8a6ce2540a8");
    let KeyParamsExt::Protected(p) = &ext else {
        panic!()
    };
    let plain = p.open(&key).unwrap();
    let dpck = mikey::mcx::derive::dpck(&key, p.key_id).unwrap();
    for shown in [format!("{plain:?}"), format!("{dpck:?}")] {
        assert!(shown.starts_with("SecretBytes("), "{shown}");
        let hexed: String = dpck.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert!(!shown.contains(&hexed[..8]));
    }
}
