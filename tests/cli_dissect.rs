//! `mikey decode` as a dissector (issue 15): every shipped message decodes by default
//! with its departures from the RFCs listed, and `--strict` refuses exactly those.

mod cli_common;
mod common;
use cli_common::mikey;
use common::{message_files, path};

/// The deviations each shipped message has, by identifier, from what testvectors/SOURCES.md
/// and testvectors/nonconformant/README.md say of them (the others have none that can be
/// seen without their keys).
const EXPECTED: &[(&str, &[&str])] = &[
    // GStreamer's auth key length 10 (SOURCES.md: gortsplib copied it from GStreamer).
    ("gortsplib-mikey-a.hex", &["srtp_auth_key_len_10"]),
    ("gortsplib-mikey-b.hex", &["srtp_auth_key_len_10"]),
    ("gortsplib-mikey-c-two-cs.hex", &["srtp_auth_key_len_10"]),
    ("gortsplib-sdp-keymgmt.b64", &["srtp_auth_key_len_10"]),
    (
        "tsrtsp-mikeytest-gstreamer-server.b64",
        &["srtp_auth_key_len_10"],
    ),
    // Milestone XProtect: one extra 0x00.
    ("gortsplib-mikey-extra-padding.hex", &["trailing_zero"]),
    // "No T/RAND, so not a valid PSK-INIT".
    (
        "gortsplib-mikey-kemac-spi-synthetic.hex",
        &["missing_payload"],
    ),
    // HDR only.
    (
        "gst-mikey-test-create-common-hdr-nocs.hex",
        &["missing_payload", "missing_payload"],
    ),
    // "the client does not send NTP time".
    (
        "onvif-streaming-setup-keymgmt-client.b64",
        &["odd_timestamp"],
    ),
    (
        "onvif-streaming-set-parameter-rekey-client.b64",
        &["odd_timestamp"],
    ),
    // "trailing NUL inside the IDR".
    ("sw-smartms-imessage-1.b64", &["nul_terminated_id"]),
    ("sw-smartms-imessage-2.b64", &["nul_terminated_id"]),
    ("sw-smartms-imessage-2-old.b64", &["nul_terminated_id"]),
    ("sw-wolfssl-helper-imessage.b64", &["nul_terminated_id"]),
    // "ROC-tx-rate (type 13) as a 1-byte value (RFC 4771 says 16-bit)".
    ("sw-alea-v3-gmk-imessage.b64", &["roc_tx_rate"]),
    // "the DHHMAC messages leave out IDr (I_MESSAGE) and IDi/DHi (R_MESSAGE)".
    (
        "nonconformant/mykey-dhhmac-init-oakley1-sp.hex",
        &["missing_payload"],
    ),
    (
        "nonconformant/mykey-dhhmac-resp-oakley1.hex",
        &["missing_payload", "missing_payload"],
    ),
];

/// The PSK of the `mykey` messages (nonconformant/README.md): ASCII
/// `0123456789abcdef0123456789abcdef`, with which their MACs do not verify.
fn mykey_psk() -> String {
    b"0123456789abcdef0123456789abcdef"
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn all_32() -> Vec<String> {
    let mut files = message_files();
    for f in std::fs::read_dir(path("nonconformant")).unwrap() {
        let name = f.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".hex") {
            files.push(format!("nonconformant/{name}"));
        }
    }
    files
}

