//! `mikey demo` and `mikey decode --psk`: the exchange demo's JSON, and decoding with a
//! PSK against the independently computed PSK vectors (testvectors/psk/).

mod cli_common;
use cli_common::mikey;

fn vector(name: &str, key: &str) -> String {
    let text = std::fs::read_to_string(format!(
        "{}/testvectors/psk/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")))
        .unwrap()
        .trim()
        .to_owned()
}

#[test]
fn demo_json_both_sides_agree_and_the_packet_round_trips() {
    let (code, out, err) = mikey(&[
        "demo",
        "--json",
        "--psk",
        "000102030405060708090a0b0c0d0e0f",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["mode"], "psk");
    assert_eq!(v["messages"][0]["from"], "initiator");
    assert_eq!(v["messages"][1]["from"], "responder");
    let i = &v["initiator"]["srtp"];
    assert_eq!(i, &v["responder"]["srtp"]);
    assert_eq!(i.as_array().unwrap().len(), 2);
    for k in [
        "cs_id",
        "ssrc",
        "roc",
        "master_key",
        "master_salt",
        "mki",
        "suite",
    ] {
        assert!(i[0].get(k).is_some(), "{k}");
    }
    assert_eq!(i[0]["suite"], "AES_CM_128_HMAC_SHA1_80");
    assert_eq!(i[0]["mki"], "00000001");
    assert_eq!(v["rtp"]["ok"], true);
    assert_ne!(v["rtp"]["plain"], v["rtp"]["protected"]);

    // The demo's I_MESSAGE decodes with its PSK to the same SRTP keys.
    let hex = v["messages"][0]["hex"].as_str().unwrap();
    let (code, out, err) = mikey(&[
        "decode",
        "--json",
        "--psk",
        "000102030405060708090a0b0c0d0e0f",
        hex,
    ]);
    assert_eq!(code, 0, "{err}");
    let d: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["messages"][0]["mac_verified"], true);
    assert_eq!(
        d["messages"][0]["srtp"][0]["master_key"],
        i[0]["master_key"]
    );
    assert_eq!(
        d["messages"][0]["srtp"][0]["master_salt"],
        i[0]["master_salt"]
    );
}

#[test]
fn demo_text_shows_everything() {
    let (code, out, _) = mikey(&["demo"]);
    assert_eq!(code, 0);
    for s in [
        "I_MESSAGE",
        "verification message",
        "Initiator SRTP parameters",
        "Responder SRTP parameters",
        "(identical)",
    ] {
        assert!(out.contains(s), "{s}");
    }
    assert_eq!(mikey(&["demo", "--mode", "nope"]).0, 2);
}

#[test]
fn decode_with_psk_matches_the_independent_vectors() {
    let f = "case_a_aescm128_sha1_v.txt";
    let (msg, psk) = (vector(f, "i_message"), vector(f, "psk"));
    let (code, out, err) = mikey(&["decode", "--json", "--psk", &psk, &msg]);
    assert_eq!(code, 0, "{err}");
    let d: serde_json::Value = serde_json::from_str(&out).unwrap();
    let m = &d["messages"][0];
    assert_eq!(m["mac_verified"], true);
    assert_eq!(m["srtp"][0]["master_key"], vector(f, "cs1_key1_master_key"));
    assert_eq!(
        m["srtp"][0]["master_salt"],
        vector(f, "cs1_key1_master_salt")
    );
    assert_eq!(m["srtp"][0]["mki"], "00000001");
    // Text output shows the decrypted TGK.
    let (code, out, _) = mikey(&["decode", "--psk", &psk, &msg]);
    assert_eq!(code, 0);
    assert!(out.contains(&vector(f, "key1_tgk")));
    assert!(out.contains("MAC verified with the PSK: yes"));

    // A wrong PSK: one error line and exit 1, unless --no-verify; the unencrypted
    // structure is still shown (issue 15), without keys.
    let (code, out, err) = mikey(&["decode", "--psk", "00", &msg]);
    assert_eq!(code, 1);
    assert!(out.contains("Keys not opened:") && !out.contains("Key data (decrypted"));
    assert!(err.contains("MAC does not verify with this key"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("authentication failure"), "{err}");
    // A corrupted MAC with the right PSK: --no-verify still shows the keys.
    let mut bad = msg.clone();
    let last = bad.pop().unwrap();
    bad.push(if last == '0' { '1' } else { '0' });
    assert_eq!(mikey(&["decode", "--psk", &psk, &bad]).0, 1);
    let (code, out, err) = mikey(&["decode", "--json", "--no-verify", "--psk", &psk, &bad]);
    assert_eq!(code, 0, "{err}");
    let d: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["messages"][0]["mac_verified"], false);
    assert_eq!(
        d["messages"][0]["srtp"][0]["master_key"],
        vector(f, "cs1_key1_master_key")
    );
    assert_eq!(mikey(&["decode", "--no-verify", &msg]).0, 2);
}
