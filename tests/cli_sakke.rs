//! The MIKEY-SAKKE commands (feature `sakke`): `mikey kms init`, `mikey kms provision`,
//! `mikey mcx make`, `mikey decode --sakke-keys`, `mikey demo --mode sakke`.

mod cli_common;
mod common;
mod mcx_common;
use cli_common::{mikey, usage_error};
use serde_json::Value;
use std::path::PathBuf;

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mikey-cli-sakke-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn ok(args: &[&str]) -> String {
    let (code, out, err) = mikey(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

#[test]
fn a_kms_provisions_users_who_key_each_other() {
    let dir = scratch("kms");
    let p = |f: &str| dir.join(f).to_string_lossy().into_owned();
    ok(&[
        "kms",
        "init",
        "--uri",
        "kms-a.example.org",
        "--dir",
        &p("a"),
    ]);
    ok(&[
        "kms",
        "init",
        "--uri",
        "kms-b.example.org",
        "--dir",
        &p("b"),
    ]);
    // The directory is not overwritten.
    assert_eq!(mikey(&["kms", "init", "--uri", "x", "--dir", &p("a")]).0, 1);
    let at = "1764892800";
    for (dir, user, file) in [
        ("a", "sip:alice@a.example.org", "alice.xml"),
        ("b", "sip:bob@b.example.org", "bob.xml"),
    ] {
        ok(&[
            "kms",
            "provision",
            "--dir",
            &p(dir),
            "--user",
            user,
            "--at",
            at,
            "--out",
            &p(file),
        ]);
    }
    let (ca, cb) = (p("a/certificate.xml"), p("b/certificate.xml"));
    let out = ok(&[
        "mcx",
        "make",
        "--keys",
        &p("alice.xml"),
        "--trust",
        &ca,
        "--trust",
        &cb,
        "--to",
        "sip:bob@b.example.org=kms-b.example.org",
        "--type",
        "pck",
        "--key",
        "00112233445566778899aabbccddeeff",
        "--key-id",
        "1abcdef0",
        "--at",
        at,
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1);
    let msg = lines[0];
    let json = ok(&[
        "decode",
        "--json",
        "--sakke-keys",
        &p("bob.xml"),
        "--trust",
        &ca,
        "--trust",
        &cb,
        msg,
    ]);
    let d: Value = serde_json::from_str(&json).unwrap();
    let s = &d["messages"][0]["sakke"];
    assert_eq!(s["key"], "00112233445566778899aabbccddeeff");
    assert_eq!(s["key_id"], "1abcdef0");
    assert_eq!(s["key_type"], "Pck");
    assert_eq!(s["signature_span"], "standard");
    assert_eq!(s["sender_kms"], "kms-a.example.org");
    let srtp = d["messages"][0]["srtp"].as_array().unwrap();
    assert_eq!(srtp.len(), 1);
    let text = ok(&[
        "decode",
        "--sakke-keys",
        &p("bob.xml"),
        "--trust",
        &ca,
        "--trust",
        &cb,
        msg,
    ]);
    assert!(text.contains("Signature (ECCSI"), "{text}");
    assert!(
        text.contains("SSV (SAKKE): 00112233445566778899aabbccddeeff"),
        "{text}"
    );
    // Bob without KMS A's certificate: his own set loads, the sender's KMS is refused.
    let (code, _, err) = mikey(&["decode", "--sakke-keys", &p("bob.xml"), "--trust", &cb, msg]);
    assert_eq!(code, 1);
    assert!(
        err.contains("kms-a.example.org") && err.contains("not trusted"),
        "{err}"
    );
    // Alice cannot open what was made for Bob.
    let (code, _, err) = mikey(&[
        "decode",
        "--sakke-keys",
        &p("alice.xml"),
        "--trust",
        &ca,
        "--trust",
        &cb,
        msg,
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("another user"), "{err}");
    // A GMK to two users: two messages, each opens for its receiver with the same key.
    let out = ok(&[
        "mcx",
        "make",
        "--json",
        "--keys",
        &p("alice.xml"),
        "--trust",
        &ca,
        "--trust",
        &cb,
        "--to",
        "sip:bob@b.example.org=kms-b.example.org",
        "--to",
        "sip:alice@a.example.org",
        "--type",
        "gmk",
        "--at",
        at,
    ]);
    let m: Value = serde_json::from_str(&out).unwrap();
    let msgs = m["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 2);
    for (who, msg) in [("bob.xml", &msgs[0]), ("alice.xml", &msgs[1])] {
        let json = ok(&[
            "decode",
            "--json",
            "--sakke-keys",
            &p(who),
            "--trust",
            &ca,
            "--trust",
            &cb,
            msg["base64"].as_str().unwrap(),
        ]);
        let d: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(d["messages"][0]["sakke"]["key"], m["key"], "{who}");
        assert_eq!(d["messages"][0]["sakke"]["key_id"], m["key_id"], "{who}");
        assert_eq!(d["messages"][0]["sakke"]["csb_id"], msg["csb_id"], "{who}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn decode_opens_the_streamwide_reference_pck_message() {
    use mikey::mcx::kms::{KmsInit, KmsKeyProv, KmsMessage, KmsResponse};
    let d = scratch("stw");
    let wrap = |m: KmsMessage| KmsResponse {
        id: None,
        user_uri: "sip:bob@streamwide.com".into(),
        kms_uri: "kms.mydev.streamwide.com".into(),
        time: "2025-06-20T10:00:00".into(),
        kms_id: None,
        client_req_url: "https://kms.mydev.streamwide.com/init".into(),
        message: Some(m),
        error: None,
        quirks: Default::default(),
    };
    let cert = wrap(KmsMessage::Init(Box::new(KmsInit {
        version: None,
        xsi_type: None,
        certificate: mcx_common::stw_certificate(),
    })));
    let keys = wrap(KmsMessage::KeyProv(KmsKeyProv {
        version: None,
        xsi_type: None,
        key_sets: vec![mcx_common::stw_key_set("sip:bob@streamwide.com")],
    }));
    let (c, k) = (d.join("cert.xml"), d.join("bob.xml"));
    std::fs::write(&c, cert.to_xml().unwrap()).unwrap();
    std::fs::write(&k, keys.to_xml().unwrap()).unwrap();
    let t = mcx_common::stw_section("Test 3:");
    let json = ok(&[
        "decode",
        "--json",
        "--sakke-keys",
        &k.to_string_lossy(),
        "--trust",
        &c.to_string_lossy(),
        &common::path("sw-stw-ref-pck-imessage.b64").to_string_lossy(),
    ]);
    let v: Value = serde_json::from_str(&json).unwrap();
    let s = &v["messages"][0]["sakke"];
    assert_eq!(s["key"], t["PCK"].to_lowercase());
    assert_eq!(s["key_id"], t["PCK-ID"].to_lowercase());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn the_sakke_demo_keys_joins_and_leaves() {
    let out = ok(&["demo", "--mode", "sakke", "--members", "3", "--json"]);
    let d: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["mode"], "sakke");
    let steps = d["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[0]["messages"].as_array().unwrap().len(), 3);
    assert_eq!(steps[0]["media"]["opened_by"].as_array().unwrap().len(), 2);
    // The newcomer gets the current GMK and hears the sender.
    assert_eq!(steps[1]["gmk_id"], steps[0]["gmk_id"]);
    let joined = &steps[1]["member"];
    assert!(steps[1]["media"]["opened_by"]
        .as_array()
        .unwrap()
        .contains(joined));
    // After a leave: a new GMK to the three others; the one that left cannot open.
    assert_ne!(steps[2]["gmk_id"], steps[0]["gmk_id"]);
    assert_eq!(steps[2]["messages"].as_array().unwrap().len(), 3);
    assert_eq!(
        steps[2]["media"]["refused_by"],
        serde_json::json!([steps[2]["member"]])
    );
    assert_eq!(steps[2]["media"]["opened_by"].as_array().unwrap().len(), 2);
    let text = ok(&["demo", "--mode", "sakke"]);
    assert!(
        text.contains("refused by sip:member1@b.example.org"),
        "{text}"
    );
}

#[test]
fn sakke_usage_errors() {
    usage_error(&["decode", "--sakke-keys", "x.xml", "AQ=="]);
    usage_error(&[
        "decode",
        "--sakke-keys",
        "x.xml",
        "--trust",
        "c.xml",
        "--psk",
        "00",
        "AQ==",
    ]);
    usage_error(&["demo", "--mode", "sakke", "--psk", "00"]);
    usage_error(&["mcx", "make", "--keys", "k.xml", "--trust", "c.xml"]);
}
