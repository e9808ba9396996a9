//! Diffie-Hellman with signatures (RFC 3830 §3.3):
//!
//! ```text
//! Initiator                                        Responder
//! I_MESSAGE = HDR, T, RAND, [IDi|CERTi], [IDr], {SP}, DHi, SIGNi  --->
//!                      <---  R_MESSAGE = HDR, T, [IDr|CERTr], IDi, DHr, DHi, SIGNr
//! ```
//! Each SIGN covers its whole message up to the signature field, its own S type and length
//! included (RFC 3830 §5.2, §6.5). Signatures are checked only with a public key the
//! caller's [`PeerVerifier`] approved for the identity and certificates the peer presented
//! (IDi/CERTi, IDr/CERTr); updates must come from the same key as the first exchange. The
//! TGK is `g^(xi*xr)` (§3.3, §4.1). The response is mandatory; the V flag is 0.
//!
//! Updates (RFC 3830 §4.5, Figure 4.1): `HDR, T, [IDi|CERTi], [IDr], {SP}, [DHi], SIGNi`,
//! answered with `HDR, T, [IDr|CERTr], IDi, [DHr, DHi], SIGNr`.
//!
//! ```
//! use mikey::crypto::default_provider;
//! use mikey::session::{DhConfig, ResponderConfig, DhSignInitiator, DhSignResponder, OsEntropy, PinnedKeys};
//! use mikey::wire::Id;
//! use core::time::Duration;
//! use std::sync::Arc;
//!
//! let p = default_provider();
//! let alice = p.rsa_private_from_pem(include_str!("../../testvectors/keys/rsa2048-a.pem")).unwrap();
//! let bob = p.rsa_private_from_pem(include_str!("../../testvectors/keys/rsa2048-b.pem")).unwrap();
//! let trust_bob = Arc::new(PinnedKeys::new().with(b"sip:bob@example.com", &bob.to_spki_der()));
//! let trust_alice = Arc::new(PinnedKeys::new().with(b"sip:alice@example.com", &alice.to_spki_der()));
//!
//! let now = Duration::from_secs(1_800_000_000);
//! let cfg = DhConfig {
//!     id_i: Some(Id::uri("sip:alice@example.com")),
//!     id_r: Some(Id::uri("sip:bob@example.com")),
//!     ..DhConfig::default()
//! };
//! let mut initiator = DhSignInitiator::new(cfg, alice, trust_bob);
//! let i_message = initiator.initiate(now, &mut OsEntropy).unwrap();
//!
//! let rcfg = ResponderConfig { id_r: Some(Id::uri("sip:bob@example.com")), ..ResponderConfig::default() };
//! let mut responder = DhSignResponder::new(bob, trust_alice, rcfg);
//! let accepted = responder.handle(&i_message, now).unwrap();
//! initiator.handle_response(accepted.response.as_deref().unwrap(), now).unwrap();
//! assert_eq!(initiator.bundle().unwrap().keys, responder.bundle(accepted.csb_id).unwrap().keys);
//! ```

use super::common::{sign_message, verify_sign};
use super::dh::{
    AuthPart, Dh, DhAuth, DhConfig, DhParts, Established, Flavor, InitiatorCore, Parts,
};
use super::engine::{Env, Incoming, Responder, ResponderConfig};
use super::replay::ReplayKey;
use super::trust::{PeerClaim, PeerVerifier};
use super::{CryptoSessionBundle, Entropy, SessionError};
use crate::crypto::{CryptoProvider, RsaPrivate, SignatureScheme};
use crate::srtp::export::SrtpParams;
use crate::wire::{MessageView, Sign};
use core::time::Duration;
use std::sync::Arc;

fn sign_of<'p>(parts: &'p Parts<'_>) -> Result<&'p Sign<'p>, SessionError> {
    match &parts.auth {
        AuthPart::Sign(s) => Ok(s),
        AuthPart::Kemac(_) => Err(SessionError::MissingPayload("SIGN")),
    }
}

