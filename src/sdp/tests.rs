//! Unit tests of the `key-mgmt` attribute, the RTSP `KeyMgmt` header and strict base64.

use super::*;

fn vector(name: &str) -> String {
    let p = format!("{}/testvectors/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(p).unwrap().trim().to_owned()
}

fn rfc_sdp(session_attr: &str) -> String {
    format!(
        "v=0\r\no=alice 2891092738 2891092738 IN IP4 w-land.example.com\r\ns=Cool stuff\r\n\
         e=alice@w-land.example.com\r\nt=0 0\r\nc=IN IP4 w-land.example.com\r\n{session_attr}\
         m=audio 49000 RTP/SAVP 98\r\na=rtpmap:98 AMR/8000\r\n\
         m=video 52230 RTP/SAVP 31\r\na=rtpmap:31 H261/90000\r\n"
    )
}

#[test]
fn rfc4567_example1_offer_and_answer() {
    for f in [
        "rfc4567-ex1-alice-psk-init.b64",
        "rfc4567-ex1-bob-psk-verify.b64",
    ] {
        let b64 = vector(f);
        let sdp = rfc_sdp(&format!("a=key-mgmt:mikey {b64}\r\n"));
        let e = key_mgmt_from_sdp(&sdp).unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].level, KeyMgmtLevel::Session);
        assert!(e[0].attr.is_mikey());
        let msg = crate::wire::Message::parse(&e[0].attr.data).unwrap();
        assert_eq!(msg.header.csb_id, 0xcd177e50);
        let s = sdp_types::Session::parse(sdp.as_bytes()).unwrap();
        assert_eq!(mikey_for_media(&s, 0), Some(e[0].attr.data.clone()));
        assert_eq!(mikey_for_media(&s, 1), Some(e[0].attr.data.clone()));
        assert_eq!(mikey_for_media(&s, 2), None);
        assert_eq!(e[0].attr.to_string(), format!("mikey {b64}"));
    }
}

#[test]
fn media_level_wins_and_other_protocols_are_ignored() {
    let sdp = "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\n\
               a=key-mgmt:keyp1 AAAA\r\na=key-mgmt:mikey AQID\r\n\
               m=audio 1 RTP/SAVP 0\r\na=key-mgmt:mikey BAUG\r\n\
               m=video 2 RTP/SAVP 31\r\na=key-mgmt:keyp2 AAAA\r\n";
    let all = key_mgmt_from_sdp(sdp).unwrap();
    let summary: Vec<_> = all
        .iter()
        .map(|e| (e.level, e.attr.prtcl_id.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (KeyMgmtLevel::Session, "keyp1"),
            (KeyMgmtLevel::Session, "mikey"),
            (KeyMgmtLevel::Media(0), "mikey"),
            (KeyMgmtLevel::Media(1), "keyp2"),
        ]
    );
    let s = sdp_types::Session::parse(sdp.as_bytes()).unwrap();
    assert_eq!(mikey_for_media(&s, 0), Some(vec![4, 5, 6]));
    assert_eq!(mikey_for_media(&s, 1), Some(vec![1, 2, 3]));
}

#[test]
fn set_then_parse_round_trip() {
    let mut s = sdp_types::Session::parse(rfc_sdp("").as_bytes()).unwrap();
    assert_eq!(mikey_for_media(&s, 0), None);
    set_key_mgmt(&mut s, KeyMgmtLevel::Session, &[1, 2, 3, 4]).unwrap();
    set_key_mgmt(&mut s, KeyMgmtLevel::Media(1), &[9]).unwrap();
    set_key_mgmt(&mut s, KeyMgmtLevel::Media(1), &[8, 7]).unwrap();
    assert_eq!(
        set_key_mgmt(&mut s, KeyMgmtLevel::Media(5), &[1]),
        Err(SdpError::MediaIndex { index: 5, count: 2 })
    );
    let mut out = Vec::new();
    s.write(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("a=key-mgmt:mikey AQIDBA==\r\n"), "{text}");
    let e = key_mgmt_from_sdp(&text).unwrap();
    assert_eq!(e.len(), 2);
    assert_eq!(e[1].level, KeyMgmtLevel::Media(1));
    assert_eq!(e[1].attr.data, [8, 7]);
    let s2 = sdp_types::Session::parse(text.as_bytes()).unwrap();
    assert_eq!(mikey_for_media(&s2, 0), Some(vec![1, 2, 3, 4]));
    assert_eq!(mikey_for_media(&s2, 1), Some(vec![8, 7]));
}