#[test]
fn all_32_shipped_messages_decode_by_default_with_their_deviations() {
    let files = all_32();
    assert_eq!(files.len(), 32, "{files:?}");
    for name in &files {
        let p = path(name);
        let f = p.to_str().unwrap();
        let (code, out, err) = mikey(&["decode", "--json", f]);
        assert_eq!(code, 0, "{name}: {err}");
        assert!(err.is_empty(), "{name}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let m = &v["messages"][0];
        let ids: Vec<&str> = m["deviations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap())
            .collect();
        let want = EXPECTED
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&[][..], |(_, d)| d);
        assert_eq!(ids, want, "{name}");
        // Text lists the same deviations as warnings, on stdout.
        let (code, out, _) = mikey(&["decode", f]);
        assert_eq!(code, 0, "{name}");
        assert_eq!(
            out.matches("    warning: ").count(),
            want.len(),
            "{name}: {out}"
        );
        // --strict refuses exactly the messages with deviations, naming the first.
        let (code, out, err) = mikey(&["decode", "--strict", f]);
        if want.is_empty() {
            assert_eq!(code, 0, "{name}: {err}");
        } else {
            assert_eq!(code, 1, "{name}");
            assert!(out.is_empty(), "{name}");
            assert_eq!(err.lines().count(), 1, "{name}: {err}");
            assert!(err.starts_with("error: "), "{name}: {err}");
        }
    }
}

#[test]
fn mykey_psk_messages_do_not_verify_with_their_psk() {
    for name in ["mykey-psk-init.hex", "mykey-psk-init-v.hex"] {
        let p = path(&format!("nonconformant/{name}"));
        for strict in [false, true] {
            let mut args = vec!["decode", "--psk"];
            let psk = mykey_psk();
            args.push(&psk);
            if strict {
                args.push("--strict");
            }
            args.push(p.to_str().unwrap());
            let (code, out, err) = mikey(&args);
            assert_eq!(code, 1, "{name}");
            assert!(err.contains("MAC does not verify with this key"), "{err}");
            // The unencrypted structure is still shown.
            assert!(out.contains("Data type: Pre-shared (0)"), "{out}");
            assert!(out.contains("Keys not opened:"), "{out}");
        }
    }
}

#[test]
fn mikey_null_shows_keys_and_srtp_parameters_without_a_key() {
    let f = path("onvif-streaming-setup-keymgmt-client.b64");
    let (code, out, err) = mikey(&["decode", f.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("MIKEY-NULL"), "{out}");
    // SOURCES.md: key df40b9f5..., salt 2f542fcf..., MKI 0000002f.
    assert!(
        out.contains("master key  df40b9f54ac2944d1edbb50fe61fd6b7"),
        "{out}"
    );
    assert!(
        out.contains("master salt 2f542fcf9d7f383edadb669a8de4"),
        "{out}"
    );
    assert!(out.contains("MKI         0000002f"), "{out}");
    assert!(out.contains("AES_CM_128_HMAC_SHA1_80"), "{out}");
    // The non-NTP timestamp is flagged (SOURCES.md: "the client does not send NTP time").
    assert!(out.contains("odd_timestamp at offset 19"), "{out}");
    assert!(out.contains("FILETIME"), "{out}");
    let (_, out, _) = mikey(&["decode", "--json", f.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let m = &v["messages"][0];
    assert_eq!(m["mikey_null"], true);
    assert_eq!(
        m["srtp"][0]["master_key"],
        "df40b9f54ac2944d1edbb50fe61fd6b7"
    );
    assert_eq!(m["deviations"][0]["offset"], 19);
}

#[test]
fn offsets_are_those_of_the_bytes_shown() {
    // Every shipped message, and a PSK message opened with a wrong key and --no-verify.
    let text = std::fs::read_to_string(path("psk/case_a_aescm128_sha1_v.txt")).unwrap();
    let i_message = text
        .lines()
        .find_map(|l| l.strip_prefix("i_message: "))
        .unwrap()
        .trim()
        .to_owned();
    let mut runs: Vec<(String, Vec<String>)> = all_32()
        .into_iter()
        .map(|name| {
            let p = path(&name).to_str().unwrap().to_owned();
            (name, vec!["decode".into(), "--json".into(), p])
        })
        .collect();
    runs.push((
        "case a, --no-verify".into(),
        ["decode", "--json", "--no-verify", "--psk", "00", &i_message]
            .map(String::from)
            .to_vec(),
    ));
    for (name, args) in runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (_, out, _) = mikey(&args);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let m = &v["messages"][0];
        let shown = common::hex(m["hex"].as_str().unwrap());
        let payloads = m["payloads"].as_array().unwrap();
        // Each payload's offset and length tile the bytes shown after the header: the
        // byte before each payload (the previous one's next-payload field, or the
        // header's) names its type.
        let mut end = None;
        for (i, p) in payloads.iter().enumerate() {
            let off = p["offset"].as_u64().unwrap() as usize;
            if let Some(e) = end {
                assert_eq!(off, e, "{name}: payload {i}");
            }
            end = Some(off + p["length"].as_u64().unwrap() as usize);
            if i > 0 {
                // The previous payload starts with its next-payload byte.
                let prev = payloads[i - 1]["offset"].as_u64().unwrap() as usize;
                assert_eq!(
                    u64::from(shown[prev]),
                    p["type"]["value"],
                    "{name}: payload {i}"
                );
            }
        }
        if let Some(e) = end {
            assert_eq!(e, shown.len(), "{name}");
        }
    }
}

#[test]
fn many_messages_in_one_file_each_on_its_own() {
    let dir = std::env::temp_dir().join(format!("mikey-cli-dissect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let read = |n: &str| std::fs::read_to_string(path(n)).unwrap().trim().to_owned();
    let file = dir.join("mixed.txt");
    let text = format!(
        "RTSP/1.0 200 OK\r\nCSeq: 2\r\nKeyMgmt: prot=mikey; uri=\"rtsp://cam/a\"; data=\"{}\"\r\n\
         \r\nv=0\r\ns=-\r\nm=video 0 RTP/AVP 96\r\na=key-mgmt:mikey {}\r\na=key-mgmt:mikey %%odd%%\r\n\
         {}\nmikey: {}\n",
        read("gortsplib-sdp-keymgmt.b64"),
        read("tsrtsp-mikeytest-roundtrip1.b64"),
        read("gortsplib-mikey-a.hex"),
        read("onvif-streaming-set-parameter-rekey-client.b64"),
    );
    std::fs::write(&file, text).unwrap();
    let (code, out, err) = mikey(&["decode", file.to_str().unwrap()]);
    // The odd attribute is reported on its own; the four messages decode.
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("1 of 5 entries could not be decoded"), "{err}");
    for heading in [
        "MIKEY message 1/5",
        "MIKEY message 2/5",
        "MIKEY message 4/5",
        "MIKEY message 5/5",
    ] {
        assert!(out.contains(heading), "{heading}: {out}");
    }
    assert!(out.contains("Entry 3/5 from file"), "{out}");
    assert!(out.contains("uri \"rtsp://cam/a\""), "{out}");
    assert!(out.contains("SDP a=key-mgmt, media 0"), "{out}");
    let (_, out, _) = mikey(&["decode", "--json", file.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["messages"].as_array().unwrap().len(), 4);
    assert_eq!(v["errors"][0]["entry"], 3);
    // Without the odd line: exit 0, four messages.
    let clean: String = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .filter(|l| !l.contains("%%odd%%"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&file, clean).unwrap();
    let (code, out, err) = mikey(&["decode", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("MIKEY message 4/4"), "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_path_is_an_error_naming_it() {
    for p in [
        "no-such-capture.b64",
        "./x",
        "/nonexistent/m.hex",
        "dir/name",
    ] {
        let (code, out, err) = mikey(&["decode", p]);
        assert_eq!(code, 1, "{p}");
        assert!(out.is_empty());
        assert_eq!(err, format!("error: {p}: no such file\n"));
    }
    // A word that could be either: both readings are named.
    let (code, _, err) = mikey(&["decode", "capture"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("error: capture: no such file, and as text: "),
        "{err}"
    );
}

/// A file holding an I_MESSAGE and its verification message (with `--psk`, V is checked
/// against the I_MESSAGE, RFC 3830 §5.2), in a scratch folder removed with it.
struct PairFile(std::path::PathBuf);

impl PairFile {
    fn new(tag: &str, i: &str, r: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("mikey-cli-dissect-{}-{tag}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("pair.txt"),
            format!("{}\n{}\n", i.trim(), r.trim()),
        )
        .unwrap();
        Self(dir)
    }
    fn path(&self) -> String {
        self.0.join("pair.txt").to_str().unwrap().to_owned()
    }
}

impl Drop for PairFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn verification_messages_are_checked_against_their_i_message() {
    // testvectors/psk case (a): the independent script's exchange.
    let text = std::fs::read_to_string(path("psk/case_a_aescm128_sha1_v.txt")).unwrap();
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}: ")))
            .unwrap()
            .trim()
            .to_owned()
    };
    let f = PairFile::new("case-a", &get("i_message"), &get("r_message"));
    let (code, out, err) = mikey(&["decode", "--psk", &get("psk"), &f.path()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("V (verification MAC) verified with the PSK against message 1"),
        "{out}"
    );
    // mykey's pair (nonconformant/README.md: a 32-byte MAC key): V does not verify.
    let read = |n: &str| std::fs::read_to_string(path(&format!("nonconformant/{n}"))).unwrap();
    let f = PairFile::new(
        "mykey",
        &read("mykey-psk-init-v.hex"),
        &read("mykey-psk-resp-v.hex"),
    );
    for extra in [&[][..], &["--no-verify"], &["--strict"]] {
        let psk = mykey_psk();
        let mut args = vec!["decode", "--psk", &psk];
        args.extend_from_slice(extra);
        let path = f.path();
        args.push(&path);
        let (code, out, err) = mikey(&args);
        assert_eq!(code, 1, "{extra:?}");
        assert_eq!(err.lines().count(), 1, "{err}");
        if extra != ["--strict"] {
            assert!(
                out.contains("V does not verify with this key against message 1"),
                "{out}"
            );
        }
    }
}
