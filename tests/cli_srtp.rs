//! `mikey srtp --format ...`: each format's output is the library hand-off
//! (`mikey::srtp::handoff`) of the keys the library opens from the same message; the
//! libsrtp format, compiled against the system libsrtp2 (where its headers and a C
//! compiler are installed, as in CI), decrypts what this crate's SRTP context encrypted.

mod cli_common;
mod common;
use cli_common::mikey;
use common::{load, path};
use mikey::srtp::export::{export, SrtpParams};
use mikey::srtp::handoff::{gstreamer::GstSrtpCaps, json::SrtpParamsJson, libsrtp::LibsrtpPolicy};
use mikey::srtp::handoff::{sdes::crypto_attribute, webrtc::WebrtcSrtpArgs};
use mikey::wire::{MessageView, ParseOptions};

/// The library's SRTP parameters of a MIKEY-NULL vector.
fn params(name: &str) -> Vec<SrtpParams> {
    let bytes = load(name);
    let view = MessageView::parse_with(&bytes, ParseOptions::LENIENT).unwrap();
    let opened = mikey::session::open_psk_message(&view, &[], None, true).unwrap();
    export(&opened.bundle).unwrap()
}

/// stdout lines that are not `#` headings.
fn body(out: &str) -> Vec<&str> {
    out.lines().filter(|l| !l.starts_with("# ")).collect()
}

fn srtp(format: &str, name: &str) -> (i32, String, String) {
    mikey(&["srtp", "--format", format, path(name).to_str().unwrap()])
}

const ONVIF: &str = "onvif-streaming-setup-keymgmt-client.b64";
const GORTSPLIB: &str = "gortsplib-mikey-a.hex";

