//! HMAC-authenticated Diffie-Hellman, DHHMAC (RFC 4650):
//!
//! ```text
//! Initiator                                   Responder
//! I_MESSAGE = HDR, T, RAND, [IDi], IDr, {SP}, DHi, KEMAC  --->
//!                        <---  R_MESSAGE = HDR, T, [IDr], IDi, DHr, DHi, KEMAC
//! ```
//! Data types 7 and 8 (RFC 4650 §4.1). The KEMAC carries no key (RFC 4650 §4.2: NULL
//! encryption, empty data) and holds the MAC over the whole message up to the MAC field
//! (RFC 4650 §3, §4.2; RFC 3830 §5.2), keyed with `auth_key` = PRF(s, 0x2D22AC75 || 0xFF ||
//! CSB ID || RAND) from the pre-shared key `s` (RFC 4650 §1.1; RFC 3830 §4.1.4), RAND being
//! the I_MESSAGE's (also for the response and for updates). Both sides compute the TGK
//! `g^(xi*xr)` (RFC 4650 §3).
//!
//! **Code points.** RFC 4650 §4.2 Table 4.2.a and its text give NULL encryption as 2 and
//! HMAC-SHA-1 as 0, contradicting RFC 3830 §6.2 (NULL encryption 0, AES-KW 2 in RFC 6043;
//! NULL MAC 0, HMAC-SHA-1-160 1). This crate writes and expects RFC 3830's values, as the
//! implementations in use (minisip, mykey) do: Encr alg 0, MAC alg 1 (or HMAC-SHA-256-256,
//! 2, of RFC 6043 §6.2 when configured). A NULL MAC is refused: DHHMAC without a MAC is
//! unauthenticated Diffie-Hellman.
//!
//! Re-keying (RFC 4650 §3.1): [`DhHmacInitiator::update`] with `fresh_dh` sends a new DHi
//! and gets a new DHr (a new TGK); without it, neither (policies and crypto sessions only).
//!
//! ```
//! use mikey::session::{DhConfig, DhHmacInitiator, DhHmacResponder, ResponderConfig, OsEntropy};
//! use mikey::crypto::SecretBytes;
//! use mikey::wire::{Id, SrtpCs};
//! use core::time::Duration;
//!
//! let psk = [7u8; 20];
//! let now = Duration::from_secs(1_800_000_000);
//! let cfg = DhConfig {
//!     id_r: Some(Id::uri("sip:bob@example.com")),
//!     crypto_sessions: vec![SrtpCs { policy_no: 0, ssrc: 0x1234, roc: 0 }],
//!     ..DhConfig::default()
//! };
//! let mut initiator = DhHmacInitiator::new(&psk, cfg);
//! let i_message = initiator.initiate(now, &mut OsEntropy).unwrap();
//!
//! let mut responder = DhHmacResponder::new(SecretBytes::from_slice(&psk), ResponderConfig::default());
//! let accepted = responder.handle(&i_message, now).unwrap();
//! let done = initiator.handle_response(accepted.response.as_deref().unwrap(), now).unwrap();
//! assert!(done.rekeyed);
//! assert_eq!(initiator.srtp().unwrap(), responder.srtp(accepted.csb_id).unwrap());
//! ```

use super::common::{mac_of, prf_of};
use super::dh::{
    AuthPart, Dh, DhAuth, DhConfig, DhParts, Established, Flavor, InitiatorCore, Parts,
};
use super::engine::{Env, Incoming, Responder, ResponderConfig, Weakness};
use super::psk::PskStore;
use super::replay::ReplayKey;
use super::{CryptoSessionBundle, Entropy, SessionError};
use crate::crypto::{self, CryptoProvider, KemacCipher, MacKind, MessageKeys, SecretBytes};
use crate::srtp::export::SrtpParams;
use crate::wire::{EncrAlg, Kemac, MacAlg, Message, MessageView, Payload, PrfFunc};
use core::time::Duration;
use std::borrow::Cow;
use std::sync::Arc;

/// `auth_key` of RFC 4650 §1.1: PRF(s, label(0x2D22AC75, CSB ID, RAND)) (RFC 3830 §4.1.4).
fn auth_key(
    prf: PrfFunc,
    psk: &[u8],
    csb_id: u32,
    rand: &[u8],
    kind: MacKind,
) -> Result<SecretBytes, SessionError> {
    Ok(MessageKeys::derive(prf_of(prf)?, psk, csb_id, rand, KemacCipher::Null, kind).auth)
}

