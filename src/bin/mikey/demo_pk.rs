//! `mikey demo --mode pk` (public-key envelope, RFC 3830 §3.2) and `--mode rsa-r`
//! (RFC 4738): the same output as the PSK demo — both messages, both sides' SRTP
//! parameters, one RTP packet protected and unprotected — with RSA keys from `--keys DIR`
//! (`rsa2048-a.pem` for the initiator Alice, `rsa2048-b.pem` for the responder Bob, as in
//! `testvectors/keys/`) or freshly generated ones (written to DIR when it is empty), and a
//! choice of crypto provider (`--provider rustcrypto|aws-lc`).

use crate::demo::{hex, packet_round_trip, PacketTrip};
use crate::srtp_json::{srtp_list, srtp_text};
use crate::{print, Failure};
use base64::Engine as _;
use mikey::crypto::{CryptoProvider, RsaPrivate, RustCryptoProvider};
use mikey::session::{
    system_time, OsEntropy, PinnedKeys, PkConfig, PkInitiator, PkResponder, ResponderConfig,
    RsaRConfig, RsaRInitiator, RsaRResponder, SessionError, TransportKey,
};
use mikey::srtp::export::SrtpParams;
use mikey::wire::{Id, SrtpCs, SrtpPolicy};
use serde_json::json;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The public-key mode named by `--mode`, if any.
pub fn public_key_mode(args: &[String]) -> Option<&'static str> {
    let i = args.iter().position(|a| a == "--mode")?;
    match args.get(i + 1).map(String::as_str) {
        Some("pk") => Some("pk"),
        Some("rsa-r") => Some("rsa-r"),
        _ => None,
    }
}

struct Opts {
    json: bool,
    provider: Arc<dyn CryptoProvider>,
    keys: Option<PathBuf>,
}

fn provider(name: &str) -> Result<Arc<dyn CryptoProvider>, Failure> {
    match name {
        "rustcrypto" => Ok(Arc::new(RustCryptoProvider)),
        #[cfg(feature = "aws-lc")]
        "aws-lc" => Ok(Arc::new(mikey::crypto::aws_lc::AwsLcProvider)),
        other => Err(Failure::Usage(format!(
            "provider {other:?} is not available in this build (available: rustcrypto{})",
            if cfg!(feature = "aws-lc") {
                ", aws-lc"
            } else {
                ""
            }
        ))),
    }
}

fn parse(args: &[String]) -> Result<Opts, Failure> {
    let mut o = Opts {
        json: false,
        provider: Arc::new(RustCryptoProvider),
        keys: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |what: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| Failure::Usage(format!("{what} needs a value")))
        };
        match a.as_str() {
            "--json" => o.json = true,
            "--mode" => {
                value("--mode")?;
            }
            "--provider" => o.provider = provider(&value("--provider")?)?,
            "--keys" => o.keys = Some(PathBuf::from(value("--keys")?)),
            other => return Err(Failure::Usage(format!("unknown demo option {other:?}"))),
        }
    }
    Ok(o)
}

const ALICE: &str = "rsa2048-a.pem";
const BOB: &str = "rsa2048-b.pem";

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut s = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        s.push_str(&String::from_utf8_lossy(chunk));
        s.push('\n');
    }
    s.push_str(&format!("-----END {label}-----\n"));
    s
}

/// Alice's key, Bob's key, and where they came from.
type DemoKeys = (Box<dyn RsaPrivate>, Box<dyn RsaPrivate>, String);