#[test]
fn each_format_is_the_library_hand_off() {
    for name in [ONVIF, GORTSPLIB, "gortsplib-mikey-c-two-cs.hex"] {
        let ps = params(name);
        let (code, out, err) = srtp("gstreamer", name);
        assert_eq!(code, 0, "{err}");
        let want: Vec<String> = ps
            .iter()
            .map(|p| GstSrtpCaps::new(p).unwrap().to_caps_string())
            .collect();
        assert_eq!(body(&out), want, "{name}");
        let (code, out, err) = srtp("sdes", name);
        assert_eq!(code, 0, "{err}");
        let want: Vec<String> = ps
            .iter()
            .enumerate()
            .map(|(i, p)| crypto_attribute(p, i as u32 + 1).unwrap())
            .collect();
        assert_eq!(body(&out), want, "{name}");
        let (code, out, err) = srtp("json", name);
        assert_eq!(code, 0, "{err}");
        let got: serde_json::Value = serde_json::from_str(&out).unwrap();
        let want: Vec<SrtpParamsJson> = ps.iter().map(SrtpParamsJson::from).collect();
        assert_eq!(got, serde_json::to_value(&want).unwrap(), "{name}");
        let (code, out, err) = srtp("libsrtp", name);
        assert_eq!(code, 0, "{err}");
        for p in &ps {
            let pol = LibsrtpPolicy::new(p).unwrap();
            assert!(out.contains(&format!(
                "srtp_crypto_policy_set_{}(&policy->rtp);",
                pol.rtp_setter
            )));
            assert!(out.contains(&format!("policy->ssrc.value = 0x{:08x};", pol.ssrc)));
        }
    }
    // No MKI: rtp_decoder and webrtc-rs take gortsplib's stream.
    let p = &params(GORTSPLIB)[0];
    let (code, out, err) = mikey(&[
        "srtp",
        "--format",
        "rtp-decoder",
        "--filter",
        "udp port 5004",
        path(GORTSPLIB).to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let args = LibsrtpPolicy::new(p)
        .unwrap()
        .rtp_decoder_args("udp port 5004")
        .unwrap();
    let last = args.len() - 1;
    let want = format!("rtp_decoder {} '{}'", args[..last].join(" "), args[last]);
    assert_eq!(body(&out), [want.as_str()]);
    let (code, out, err) = srtp("webrtc", GORTSPLIB);
    assert_eq!(code, 0, "{err}");
    let w = WebrtcSrtpArgs::new(p).unwrap();
    let line = body(&out)[0];
    assert!(
        line.contains(&format!("ProtectionProfile::{}", w.profile)),
        "{line}"
    );
    let key: Vec<String> = w
        .master_key
        .as_bytes()
        .iter()
        .map(|b| format!("0x{b:02x}"))
        .collect();
    assert!(line.contains(&format!("&[{}]", key.join(", "))), "{line}");
}

#[test]
fn what_a_stack_cannot_take_is_an_error() {
    // ONVIF's MKI: rtp_decoder and webrtc-rs have none (the library's refusal).
    let p = &params(ONVIF)[0];
    for (format, e) in [
        (
            "rtp-decoder",
            LibsrtpPolicy::new(p)
                .unwrap()
                .rtp_decoder_args("")
                .unwrap_err(),
        ),
        ("webrtc", WebrtcSrtpArgs::new(p).unwrap_err()),
    ] {
        let (code, out, err) = srtp(format, ONVIF);
        assert_eq!(code, 1, "{format}");
        assert!(body(&out).is_empty(), "{out}");
        assert!(err.contains(&e.to_string()), "{err}");
        assert_eq!(err.lines().count(), 1);
    }
    // No readable keys without a PSK.
    let (code, _, err) = srtp("gstreamer", "rfc4567-ex1-alice-psk-init.b64");
    assert_eq!(code, 1);
    assert!(err.contains("--psk"), "{err}");
}

#[test]
fn psk_messages_with_psk() {
    let f = format!(
        "{}/testvectors/psk/case_a_aescm128_sha1_v.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(f).unwrap();
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}: ")))
            .unwrap()
            .trim()
            .to_owned()
    };
    let (msg, psk) = (get("i_message"), get("psk"));
    let (code, out, err) = mikey(&["srtp", "--format", "json", "--psk", &psk, &msg]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["master_key"], get("cs1_key1_master_key"));
    assert_eq!(v[0]["master_salt"], get("cs1_key1_master_salt"));
    let (code, _, err) = mikey(&["srtp", "--format", "json", "--psk", "00", &msg]);
    assert_eq!(code, 1);
    assert!(err.contains("MAC does not verify with this key"), "{err}");
}

/// The C program around the `--format libsrtp` output: decrypts the SRTP packets given
/// as hex arguments with `mikey_policy_1` and prints each clear packet in hex.
const C_MAIN: &str = r#"
int main(int argc, char **argv)
{
    srtp_policy_t policy;
    srtp_t session;
    if (srtp_init() != srtp_err_status_ok) return 2;
    mikey_policy_1(&policy);
    if (srtp_create(&session, &policy) != srtp_err_status_ok) return 3;
    for (int i = 2; i < argc; i++) {
        unsigned char buf[2048];
        int len = 0;
        for (const char *h = argv[i]; h[0] && h[1]; h += 2) {
            unsigned int b;
            sscanf(h, "%2x", &b);
            buf[len++] = (unsigned char)b;
        }
        int err = argv[1][0] == 'm' ? srtp_unprotect_mki(session, buf, &len, 1)
                                    : srtp_unprotect(session, buf, &len);
        if (err != srtp_err_status_ok) { printf("error %d\n", err); continue; }
        for (int j = 0; j < len; j++) printf("%02x", buf[j]);
        printf("\n");
    }
    return 0;
}
"#;

fn libsrtp2_compiles() -> bool {
    std::path::Path::new("/usr/include/srtp2/srtp.h").exists()
        && std::process::Command::new("cc")
            .arg("--version")
            .output()
            .is_ok()
}

#[test]
fn libsrtp2_decrypts_with_the_printed_policy() {
    if !libsrtp2_compiles() {
        // CI installs libsrtp2-dev (.ci/run): there, missing headers are a failure.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI without libsrtp2-dev or cc"
        );
        eprintln!("libsrtp2 headers or cc missing: not run");
        return;
    }
    let dir = std::env::temp_dir().join(format!("mikey-cli-srtp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in [GORTSPLIB, ONVIF] {
        let (code, out, err) = srtp("libsrtp", name);
        assert_eq!(code, 0, "{err}");
        let src = dir.join("decrypt.c");
        let prog = format!(
            "#include <stdio.h>\n#include <string.h>\n#include <srtp2/srtp.h>\n{out}\n{C_MAIN}"
        );
        std::fs::write(&src, prog).unwrap();
        let exe = dir.join("decrypt");
        let cc = std::process::Command::new("cc")
            .args([
                "-o",
                exe.to_str().unwrap(),
                src.to_str().unwrap(),
                "-lsrtp2",
            ])
            .output()
            .unwrap();
        assert!(
            cc.status.success(),
            "{}",
            String::from_utf8_lossy(&cc.stderr)
        );
        // This crate's SRTP context encrypts three packets with the same parameters.
        let p = &params(name)[0];
        let mut tx = p.context().unwrap();
        let clear: Vec<Vec<u8>> = (0..3u16)
            .map(|i| {
                let mut pkt = vec![0x80, 0x60];
                pkt.extend_from_slice(&(1000 + i).to_be_bytes());
                pkt.extend_from_slice(&(90_000 * u32::from(i)).to_be_bytes());
                pkt.extend_from_slice(&p.ssrc.to_be_bytes());
                pkt.extend((0..40u8).map(|b| b ^ i as u8));
                pkt
            })
            .collect();
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let mut args = vec![if p.mki.is_some() { "mki" } else { "plain" }.to_owned()];
        args.extend(clear.iter().map(|c| hex(&tx.protect_rtp(c).unwrap())));
        let run = std::process::Command::new(&exe)
            .args(&args)
            .output()
            .unwrap();
        assert!(run.status.success(), "{name}: {:?}", run.status);
        let got = String::from_utf8(run.stdout).unwrap();
        let want: Vec<String> = clear.iter().map(|c| hex(c)).collect();
        assert_eq!(got.lines().collect::<Vec<_>>(), want, "{name}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