#[test]
fn attribute_grammar() {
    assert_eq!(KeyMgmtAttr::parse(" mikey AQID").unwrap().data, [1, 2, 3]);
    assert_eq!(
        KeyMgmtAttr::parse("mikey"),
        Err(SdpError::MissingSeparator { offset: 5 })
    );
    assert_eq!(KeyMgmtAttr::parse(""), Err(SdpError::PrtclId { offset: 0 }));
    assert_eq!(
        KeyMgmtAttr::parse("mi-key AQID"),
        Err(SdpError::PrtclId { offset: 2 })
    );
    assert_eq!(
        KeyMgmtAttr::parse("mikey  AQID"),
        Err(SdpError::Base64 {
            offset: 6,
            problem: Base64Problem::Whitespace
        })
    );
    assert_eq!(
        KeyMgmtAttr::parse("mikey AQ ID"),
        Err(SdpError::Base64 {
            offset: 8,
            problem: Base64Problem::Whitespace
        })
    );
    assert_eq!(
        KeyMgmtAttr::parse("mikey AQI"),
        Err(SdpError::Base64 {
            offset: 9,
            problem: Base64Problem::Length
        })
    );
    assert_eq!(
        KeyMgmtAttr::parse("mikey AQ*D"),
        Err(SdpError::Base64 {
            offset: 8,
            problem: Base64Problem::InvalidChar('*')
        })
    );
    assert!(matches!(
        KeyMgmtAttr::parse("mikey A=ID"),
        Err(SdpError::Base64 {
            problem: Base64Problem::Padding,
            ..
        })
    ));
    assert!(matches!(
        KeyMgmtAttr::parse("mikey AQJ="),
        Err(SdpError::Base64 {
            problem: Base64Problem::TrailingBits,
            ..
        })
    ));
    let e = key_mgmt_from_sdp("v=0\r\ns=-\r\nm=audio 1 RTP/SAVP 0\r\na=key-mgmt:mikey A\r\n")
        .unwrap_err();
    assert!(e.to_string().contains("media 0"), "{e}");
}

#[test]
fn gortsplib_header() {
    let b64 = vector("gortsplib-sdp-keymgmt.b64");
    let line = format!(
        "KeyMgmt: prot=mikey;uri=\"rtsps://127.0.0.1:8322/stream/trackID=0\";data=\"{b64}\""
    );
    let h = KeyMgmtHeader::parse_line(&line).unwrap();
    assert_eq!(h.entries.len(), 1);
    let e = &h.entries[0];
    assert_eq!(e.prot, "mikey");
    assert_eq!(
        e.uri.as_deref(),
        Some("rtsps://127.0.0.1:8322/stream/trackID=0")
    );
    let (m, _) =
        crate::wire::Message::parse_with(&e.data, crate::wire::ParseOptions::LENIENT).unwrap();
    assert_eq!(m.header.csb_id, 2049124702);
    let again = KeyMgmtHeader::parse(&h.to_string()).unwrap();
    assert_eq!(again, h);
    assert_eq!(
        h.to_string(),
        format!("prot=mikey; uri=\"rtsps://127.0.0.1:8322/stream/trackID=0\"; data=\"{b64}\"")
    );
}

#[test]
fn onvif_header_with_empty_uri() {
    let b64 = vector("onvif-streaming-setup-keymgmt-client.b64");
    let h = KeyMgmtHeader::parse(&format!("prot=mikey;uri=\"\";data=\"{b64}\"")).unwrap();
    assert_eq!(h.entries[0].uri.as_deref(), Some(""));
    assert_eq!(h.entries[0].effective_uri(), None);
    let m = crate::wire::Message::parse(h.mikey().unwrap()).unwrap();
    assert_eq!(m.header.csb_id, 0xfd6d77d0);
    assert_eq!(KeyMgmtHeader::parse(&h.format()).unwrap(), h);
}