/// Alice's and Bob's keys, and where they came from.
fn load_keys(p: &dyn CryptoProvider, dir: Option<&Path>) -> Result<DemoKeys, Failure> {
    let load = |d: &Path, name: &str| -> Result<Box<dyn RsaPrivate>, Failure> {
        let f = d.join(name);
        let text = std::fs::read_to_string(&f)
            .map_err(|e| Failure::Input(format!("{}: {e}", f.display())))?;
        p.rsa_private_from_pem(&text)
            .map_err(|e| Failure::Input(format!("{}: {e}", f.display())))
    };
    let generate = || -> Result<Box<dyn RsaPrivate>, Failure> {
        p.rsa_generate(2048)
            .map_err(|e| Failure::Input(format!("key generation: {e}")))
    };
    match dir {
        Some(d) if d.join(ALICE).exists() || d.join(BOB).exists() => {
            Ok((load(d, ALICE)?, load(d, BOB)?, d.display().to_string()))
        }
        Some(d) => {
            let empty = std::fs::read_dir(d)
                .map(|mut r| r.next().is_none())
                .unwrap_or(false);
            if !empty {
                return Err(Failure::Input(format!(
                    "{}: no {ALICE}/{BOB} and not an empty directory",
                    d.display()
                )));
            }
            let (a, b) = (generate()?, generate()?);
            for (name, k) in [(ALICE, &a), (BOB, &b)] {
                let write = |file: String, text: String| {
                    std::fs::write(d.join(&file), text)
                        .map_err(|e| Failure::Input(format!("{file}: {e}")))
                };
                write(
                    name.to_string(),
                    pem("PRIVATE KEY", k.to_pkcs8_der().as_bytes()),
                )?;
                write(
                    name.replace(".pem", ".pub.pem"),
                    pem("PUBLIC KEY", &k.to_spki_der()),
                )?;
            }
            Ok((a, b, format!("generated, written to {}", d.display())))
        }
        None => Ok((generate()?, generate()?, "generated".into())),
    }
}

fn fail(e: SessionError) -> Failure {
    Failure::Input(e.to_string())
}

/// The exchange's messages and both sides' SRTP parameters (initiator's first).
struct Run {
    title: &'static str,
    i_msg: Vec<u8>,
    r_msg: Vec<u8>,
    r_kind: &'static str,
    i_srtp: Vec<SrtpParams>,
    r_srtp: Vec<SrtpParams>,
}

const ID_A: &str = "sip:alice@example.com";
const ID_B: &str = "sip:bob@example.com";

fn cs() -> Vec<SrtpCs> {
    vec![SrtpCs {
        policy_no: 0,
        ssrc: 0x1eaf5eed,
        roc: 0,
    }]
}

fn run_pk(
    p: Arc<dyn CryptoProvider>,
    alice: Box<dyn RsaPrivate>,
    bob: Box<dyn RsaPrivate>,
) -> Result<Run, Failure> {
    let now = system_time();
    let trust = PinnedKeys::new().with(ID_A.as_bytes(), &alice.to_spki_der());
    let mut cs = cs();
    cs.push(SrtpCs {
        policy_no: 0,
        ssrc: 0,
        roc: 0,
    });
    let cfg = PkConfig {
        v: true,
        id_i: Some(Id::uri(ID_A)),
        id_r: Some(Id::uri(ID_B)),
        crypto_sessions: cs,
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)],
        ..PkConfig::default()
    };
    let mut i = PkInitiator::new(alice, bob.public(), cfg);
    let mut tgk = [0u8; 16];
    rand::fill(&mut tgk[..]);
    let i_msg = i
        .initiate(
            vec![TransportKey::tgk(&tgk).with_mki(&[0, 0, 0, 1])],
            now,
            &mut OsEntropy,
        )
        .map_err(fail)?;
    let mut r = PkResponder::new(
        bob,
        trust,
        ResponderConfig {
            local_ssrcs: vec![0x0b0b5eed],
            id_r: Some(Id::uri(ID_B)),
            ..ResponderConfig::default()
        },
    )
    .with_provider(p);
    let a = r.handle(&i_msg, now).map_err(|r| fail(r.error))?;
    let r_msg = a
        .response
        .clone()
        .ok_or_else(|| Failure::Input("no verification message".into()))?;
    i.handle_response(&r_msg, now).map_err(fail)?;
    Ok(Run {
        title: "MIKEY public-key envelope exchange (RFC 3830 §3.2), RSA PKCS#1 v1.5 envelope and SHA-256 signature, AES-CM-128 + HMAC-SHA-1-160, V=1",
        i_srtp: i.srtp().map_err(fail)?,
        r_srtp: r.srtp(a.csb_id).map_err(fail)?,
        i_msg,
        r_msg,
        r_kind: "verification message",
    })
}