/// Whom a bundle belongs to: the identity the peer presented first and its approved key
/// (DER SubjectPublicKeyInfo).
#[derive(Clone, PartialEq, Eq)]
pub struct Peer {
    identity: Option<Vec<u8>>,
    spki: Vec<u8>,
}

impl crate::session::BindingBytes for Peer {
    /// The identity (length-prefixed, 0xffff when absent) and the SPKI.
    fn binding_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + self.spki.len());
        let len = self.identity.as_ref().map(|id| u16::try_from(id.len()));
        match (&self.identity, len) {
            (Some(id), Some(Ok(n))) if n != 0xffff => {
                out.extend_from_slice(&n.to_be_bytes());
                out.extend_from_slice(id);
            }
            _ => out.extend_from_slice(&[0xff, 0xff]),
        }
        out.extend_from_slice(&self.spki);
        out
    }

    fn from_binding_bytes(b: &[u8]) -> Option<Self> {
        let (len, rest) = b.split_first_chunk::<2>()?;
        let (identity, spki) = match u16::from_be_bytes(*len) {
            0xffff => (None, rest),
            n => {
                let (id, spki) = rest.split_at_checked(usize::from(n))?;
                (Some(id.to_vec()), spki)
            }
        };
        Some(Peer {
            identity,
            spki: spki.to_vec(),
        })
    }
}

/// Asks the verifier for the peer's key and checks the signature with it.
fn authenticate_peer(
    verifier: &dyn PeerVerifier,
    provider: &dyn CryptoProvider,
    identity: Option<&[u8]>,
    parts: &Parts<'_>,
    msg: &[u8],
    scheme: SignatureScheme,
) -> Result<Peer, SessionError> {
    let sign = sign_of(parts)?;
    super::common::scheme_for(sign.sign_type, scheme)?;
    let certs: Vec<&[u8]> = parts.certs.iter().map(|c| c.as_ref()).collect();
    let claim = PeerClaim {
        identity,
        certs: &certs,
    };
    let key = verifier.verify_peer(&claim, provider)?;
    verify_sign(msg, sign, key.as_ref(), scheme)?;
    Ok(Peer {
        identity: identity.map(<[u8]>::to_vec),
        spki: key.to_spki_der(),
    })
}

/// The DH-SIGN initiator (RFC 3830 §3.3).
pub struct DhSignInitiator {
    core: InitiatorCore,
    key: Arc<dyn RsaPrivate>,
    verifier: Arc<dyn PeerVerifier>,
    certs: Vec<Vec<u8>>,
    scheme: SignatureScheme,
    responder: Option<Peer>,
}

impl core::fmt::Debug for DhSignInitiator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DhSignInitiator")
            .field("core", &self.core)
            .field("key", &self.key)
            .field("scheme", &self.scheme)
            .finish()
    }
}

impl DhSignInitiator {
    /// An initiator signing with `key` (a `Box` or an `Arc` shared between sessions) and
    /// trusting responders `verifier` approves.
    pub fn new(
        cfg: DhConfig,
        key: impl Into<Arc<dyn RsaPrivate>>,
        verifier: Arc<dyn PeerVerifier>,
    ) -> Self {
        Self {
            core: InitiatorCore::new(cfg, Flavor::Sign),
            key: key.into(),
            verifier,
            certs: Vec::new(),
            scheme: SignatureScheme::RsaPkcs1Sha256,
            responder: None,
        }
    }

    /// Sends these DER certificates (leaf first) as CERTi (RFC 3830 §6.7) after IDi.
    pub fn with_certs(mut self, certs: Vec<Vec<u8>>) -> Self {
        self.certs = certs;
        self
    }

