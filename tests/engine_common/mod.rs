//! The five key-exchange modes behind one face, for the engine's edge tests: each [`Case`]
//! makes authentic I_MESSAGEs for numbered peers at a given time and feeds them to its
//! mode's responder, through the public API only.
#![allow(dead_code)]

mod reseal;

#[allow(unused_imports)]
pub use reseal::{pk_reseal, psk_reseal, with_rand};

use core::time::Duration;
use mikey::crypto::{CryptoProvider, RsaPrivate, RustCryptoProvider, SecretBytes};
use mikey::session::{
    Accepted, BindingBytes, DhConfig, DhHmacInitiator, DhHmacResponder, DhSignInitiator,
    DhSignResponder, Mode, OsEntropy, PinnedKeys, PkConfig, PkInitiator, PkResponder, PskConfig,
    PskInitiator, PskResponder, Rejected, Responder, ResponderConfig, ResponderEvent,
    ResponderSnapshot, RsaRConfig, RsaRInitiator, RsaRResponder, SessionError, TransportKey,
};
use mikey::srtp::export::SrtpParams;
use mikey::wire::{Id, SrtpCs, SrtpPolicy};
use std::sync::Arc;

/// A fixed clock for the tests (2024-06-01, as time since the Unix epoch).
pub const NOW: Duration = Duration::from_secs(1_717_200_000);

const PSK: [u8; 16] = [0x42; 16];
const RESPONDER: &str = "sip:responder@example.com";
const KEY_A: &str = include_str!("../../testvectors/keys/rsa2048-a.pem");
const KEY_B: &str = include_str!("../../testvectors/keys/rsa2048-b.pem");

/// The identity of peer `n`.
pub fn peer(n: usize) -> String {
    format!("sip:peer{n}@example.com")
}

/// The responder settings every case starts from.
pub fn base_cfg() -> ResponderConfig {
    ResponderConfig {
        id_r: Some(Id::uri(RESPONDER)),
        ..ResponderConfig::default()
    }
}

fn streams() -> (Vec<SrtpCs>, Vec<mikey::wire::SecurityPolicy<'static>>) {
    let cs = vec![SrtpCs {
        policy_no: 0,
        ssrc: 0x1234,
        roc: 0,
    }];
    (
        cs,
        vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0).unwrap()],
    )
}

/// A responder of any mode, as the edge tests drive it.
pub trait Handle {
    fn snapshot_json(&self) -> String;
    fn restore_json(self: Box<Self>, json: &str) -> Box<dyn Handle>;
    fn srtp_of(&self, csb_id: u32) -> Vec<SrtpParams>;
    fn handle(&mut self, bytes: &[u8], now: Duration) -> Result<Accepted, Rejected>;
    fn events(&mut self) -> Vec<ResponderEvent>;
    fn bundle_count(&self) -> usize;
    fn remove(&mut self, csb_id: u32) -> bool;
}

impl<M: Mode + 'static> Handle for Responder<M>
where
    M::Binding: BindingBytes,
{
    fn snapshot_json(&self) -> String {
        serde_json::to_string(&self.snapshot().unwrap()).unwrap()
    }
    fn restore_json(self: Box<Self>, json: &str) -> Box<dyn Handle> {
        let snap: ResponderSnapshot = serde_json::from_str(json).unwrap();
        Box::new(self.restore(snap).unwrap())
    }
    fn srtp_of(&self, csb_id: u32) -> Vec<SrtpParams> {
        self.srtp(csb_id).unwrap()
    }
    fn handle(&mut self, bytes: &[u8], now: Duration) -> Result<Accepted, Rejected> {
        Responder::handle(self, bytes, now)
    }
    fn events(&mut self) -> Vec<ResponderEvent> {
        core::iter::from_fn(|| self.poll_event()).collect()
    }
    fn bundle_count(&self) -> usize {
        self.csb_ids().count()
    }
    fn remove(&mut self, csb_id: u32) -> bool {
        self.remove_bundle(csb_id)
    }
}

type Make = Box<dyn FnMut(usize, Duration) -> Vec<u8>>;
/// A new responder of the case's mode and settings.
type Fresh = Box<dyn Fn() -> Box<dyn Handle>>;

/// One mode: how its initiators make messages, and its responder.
pub struct Case {
    pub name: &'static str,
    make: Make,
    fresh: Fresh,
    responder: Box<dyn Handle>,
    events: Vec<ResponderEvent>,
}

