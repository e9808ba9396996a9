//! Interoperability of the SDP we write (RFC 4567 `a=key-mgmt:mikey`) with Wireshark's SIP,
//! SDP and MIKEY dissectors, run through `tshark`.
//!
//! The test writes a classic pcap file of Ethernet/IPv4/UDP frames to port 5060, each
//! holding a SIP message whose body is an SDP built with `mikey::sdp` and
//! `mikey::sdp::offer_answer`: an INVITE offer with a session-level PSK I_MESSAGE (V flag,
//! IDi, AES-CM-128 KEMAC with HMAC-SHA-1), the 200 OK answer with the verification
//! message, an INVITE with a MIKEY-NULL message (TEK with a 4-byte MKI, as ONVIF sends
//! it) whose key data Wireshark shows in clear, and an INVITE with media-level attributes.
//!
//! For every frame it asserts that Wireshark finds the SDP attribute (`sdp.key_mgmt`,
//! `sdp.key_mgmt.kmpid` = `mikey`, `sdp.key_mgmt.data` = our message bytes), dissects the
//! MIKEY payload fields with the values we encoded (header, crypto sessions, T, RAND, ID,
//! KEMAC, key data, V), and reports nothing malformed and no expert item of error severity.
//!
//! Wireshark 4.0 deviation found here: only session-level `key-mgmt` attributes are handed
//! to the MIKEY dissector; a media-level one is shown as a plain media attribute
//! (`sdp.media_attribute.field` = `key-mgmt` with its value), which is asserted instead.
//!
//! tshark is required: without it the test fails (see peers/README.md).

use core::time::Duration;
use mikey::crypto::SecretBytes;
use mikey::sdp::offer_answer::{
    add_ssrc, answer_mikey, crypto_sessions_for_offer, handle_answer_mikey, offer_with_mikey,
};
use mikey::sdp::onvif::{onvif_transport_key, OnvifClient, OnvifTolerances};
use mikey::sdp::{encode_base64, KeyMgmtLevel};
use mikey::session::{PskConfig, PskInitiator, PskResponder, ResponderConfig, TransportKey};
use mikey::srtp::SrtpSuite;
use mikey::wire::{CsIdMap, Id, KeyValidity, Message, Payload, SrtpPolicy};
use mikey_peers::{pcap, tshark};
use serde_json::Value;

const NOW: Duration = Duration::from_secs(1_790_000_000);
const PSK: [u8; 16] = [0x42; 16];

// ---------------------------------------------------------------------------------------------
// SIP messages around our SDP

