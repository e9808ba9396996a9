//! `mikey demo --mode pk|rsa-r` and `mikey decode --private-key`: both sides agree, the
//! packet round-trips, and a demo I_MESSAGE decodes with the responder's key to the same
//! SRTP keys (stored test keys only: no key generation here).

mod cli_common;
use cli_common::mikey;

fn keys() -> String {
    format!("{}/testvectors/keys", env!("CARGO_MANIFEST_DIR"))
}

fn providers() -> Vec<&'static str> {
    let mut v = vec!["rustcrypto"];
    if cfg!(feature = "aws-lc") {
        v.push("aws-lc");
    }
    v
}

#[test]
fn demo_json_both_modes_agree_and_the_packet_round_trips() {
    for mode in ["pk", "rsa-r"] {
        for provider in providers() {
            let (code, out, err) = mikey(&[
                "demo",
                "--mode",
                mode,
                "--keys",
                &keys(),
                "--provider",
                provider,
                "--json",
            ]);
            assert_eq!(code, 0, "{err}");
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(v["mode"], mode);
            assert_eq!(v["provider"], provider);
            assert_eq!(v["initiator"]["srtp"], v["responder"]["srtp"]);
            assert_eq!(v["rtp"]["ok"], true);
            assert_eq!(v["rtp"]["plain"], v["rtp"]["unprotected"]);
            assert_ne!(v["rtp"]["plain"], v["rtp"]["protected"]);
            assert_eq!(v["messages"].as_array().unwrap().len(), 2);
        }
    }
}

#[test]
fn decode_private_key_opens_the_demo_message() {
    let (code, out, err) = mikey(&["demo", "--mode", "pk", "--keys", &keys(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let i_msg = v["messages"][0]["hex"].as_str().unwrap().to_owned();
    let bob = format!("{}/rsa2048-b.pem", keys());
    let (code, out, err) = mikey(&["decode", "--json", "--private-key", &bob, &i_msg]);
    assert_eq!(code, 0, "{err}");
    let d: serde_json::Value = serde_json::from_str(&out).unwrap();
    let m = &d["messages"][0];
    assert_eq!(m["mac_verified"], true);
    assert_eq!(m["signature_verified"], serde_json::Value::Null);
    assert_eq!(m["signature"], "unverifiable (no CERT in the message)");
    // CS 1 (the initiator's stream) has the demo's keys.
    assert_eq!(m["srtp"][0], v["initiator"]["srtp"][0]);
    // Text form.
    let (code, out, _) = mikey(&["decode", "--private-key", &bob, &i_msg]);
    assert_eq!(code, 0);
    assert!(
        out.contains("MAC verified with the envelope key: yes"),
        "{out}"
    );
    // Not addressed to Alice's key.
    let alice = format!("{}/rsa2048-a.pem", keys());
    let (code, _, err) = mikey(&["decode", "--private-key", &alice, &i_msg]);
    assert_eq!(code, 1);
    assert!(err.starts_with("error: authentication failure"), "{err}");
    let (code, out, _) = mikey(&["decode", "--no-verify", "--private-key", &alice, &i_msg]);
    assert!(code == 0 || code == 1, "{out}");
}

#[test]
fn usage_errors() {
    assert_eq!(
        mikey(&[
            "demo",
            "--mode",
            "pk",
            "--provider",
            "nope",
            "--keys",
            &keys()
        ])
        .0,
        2
    );
    assert_eq!(mikey(&["demo", "--mode", "rsa-r", "--bogus"]).0, 2);
    let (code, _, err) = mikey(&["demo", "--mode", "pk", "--keys", "/nonexistent/dir"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(mikey(&["decode", "--private-key"]).0, 2);
    let (_, help, _) = mikey(&["decode", "--help"]);
    assert!(help.contains("--private-key <PEM>"), "{help}");
    let (_, help, _) = mikey(&["demo", "--help"]);
    assert!(help.contains("rsa-r"), "{help}");
}