#[test]
fn header_whitespace_order_and_several_entries() {
    let h = KeyMgmtHeader::parse(
        " prot = mikey ; data = \"AQID\" ; uri = \"rtsp://a/1\" ;, PROT=keyp1;DATA=BAUG",
    )
    .unwrap();
    assert_eq!(h.entries.len(), 2);
    assert_eq!(h.entries[0].uri.as_deref(), Some("rtsp://a/1"));
    assert_eq!(h.entries[1].prot, "keyp1");
    assert_eq!(h.entries[1].data, [4, 5, 6]);
    assert_eq!(h.entries[1].uri, None);
    assert_eq!(KeyMgmtHeader::parse(&h.to_string()).unwrap(), h);
    let q = KeyMgmtHeader::for_mikey(Some("rtsp://x/\"q\"".into()), [1]);
    assert_eq!(KeyMgmtHeader::parse(&q.to_string()).unwrap(), q);
}

#[test]
fn header_rejects_ambiguous_input() {
    let p = KeyMgmtHeader::parse;
    assert!(matches!(
        p("prot=mikey;prot=mikey;data=\"AQID\""),
        Err(SdpError::DuplicateParameter { offset: 11, .. })
    ));
    assert!(matches!(
        p("prot=mikey;data=\"AQID\";DATA=\"AQID\""),
        Err(SdpError::DuplicateParameter { .. })
    ));
    assert_eq!(
        p("uri=\"x\";data=\"AQID\""),
        Err(SdpError::MissingParameter {
            name: "prot",
            entry: 0
        })
    );
    assert_eq!(
        p("prot=mikey;uri=\"x\""),
        Err(SdpError::MissingParameter {
            name: "data",
            entry: 0
        })
    );
    assert_eq!(
        p("prot=mikey;data=\"AQID"),
        Err(SdpError::UnterminatedQuote { offset: 16 })
    );
    assert!(matches!(
        p("prot=mikey;data=\"AQ D\""),
        Err(SdpError::Base64 {
            offset: 19,
            problem: Base64Problem::Whitespace
        })
    ));
    assert!(matches!(
        p("prot=mikey;foo=1;data=AQID"),
        Err(SdpError::UnknownParameter { .. })
    ));
    assert!(matches!(
        p(""),
        Err(SdpError::HeaderSyntax { offset: 0, .. })
    ));
    assert!(matches!(
        p("prot=mi-key;data=AQID"),
        Err(SdpError::PrtclId { .. })
    ));
    assert!(matches!(
        p("prot=mikey data=AQID"),
        Err(SdpError::HeaderSyntax { .. })
    ));
    assert!(matches!(
        p("prot=mikey;data=AQID,"),
        Err(SdpError::HeaderSyntax { .. })
    ));
    assert!(matches!(
        KeyMgmtHeader::parse_line("Foo: prot=mikey;data=AQID"),
        Err(SdpError::HeaderSyntax { .. })
    ));
}

#[test]
fn hostile_inputs_do_not_panic() {
    let inputs = [
        "\"",
        "\\",
        "prot=\"\\",
        "prot=é;data=é",
        "prot=mikey;data=\"é\"",
        ";;;,,,",
        "=",
        "é",
        "prot=mikey;uri=\"é\\é\";data=AQID",
        "\u{0}",
        "data=====",
        "prot=a;data=AA==,,",
    ];
    for s in inputs {
        let _ = KeyMgmtHeader::parse(s);
        let _ = KeyMgmtHeader::parse_line(s);
        let _ = KeyMgmtAttr::parse(s);
        let _ = key_mgmt_from_sdp(s);
        let _ = decode_base64(s, usize::MAX / 2);
    }
    let mut seed = 0x1234_5678u32;
    for len in 0..200 {
        let s: String = (0..len)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let alphabet: Vec<char> = "prot=mikey;uri\"data,AQ= \\\té".chars().collect();
                alphabet[(seed >> 16) as usize % alphabet.len()]
            })
            .collect();
        let _ = KeyMgmtHeader::parse(&s);
        let _ = KeyMgmtAttr::parse(&s);
        let _ = key_mgmt_from_sdp(&format!("v=0\r\na=key-mgmt:{s}\r\n"));
    }
    assert_eq!(KeyMgmtAttr::parse("mikey AQID").unwrap().data, [1, 2, 3]);
    assert!(!format!("{:?}", KeyMgmtAttr::mikey([0xaa, 0xbb])).contains("170"));
}
