//! MIKEY-RSA-R (RFC 4738) under the responder harness: the I_MESSAGEs our `RsaRInitiator`
//! builds for an `RsaRResponder` (unicast and group mode), and the R_MESSAGE our responder
//! answers with, fed to an initiator waiting for it. The 1024-bit stored key is both
//! parties' key; clock and randomness are fixed.

use crate::keys::{self, check_cache, check_rejection, parsed_bytes, verdict, ALICE, BOB};
use crate::psk::NOW;
use crate::responder::{Base, Harness, Responder, Verdict};
use mikey::session::{
    ResponderConfig, RsaRConfig, RsaRGroup, RsaRInitiator, RsaRResponder, RsaRSettings,
    TransportKey,
};
use mikey::wire::{DataType, Id, SrtpCs, SrtpPolicy};

/// Small, so that floods of accepted messages reach it.
pub const REPLAY_CAPACITY: usize = 4;

/// Responder flavours: unicast, group mode, unicast lenient, and (3) the unicast
/// initiator waiting for the R_MESSAGE.
pub const FLAVOURS: usize = 4;
/// The flavour that is an initiator handling R_MESSAGEs.
pub const INITIATOR: usize = 3;

fn group() -> RsaRGroup {
    RsaRGroup {
        csb_id: 0xC0FF_EE01,
        rand: vec![0x77; 16],
        crypto_sessions: vec![SrtpCs {
            policy_no: 3,
            ssrc: 0xAAAA_0001,
            roc: 0,
        }],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(3).unwrap()],
        keys: vec![TransportKey::tgk(&[0x42; 16])],
    }
}

/// The responder configuration of flavour 0 (unicast), 1 (group) or 2 (lenient).
pub fn responder_config(flavour: usize) -> ResponderConfig {
    ResponderConfig {
        id_r: Some(Id::nai(BOB)),
        local_ssrcs: vec![0x5566_7788],
        limits: keys::limits(REPLAY_CAPACITY),
        lenient: flavour == 2,
        ..ResponderConfig::default()
    }
}

/// What the responder of flavour 0, 1 or 2 sends (flavour 1: group mode).
pub fn responder_settings(flavour: usize) -> RsaRSettings {
    RsaRSettings {
        group: (flavour == 1).then(group),
        ..RsaRSettings::default()
    }
}

/// The unicast initiator settings (the initiator flavour's too).
pub fn initiator_config() -> RsaRConfig {
    RsaRConfig {
        csb_id: Some(0x1357_9bdf),
        id_i: Some(Id::nai(ALICE)),
        id_r: Some(Id::nai(BOB)),
        crypto_sessions: vec![SrtpCs {
            policy_no: 1,
            ssrc: 0x1122_3344,
            roc: 0,
        }],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(1).unwrap()],
        ..RsaRConfig::default()
    }
}

fn responder(flavour: usize) -> RsaRResponder {
    RsaRResponder::new(keys::key(), keys::trust(), responder_config(flavour))
        .with_settings(responder_settings(flavour))
        .with_provider(keys::provider())
        .with_entropy(keys::rng(2))
}

/// The initiator of the initiator flavour, its I_MESSAGE sent (one RSA signature), so
/// that it waits for the R_MESSAGE of [`exchanges`].
fn waiting_initiator() -> (RsaRInitiator, Vec<u8>) {
    let mut i = RsaRInitiator::new(
        keys::provider(),
        keys::key(),
        keys::trust(),
        initiator_config(),
    );
    let m = i.initiate(NOW, &mut keys::rng(1)).expect("initiate");
    (i, m)
}

/// One side under test.
pub enum Side {
    /// An RSA-R responder handling I_MESSAGEs.
    Responder {
        /// The responder (its randomness fixed).
        r: Box<RsaRResponder>,
        /// Lenient parsing.
        lenient: bool,
    },
    /// An initiator handling R_MESSAGEs.
    Initiator(Box<RsaRInitiator>),
}

