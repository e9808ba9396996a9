//! The `mikey` binary: `decode` and `reencode` on test vectors in every input form.

mod cli_common;
mod common;
use cli_common::run as mikey;
use common::{load, path};

fn ok(args: &[&str], stdin: Option<&[u8]>) -> String {
    let o = mikey(args, stdin);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.stderr.is_empty());
    String::from_utf8(o.stdout).unwrap()
}

/// Exit status 1 and exactly one `error: ` line on stderr; nothing on stdout.
fn fails(args: &[&str], stdin: Option<&[u8]>) -> String {
    let o = mikey(args, stdin);
    assert_eq!(o.status.code(), Some(1), "{args:?}");
    assert!(o.stdout.is_empty(), "{args:?}");
    let e = String::from_utf8(o.stderr).unwrap();
    assert!(e.starts_with("error: ") && e.ends_with('\n'), "{e:?}");
    assert_eq!(e.lines().count(), 1, "{e:?}");
    e
}

fn text(name: &str) -> String {
    std::fs::read_to_string(path(name))
        .unwrap()
        .trim()
        .to_owned()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn b64(name: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(load(name))
}

/// Values gortsplib asserts for case "a" (SOURCES.md).
const A_VALUES: &[&str] = &[
    "0xe69d51f8",
    "0x30685760",
    "ebfe6f2db1c13fd0",
    "c2dde443a84930a5757a7ed9c3a417fb",
    "9091783dfce8ddcd443a53508b64509f35bd8a86bc4d8b7637a502493daf",
    "Encryption algorithm (0): AES-CM (1)",
    "Session Auth. key length (3): 10",
    "TEK (2)",
    "SRTP session auth key length 10",
];

fn assert_a(out: &str) {
    for v in A_VALUES {
        assert!(out.contains(v), "missing {v:?} in\n{out}");
    }
}

#[test]
fn every_input_form_of_gortsplib_a() {
    let name = "gortsplib-mikey-a.hex";
    let file = path(name);
    let hex_s = text(name);
    let b64_s = b64(name);
    let bin = load(name);
    let f = file.to_str().unwrap();
    assert_a(&ok(&["decode", "--lenient", f], None));
    assert_a(&ok(&["decode", "--lenient", &hex_s], None));
    assert_a(&ok(&["decode", "--lenient", &hex_s.to_uppercase()], None));
    assert_a(&ok(&["decode", "--lenient", &b64_s], None));
    assert_a(&ok(&["decode", "--lenient", "-"], Some(&bin)));
    assert_a(&ok(&["decode", "--lenient", "-"], Some(hex_s.as_bytes())));
    assert_a(&ok(&["decode", "--lenient", "-"], Some(b64_s.as_bytes())));
    let line = format!("a=key-mgmt:mikey {b64_s}");
    assert_a(&ok(&["decode", "--lenient", &line], None));
    let header = format!("KeyMgmt: prot=mikey; uri=\"rtsp://h/a\"; data=\"{b64_s}\"");
    let out = ok(&["decode", "--lenient", &header], None);
    assert_a(&out);
    assert!(out.contains("uri \"rtsp://h/a\""), "{out}");
    assert_a(&ok(
        &["decode", "--lenient", &header["KeyMgmt: ".len()..]],
        None,
    ));
    assert_a(&ok(
        &["decode", "--lenient", &format!("mikey: {b64_s}")],
        None,
    ));
    let sdp = format!(
        "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nm=video 0 RTP/SAVP 96\r\na={}\r\n",
        &line[2..]
    );
    let out = ok(&["decode", "--lenient", "-"], Some(sdp.as_bytes()));
    assert_a(&out);
    assert!(out.contains("media 0"), "{out}");
}

#[test]
fn rtsp_and_onvif_bodies_from_stdin() {
    // gortsplib header, as an RTSP request read from stdin.
    let g = text("gortsplib-sdp-keymgmt.b64");
    let req = format!(
        "SETUP rtsps://127.0.0.1:8322/stream/trackID=0 RTSP/1.0\r\nCSeq: 3\r\n\
         KeyMgmt: prot=mikey;uri=\"rtsps://127.0.0.1:8322/stream/trackID=0\";data=\"{g}\"\r\n\r\n"
    );
    let out = ok(&["decode", "--lenient", "-"], Some(req.as_bytes()));
    assert!(out.contains("0x7a23295e (2049124702)"), "{out}");
    assert!(out.contains("0x958c2327 (2508989223)"), "{out}");
    assert!(out.contains("5fc5ef382cc8321d094ce5a2bd62f111f953512a757e38f68bcc46ec3f43"));

    // ONVIF SETUP header with uri="" and SET_PARAMETER body, strict (conformant).
    let s = text("onvif-streaming-setup-keymgmt-client.b64");
    let out = ok(
        &[
            "decode",
            &format!("KeyMgmt: prot=mikey;uri=\"\";data=\"{s}\""),
        ],
        None,
    );
    assert!(
        out.contains("0xfd6d77d0") && out.contains("0xc20f551c"),
        "{out}"
    );
    assert!(out.contains("SPI/MKI: 0000002f"), "{out}");
    let r = text("onvif-streaming-set-parameter-rekey-client.b64");
    let body = format!("mikey: {r}\r\n");
    let out = ok(&["decode", "-"], Some(body.as_bytes()));
    assert!(out.contains("0x6802afc1"), "{out}");
    assert!(out.contains("a5e923b3cf20f90ec053a2c0bd1b2857"), "{out}");
}

#[test]
fn rfc4567_example_sdp_with_offer_and_answer() {
    let sdp = format!(
        "v=0\r\no=alice 2891092738 2891092738 IN IP4 w-land.example.com\r\ns=Cool stuff\r\nt=0 0\r\n\
         a=key-mgmt:mikey {}\r\nm=audio 49000 RTP/SAVP 98\r\na=key-mgmt:mikey {}\r\n",
        text("rfc4567-ex1-alice-psk-init.b64"),
        text("rfc4567-ex1-bob-psk-verify.b64")
    );
    let out = ok(&["decode", "-"], Some(sdp.as_bytes()));
    assert!(out.contains("MIKEY message 1/2") && out.contains("MIKEY message 2/2"));
    assert!(out.contains("session level") && out.contains("media 0"));
    assert!(out.contains("donald@duck.com") && out.contains("mickey@mouse.com"));
    assert!(out.contains("Key data (encrypted: not decoded)"));
    assert!(out.contains("9fc1dd184e413035c522e18481afbad80818e5c7"));
    assert!(out.contains("HMAC-SHA-1-160 (1)"));
}

#[test]
fn json_has_the_documented_fields() {
    let f = path("tsrtsp-mikeytest-roundtrip1.b64");
    let out = ok(&["decode", "--json", f.to_str().unwrap()], None);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let m = &v["messages"][0];
    assert!(m["source"].as_str().unwrap().contains("base64"));
    assert_eq!(m["bytes"], 123);
    assert_eq!(m["quirks"], serde_json::json!([]));
    let h = &m["header"];
    assert_eq!(h["version"], 1);
    assert_eq!(
        h["data_type"],
        serde_json::json!({"value": 0, "name": "Pre-shared"})
    );
    assert_eq!(h["csb_id"], 0xb4effbf2u32);
    assert_eq!(h["cs_map"][0]["ssrc"], 0x048F147F);
    let p = m["payloads"].as_array().unwrap();
    let types: Vec<_> = p
        .iter()
        .map(|x| x["type"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["T", "RAND", "SP", "KEMAC"]);
    assert_eq!(p[0]["offset"], 19);
    let sp = &p[2];
    assert_eq!(sp["prot_type"]["name"], "SRTP");
    let auth_key = sp["params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["type"]["value"] == 3)
        .unwrap();
    assert_eq!(auth_key["type"]["name"], "Session Auth. key length");
    assert_eq!(auth_key["value"], "14");
    assert_eq!(auth_key["decoded"], 20);
    let key = &p[3]["key_data"]["keys"][0];
    assert_eq!(key["key_type"]["name"], "TEK");
    assert_eq!(key["kv_type"]["name"], "SPI");
    assert_eq!(key["spi"], "09fa4021");
    assert!(key["key"]
        .as_str()
        .unwrap()
        .starts_with("68ff7f2b360a05ac381a67d784ae6328"));
    assert_eq!(p[3]["mac"], "");

    // Lenient quirks are listed; unknown names are null.
    let out = ok(
        &[
            "decode",
            "--json",
            "--lenient",
            path("gortsplib-mikey-extra-padding.hex").to_str().unwrap(),
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["messages"][0]["quirks"][0]["id"], "trailing_zero");
    assert_eq!(v["messages"][0]["bytes"], 116);
}

#[test]
fn unknown_codes_are_shown_as_unknown() {
    // HDR with data type 99 and an SP with an unknown parameter type 200.
    let mut b = vec![1, 99, 10, 0, 0, 0, 0, 1, 0, 0];
    b.extend_from_slice(&[0, 0, 0, 0, 3, 200, 1, 7]);
    let out = ok(&["decode", &hex(&b)], None);
    assert!(out.contains("Data type: Unknown (99)"), "{out}");
    assert!(out.contains("Unknown (200): 0x07"), "{out}");
    let v: serde_json::Value =
        serde_json::from_str(&ok(&["decode", "--json", &hex(&b)], None)).unwrap();
    assert_eq!(
        v["messages"][0]["header"]["data_type"],
        serde_json::json!({"value": 99, "name": null})
    );
}

#[test]
fn strict_error_names_payload_field_and_offset() {
    let f = path("gortsplib-mikey-a.hex");
    let e = fails(&["decode", "--strict", f.to_str().unwrap()], None);
    assert!(e.contains("SP ") && e.contains("offset 52"), "{e}");
    let e = fails(&["reencode", f.to_str().unwrap()], None);
    assert!(e.contains("SP "), "{e}");
    let e = fails(
        &[
            "decode",
            "--strict",
            &text("gortsplib-mikey-extra-padding.hex"),
        ],
        None,
    );
    assert!(
        e.contains("offset 115") && e.contains("1 bytes after"),
        "{e}"
    );
}

#[test]
fn bad_input_is_one_line_and_exit_1() {
    fails(&["decode", ""], None);
    fails(&["decode", "-"], Some(b""));
    fails(&["decode", "-"], Some(b"  \n\t "));
    fails(
        &["decode", "-"],
        Some(&[0x89, b'P', b'N', b'G', 0, 0xff, 0xfe]),
    );
    fails(&["decode", "not mikey at all!"], None);
    fails(&["decode", "0100"], None);
    fails(&["decode", "a=key-mgmt:mikey AQ ID"], None);
    fails(&["decode", "KeyMgmt: prot=mikey;data=\"AQID"], None);
    fails(&["decode", "v=0\r\ns=x\r\n"], None);
    let garbage: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    fails(&["decode", "-"], Some(&garbage));
    let mut huge = vec![1u8];
    huge.resize(17 << 20, b'A');
    fails(&["decode", "-"], Some(&huge));
    // Truncations of a real message never panic.
    let bin = load("onvif-streaming-get-parameter-multicast-device.b64");
    for n in [1, 9, 10, 20, 60, bin.len() - 1] {
        fails(&["decode", &hex(&bin[..n])], None);
    }
}

#[test]
fn reencode_prints_the_encoding() {
    let name = "onvif-streaming-get-parameter-multicast-device.b64";
    let out = ok(&["reencode", path(name).to_str().unwrap()], None);
    assert_eq!(out, format!("{}\n", hex(&load(name))));
    // The tolerated trailing zero is not re-emitted.
    let out = ok(
        &[
            "reencode",
            "--lenient",
            &text("gortsplib-mikey-extra-padding.hex"),
        ],
        None,
    );
    let orig = load("gortsplib-mikey-extra-padding.hex");
    assert_eq!(out.trim(), hex(&orig[..orig.len() - 1]));
}

#[test]
fn every_vector_decodes_in_text_and_json() {
    for entry in std::fs::read_dir(path("")).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_owned();
        if !(name.ends_with(".hex") || name.ends_with(".b64")) || name.contains("fragment") {
            continue;
        }
        let f = p.to_str().unwrap();
        let out = ok(&["decode", "--lenient", f], None);
        assert!(out.starts_with("MIKEY message 1/1"), "{name}");
        let j = ok(&["decode", "--lenient", "--json", f], None);
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert!(v["messages"][0]["payloads"].is_array(), "{name}");
    }
}
