//! The `mikey` command line itself: `--version`, help in every form, usage on a bare call,
//! and every option that does not apply to what was asked being an error.

mod cli_common;
use cli_common::{key, mikey, usage_error};

#[test]
fn version_and_help() {
    let (code, out, _) = mikey(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(out, format!("mikey {}\n", env!("CARGO_PKG_VERSION")));
    for args in [&["--help"][..], &["help"], &["-h"]] {
        let (code, out, _) = mikey(args);
        assert_eq!(code, 0, "{args:?}");
        for command in ["demo", "decode", "reencode", "sdp"] {
            assert!(out.contains(&format!("  {command} ")), "{command} in {out}");
        }
    }
    // `help <command>` and `<command> --help` print the same text.
    for command in [&["demo"][..], &["decode"], &["reencode"], &["sdp", "offer"]] {
        let mut help = vec!["help"];
        help.extend_from_slice(command);
        let mut dash = command.to_vec();
        dash.push("--help");
        let (a, b) = (mikey(&help), mikey(&dash));
        assert_eq!(a.0, 0, "{help:?}");
        assert_eq!(a.1, b.1, "{help:?}");
        assert!(a.1.contains(&format!("Usage: mikey {}", command.join(" "))));
    }
    let (_, out, _) = mikey(&["demo", "--help"]);
    for mode in ["psk", "pk", "rsa-r", "dh", "dhhmac", "group"] {
        assert!(out.contains(&format!("- {mode}:")), "{mode} in {out}");
    }
}

#[test]
fn a_bare_call_prints_the_usage() {
    let (code, out, err) = mikey(&[]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("Usage: mikey <COMMAND>"), "{err}");
    assert!(err.contains("decode"), "{err}");
    let (code, out, err) = mikey(&["sdp"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("Usage: mikey sdp <COMMAND>"), "{err}");
}

#[test]
fn unknown_commands_and_options() {
    usage_error(&["frobnicate"]);
    usage_error(&["decode"]);
    usage_error(&["decode", "--bogus", "x"]);
    usage_error(&["decode", "a", "b"]);
    usage_error(&["reencode", "--json", "x"]);
    usage_error(&["demo", "--mode", "nope"]);
    usage_error(&["demo", "--members", "1", "--mode", "group"]);
    usage_error(&["demo", "--psk", "abc"]);
}

#[test]
fn demo_options_that_do_not_apply_to_the_mode_are_errors() {
    let keys = format!("{}/testvectors/keys", env!("CARGO_MANIFEST_DIR"));
    let pem = key("rsa2048-a.pem");
    let cases: &[(&str, &[&str])] = &[
        ("psk", &["--group", "1"]),
        ("psk", &["--members", "3"]),
        ("psk", &["--provider", "rustcrypto"]),
        ("psk", &["--keys", &keys]),
        ("psk", &["--initiator-key", &pem]),
        ("pk", &["--psk", "00"]),
        ("pk", &["--group", "0"]),
        ("rsa-r", &["--responder-key", &pem]),
        ("rsa-r", &["--members", "3"]),
        ("dh", &["--psk", "00"]),
        ("dh", &["--keys", &keys]),
        ("dhhmac", &["--initiator-key", &pem]),
        ("dhhmac", &["--provider", "rustcrypto"]),
        ("group", &["--psk", "00"]),
        ("group", &["--group", "2"]),
        ("group", &["--keys", &keys]),
    ];
    for (mode, extra) in cases {
        let mut args = vec!["demo", "--mode", mode];
        args.extend_from_slice(extra);
        let err = usage_error(&args);
        assert!(
            err.starts_with(&format!(
                "error: {} does not apply to --mode {mode}",
                extra[0]
            )),
            "{args:?}: {err}"
        );
    }
    // The default mode is psk.
    let err = usage_error(&["demo", "--members", "3"]);
    assert!(err.contains("only to --mode group"), "{err}");
}

#[test]
fn decode_options_that_do_not_apply_are_errors() {
    let err = usage_error(&["decode", "--psk", "00", "--private-key", "k.pem", "x"]);
    assert!(err.contains("cannot be used with"), "{err}");
    usage_error(&["decode", "--no-verify", "x"]);
    usage_error(&["decode", "--psk"]);
    usage_error(&["decode", "--private-key"]);
    // A key for messages the input does not hold.
    let vector = |name: &str| format!("{}/testvectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let psk_msg = vector("rfc4567-ex1-alice-psk-init.b64");
    let err = usage_error(&["decode", "--private-key", &key("rsa2048-b.pem"), &psk_msg]);
    assert!(
        err.starts_with(
            "error: --private-key opens Public key (2) messages only; the input holds Pre-shared (0)"
        ),
        "{err}"
    );
    let sakke = vector("sw-stw-ref-csk-imessage.b64");
    let err = usage_error(&["decode", "--psk", "00112233", &sakke]);
    assert!(
        err.starts_with("error: --psk opens Pre-shared (0) messages only; the input holds SAKKE"),
        "{err}"
    );
    // RSA-R (RFC 4738) carries its key in the R_MESSAGE, not in anything --private-key opens.
    let keys = format!("{}/testvectors/keys", env!("CARGO_MANIFEST_DIR"));
    let (code, out, err) = mikey(&["demo", "--mode", "rsa-r", "--keys", &keys, "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let i_msg = v["messages"][0]["hex"].as_str().unwrap();
    let err = usage_error(&["decode", "--private-key", &key("rsa2048-b.pem"), i_msg]);
    assert!(err.contains("the input holds RSA-R"), "{err}");
}