fn run_rsa_r(
    p: Arc<dyn CryptoProvider>,
    alice: Box<dyn RsaPrivate>,
    bob: Box<dyn RsaPrivate>,
) -> Result<Run, Failure> {
    let now = system_time();
    let trust_a = PinnedKeys::new().with(ID_A.as_bytes(), &alice.to_spki_der());
    let trust_b = PinnedKeys::new().with(ID_B.as_bytes(), &bob.to_spki_der());
    let mut i = RsaRInitiator::new(
        p.clone(),
        alice,
        trust_b,
        RsaRConfig {
            id_i: Some(Id::uri(ID_A)),
            crypto_sessions: cs(),
            policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)],
            ..RsaRConfig::default()
        },
    );
    let i_msg = i.initiate(now, &mut OsEntropy).map_err(fail)?;
    let mut r = RsaRResponder::new(
        bob,
        trust_a,
        ResponderConfig {
            id_r: Some(Id::uri(ID_B)),
            local_ssrcs: vec![0x0b0b5eed],
            ..ResponderConfig::default()
        },
    )
    .with_provider(p);
    let a = r.handle(&i_msg, now).map_err(|r| fail(r.error))?;
    let r_msg = a
        .response
        .clone()
        .ok_or_else(|| Failure::Input("no R_MESSAGE".into()))?;
    let got = i.handle_response(&r_msg, now).map_err(fail)?;
    Ok(Run {
        title: "MIKEY-RSA-R exchange (RFC 4738): the responder supplies the TGK, RSA PKCS#1 v1.5 envelope to the initiator, SHA-256 signatures",
        i_srtp: i.srtp().map_err(fail)?,
        r_srtp: r.srtp(got.csb_id).map_err(fail)?,
        i_msg,
        r_msg,
        r_kind: "R_MESSAGE",
    })
}

/// `mikey demo --mode pk|rsa-r [--provider NAME] [--keys DIR] [--json]`.
pub fn run(mode: &'static str, args: &[String]) -> Result<(), Failure> {
    let o = parse(args)?;
    let (alice, bob, keys_from) = load_keys(o.provider.as_ref(), o.keys.as_deref())?;
    let run = match mode {
        "pk" => run_pk(o.provider.clone(), alice, bob)?,
        _ => run_rsa_r(o.provider.clone(), alice, bob)?,
    };
    let (i0, r0) = match (run.i_srtp.first(), run.r_srtp.first()) {
        (Some(a), Some(b)) => (a, b),
        _ => return Err(Failure::Input("no SRTP parameters".into())),
    };
    let PacketTrip { rtp, srtp, back } = packet_round_trip(i0, r0)?;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    if o.json {
        let doc = json!({
            "mode": mode,
            "provider": o.provider.name(),
            "keys": keys_from,
            "messages": [
                {"from": "initiator", "type": "I_MESSAGE", "hex": hex(&run.i_msg), "base64": b64(&run.i_msg)},
                {"from": "responder", "type": "R_MESSAGE", "hex": hex(&run.r_msg), "base64": b64(&run.r_msg)},
            ],
            "initiator": {"srtp": srtp_list(&run.i_srtp)},
            "responder": {"srtp": srtp_list(&run.r_srtp)},
            "rtp": {"cs_id": i0.cs_id, "mki": i0.mki.as_deref().map(hex), "plain": hex(&rtp), "protected": hex(&srtp), "unprotected": hex(&back), "ok": back == rtp},
        });
        print(&(serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"));
        return Ok(());
    }
    let mut out = String::new();
    let _ = writeln!(out, "{}", run.title);
    let _ = writeln!(out, "Provider       {}", o.provider.name());
    let _ = writeln!(out, "Keys           {keys_from}");
    let _ = writeln!(
        out,
        "\nInitiator -> Responder: I_MESSAGE ({} bytes)\n  hex    {}\n  base64 {}",
        run.i_msg.len(),
        hex(&run.i_msg),
        b64(&run.i_msg)
    );
    let _ = writeln!(
        out,
        "\nResponder -> Initiator: {} ({} bytes)\n  hex    {}\n  base64 {}",
        run.r_kind,
        run.r_msg.len(),
        hex(&run.r_msg),
        b64(&run.r_msg)
    );
    let _ = writeln!(out, "\nInitiator SRTP parameters:");
    srtp_text(&mut out, "  ", &run.i_srtp);
    let _ = writeln!(out, "\nResponder SRTP parameters:");
    srtp_text(&mut out, "  ", &run.r_srtp);
    let _ = writeln!(
        out,
        "\nRTP packet for CS {} protected by the initiator, unprotected by the responder:",
        i0.cs_id
    );
    let _ = writeln!(out, "  RTP         {}", hex(&rtp));
    let _ = writeln!(out, "  SRTP        {}", hex(&srtp));
    let _ = writeln!(
        out,
        "  unprotected {}  ({})",
        hex(&back),
        if back == rtp {
            "identical"
        } else {
            "DIFFERENT"
        }
    );
    print(&out);
    Ok(())
}