impl Case {
    pub fn new(name: &'static str, make: Make, fresh: Fresh) -> Self {
        Case {
            name,
            make,
            responder: fresh(),
            fresh,
            events: Vec::new(),
        }
    }

    /// A fresh, authentic I_MESSAGE from peer `n` stamped `t`.
    pub fn message(&mut self, n: usize, t: Duration) -> Vec<u8> {
        (self.make)(n, t)
    }

    /// The responder's verdict: the CSB ID of the bundle, or the error.
    pub fn handle(&mut self, bytes: &[u8], now: Duration) -> Result<u32, SessionError> {
        self.accept(bytes, now).map(|a| a.csb_id)
    }

    /// The responder's full answer.
    pub fn accept(&mut self, bytes: &[u8], now: Duration) -> Result<Accepted, SessionError> {
        let got = self.responder.handle(bytes, now).map_err(|r| r.error);
        self.events.extend(self.responder.events());
        got
    }

    /// The responder's refusal of a message it must refuse, with its Error message.
    pub fn refuse(&mut self, bytes: &[u8], now: Duration) -> Rejected {
        let got = self.responder.handle(bytes, now);
        self.events.extend(self.responder.events());
        match got {
            Ok(a) => panic!("{}: accepted (CSB ID {:#x})", self.name, a.csb_id),
            Err(r) => r,
        }
    }

    /// Every event so far.
    pub fn events(&self) -> Vec<ResponderEvent> {
        self.events.clone()
    }

    pub fn bundle_count(&self) -> usize {
        self.responder.bundle_count()
    }

    pub fn remove(&mut self, csb_id: u32) -> bool {
        self.responder.remove(csb_id)
    }

    /// The SRTP parameters of a bundle.
    pub fn srtp(&self, csb_id: u32) -> Vec<SrtpParams> {
        self.responder.srtp_of(csb_id)
    }

    /// Replaces the responder with a new one restored from its snapshot, through JSON.
    pub fn restart(&mut self) -> String {
        let json = self.responder.snapshot_json();
        self.responder = (self.fresh)().restore_json(&json);
        json
    }
}

fn tgk() -> Vec<TransportKey> {
    let mut k = [0u8; 16];
    rand::fill(&mut k);
    vec![TransportKey::tgk(&k)]
}

/// The public-key mode's keys: (initiator's, responder's).
pub fn pk_keys() -> (Box<dyn RsaPrivate>, Box<dyn RsaPrivate>) {
    (key(KEY_A), key(KEY_B))
}

fn key(pem: &str) -> Box<dyn RsaPrivate> {
    RustCryptoProvider.rsa_private_from_pem(pem).unwrap()
}

/// Pins every peer's identity (0..16) to key A.
fn pins() -> PinnedKeys {
    let spki = key(KEY_A).to_spki_der();
    (0..16).fold(PinnedKeys::new(), |p, n| p.with(peer(n).as_bytes(), &spki))
}

pub fn psk_case(cfg: ResponderConfig) -> Case {
    let make: Make = Box::new(|n, t| {
        let (crypto_sessions, policies) = streams();
        let c = PskConfig {
            id_i: Some(Id::uri(&peer(n))),
            crypto_sessions,
            policies,
            ..PskConfig::default()
        };
        PskInitiator::new(&PSK, c)
            .initiate(tgk(), t, &mut OsEntropy)
            .unwrap()
    });
    let fresh: Fresh = Box::new(move || {
        Box::new(PskResponder::new(
            SecretBytes::from_slice(&PSK),
            cfg.clone(),
        ))
    });
    Case::new("psk", make, fresh)
}

/// A PSK case whose messages carry `rand` (resealed: the initiators refuse a short one).
pub fn psk_with_rand(cfg: ResponderConfig, rand: Vec<u8>) -> Case {
    let mut inner = psk_case(cfg);
    let mut plain = core::mem::replace(&mut inner.make, Box::new(|_, _| Vec::new()));
    inner.make = Box::new(move |n, t| {
        let m = plain(n, t);
        psk_reseal(&m, &PSK, |r, _| *r = rand.clone())
    });
    inner
}