/// Appends the KEMAC (NULL encryption, no data, RFC 4650 §4.2) and its MAC over the whole
/// message up to the MAC field (RFC 4650 §3; RFC 3830 §5.2).
fn seal_with_kemac(
    mut msg: Message<'_>,
    alg: MacAlg,
    kind: MacKind,
    key: &[u8],
) -> Result<Vec<u8>, SessionError> {
    let len = kind.mac_len();
    msg.payloads.push(Payload::Kemac(Kemac {
        encr_alg: EncrAlg::Null,
        encr_data: Cow::Borrowed(&[]),
        mac_alg: alg,
        mac: Cow::Owned(vec![0; len]),
    }));
    let mut out = msg.encode()?;
    let body = out.len() - len;
    let tag = crypto::kemac::mac(kind, key, &out[..body]);
    out[body..].copy_from_slice(tag.as_bytes());
    Ok(out)
}

/// The KEMAC of a DHHMAC message: NULL encryption, no data, a real MAC (RFC 4650 §4.2).
fn check_kemac<'k>(parts: &'k Parts<'_>) -> Result<(&'k Kemac<'k>, MacKind), SessionError> {
    let AuthPart::Kemac(k) = &parts.auth else {
        return Err(SessionError::MissingPayload("KEMAC"));
    };
    if k.encr_alg != EncrAlg::Null {
        return Err(SessionError::InvalidEncryption(k.encr_alg.to_wire()));
    }
    if !k.encr_data.is_empty() {
        return Err(SessionError::InvalidKeyData(
            "a DHHMAC KEMAC carries no key data (RFC 4650 §4.2)".into(),
        ));
    }
    Ok((k, mac_of(k.mac_alg, false)?))
}

fn verify_kemac(
    msg: &[u8],
    kemac: &Kemac<'_>,
    kind: MacKind,
    key: &[u8],
) -> Result<(), SessionError> {
    let body = msg
        .len()
        .checked_sub(kemac.mac.len())
        .ok_or_else(|| SessionError::AuthFailure)?;
    if crypto::kemac::verify_mac(kind, key, &msg[..body], &kemac.mac) {
        Ok(())
    } else {
        Err(SessionError::AuthFailure)
    }
}

/// The DHHMAC initiator (RFC 4650 §3).
pub struct DhHmacInitiator {
    core: InitiatorCore,
    psk: SecretBytes,
    mac: MacAlg,
}

impl core::fmt::Debug for DhHmacInitiator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DhHmacInitiator")
            .field("core", &self.core)
            .field("mac", &self.mac)
            .finish()
    }
}

impl DhHmacInitiator {
    /// An initiator with the pre-shared key `s` (RFC 4650 §1.1) and settings; `cfg.id_r` is
    /// required (RFC 4650 §3: the initiator always includes IDr).
    pub fn new(psk: &[u8], cfg: DhConfig) -> Self {
        Self {
            core: InitiatorCore::new(cfg, Flavor::Hmac),
            psk: SecretBytes::from_slice(psk),
            mac: MacAlg::HmacSha1_160,
        }
    }

    /// Uses `provider` for the exponentiations (RFC 3830 §3.3) instead of the default.
    pub fn with_provider(mut self, provider: Arc<dyn CryptoProvider>) -> Self {
        self.core.provider = provider;
        self
    }

    /// The MAC algorithm: HMAC-SHA-1-160 (default, RFC 4650 §4.2) or HMAC-SHA-256-256
    /// (RFC 6043 §6.2).
    pub fn with_mac(mut self, mac: MacAlg) -> Self {
        self.mac = mac;
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

    /// Builds the first I_MESSAGE (RFC 4650 §3): a fresh RAND, CSB ID and DH key pair.
    ///
    /// # Errors
    /// [`SessionError::WrongState`] after the first exchange (use [`update`](Self::update)),
    /// [`SessionError::MissingPayload`] without `id_r`, unsupported settings.
    pub fn initiate(
        &mut self,
        now: Duration,
        rng: &mut impl Entropy,
    ) -> Result<Vec<u8>, SessionError> {
        self.build(false, true, now, rng)
    }

    /// Builds an update I_MESSAGE (RFC 4650 §3.1, Figure 2): same CSB ID, no RAND; a fresh
    /// DHi when `fresh_dh` (re-keying, a), none otherwise (policy update, b).
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
        let kind = mac_of(self.mac, false)?;
        let (m, pending) = self.core.draft(update, fresh_dh, now, rng, &[])?;
        let key = auth_key(
            self.core.cfg.prf,
            self.psk.as_bytes(),
            pending.csb_id,
            &pending.rand,
            kind,
        )?;
        let out = seal_with_kemac(m, self.mac, kind, key.as_bytes())?;
        self.core.pending = Some(pending);
        Ok(out)
    }