    /// The signature scheme (RFC 3830 §6.5): RSASSA-PKCS1-v1_5 with SHA-256 by default. A
    /// received SIGN of the same S type is verified with the same hash.
    pub fn with_scheme(mut self, scheme: SignatureScheme) -> Self {
        self.scheme = scheme;
        self
    }

    /// Uses `provider` for exponentiations and key loading instead of the default.
    pub fn with_provider(mut self, provider: Arc<dyn CryptoProvider>) -> Self {
        self.core.provider = provider;
        self
    }

    /// The settings (policies and crypto sessions of the next update come from here).
    pub fn config_mut(&mut self) -> &mut DhConfig {
        &mut self.core.cfg
    }

    /// The crypto session bundle, once an exchange completed.
    pub fn bundle(&self) -> Option<&CryptoSessionBundle> {
        self.core.bundle.as_ref()
    }

    /// Builds the first I_MESSAGE (RFC 3830 §3.3): fresh RAND, CSB ID and DH key pair,
    /// signed (one exponentiation, one signature).
    ///
    /// # Errors
    /// [`SessionError::WrongState`] after the first exchange (use [`update`](Self::update)),
    /// unsupported settings, a failed signature.
    pub fn initiate(
        &mut self,
        now: Duration,
        rng: &mut impl Entropy,
    ) -> Result<Vec<u8>, SessionError> {
        self.build(false, true, now, rng)
    }

    /// Builds an update (RFC 3830 §4.5, Figure 4.1): same CSB ID, no RAND, no certificates;
    /// a fresh DHi when `fresh_dh` (new TGK), none otherwise.
    ///
    /// # Errors
    /// [`SessionError::WrongState`] before the first exchange completed.
    pub fn update(
        &mut self,
        fresh_dh: bool,
        now: Duration,
        rng: &mut impl Entropy,
    ) -> Result<Vec<u8>, SessionError> {
        self.build(true, fresh_dh, now, rng)
    }

    fn build(
        &mut self,
        update: bool,
        fresh_dh: bool,
        now: Duration,
        rng: &mut dyn Entropy,
    ) -> Result<Vec<u8>, SessionError> {
        let certs = if update { &[][..] } else { &self.certs[..] };
        let (m, pending) = self.core.draft(update, fresh_dh, now, rng, certs)?;
        let out = sign_message(m, self.key.as_ref(), self.scheme, rng, None)?;
        self.core.pending = Some(pending);
        Ok(out)
    }

    /// Handles the R_MESSAGE (RFC 3830 §3.3): checks T, IDi, DHi, asks the verifier for the
    /// responder's key (IDr, or the configured `id_r`, and CERTr), verifies SIGNr, checks
    /// DHr and computes the TGK. An Error message is reported as
    /// [`SessionError::PeerError`]; the initiator keeps waiting. A message that does not
    /// verify changes nothing.
    pub fn handle_response(
        &mut self,
        bytes: &[u8],
        now: Duration,
    ) -> Result<Established, SessionError> {
        let _ = now;
        let view = MessageView::parse(bytes)?;
        let (parts, ids) = self.core.check_response(&view)?;
        let expected = self.core.cfg.id_r.as_ref().map(|i| i.data.to_vec());
        if let (Some(e), Some(got)) = (&expected, &ids.id_r) {
            if e != got {
                return Err(SessionError::AuthFailure);
            }
        }
        let identity = ids
            .id_r
            .or(expected)
            .or_else(|| self.responder.as_ref().and_then(|p| p.identity.clone()));
        let peer = authenticate_peer(
            self.verifier.as_ref(),
            self.core.provider.as_ref(),
            identity.as_deref(),
            &parts,
            view.as_bytes(),
            self.scheme,
        )?;
        if self.responder.as_ref().is_some_and(|p| p.spki != peer.spki) {
            return Err(SessionError::AuthFailure);
        }
        let done = self.core.finish(&view, &parts)?;
        if self.responder.is_none() {
            self.responder = Some(peer);
        }
        Ok(done)
    }

