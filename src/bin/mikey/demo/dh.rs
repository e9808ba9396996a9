//! `mikey demo --mode dh|dhhmac`: the Diffie-Hellman exchanges, with RSA signatures (RFC
//! 3830 §3.3) or with HMAC over a pre-shared key (RFC 4650).

use super::report::{crypto_sessions, policies, Exchange, Fact, ALICE, BOB, RESPONDER_SSRC};
use super::{Args, GroupArg, Mode};
use crate::args::psk_or_random;
use crate::out::hex;
use crate::Failure;
use mikey::crypto::{default_provider, RsaPrivate};
use mikey::session::{
    system_time, DhConfig, DhHmacInitiator, DhHmacResponder, DhSignInitiator, DhSignResponder,
    OsEntropy, PinnedKeys, ResponderConfig, SessionError,
};
use mikey::wire::{DhGroup, Id, KeyValidity};
use std::path::PathBuf;
use std::sync::Arc;

fn fail(e: SessionError) -> Failure {
    Failure::Input(e.to_string())
}

fn load_or_generate(path: &Option<PathBuf>) -> Result<Box<dyn RsaPrivate>, Failure> {
    let p = default_provider();
    match path {
        Some(f) => {
            let pem = std::fs::read_to_string(f)
                .map_err(|e| Failure::Input(format!("cannot read {}: {e}", f.display())))?;
            p.rsa_private_from_pem(&pem)
                .map_err(|e| Failure::Input(format!("{}: {e}", f.display())))
        }
        None => p
            .rsa_generate(2048)
            .map_err(|e| Failure::Input(e.to_string())),
    }
}

/// Runs one exchange between a DH initiator and responder (DH-sign and DH-HMAC share
/// their method names, not a trait) and completes `$x` with its messages and keys.
macro_rules! exchange {
    ($initiator:ident, $responder:ident, $x:expr) => {{
        let now = system_time();
        let i_msg = $initiator.initiate(now, &mut OsEntropy).map_err(fail)?;
        let got = $responder.handle(&i_msg, now).map_err(|r| fail(r.error))?;
        let r_msg = got.response.clone().unwrap_or_default();
        $initiator.handle_response(&r_msg, now).map_err(fail)?;
        Exchange {
            i_srtp: $initiator.srtp().map_err(fail)?,
            r_srtp: $responder.srtp(got.csb_id).map_err(fail)?,
            i_msg,
            r_msg,
            ..$x
        }
    }};
}

/// Every group the demo offers, OAKLEY 1 included.
fn all_groups() -> Vec<DhGroup> {
    vec![DhGroup::Oakley5, DhGroup::Oakley2, DhGroup::Oakley1]
}

fn dh_sign(a: &Args, cfg: DhConfig, rcfg: ResponderConfig) -> Result<Exchange, Failure> {
    let alice = load_or_generate(&a.initiator_key)?;
    let bob = load_or_generate(&a.responder_key)?;
    let (alice_spki, bob_spki) = (alice.to_spki_der(), bob.to_spki_der());
    let bob_trust = PinnedKeys::new().with(BOB.as_bytes(), &bob_spki);
    let mut initiator = DhSignInitiator::new(cfg, alice, Arc::new(bob_trust));
    let alice_trust = PinnedKeys::new().with(ALICE.as_bytes(), &alice_spki);
    let mut responder =
        DhSignResponder::new(bob, Arc::new(alice_trust), rcfg).with_groups(all_groups());
    let title = "MIKEY Diffie-Hellman exchange with RSA signatures (RFC 3830 §3.3), \
                 RSASSA-PKCS1-v1_5/SHA-256";
    let mut x = exchange!(
        initiator,
        responder,
        Exchange::new("dh", title, "R_MESSAGE")
    );
    x.fact("initiator_public_key", "Initiator key", hex(&alice_spki));
    x.fact("responder_public_key", "Responder key", hex(&bob_spki));
    Ok(x)
}

fn dh_hmac(a: &Args, cfg: DhConfig, rcfg: ResponderConfig) -> Result<Exchange, Failure> {
    let psk = psk_or_random(a.psk.clone(), 32);
    let mut initiator = DhHmacInitiator::new(psk.as_bytes(), cfg);
    let mut responder = DhHmacResponder::new(psk.0.clone(), rcfg).with_groups(all_groups());
    let title = "MIKEY HMAC-authenticated Diffie-Hellman (RFC 4650), HMAC-SHA-1-160";
    let mut x = exchange!(
        initiator,
        responder,
        Exchange::new("dhhmac", title, "R_MESSAGE")
    );
    x.fact("psk", "PSK", hex(psk.as_bytes()));
    Ok(x)
}

/// `mikey demo --mode dh|dhhmac [--psk HEX] [--group N] [--initiator-key PEM]
/// [--responder-key PEM] [--json]`.
pub fn run(a: &Args) -> Result<(), Failure> {
    let group = DhGroup::from(a.group.unwrap_or(GroupArg::Oakley5));
    let cfg = DhConfig {
        group,
        kv: KeyValidity::Spi(vec![0, 0, 0, 1].into()),
        id_i: Some(Id::uri(ALICE)),
        id_r: Some(Id::uri(BOB)),
        crypto_sessions: crypto_sessions(true),
        policies: policies()?,
        ..DhConfig::default()
    };
    let rcfg = ResponderConfig {
        local_ssrcs: vec![RESPONDER_SSRC],
        id_r: Some(Id::uri(BOB)),
        ..ResponderConfig::default()
    };
    let mut x = if a.mode == Mode::Dh {
        dh_sign(a, cfg, rcfg)?
    } else {
        dh_hmac(a, cfg, rcfg)?
    };
    x.facts.insert(
        0,
        Fact {
            key: "group",
            label: "DH group",
            value: group.name().unwrap_or("?").into(),
        },
    );
    x.print(a.json)
}
