//! Writes seed inputs for every fuzz target into `<out>/<target>/` (default `<out>` =
//! `fuzz/corpus`): every message of `testvectors/` and every message our PSK initiator
//! and responder produce in the configurations of `mikey_fuzz::psk`, in each target's
//! input format. Minimize afterwards with `cargo fuzz cmin` (see fuzz/README.md).
//!
//! ```text
//! cargo run --manifest-path fuzz/Cargo.toml --example seed -- [OUT]
//! ```

use mikey::crypto::SecretBytes;
use mikey::sdp::{encode_base64, KeyMgmtHeader};
use mikey::session::{PskResponder, ResponderConfig};
use mikey::wire::{MessageView, ParseOptions, Payload, PayloadBody, PrfFunc};
use mikey_fuzz::dh::{DhHarness, Mode};
use mikey_fuzz::psk::{self, Flavour, NOW};
use mikey_fuzz::responder::{mutation_input, raw_input, Harness};
use mikey_fuzz::vectors;
use std::path::{Path, PathBuf};

struct Out {
    root: PathBuf,
    written: usize,
}

impl Out {
    fn put(&mut self, target: &str, name: &str, bytes: &[u8]) {
        let dir = self.root.join(target);
        std::fs::create_dir_all(&dir).expect("create corpus dir");
        let name: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        std::fs::write(dir.join(format!("seed-{name}")), bytes).expect("write seed");
        self.written += 1;
    }
}

/// The KEMAC payload of a message as a `kemac_decrypt` input (flags, CSB ID, T, KEMAC).
fn kemac_input(msg: &[u8]) -> Option<Vec<u8>> {
    let view = MessageView::parse_with(msg, ParseOptions::LENIENT).ok()?;
    let (off, k) = view.kemac()?;
    let t = view.payloads().find_map(|p| match p {
        Payload::T(t) => Some(t.as_u64()),
        _ => None,
    });
    let mut v = vec![u8::from(view.header().prf == PrfFunc::HmacSha256)];
    v.extend_from_slice(&view.header().csb_id.to_be_bytes());
    v.extend_from_slice(&t.unwrap_or(0).to_be_bytes());
    v.extend_from_slice(&msg[off..off + k.encoded_len()]);
    Some(v)
}

fn sdp_with(b64: &str) -> String {
    format!(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=key-mgmt:mikey {b64}\r\n\
         m=video 0 RTP/SAVP 96\r\na=rtpmap:96 H264/90000\r\na=key-mgmt:mikey {b64}\r\n"
    )
}

fn main() {
    let root = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"));
    let mut out = Out { root, written: 0 };

    // Every message: test vectors, then ours (I_MESSAGEs, verification messages, and an
    // Error message with V from a responder that refuses the policy... and one without).
    let mut messages: Vec<(String, Vec<u8>)> = vectors::messages();
    let exchanges = psk::exchanges();
    for x in &exchanges {
        for (n, m) in x.messages.iter().enumerate() {
            messages.push((format!("psk-{}-i{n}", x.name), m.clone()));
        }
        for (n, m) in x.responses.iter().enumerate() {
            messages.push((format!("psk-{}-r{n}", x.name), m.clone()));
        }
    }
    let wrong_psk = PskResponder::new(
        SecretBytes::from_slice(&[0x43; 20]),
        ResponderConfig::default(),
    )
    .handle(&exchanges[0].messages[0], NOW)
    .expect_err("wrong PSK");
    if let Some(e) = wrong_psk.response {
        messages.push(("psk-error-authfailure".into(), e));
    }

    for (name, m) in &messages {
        for target in ["parse_strict", "parse_lenient", "roundtrip"] {
            out.put(target, name, m);
        }
        if let Some(k) = kemac_input(m) {
            out.put("kemac_decrypt", name, &k);
        }
        for f in 0..Flavour::ALL.len() as u8 {
            out.put("psk_responder", &format!("raw{f}-{name}"), &raw_input(f, m));
        }
    }
    // Mutations of each base message of the psk_responder target (see its harness: one
    // base per I_MESSAGE of each exchange, in order): none, a bit flip in the MAC, a
    // dropped payload.
    let bases: usize = exchanges.iter().map(|x| x.messages.len()).sum();
    for b in 0..bases as u8 {
        out.put(
            "psk_responder",
            &format!("mut{b}-none"),
            &mutation_input(b, &[]),
        );
        out.put(
            "psk_responder",
            &format!("mut{b}-flip-last"),
            &mutation_input(b, &[[0, 0xff, 0xff, 0]]),
        );
        out.put(
            "psk_responder",
            &format!("mut{b}-drop-first-payload"),
            &mutation_input(b, &[[7, 0, 0, 0]]),
        );
    }

    // Key management text: SDP, RTSP header (value and line), attribute value, base64.
    for (name, m) in messages.iter().filter(|(n, _)| {
        n.starts_with("psk-null")
            || n.starts_with("gortsplib-sdp")
            || n.starts_with("onvif")
            || n.starts_with("rfc4567")
    }) {
        let b64 = encode_base64(m);
        out.put(
            "sdp_keymgmt",
            &format!("sdp-{name}"),
            sdp_with(&b64).as_bytes(),
        );
        let h = KeyMgmtHeader::for_mikey(Some("rtsp://cam/track1".into()), m.clone());
        out.put(
            "sdp_keymgmt",
            &format!("hdr-{name}"),
            h.to_string().as_bytes(),
        );
        out.put(
            "sdp_keymgmt",
            &format!("line-{name}"),
            format!("KeyMgmt: prot=mikey; uri=\"\"; data=\"{b64}\"\r\n").as_bytes(),
        );
        out.put(
            "sdp_keymgmt",
            &format!("attr-{name}"),
            format!("mikey {b64}").as_bytes(),
        );
        out.put("sdp_keymgmt", &format!("b64-{name}"), b64.as_bytes());
    }
    // The responder targets of the other modes: each base message raw for every flavour,
    // and mutation inputs (none, a flipped last byte, a dropped payload) of each base.
    responder_seeds(&mut out, "pk_responder", &mikey_fuzz::pk::PkHarness::new());
    responder_seeds(
        &mut out,
        "rsa_r_responder",
        &mikey_fuzz::rsa_r::RsaRHarness::new(),
    );
    responder_seeds(&mut out, "dh_sign_responder", &DhHarness::new(Mode::Sign));
    responder_seeds(&mut out, "dh_hmac_responder", &DhHarness::new(Mode::Hmac));

    println!(
        "wrote {} seed files under {}",
        out.written,
        out.root.display()
    );
}

fn responder_seeds<H: Harness>(out: &mut Out, target: &str, h: &H) {
    for (b, base) in h.bases().iter().enumerate() {
        for f in 0..h.flavours() as u8 {
            out.put(
                target,
                &format!("raw{f}-{}", base.name),
                &raw_input(f, &base.message),
            );
        }
        let b = b as u8;
        out.put(target, &format!("mut{b}-none"), &mutation_input(b, &[]));
        out.put(
            target,
            &format!("mut{b}-flip-last"),
            &mutation_input(b, &[[0, 0xff, 0xff, 0]]),
        );
        out.put(
            target,
            &format!("mut{b}-drop-first-payload"),
            &mutation_input(b, &[[7, 0, 0, 0]]),
        );
    }
}
