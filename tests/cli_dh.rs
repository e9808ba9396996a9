//! `mikey demo --mode dh|dhhmac`: both sides agree and the packet round-trips (stored test
//! keys for the signature mode: tests never generate RSA keys).

mod cli_common;
use cli_common::{key, mikey};

fn check(v: &serde_json::Value, mode: &str, data_types: (u8, u8)) {
    assert_eq!(v["mode"], mode);
    assert_eq!(v["messages"][0]["from"], "initiator");
    assert_eq!(v["messages"][1]["from"], "responder");
    let i = &v["initiator"]["srtp"];
    assert_eq!(i, &v["responder"]["srtp"]);
    assert_eq!(i.as_array().unwrap().len(), 2);
    assert_eq!(i[0]["mki"], "00000001");
    assert_eq!(v["rtp"]["ok"], true);
    // Data type byte of each message (RFC 3830 §6.1; RFC 4650 §4.1).
    for (n, dt) in [(0, data_types.0), (1, data_types.1)] {
        let h = v["messages"][n]["hex"].as_str().unwrap();
        assert_eq!(&h[2..4], format!("{dt:02x}"));
    }
}

#[test]
fn demo_dhhmac_json() {
    for group in ["0", "1", "2"] {
        let (code, out, err) = mikey(&[
            "demo", "--mode", "dhhmac", "--group", group, "--json", "--psk", "00112233",
        ]);
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        check(&v, "dhhmac", (7, 8));
        assert_eq!(v["psk"], "00112233");
    }
}

#[test]
fn demo_dh_json_and_text() {
    let (code, out, err) = mikey(&[
        "demo",
        "--mode",
        "dh",
        "--json",
        "--initiator-key",
        &key("rsa2048-a.pem"),
        "--responder-key",
        &key("rsa2048-b.pem"),
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    check(&v, "dh", (4, 5));
    assert_eq!(v["group"], "OAKLEY 5");
    let (code, out, err) = mikey(&[
        "demo",
        "--mode",
        "dh",
        "--group",
        "2",
        "--initiator-key",
        &key("rsa2048-a.pem"),
        "--responder-key",
        &key("rsa1024.pem"),
    ]);
    assert_eq!(code, 0, "{err}");
    for s in [
        "RFC 3830 §3.3",
        "OAKLEY 2",
        "I_MESSAGE",
        "R_MESSAGE",
        "Initiator SRTP parameters",
        "Responder SRTP parameters",
        "(identical)",
    ] {
        assert!(out.contains(s), "{s} in {out}");
    }
}

#[test]
fn demo_dh_usage_errors() {
    assert_eq!(mikey(&["demo", "--mode", "dh", "--psk", "00"]).0, 2);
    assert_eq!(mikey(&["demo", "--mode", "dhhmac", "--group", "14"]).0, 2);
    assert_eq!(
        mikey(&["demo", "--mode", "dh", "--initiator-key", "/nonexistent"]).0,
        1
    );
    assert_eq!(mikey(&["demo", "--mode", "nope"]).0, 2);
}