/// The public-key mode: initiator key A, responder key B ([`pk_keys`]).
pub fn pk_case(cfg: ResponderConfig, p: Arc<dyn CryptoProvider>) -> Case {
    let make: Make = Box::new(|n, t| {
        let (crypto_sessions, policies) = streams();
        let c = PkConfig {
            id_i: Some(Id::uri(&peer(n))),
            crypto_sessions,
            policies,
            ..PkConfig::default()
        };
        PkInitiator::new(key(KEY_A), key(KEY_B).public(), c)
            .initiate(tgk(), t, &mut OsEntropy)
            .unwrap()
    });
    let fresh: Fresh = Box::new(move || {
        let k = p.rsa_private_from_pem(KEY_B).unwrap();
        Box::new(PkResponder::new(k, pins(), cfg.clone()).with_provider(p.clone()))
    });
    Case::new("pk", make, fresh)
}

fn dh_cfg(n: usize) -> DhConfig {
    let (crypto_sessions, policies) = streams();
    DhConfig {
        id_i: Some(Id::uri(&peer(n))),
        id_r: Some(Id::uri(RESPONDER)),
        crypto_sessions,
        policies,
        ..DhConfig::default()
    }
}

fn dh_sign_case(cfg: ResponderConfig, p: Arc<dyn CryptoProvider>) -> Case {
    let spki = key(KEY_B).to_spki_der();
    let theirs = Arc::new(PinnedKeys::new().with(RESPONDER.as_bytes(), &spki));
    let make: Make = Box::new(move |n, t| {
        DhSignInitiator::new(dh_cfg(n), key(KEY_A), theirs.clone())
            .initiate(t, &mut OsEntropy)
            .unwrap()
    });
    let fresh: Fresh = Box::new(move || {
        let k = p.rsa_private_from_pem(KEY_B).unwrap();
        let r = DhSignResponder::new(k, Arc::new(pins()), cfg.clone());
        Box::new(r.with_provider(p.clone()))
    });
    Case::new("dh-sign", make, fresh)
}

fn dh_hmac_case(cfg: ResponderConfig, p: Arc<dyn CryptoProvider>) -> Case {
    let make: Make = Box::new(|n, t| {
        DhHmacInitiator::new(&PSK, dh_cfg(n))
            .initiate(t, &mut OsEntropy)
            .unwrap()
    });
    let fresh: Fresh = Box::new(move || {
        let r = DhHmacResponder::new(SecretBytes::from_slice(&PSK), cfg.clone());
        Box::new(r.with_provider(p.clone()))
    });
    Case::new("dh-hmac", make, fresh)
}

fn rsa_r_case(cfg: ResponderConfig, p: Arc<dyn CryptoProvider>) -> Case {
    let spki = key(KEY_B).to_spki_der();
    let make: Make = Box::new(move |n, t| {
        let (crypto_sessions, policies) = streams();
        let c = RsaRConfig {
            id_i: Some(Id::uri(&peer(n))),
            crypto_sessions,
            policies,
            ..RsaRConfig::default()
        };
        let theirs = PinnedKeys::new().with(RESPONDER.as_bytes(), &spki);
        let provider: Arc<dyn CryptoProvider> = Arc::new(RustCryptoProvider);
        RsaRInitiator::new(provider, key(KEY_A), theirs, c)
            .initiate(t, &mut OsEntropy)
            .unwrap()
    });
    let fresh: Fresh = Box::new(move || {
        let k = p.rsa_private_from_pem(KEY_B).unwrap();
        Box::new(RsaRResponder::new(k, pins(), cfg.clone()).with_provider(p.clone()))
    });
    Case::new("rsa-r", make, fresh)
}

/// All five modes, each with a responder configured with `cfg`.
pub fn modes(cfg: ResponderConfig) -> Vec<Case> {
    let p: Arc<dyn CryptoProvider> = Arc::new(RustCryptoProvider);
    vec![
        psk_case(cfg.clone()),
        pk_case(cfg.clone(), p.clone()),
        dh_sign_case(cfg.clone(), p.clone()),
        dh_hmac_case(cfg.clone(), p.clone()),
        rsa_r_case(cfg, p),
    ]
}

/// The modes with private-key or DH work, their responders' keys and operations on
/// provider `p` (a [`CountingProvider`](mikey::crypto::CountingProvider) counts them).
pub fn private_key_modes(cfg: ResponderConfig, p: Arc<dyn CryptoProvider>) -> Vec<Case> {
    vec![
        pk_case(cfg.clone(), p.clone()),
        dh_sign_case(cfg.clone(), p.clone()),
        dh_hmac_case(cfg.clone(), p.clone()),
        rsa_r_case(cfg, p),
    ]
}
