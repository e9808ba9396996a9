//! Key management text (RFC 4567): an SDP body, an RTSP `KeyMgmt` header value or line,
//! an `a=key-mgmt` attribute value, base64. Never panics; what parses prints back to text
//! that parses to the same value; any MIKEY bytes found are parsed too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mikey::sdp::{
    decode_base64, encode_base64, key_mgmt_from_sdp, key_mgmt_from_session, mikey_for_media,
    set_key_mgmt, KeyMgmtAttr, KeyMgmtHeader, KeyMgmtLevel,
};
use mikey::wire::{Message, ParseOptions};

fn mikey_bytes(b: &[u8]) {
    if let Ok(m) = Message::parse(b) {
        assert_eq!(m.encode().unwrap(), b);
    }
    if let Ok((m, _)) = Message::parse_with(b, ParseOptions::LENIENT) {
        let _ = m.encode().unwrap();
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text: &str = &text;
    let mut found: Vec<Vec<u8>> = Vec::new();

    match key_mgmt_from_sdp(text) {
        Ok(entries) => {
            for e in entries {
                let printed = e.attr.to_string();
                assert_eq!(
                    KeyMgmtAttr::parse(&printed).as_ref(),
                    Ok(&e.attr),
                    "{printed}"
                );
                found.push(e.attr.data);
            }
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    if let Ok(mut session) = sdp_types::Session::parse(data) {
        for i in 0..=session.medias.len() {
            if let Some(b) = mikey_for_media(&session, i) {
                found.push(b);
            }
        }
        let level = if session.medias.is_empty() {
            KeyMgmtLevel::Session
        } else {
            KeyMgmtLevel::Media(session.medias.len() - 1)
        };
        set_key_mgmt(&mut session, level, &[1, 2, 3]).expect("level exists");
        if let KeyMgmtLevel::Media(i) = level {
            assert_eq!(mikey_for_media(&session, i), Some(vec![1, 2, 3]));
        }
        let _ = key_mgmt_from_session(&session);
    }
    for parsed in [KeyMgmtHeader::parse(text), KeyMgmtHeader::parse_line(text)] {
        match parsed {
            Ok(h) => {
                let printed = h.to_string();
                assert_eq!(KeyMgmtHeader::parse(&printed).as_ref(), Ok(&h), "{printed}");
                found.extend(h.entries.into_iter().map(|e| e.data));
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
    match KeyMgmtAttr::parse(text) {
        Ok(a) => {
            let printed = a.to_string();
            assert_eq!(KeyMgmtAttr::parse(&printed).as_ref(), Ok(&a), "{printed}");
            found.push(a.data);
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    if let Ok(b) = decode_base64(text, 0) {
        assert_eq!(encode_base64(&b), text, "strict base64 is canonical");
        found.push(b);
    }
    for b in &found {
        mikey_bytes(b);
    }
});