fn sdp_text(s: &sdp_types::Session) -> String {
    let mut out = Vec::new();
    s.write(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn invite(sdp: &str, cseq: u32) -> Vec<u8> {
    format!(
        "INVITE sip:bob@example.com SIP/2.0\r\n\
         Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds{cseq}\r\n\
         Max-Forwards: 70\r\n\
         To: Bob <sip:bob@example.com>\r\n\
         From: Alice <sip:alice@example.com>;tag=1928301774\r\n\
         Call-ID: a84b4c76e66710@192.0.2.1\r\n\
         CSeq: {cseq} INVITE\r\n\
         Contact: <sip:alice@192.0.2.1>\r\n\
         Content-Type: application/sdp\r\n\
         Content-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    )
    .into_bytes()
}

fn ok_200(sdp: &str, cseq: u32) -> Vec<u8> {
    format!(
        "SIP/2.0 200 OK\r\n\
         Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds{cseq}\r\n\
         To: Bob <sip:bob@example.com>;tag=a6c85cf\r\n\
         From: Alice <sip:alice@example.com>;tag=1928301774\r\n\
         Call-ID: a84b4c76e66710@192.0.2.1\r\n\
         CSeq: {cseq} INVITE\r\n\
         Contact: <sip:bob@192.0.2.2>\r\n\
         Content-Type: application/sdp\r\n\
         Content-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    )
    .into_bytes()
}

fn base_sdp(user: &str, ssrcs: [u32; 2]) -> sdp_types::Session {
    let mut s = sdp_types::Session::parse(
        format!(
            "v=0\r\no={user} 2890844526 2890844526 IN IP4 192.0.2.1\r\ns=-\r\n\
             c=IN IP4 192.0.2.1\r\nt=0 0\r\n\
             m=audio 49170 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n\
             m=video 51372 RTP/SAVP 96\r\na=rtpmap:96 H264/90000\r\n"
        )
        .as_bytes(),
    )
    .unwrap();
    for (i, ssrc) in ssrcs.into_iter().enumerate() {
        add_ssrc(&mut s, i, ssrc, user).unwrap();
    }
    s
}

fn seq_rng() -> impl FnMut(&mut [u8]) {
    let mut n = 7u8;
    move |b: &mut [u8]| {
        for x in b {
            n = n.wrapping_add(61);
            *x = n;
        }
    }
}

/// One SIP frame: the bytes, whether it is a request, and the MIKEY messages in its SDP
/// at session level and at media level.
struct SipFrame {
    name: &'static str,
    bytes: Vec<u8>,
    request: bool,
    session: Vec<Vec<u8>>,
    media: Vec<Vec<u8>>,
}

fn frames() -> Vec<SipFrame> {
    let mut rng = seq_rng();
    let mut out = Vec::new();

    // 1 + 2: offer/answer with an authenticated PSK exchange.
    let mut offer = base_sdp("alice", [0x1111_0001, 0x1111_0002]);
    let level = KeyMgmtLevel::Session;
    let mut init = PskInitiator::new(
        &PSK,
        PskConfig {
            v: true,
            id_i: Some(Id::nai("alice@example.com")),
            crypto_sessions: crypto_sessions_for_offer(&offer, level, 0),
            policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0).unwrap()],
            ..PskConfig::default()
        },
    );
    let i_msg = init
        .initiate(vec![TransportKey::tgk(&[5; 16])], NOW, &mut rng)
        .unwrap();
    offer_with_mikey(&mut offer, level, &i_msg).unwrap();
    let offer_text = sdp_text(&offer);
    let mut answer = base_sdp("bob", [0x2222_0001, 0x2222_0002]);
    let mut r = PskResponder::new(SecretBytes::from_slice(&PSK), ResponderConfig::default());
    let offer_parsed = sdp_types::Session::parse(offer_text.as_bytes()).unwrap();
    let done = answer_mikey(&offer_parsed, &mut answer, &mut r, NOW).unwrap();
    let v_msg = done.entries[0].verification.clone().unwrap();
    let answer_text = sdp_text(&answer);
    let answer_parsed = sdp_types::Session::parse(answer_text.as_bytes()).unwrap();
    handle_answer_mikey(&answer_parsed, level, &mut init, NOW)
        .unwrap()
        .unwrap();
    out.push(SipFrame {
        name: "INVITE offer (PSK, V, IDi, AES-CM KEMAC)",
        bytes: invite(&offer_text, 1),
        request: true,
        session: vec![i_msg],
        media: vec![],
    });
    out.push(SipFrame {
        name: "200 OK answer (verification message)",
        bytes: ok_200(&answer_text, 1),
        request: false,
        session: vec![v_msg],
        media: vec![],
    });

    // 3: MIKEY-NULL with a TEK and an MKI, from our ONVIF client.
    let mut client = OnvifClient::new(
        SrtpSuite::AesCm128HmacSha1_80,
        0x3333_0001,
        OnvifTolerances::STRICT,
    );
    let null_msg = client
        .setup_header(None, NOW, &mut rng)
        .unwrap()
        .mikey()
        .unwrap()
        .to_vec();
    let mut s3 = base_sdp("alice", [0x3333_0001, 0x3333_0002]);
    offer_with_mikey(&mut s3, KeyMgmtLevel::Session, &null_msg).unwrap();
    out.push(SipFrame {
        name: "INVITE with a MIKEY-NULL message (TEK, MKI)",
        bytes: invite(&sdp_text(&s3), 2),
        request: true,
        session: vec![null_msg],
        media: vec![],
    });

    // 4: media-level attributes (plus a TEK+SALT for AES-GCM at session level).
    let mut s4 = base_sdp("alice", [0x4444_0001, 0x4444_0002]);
    let mut media = Vec::new();
    for i in 0..2 {
        let lvl = KeyMgmtLevel::Media(i);
        let mut init = PskInitiator::new(
            &PSK,
            PskConfig {
                crypto_sessions: crypto_sessions_for_offer(&s4, lvl, 0),
                ..PskConfig::default()
            },
        );
        let m = init
            .initiate(vec![TransportKey::tgk(&[i as u8; 16])], NOW, &mut rng)
            .unwrap();
        offer_with_mikey(&mut s4, lvl, &m).unwrap();
        media.push(m);
    }
    let gcm = SrtpSuite::AeadAes128Gcm;
    let mut gcm_init = PskInitiator::new(
        &[],
        PskConfig {
            encr: mikey::wire::EncrAlg::Null,
            mac: mikey::wire::MacAlg::Null,
            crypto_sessions: crypto_sessions_for_offer(&s4, KeyMgmtLevel::Session, 0),
            policies: vec![mikey::sdp::onvif::onvif_policy(gcm).to_payload(0).unwrap()],
            ..PskConfig::default()
        },
    );
    let gcm_msg = gcm_init
        .initiate(
            vec![onvif_transport_key(gcm, &[7; 16], &[8; 12], [0, 0, 0, 9])],
            NOW,
            &mut rng,
        )
        .unwrap();
    offer_with_mikey(&mut s4, KeyMgmtLevel::Session, &gcm_msg).unwrap();
    out.push(SipFrame {
        name: "INVITE with media-level attributes",
        bytes: invite(&sdp_text(&s4), 3),
        request: true,
        session: vec![gcm_msg],
        media,
    });
    out
}

// ---------------------------------------------------------------------------------------------
// Running tshark and reading its JSON

/// Runs tshark on `messages`, one UDP datagram to port 5060 each (`true`: a request, from
/// 192.0.2.1 to 192.0.2.2; `false`: a response, the other way), and returns the `layers`
/// object of each frame.
fn dissect(messages: &[(Vec<u8>, bool)]) -> Vec<Value> {
    let (a, b) = ([192, 0, 2, 1], [192, 0, 2, 2]);
    let frames: Vec<Vec<u8>> = messages
        .iter()
        .enumerate()
        .map(|(i, (m, request))| {
            let (src, dst) = if *request { (a, b) } else { (b, a) };
            pcap::udp_frame(m, i as u16 + 1, 5060, src, dst)
        })
        .collect();
    tshark::dissect(&pcap::write(&frames), "sip", messages.len())
}

/// Every displayed leaf `(name, value)` in document order, and every subtree key.
fn collect(key: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::String(s) => out.push((key.to_owned(), s.clone())),
        Value::Array(a) => {
            for x in a {
                collect(key, x, out);
            }
        }
        Value::Object(o) => {
            out.push((key.to_owned(), String::new()));
            for (k, x) in o {
                collect(k, x, out);
            }
        }
        _ => {}
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn colon_hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The values Wireshark must show for one MIKEY message: `(field, value)`.
fn expected_mikey_fields(msg: &[u8]) -> Vec<(&'static str, String)> {
    let m = Message::parse(msg).unwrap();
    let h = &m.header;
    let mut e = vec![
        ("mikey.version", "1".to_owned()),
        ("mikey.type", h.data_type.to_wire().to_string()),
        ("mikey.v.set", u8::from(h.v).to_string()),
        ("mikey.prf_func", h.prf.to_wire().to_string()),
        ("mikey.csb_id", format!("{:#010x}", h.csb_id)),
        ("mikey.cs_count", h.cs_map.count().to_string()),
    ];
    if let CsIdMap::SrtpId(map) = &h.cs_map {
        for (_, cs) in map.iter() {
            e.push(("mikey.srtp_id.policy_no", cs.policy_no.to_string()));
            e.push(("mikey.srtp_id.ssrc", format!("{:#010x}", cs.ssrc)));
            e.push(("mikey.srtp_id.roc", format!("{:#010x}", cs.roc)));
        }
    }
    for p in &m.payloads {
        match p {
            Payload::T(t) => e.push(("mikey.t.ts_type", t.ts_type.to_wire().to_string())),
            Payload::Rand(r) => e.push(("mikey.rand.data", colon_hex(&r.rand))),
            Payload::Id(id) => e.push((
                "mikey.id.data",
                String::from_utf8_lossy(&id.data).into_owned(),
            )),
            Payload::Sp(sp) => {
                e.push(("mikey.sp.no", sp.policy_no.to_string()));
                e.push(("mikey.sp.proto_type", sp.prot_type.to_wire().to_string()));
            }
            Payload::Kemac(k) => {
                e.push(("mikey.kemac.encr_alg", k.encr_alg.to_wire().to_string()));
                e.push(("mikey.kemac.mac_alg", k.mac_alg.to_wire().to_string()));
                if !k.mac.is_empty() {
                    e.push(("mikey.kemac.mac", colon_hex(&k.mac)));
                }
                if let Some(Ok(list)) = k.plaintext_keys(false) {
                    // Wireshark 4.0 dissects the first key data sub-payload only.
                    if let Some(kd) = list.keys.first() {
                        e.push(("mikey.key.type", kd.key_type.to_wire().to_string()));
                        e.push(("mikey.key.data", colon_hex(&kd.key)));
                        if let Some(s) = kd.salt.as_ref().filter(|s| !s.is_empty()) {
                            e.push(("mikey.key.salt", colon_hex(s)));
                        }
                        if let KeyValidity::Spi(s) = &kd.kv {
                            e.push(("mikey.key.kv.spi", colon_hex(s)));
                        }
                    }
                } else {
                    e.push(("mikey.kemac.key_data", colon_hex(&k.encr_data)));
                }
            }
            Payload::V(v) => {
                e.push(("mikey.v.auth_alg", v.auth_alg.to_wire().to_string()));
                e.push(("mikey.v.ver_data", colon_hex(&v.mac)));
            }
            other => panic!("payload not expected here: {other:?}"),
        }
    }
    e
}

#[test]
fn wireshark_dissects_the_key_mgmt_of_our_sdp() {
    let frames = frames();
    let input: Vec<(Vec<u8>, bool)> = frames
        .iter()
        .map(|f| (f.bytes.clone(), f.request))
        .collect();
    let dissected = dissect(&input);
    let dump = std::env::var_os("MIKEY_PEERS_DUMP").is_some();
    let mut checked = 0;
    for (f, layers) in frames.iter().zip(&dissected) {
        let mut shown = Vec::new();
        collect("", layers, &mut shown);
        if dump {
            for (k, v) in &shown {
                eprintln!("{}: {k} = {v}", f.name);
            }
        }
        let has = |k: &str, v: &str| shown.iter().any(|(a, b)| a == k && b == v);
        let values = |k: &str| -> Vec<&str> {
            shown
                .iter()
                .filter(|(a, _)| a == k)
                .map(|(_, b)| b.as_str())
                .collect()
        };
        assert!(
            shown.iter().any(|(k, _)| k == "sip"),
            "{}: not dissected as SIP",
            f.name
        );
        assert!(
            shown.iter().any(|(k, _)| k == "sdp"),
            "{}: no SDP body",
            f.name
        );
        if f.request {
            assert!(has("sip.Method", "INVITE"), "{}", f.name);
        } else {
            assert!(has("sip.Status-Code", "200"), "{}", f.name);
        }
        // Nothing malformed, no expert item of error severity.
        let bad: Vec<_> = shown
            .iter()
            .filter(|(k, _)| k.starts_with("_ws.malformed"))
            .collect();
        assert!(
            bad.is_empty(),
            "{}: Wireshark says malformed: {bad:?}",
            f.name
        );
        let errors: Vec<_> = shown
            .iter()
            .filter(|(k, v)| {
                k == "_ws.expert.severity" && v.parse::<u64>().unwrap_or(0) >= 0x0080_0000
            })
            .collect();
        assert!(
            errors.is_empty(),
            "{}: expert items of error severity: {:?}",
            f.name,
            values("_ws.expert.message")
        );
        // The session-level attributes: kmpid, data, and the MIKEY fields.
        assert_eq!(
            values("sdp.key_mgmt.kmpid"),
            vec!["mikey"; f.session.len()],
            "{}",
            f.name
        );
        let data: Vec<String> = values("sdp.key_mgmt.data")
            .iter()
            .map(|d| d.replace(':', ""))
            .collect();
        let want: Vec<String> = f.session.iter().map(|m| hex(m)).collect();
        assert_eq!(data, want, "{}: sdp.key_mgmt.data", f.name);
        for m in &f.session {
            let b64 = encode_base64(m);
            assert!(
                has("sdp.key_mgmt", &format!("mikey {b64}")),
                "{}: sdp.key_mgmt",
                f.name
            );
            for (field, value) in expected_mikey_fields(m) {
                assert!(
                    has(field, &value),
                    "{}: {field} = {value:?} not shown (shown: {:?})",
                    f.name,
                    values(field)
                );
                checked += 1;
            }
        }
        // Media-level attributes: shown as media attributes with our value.
        for m in &f.media {
            let value = format!("mikey {}", encode_base64(m));
            assert!(
                has("sdp.media_attribute.value", &value),
                "{}: media-level key-mgmt",
                f.name
            );
            checked += 1;
        }
        let media_kms = values("sdp.media_attribute.field")
            .iter()
            .filter(|v| **v == "key-mgmt")
            .count();
        assert_eq!(media_kms, f.media.len(), "{}", f.name);
    }
    assert!(checked > 60, "only {checked} fields checked");
}
