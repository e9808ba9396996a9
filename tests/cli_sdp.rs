//! `mikey sdp offer` and `mikey sdp answer`: an offer/answer round trip through the
//! binary (RFC 4567 §4.1.2), checked with the library.

mod cli_common;
use cli_common::run as mikey;
use mikey::sdp::offer_answer::ssrcs_of_media;
use mikey::sdp::{mikey_for_media, KeyMgmtLevel};
use mikey::wire::{CsIdMap, DataType, Message};
use std::process::Output;

const PSK: &str = "00112233445566778899aabbccddeeff";

fn session(o: &Output) -> sdp_types::Session {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    sdp_types::Session::parse(&o.stdout).unwrap()
}

fn srtp_map(msg: &[u8]) -> (DataType, u32, Vec<(u8, u32)>) {
    let m = Message::parse(msg).unwrap();
    let CsIdMap::SrtpId(map) = &m.header.cs_map else {
        panic!("SRTP-ID map expected")
    };
    (
        m.header.data_type,
        m.header.csb_id,
        map.iter().map(|(id, c)| (id, c.ssrc)).collect(),
    )
}

#[test]
fn offer_then_answer() {
    let o = mikey(&["sdp", "offer", "--psk", PSK], None);
    let offer_keys = String::from_utf8(o.stderr.clone()).unwrap();
    assert!(
        offer_keys.starts_with("SRTP parameters of the offerer"),
        "{offer_keys}"
    );
    let offer = session(&o);
    assert_eq!(offer.medias.len(), 2);
    assert_eq!(offer.medias[0].media, "audio");
    assert_eq!(offer.medias[1].media, "video");
    let (a, v) = (ssrcs_of_media(&offer, 0)[0], ssrcs_of_media(&offer, 1)[0]);
    let init = mikey_for_media(&offer, 0).unwrap();
    let (dt, csb, cs) = srtp_map(&init);
    assert_eq!(dt, DataType::PskInit);
    assert_eq!(cs, [(1, a), (2, 0), (3, v), (4, 0)]);

    // Answer from a file and from stdin.
    let dir = std::env::temp_dir().join(format!("mikey-cli-sdp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("offer.sdp");
    std::fs::write(&file, &o.stdout).unwrap();
    let from_file = mikey(
        &["sdp", "answer", "--psk", PSK, file.to_str().unwrap()],
        None,
    );
    let _ = std::fs::remove_dir_all(&dir);
    let answer = session(&from_file);
    // Both sides print the same master keys and salts for the four crypto sessions.
    let answer_keys = String::from_utf8(from_file.stderr.clone()).unwrap();
    assert!(answer_keys.starts_with("SRTP parameters of the answerer, session level"));
    let secrets = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.contains("master key") || l.contains("master salt"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(secrets(&offer_keys).len(), 8);
    assert_eq!(secrets(&offer_keys), secrets(&answer_keys));
    assert_eq!(answer.medias.len(), 2);
    let (ra, rv) = (ssrcs_of_media(&answer, 0)[0], ssrcs_of_media(&answer, 1)[0]);
    let found = mikey::sdp::key_mgmt_from_session(&answer).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].level, KeyMgmtLevel::Session);
    let (dt, csb2, cs) = srtp_map(&found[0].attr.data);
    assert_eq!(dt, DataType::PskResp);
    assert_eq!(csb2, csb);
    assert_eq!(cs, [(1, a), (2, ra), (3, v), (4, rv)]);
    // The same offer again is a replay only for the same responder: a new process
    // accepts it.
    let from_stdin = mikey(&["sdp", "answer", "--psk", PSK, "-"], Some(&o.stdout));
    session(&from_stdin);
    // The decoder reads the answer SDP.
    let d = mikey(&["decode", "-"], Some(&from_stdin.stdout));
    assert!(d.status.success());
    assert!(String::from_utf8_lossy(&d.stdout).contains("CSB ID"));
}

#[test]
fn failures_and_usage() {
    let o = mikey(&["sdp", "offer"], None);
    let note = String::from_utf8(o.stderr.clone()).unwrap();
    let psk = note
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("note: generated PSK "))
        .unwrap_or_else(|| panic!("{note}"))
        .to_owned();
    assert_eq!(psk.len(), 32);
    session(&o);
    let ok = mikey(&["sdp", "answer", "--psk", &psk, "-"], Some(&o.stdout));
    session(&ok);
    let wrong = mikey(&["sdp", "answer", "--psk", PSK, "-"], Some(&o.stdout));
    assert_eq!(wrong.status.code(), Some(1));
    assert!(wrong.stdout.is_empty());
    let e = String::from_utf8(wrong.stderr).unwrap();
    assert_eq!(
        e,
        "error: 488 Not Acceptable Here: MIKEY: authentication failure\n"
    );
    for args in [
        &["sdp"][..],
        &["sdp", "frobnicate"],
        &["sdp", "answer", "-"],
        &["sdp", "answer", "--psk", "xyz", "-"],
        &["sdp", "answer", "--psk", PSK],
        &["sdp", "offer", "--psk"],
        &["sdp", "offer", "extra"],
        &["sdp", "offer", "--bogus"],
    ] {
        let o = mikey(args, Some(b""));
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
    for input in [
        &b"not sdp"[..],
        b"v=0\r\ns=-\r\nm=audio 1 RTP/SAVP 0\r\n",
        b"\xff\xfe",
    ] {
        let o = mikey(&["sdp", "answer", "--psk", PSK, "-"], Some(input));
        assert_eq!(o.status.code(), Some(1), "{input:?}");
        assert_eq!(String::from_utf8_lossy(&o.stderr).lines().count(), 1);
    }
    let o = mikey(
        &["sdp", "answer", "--psk", PSK, "/nonexistent/offer.sdp"],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
}

/// `--json` on both sides: the offer's SDP goes to the answerer, both documents carry the
/// same keys, and the PSK the offerer generated.
#[test]
fn offer_and_answer_as_json() {
    let o = mikey(&["sdp", "offer", "--json"], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stderr.is_empty());
    let offer: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(offer["role"], "offerer");
    assert_eq!(offer["psk_generated"], true);
    let psk = offer["psk"].as_str().unwrap();
    assert_eq!(psk.len(), 32);
    let sdp = offer["sdp"].as_str().unwrap();
    let entry = &offer["key_mgmt"][0];
    assert_eq!(entry["level"], "session");
    assert_eq!(entry["message"]["type"], "I_MESSAGE");
    assert!(sdp.contains(&format!(
        "a=key-mgmt:mikey {}",
        entry["message"]["base64"].as_str().unwrap()
    )));
    let a = mikey(
        &["sdp", "answer", "--json", "--psk", psk, "-"],
        Some(sdp.as_bytes()),
    );
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert!(a.stderr.is_empty());
    let answer: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(answer["role"], "answerer");
    let got = &answer["key_mgmt"][0];
    assert_eq!(got["level"], "session");
    assert_eq!(got["media"], serde_json::json!([0, 1]));
    assert_eq!(got["csb_id"], entry["csb_id"]);
    assert_eq!(got["message"]["type"], "R_MESSAGE");
    let (mine, theirs) = (
        entry["srtp"].as_array().unwrap(),
        got["srtp"].as_array().unwrap(),
    );
    assert_eq!(mine.len(), 4);
    assert_eq!(mine.len(), theirs.len());
    for (m, t) in mine.iter().zip(theirs) {
        assert_eq!(m["cs_id"], t["cs_id"]);
        assert_eq!(m["master_key"], t["master_key"]);
        assert_eq!(m["master_salt"], t["master_salt"]);
    }
    // The offerer's own streams (CS 1 and 3) carry the same SSRC on both sides.
    assert_eq!(mine[0]["ssrc"], theirs[0]["ssrc"]);
    assert_eq!(mine[2]["ssrc"], theirs[2]["ssrc"]);
}