impl Responder for Side {
    fn handle(&mut self, msg: &[u8]) -> Verdict {
        match self {
            Side::Responder { r, lenient } => {
                let res = r.handle(msg, NOW);
                verdict(res, msg, *lenient, &[DataType::RsaRResp], true, |csb| {
                    r.bundle(csb).is_some() && r.srtp(csb).is_ok()
                })
            }
            Side::Initiator(i) => match i.handle_response(msg, NOW) {
                Ok(a) => {
                    assert!(!a.group, "a unicast initiator accepted group mode");
                    assert_eq!(a.responder_id, Id::nai(BOB));
                    assert!(i.bundle().is_some() && i.srtp().is_ok());
                    Verdict::Accepted {
                        authenticated: parsed_bytes(msg, false),
                    }
                }
                Err(e) => {
                    check_rejection(&e, None);
                    Verdict::Rejected
                }
            },
        }
    }

    fn check_invariants(&self) {
        if let Side::Responder { r, .. } = self {
            check_cache(r.replay_cache());
        }
    }
}

/// The base messages: (name, flavour, message).
pub fn exchanges() -> Vec<(&'static str, usize, Vec<u8>)> {
    let mut out = Vec::new();
    // Unicast, with the R_MESSAGE for the waiting initiator.
    let (mut i, m) = waiting_initiator();
    let a = responder(0)
        .handle(&m, NOW)
        .unwrap_or_else(|e| panic!("rsa-r unicast: {:?}", e.error));
    let resp = a.response.expect("R_MESSAGE");
    i.handle_response(&resp, NOW).expect("R_MESSAGE accepted");
    out.push(("rsa-r-i-unicast", 0, m));
    out.push(("rsa-r-r-unicast", INITIATOR, resp));
    // Without RAND (the responder supplies it), SHA-1 PRF default, no IDr.
    let mut i = RsaRInitiator::new(
        keys::provider(),
        keys::key(),
        keys::trust(),
        RsaRConfig {
            csb_id: Some(0x2468_ace0),
            send_rand: false,
            id_r: None,
            ..initiator_config()
        },
    );
    let m = i.initiate(NOW, &mut keys::rng(4)).expect("initiate");
    let a = responder(0)
        .handle(&m, NOW)
        .unwrap_or_else(|e| panic!("rsa-r no rand: {:?}", e.error));
    i.handle_response(&a.response.expect("R_MESSAGE"), NOW)
        .expect("R_MESSAGE accepted");
    out.push(("rsa-r-i-norand", 0, m));
    // Group mode.
    let mut i = RsaRInitiator::new(
        keys::provider(),
        keys::key(),
        keys::trust(),
        RsaRConfig {
            csb_id: Some(0x0bad_cafe),
            group: true,
            crypto_sessions: Vec::new(),
            policies: Vec::new(),
            ..initiator_config()
        },
    );
    let m = i.initiate(NOW, &mut keys::rng(5)).expect("initiate");
    let a = responder(1)
        .handle(&m, NOW)
        .unwrap_or_else(|e| panic!("rsa-r group: {:?}", e.error));
    i.handle_response(&a.response.expect("R_MESSAGE"), NOW)
        .expect("group R_MESSAGE accepted");
    out.push(("rsa-r-i-group", 1, m));
    out
}

/// The harness.
pub struct RsaRHarness {
    bases: Vec<Base>,
}

impl RsaRHarness {
    /// Builds every base message (RSA work: do it once).
    pub fn new() -> Self {
        let bases = exchanges()
            .into_iter()
            .map(|(name, flavour, message)| Base {
                name: name.into(),
                flavour,
                before: Vec::new(),
                message,
                authenticated: true,
            })
            .collect();
        Self { bases }
    }
}

impl Default for RsaRHarness {
    fn default() -> Self {
        Self::new()
    }
}

impl Harness for RsaRHarness {
    type R = Side;

    fn flavours(&self) -> usize {
        FLAVOURS
    }

    fn responder(&self, flavour: usize) -> Side {
        let flavour = flavour % FLAVOURS;
        if flavour == INITIATOR {
            Side::Initiator(Box::new(waiting_initiator().0))
        } else {
            Side::Responder {
                r: Box::new(responder(flavour)),
                lenient: flavour == 2,
            }
        }
    }

    fn bases(&self) -> &[Base] {
        &self.bases
    }
}