    /// SRTP parameters of every crypto session and key (RFC 3830 §4.1.3 from the TGK).
    pub fn srtp(&self) -> Result<Vec<SrtpParams>, SessionError> {
        self.core.srtp()
    }
}

/// DH-SIGN's authentication (RFC 3830 §3.3): our key and certificates, whom we trust.
pub struct SignAuth {
    key: Arc<dyn RsaPrivate>,
    verifier: Arc<dyn PeerVerifier>,
    certs: Vec<Vec<u8>>,
    scheme: SignatureScheme,
}

impl DhAuth for SignAuth {
    type Binding = Peer;
    const FLAVOR: Flavor = Flavor::Sign;
    const NAME: &'static str = "DhSignResponder";

    fn check_algorithms(&self, parts: &Parts<'_>) -> Result<(), SessionError> {
        super::common::scheme_for(sign_of(parts)?.sign_type, self.scheme).map(|_| ())
    }

    fn replay_key<'p>(&self, parts: &'p DhParts<'_>) -> ReplayKey<'p> {
        ReplayKey::Signed(parts.signed)
    }

    fn authenticate(
        &self,
        parts: &DhParts<'_>,
        m: &Incoming<'_, '_, Peer>,
        env: &Env<'_>,
    ) -> Result<Peer, SessionError> {
        // Updates may leave IDi out (RFC 3830 §4.5): the first exchange's identity is asked.
        let identity = parts.id_i().map(|i| i.data.to_vec()).or_else(|| {
            m.existing
                .as_ref()
                .and_then(|e| e.binding)
                .and_then(|p| p.identity.clone())
        });
        authenticate_peer(
            self.verifier.as_ref(),
            env.provider,
            identity.as_deref(),
            &parts.parts,
            m.view.as_bytes(),
            self.scheme,
        )
    }

    fn certs(&self) -> &[Vec<u8>] {
        &self.certs
    }

    fn seal(
        &self,
        msg: crate::wire::Message<'_>,
        _peer: &Peer,
        _parts: &DhParts<'_>,
        _m: &Incoming<'_, '_, Peer>,
        rng: &mut dyn Entropy,
    ) -> Result<Vec<u8>, SessionError> {
        sign_message(msg, self.key.as_ref(), self.scheme, rng, None)
    }
}

/// The DH-SIGN mode (RFC 3830 §3.3) of the [`Responder`] engine.
pub type DhSign = Dh<SignAuth>;

/// The DH-SIGN responder (RFC 3830 §3.3). Checks run cheapest first: shape, data type,
/// algorithms and group, timestamp, replay cache, the verifier's approval and the signature
/// (public-key operations), the initiator's DH value; only then two exponentiations and one
/// signature (RFC 3830 §5.3, §9.2).
pub type DhSignResponder = Responder<DhSign>;

impl Responder<DhSign> {
    /// A responder signing with `key` (a `Box` or a shared `Arc`) and trusting initiators
    /// `verifier` approves.
    pub fn new(
        key: impl Into<Arc<dyn RsaPrivate>>,
        verifier: Arc<dyn PeerVerifier>,
        cfg: ResponderConfig,
    ) -> Self {
        let auth = SignAuth {
            key: key.into(),
            verifier,
            certs: Vec::new(),
            scheme: SignatureScheme::RsaPkcs1Sha256,
        };
        Responder::with_mode(Dh::new(auth), cfg)
    }

    /// Sends these DER certificates (leaf first) as CERTr (RFC 3830 §6.7) after IDr.
    pub fn with_certs(mut self, certs: Vec<Vec<u8>>) -> Self {
        self.mode.auth.certs = certs;
        self
    }

    /// The signature scheme (RFC 3830 §6.5): RSASSA-PKCS1-v1_5 with SHA-256 by default.
    pub fn with_scheme(mut self, scheme: SignatureScheme) -> Self {
        self.mode.auth.scheme = scheme;
        self
    }
}
