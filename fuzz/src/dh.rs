//! The Diffie-Hellman modes under the responder harness: DH-SIGN (RFC 3830 §3.3) and
//! DHHMAC (RFC 4650). Our initiators build the messages once in OAKLEY 1 (768 bits,
//! enabled explicitly in the responder configuration) so that each exponentiation stays
//! cheap with `--features real-crypto`; by default every party uses the fast toy provider
//! of [`crate::toy`]. DH-SIGN signs with the 1024-bit stored key; clock and randomness are fixed.

use crate::keys::{self, check_cache, verdict, ALICE, BOB};
use crate::psk::{NOW, PSK};
use crate::responder::{Base, Harness, Responder, Verdict};
use core::time::Duration;
use mikey::crypto::{SecretBytes, SignatureScheme};
use mikey::session::{
    DhConfig, DhHmacInitiator, DhHmacResponder, DhSignInitiator, DhSignResponder, PeerVerifier,
    ResponderConfig,
};
use mikey::wire::{
    DataType, DhGroup, Id, KeyValidity, MacAlg, PrfFunc, SrtpCs, SrtpPolicy, TsType,
};
use std::sync::Arc;

/// Small, so that floods of accepted messages reach it.
pub const REPLAY_CAPACITY: usize = 4;

/// Responder flavours: strict (0) and lenient (1).
pub const FLAVOURS: usize = 2;

/// The responder configuration: OAKLEY 1 enabled (fast), strict or lenient.
pub fn responder_config(flavour: usize) -> ResponderConfig {
    ResponderConfig {
        local_ssrcs: vec![0xabcd_ef01],
        id_r: Some(Id::nai(BOB)),
        limits: keys::limits(REPLAY_CAPACITY),
        lenient: flavour % FLAVOURS == 1,
        ..ResponderConfig::default()
    }
}

/// The accepted groups: OAKLEY 1 enabled (fast).
fn groups() -> Vec<DhGroup> {
    vec![DhGroup::Oakley1, DhGroup::Oakley2, DhGroup::Oakley5]
}

fn cfg(csb_id: u32) -> DhConfig {
    DhConfig {
        csb_id: Some(csb_id),
        group: DhGroup::Oakley1,
        id_i: Some(Id::nai(ALICE)),
        id_r: Some(Id::nai(BOB)),
        kv: KeyValidity::Spi(vec![0, 0, 0, 1].into()),
        crypto_sessions: vec![
            SrtpCs {
                policy_no: 1,
                ssrc: 0x1122_3344,
                roc: 0,
            },
            SrtpCs {
                policy_no: 1,
                ssrc: 0,
                roc: 0,
            },
        ],
        policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(1).unwrap()],
        ..DhConfig::default()
    }
}

fn other_cfg(csb_id: u32) -> DhConfig {
    DhConfig {
        prf: PrfFunc::HmacSha256,
        ts_type: TsType::Counter,
        kv: KeyValidity::Null,
        crypto_sessions: vec![SrtpCs {
            policy_no: 0,
            ssrc: 0x5566_7788,
            roc: 0,
        }],
        policies: Vec::new(),
        ..cfg(csb_id)
    }
}

fn verifier() -> Arc<dyn PeerVerifier> {
    Arc::new(keys::trust())
}

/// A DH-SIGN responder with the stored key.
pub fn sign_responder(flavour: usize) -> DhSignResponder {
    DhSignResponder::new(keys::key(), verifier(), responder_config(flavour))
        .with_groups(groups())
        .with_provider(keys::provider())
        .with_entropy(keys::rng(2))
}

/// A DHHMAC responder with the fixed PSK.
pub fn hmac_responder(flavour: usize) -> DhHmacResponder {
    DhHmacResponder::new(SecretBytes::from_slice(&PSK), responder_config(flavour))
        .with_groups(groups())
        .with_provider(keys::provider())
        .with_entropy(keys::rng(2))
}

/// The two responders behind one interface.
pub enum Dh {
    /// DH-SIGN.
    Sign(DhSignResponder),
    /// DHHMAC.
    Hmac(DhHmacResponder),
}

/// A responder of either mode (its randomness fixed).
pub struct DhSide {
    r: Dh,
    lenient: bool,
}

impl Responder for DhSide {
    fn handle(&mut self, msg: &[u8]) -> Verdict {
        match &mut self.r {
            Dh::Sign(r) => {
                let res = r.handle(msg, NOW);
                verdict(res, msg, self.lenient, &[DataType::DhResp], true, |c| {
                    r.bundle(c).is_some() && r.srtp(c).is_ok()
                })
            }
            Dh::Hmac(r) => {
                let res = r.handle(msg, NOW);
                verdict(res, msg, self.lenient, &[DataType::DhHmacResp], true, |c| {
                    r.bundle(c).is_some() && r.srtp(c).is_ok()
                })
            }
        }
    }

    fn check_invariants(&self) {
        match &self.r {
            Dh::Sign(r) => check_cache(r.replay_cache()),
            Dh::Hmac(r) => check_cache(r.replay_cache()),
        }
    }
}

