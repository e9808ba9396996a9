//! `mikey demo --mode pk` (public-key envelope, RFC 3830 §3.2) and `--mode rsa-r`
//! (RFC 4738): the same output as the PSK demo — both messages, both sides' SRTP
//! parameters, one RTP packet protected and unprotected — with RSA keys from `--keys DIR`
//! (`rsa2048-a.pem` for the initiator Alice, `rsa2048-b.pem` for the responder Bob, as in
//! `testvectors/keys/`) or freshly generated ones (written to DIR when it is empty), and a
//! choice of crypto provider (`--provider rustcrypto|aws-lc`).

use super::report::{
    crypto_sessions, policies, Exchange, ALICE as ID_A, BOB as ID_B, RESPONDER_SSRC,
};
use super::{Mode, Provider};
use crate::Failure;
use mikey::crypto::{CryptoProvider, RsaPrivate, RustCryptoProvider};
use mikey::session::{
    system_time, OsEntropy, PinnedKeys, PkConfig, PkInitiator, PkResponder, ResponderConfig,
    RsaRConfig, RsaRInitiator, RsaRResponder, SessionError, TransportKey,
};
use mikey::wire::Id;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn provider(p: Provider) -> Result<Arc<dyn CryptoProvider>, Failure> {
    match p {
        Provider::Rustcrypto => Ok(Arc::new(RustCryptoProvider)),
        #[cfg(feature = "aws-lc")]
        Provider::AwsLc => Ok(Arc::new(mikey::crypto::aws_lc::AwsLcProvider)),
        #[cfg(not(feature = "aws-lc"))]
        Provider::AwsLc => Err(Failure::Usage(
            "--provider aws-lc is not in this build (build with --features cli,aws-lc)".into(),
        )),
    }
}

const ALICE: &str = "rsa2048-a.pem";
const BOB: &str = "rsa2048-b.pem";

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = crate::out::base64(der);
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

fn run_pk(
    p: Arc<dyn CryptoProvider>,
    alice: Box<dyn RsaPrivate>,
    bob: Box<dyn RsaPrivate>,
) -> Result<Exchange, Failure> {
    let now = system_time();
    let trust = PinnedKeys::new().with(ID_A.as_bytes(), &alice.to_spki_der());
    let cfg = PkConfig {
        v: true,
        id_i: Some(Id::uri(ID_A)),
        id_r: Some(Id::uri(ID_B)),
        crypto_sessions: crypto_sessions(true),
        policies: policies()?,
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
            local_ssrcs: vec![RESPONDER_SSRC],
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
    let title = "MIKEY public-key envelope exchange (RFC 3830 §3.2), RSA PKCS#1 v1.5 envelope \
                 and SHA-256 signature, AES-CM-128 + HMAC-SHA-1-160, V=1";
    Ok(Exchange {
        i_srtp: i.srtp().map_err(fail)?,
        r_srtp: r.srtp(a.csb_id).map_err(fail)?,
        i_msg,
        r_msg,
        ..Exchange::new("pk", title, "verification message")
    })
}

fn run_rsa_r(
    p: Arc<dyn CryptoProvider>,
    alice: Box<dyn RsaPrivate>,
    bob: Box<dyn RsaPrivate>,
) -> Result<Exchange, Failure> {
    let now = system_time();
    let trust_a = PinnedKeys::new().with(ID_A.as_bytes(), &alice.to_spki_der());
    let trust_b = PinnedKeys::new().with(ID_B.as_bytes(), &bob.to_spki_der());
    let mut i = RsaRInitiator::new(
        p.clone(),
        alice,
        trust_b,
        RsaRConfig {
            id_i: Some(Id::uri(ID_A)),
            crypto_sessions: crypto_sessions(false),
            policies: policies()?,
            ..RsaRConfig::default()
        },
    );
    let i_msg = i.initiate(now, &mut OsEntropy).map_err(fail)?;
    let mut r = RsaRResponder::new(
        bob,
        trust_a,
        ResponderConfig {
            id_r: Some(Id::uri(ID_B)),
            local_ssrcs: vec![RESPONDER_SSRC],
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
    let title = "MIKEY-RSA-R exchange (RFC 4738): the responder supplies the TGK, RSA PKCS#1 \
                 v1.5 envelope to the initiator, SHA-256 signatures";
    Ok(Exchange {
        i_srtp: i.srtp().map_err(fail)?,
        r_srtp: r.srtp(got.csb_id).map_err(fail)?,
        i_msg,
        r_msg,
        ..Exchange::new("rsa-r", title, "R_MESSAGE")
    })
}

/// `mikey demo --mode pk|rsa-r [--provider NAME] [--keys DIR] [--json]`.
pub fn run(
    mode: Mode,
    provider_arg: Option<Provider>,
    keys: Option<PathBuf>,
    json: bool,
) -> Result<(), Failure> {
    let p = provider(provider_arg.unwrap_or(Provider::Rustcrypto))?;
    let (alice, bob, keys_from) = load_keys(p.as_ref(), keys.as_deref())?;
    let name = p.name().to_owned();
    let mut x = match mode {
        Mode::RsaR => run_rsa_r(p, alice, bob)?,
        _ => run_pk(p, alice, bob)?,
    };
    x.fact("provider", "Provider", name);
    x.fact("keys", "Keys", keys_from);
    x.print(json)
}