    /// Handles the R_MESSAGE (RFC 4650 §3): checks T, IDi, DHi, the MAC, then DHr, and
    /// computes the TGK. An Error message is reported as [`SessionError::PeerError`]; the
    /// initiator keeps waiting. A message that does not verify changes nothing.
    pub fn handle_response(
        &mut self,
        bytes: &[u8],
        now: Duration,
    ) -> Result<Established, SessionError> {
        let _ = now;
        let view = MessageView::parse(bytes)?;
        let (parts, _) = self.core.check_response(&view)?;
        let (kemac, kind) = check_kemac(&parts)?;
        let pending = self
            .core
            .pending
            .as_ref()
            .ok_or_else(|| SessionError::WrongState("no message awaiting a response"))?;
        let prf = self
            .core
            .bundle
            .as_ref()
            .map_or(self.core.cfg.prf, |b| b.prf);
        let key = auth_key(
            prf,
            self.psk.as_bytes(),
            pending.csb_id,
            &pending.rand,
            kind,
        )?;
        verify_kemac(view.as_bytes(), kemac, kind, key.as_bytes())?;
        self.core.finish(&view, &parts)
    }

    /// SRTP parameters of every crypto session and key (RFC 3830 §4.1.3 from the TGK).
    pub fn srtp(&self) -> Result<Vec<SrtpParams>, SessionError> {
        self.core.srtp()
    }
}

/// DHHMAC's authentication (RFC 4650 §3): where the pre-shared keys are.
pub struct HmacAuth {
    store: Box<dyn PskStore + Send + Sync>,
}

impl DhAuth for HmacAuth {
    type Binding = SecretBytes;
    const FLAVOR: Flavor = Flavor::Hmac;
    const NAME: &'static str = "DhHmacResponder";

    fn check_algorithms(&self, parts: &Parts<'_>) -> Result<(), SessionError> {
        check_kemac(parts).map(|_| ())
    }

    fn replay_key<'p>(&self, parts: &'p DhParts<'_>) -> ReplayKey<'p> {
        match &parts.parts.auth {
            AuthPart::Kemac(k) => ReplayKey::Mac(&k.mac),
            AuthPart::Sign(_) => ReplayKey::Signed(parts.signed),
        }
    }

    fn authenticate(
        &self,
        parts: &DhParts<'_>,
        m: &Incoming<'_, '_, SecretBytes>,
        _env: &Env<'_>,
    ) -> Result<SecretBytes, SessionError> {
        let (kemac, kind) = check_kemac(&parts.parts)?;
        let psk = match (m.is_update, &m.existing) {
            (true, Some(e)) => e.binding.cloned().ok_or(SessionError::AuthFailure)?,
            _ => self
                .store
                .lookup(m.claims.id_i, m.claims.id_r)
                .ok_or(SessionError::AuthFailure)?,
        };
        if psk.is_empty() {
            return Err(SessionError::WeakInput(Weakness::EmptyPsk));
        }
        let h = m.view.header();
        let key = auth_key(h.prf, psk.as_bytes(), h.csb_id, m.rand, kind)?;
        verify_kemac(m.view.as_bytes(), kemac, kind, key.as_bytes())?;
        Ok(psk)
    }

    fn certs(&self) -> &[Vec<u8>] {
        &[]
    }

    fn seal(
        &self,
        msg: Message<'_>,
        psk: &SecretBytes,
        parts: &DhParts<'_>,
        m: &Incoming<'_, '_, SecretBytes>,
        _rng: &mut dyn Entropy,
    ) -> Result<Vec<u8>, SessionError> {
        let (kemac, kind) = check_kemac(&parts.parts)?;
        let h = m.view.header();
        let key = auth_key(h.prf, psk.as_bytes(), h.csb_id, m.rand, kind)?;
        seal_with_kemac(msg, kemac.mac_alg, kind, key.as_bytes())
    }
}

/// The DHHMAC mode (RFC 4650) of the [`Responder`] engine.
pub type DhHmac = Dh<HmacAuth>;

/// The DHHMAC responder (RFC 4650 §3). Checks run cheapest first: shape, data type,
/// algorithms and group, timestamp, replay cache, MAC, the initiator's DH value; only then
/// the two exponentiations (RFC 3830 §5.3; RFC 4650 §5.2 on denial of service).
pub type DhHmacResponder = Responder<DhHmac>;

impl Responder<DhHmac> {
    /// A responder looking pre-shared keys up in `store` (a single [`SecretBytes`] for one
    /// peer; by IDi, IDr).
    pub fn new(store: impl PskStore + Send + Sync + 'static, cfg: ResponderConfig) -> Self {
        let auth = HmacAuth {
            store: Box::new(store),
        };
        Responder::with_mode(Dh::new(auth), cfg)
    }
}