/// Which mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// DH-SIGN.
    Sign,
    /// DHHMAC.
    Hmac,
}

/// An initiator of either mode.
enum Init {
    Sign(DhSignInitiator),
    Hmac(DhHmacInitiator),
}

impl Init {
    fn initiate(&mut self, rng: &mut impl mikey::session::Entropy) -> Vec<u8> {
        match self {
            Init::Sign(i) => i.initiate(NOW, rng),
            Init::Hmac(i) => i.initiate(NOW, rng),
        }
        .expect("initiate")
    }
    fn update(
        &mut self,
        fresh: bool,
        now: Duration,
        rng: &mut impl mikey::session::Entropy,
    ) -> Vec<u8> {
        match self {
            Init::Sign(i) => i.update(fresh, now, rng),
            Init::Hmac(i) => i.update(fresh, now, rng),
        }
        .expect("update")
    }
    fn handle_response(&mut self, resp: &[u8], now: Duration) {
        match self {
            Init::Sign(i) => i.handle_response(resp, now).map(drop),
            Init::Hmac(i) => i.handle_response(resp, now).map(drop),
        }
        .expect("response accepted")
    }
}

impl Mode {
    fn responder(self, flavour: usize) -> Dh {
        match self {
            Mode::Sign => Dh::Sign(sign_responder(flavour)),
            Mode::Hmac => Dh::Hmac(hmac_responder(flavour)),
        }
    }

    fn initiator(self, cfg: DhConfig, variant: bool) -> Init {
        match self {
            Mode::Sign => {
                let i = DhSignInitiator::new(cfg, keys::key(), verifier())
                    .with_provider(keys::provider());
                Init::Sign(if variant {
                    i.with_scheme(SignatureScheme::RsaPssSha256)
                } else {
                    i
                })
            }
            Mode::Hmac => {
                let i = DhHmacInitiator::new(&PSK, cfg).with_provider(keys::provider());
                Init::Hmac(if variant {
                    i.with_mac(MacAlg::HmacSha256_256)
                } else {
                    i
                })
            }
        }
    }

    /// The messages: (name, I_MESSAGEs in order: initial, update with fresh DH values,
    /// update without). Each exchange runs against a strict responder.
    pub fn exchanges(self) -> Vec<(String, Vec<Vec<u8>>)> {
        let mut out = Vec::new();
        for (name, cfg, variant, updates) in [
            ("oakley1", cfg(0x0102_0304), false, true),
            ("sha256-counter", other_cfg(0x0a0b_0c0d), true, false),
        ] {
            let mut rng = keys::rng(7);
            let mut i = self.initiator(cfg, variant);
            let mut r = DhSide {
                r: self.responder(0),
                lenient: false,
            };
            let mut msgs = vec![i.initiate(&mut rng)];
            let run = |r: &mut DhSide, i: &mut Init, m: &[u8], now: Duration| {
                let a = match &mut r.r {
                    Dh::Sign(s) => s.handle(m, now),
                    Dh::Hmac(h) => h.handle(m, now),
                }
                .unwrap_or_else(|e| panic!("{self:?} {name}: {:?}", e.error));
                i.handle_response(&a.response.expect("R_MESSAGE"), now);
            };
            run(&mut r, &mut i, &msgs[0], NOW);
            if updates {
                for (n, fresh) in [(1u64, true), (2, false)] {
                    let now = NOW + Duration::from_secs(n);
                    let u = i.update(fresh, now, &mut rng);
                    run(&mut r, &mut i, &u, now);
                    msgs.push(u);
                }
            }
            out.push((format!("{}-{name}", self.prefix()), msgs));
        }
        out
    }

    fn prefix(self) -> &'static str {
        match self {
            Mode::Sign => "dh-sign",
            Mode::Hmac => "dh-hmac",
        }
    }
}

/// The harness of one DH mode.
pub struct DhHarness {
    mode: Mode,
    bases: Vec<Base>,
}

impl DhHarness {
    /// Builds every base message (exponentiations: do it once). An update's prerequisites
    /// are the messages before it.
    pub fn new(mode: Mode) -> Self {
        let mut bases = Vec::new();
        for (name, msgs) in mode.exchanges() {
            for (n, m) in msgs.iter().enumerate() {
                bases.push(Base {
                    name: format!("{name} message {n}"),
                    flavour: 0,
                    before: msgs[..n].to_vec(),
                    message: m.clone(),
                    authenticated: true,
                });
            }
        }
        Self { mode, bases }
    }
}

impl Harness for DhHarness {
    type R = DhSide;

    fn flavours(&self) -> usize {
        FLAVOURS
    }

    fn responder(&self, flavour: usize) -> DhSide {
        DhSide {
            r: self.mode.responder(flavour),
            lenient: flavour % FLAVOURS == 1,
        }
    }

    fn bases(&self) -> &[Base] {
        &self.bases
    }
}
