//! The responder of the pre-shared key method (RFC 3830 §3.1): its hooks on the
//! [`Responder`] engine. Checks run cheapest first (RFC 3830 §5.3): shape, data type,
//! algorithms, timestamp, replay cache, MAC; only then decryption.

use super::{decrypt_keys, PskStore};
use crate::crypto::{self, KemacCipher, MacKind, MessageKeys, Prf, PrfKey, SecretBytes};
use crate::session::common::{cipher_of, mac_of, prf_of};
use crate::session::engine::{
    verification_message, Authenticated, Claims, Env, Incoming, Mode, Outcome, Recovered,
    ReplyAuth, Responder, ResponderConfig, Sealed, Updates, Weakness,
};
use crate::session::replay::ReplayKey;
use crate::session::SessionError;
use crate::wire::{
    DataType, Kemac, MessageView, Payload, PayloadType, PrfFunc, SecurityPolicy, Timestamp,
};
use std::borrow::Cow;

/// The pre-shared key mode (RFC 3830 §3.1) of the [`Responder`] engine.
pub struct Psk {
    store: Box<dyn PskStore + Send + Sync>,
    /// The PSK the last message was checked with (whether its MAC verified or not), made
    /// ready for its PRF: the next message under the same PSK (a peer's next rekey, or a
    /// flood of forged messages naming a real peer) skips the two SHA compressions of
    /// keying the PRF.
    ready: Option<ReadyPsk>,
}

/// A PSK and its [`PrfKey`] for one PRF.
pub(crate) struct ReadyPsk {
    prf: Prf,
    psk: SecretBytes,
    keyed: PrfKey,
}

/// The responder of the pre-shared key method.
///
/// ```
/// use mikey::crypto::SecretBytes;
/// use mikey::session::{PskResponder, ResponderConfig};
/// let responder = PskResponder::new(SecretBytes::from_slice(&[7; 16]), ResponderConfig::default());
/// assert!(responder.bundle(1).is_none());
/// ```
pub type PskResponder = Responder<Psk>;

impl Responder<Psk> {
    /// A responder looking PSKs up in `store` (a single [`SecretBytes`] for one peer).
    pub fn new(store: impl PskStore + Send + Sync + 'static, cfg: ResponderConfig) -> Self {
        Responder::with_mode(
            Psk {
                store: Box::new(store),
                ready: None,
            },
            cfg,
        )
    }
}

/// The payloads of a PSK I_MESSAGE: T, [RAND], {ID}, {SP}, KEMAC (last).
pub struct PskParts<'a> {
    pub(crate) prf: PrfFunc,
    pub(crate) t: Timestamp,
    pub(crate) rand: Option<&'a [u8]>,
    /// IDi and IDr data (the first two ID payloads).
    pub(crate) ids: [Option<Cow<'a, [u8]>>; 2],
    pub(crate) policies: Policies<'a>,
    pub(crate) kemac: Kemac<'a>,
}

/// The SP payloads of a message, in order: the usual one (or none) inline, more in a
/// vector. A message then costs no allocation for them, forged or not.
pub(crate) enum Policies<'a> {
    /// None or one.
    One(Option<SecurityPolicy<'a>>),
    /// Two or more.
    Many(Vec<SecurityPolicy<'a>>),
}

impl<'a> Policies<'a> {
    pub(crate) fn push(&mut self, p: SecurityPolicy<'a>) {
        match self {
            Policies::One(first @ None) => *first = Some(p),
            Policies::One(first) => {
                let many = first.take().into_iter().chain([p]).collect();
                *self = Policies::Many(many);
            }
            Policies::Many(v) => v.push(p),
        }
    }

    pub(crate) fn as_slice(&self) -> &[SecurityPolicy<'a>] {
        match self {
            Policies::One(p) => p.as_slice(),
            Policies::Many(v) => v,
        }
    }
}

impl<'a> PskParts<'a> {
    /// Shape: T, [RAND], {ID}, {SP}, KEMAC last (RFC 3830 §3.1); general extensions,
    /// certificates and CHASH are ignored. One walk over the validated message.
    pub(crate) fn collect(view: &MessageView<'a>) -> Result<Self, SessionError> {
        let h = view.header();
        if h.data_type != DataType::PskInit {
            return Err(SessionError::UnexpectedDataType(h.data_type.to_wire()));
        }
        let (mut t, mut rand, mut kemac) = (None, None, None);
        let mut ids: [Option<Cow<'a, [u8]>>; 2] = [None, None];
        let mut n_ids = 0;
        let mut policies = Policies::One(None);
        for p in view.walk() {
            if kemac.is_some() {
                return Err(SessionError::MissingPayload("KEMAC (must be last)"));
            }
            match p.payload_type() {
                PayloadType::T => t = p.timestamp().or(t),
                PayloadType::Rand => rand = p.rand().or(rand),
                PayloadType::Id => {
                    if let Ok(Payload::Id(i)) = p.decode() {
                        if let Some(slot) = ids.get_mut(n_ids) {
                            *slot = Some(i.data);
                        }
                        n_ids += 1;
                    }
                }
                PayloadType::Sp => {
                    if let Some(s) = p.sp() {
                        policies.push(s.to_policy());
                    }
                }
                PayloadType::Kemac => kemac = p.kemac().map(|k| k.to_kemac()),
                PayloadType::GenExt | PayloadType::Cert | PayloadType::Chash => {}
                _ => {
                    return Err(SessionError::MissingPayload(
                        "unexpected payload in a PSK message",
                    ))
                }
            }
        }
        Ok(Self {
            prf: h.prf,
            t: t.ok_or_else(|| SessionError::MissingPayload("T"))?,
            rand,
            ids,
            policies,
            kemac: kemac.ok_or_else(|| SessionError::MissingPayload("KEMAC"))?,
        })
    }

    pub(crate) fn claims(&self) -> Claims<'_> {
        let id_i = self.ids[0].as_deref();
        Claims {
            t: self.t,
            rand: self.rand,
            id_i,
            id_r: self.ids[1].as_deref(),
            peer: id_i.unwrap_or_default(),
            replay: ReplayKey::Mac(&self.kemac.mac),
            policies: self.policies.as_slice(),
        }
    }

    /// The KEMAC's cipher and MAC, as the settings allow them.
    pub(crate) fn algorithms(
        &self,
        cfg: &ResponderConfig,
    ) -> Result<(KemacCipher, MacKind), SessionError> {
        prf_of(self.prf)?;
        Ok((
            cipher_of(self.kemac.encr_alg, cfg.allow_null_encryption)?,
            mac_of(self.kemac.mac_alg, cfg.allow_null_mac)?,
        ))
    }

    /// Checks the KEMAC MAC (RFC 3830 §5.2: over the whole message up to the MAC field)
    /// with keys derived from `psk` (§4.1.4), which must not be empty unless the message is
    /// MIKEY-NULL. Returns the verified state and, apart, how replies are MACed (moved into
    /// the engine's `Authenticated`, not cloned).
    pub(crate) fn authenticate(
        &self,
        m: &Incoming<'_, '_, impl Sized>,
        psk: SecretBytes,
        ready: &mut Option<ReadyPsk>,
    ) -> Result<(PskAuthed, ReplyAuth), SessionError> {
        let (cipher, mac_kind) = self.algorithms(m.cfg)?;
        if psk.is_empty() && (mac_kind != MacKind::Null || cipher != KemacCipher::Null) {
            return Err(SessionError::WeakInput(Weakness::EmptyPsk));
        }
        let h = m.view.header();
        // auth_key only: a forged message costs one derivation (RFC 3830 §4.1.4); the
        // other two follow in `recover`, once the MAC verified.
        let keyed = ReadyPsk::get(ready, prf_of(self.prf)?, &psk);
        let keys = MessageKeys::derive_auth_with(keyed, h.csb_id, m.rand, mac_kind);
        let msg = m.view.as_bytes();
        let body = &msg[..msg.len() - self.kemac.mac.len()];
        // The check keys its HMAC and spends it; a reply keys its own, only when one is
        // sent. (Keeping the check's keyed state for the reply would cost every forged
        // message a copy of it and its zeroization.)
        if mac_kind != MacKind::Null
            && !crypto::kemac::verify_mac(mac_kind, keys.auth.as_bytes(), body, &self.kemac.mac)
        {
            return Err(SessionError::AuthFailure);
        }
        let reply = ReplyAuth {
            kind: mac_kind,
            alg: self.kemac.mac_alg,
            key: keys.auth,
            id_i: self.ids[0].as_deref().unwrap_or_default().to_vec(),
            id_r: self.ids[1].as_deref().unwrap_or_default().to_vec(),
        };
        let state = PskAuthed { cipher, psk };
        Ok((state, reply))
    }

    /// Decrypts the key data (RFC 3830 §4.2.3), with the PSK as [`authenticate`] left it in
    /// `ready`.
    ///
    /// [`authenticate`]: Self::authenticate
    pub(crate) fn recover(
        &self,
        a: &mut PskAuthed,
        ready: &Option<ReadyPsk>,
        m: &Incoming<'_, '_, impl Sized>,
    ) -> Result<Recovered, SessionError> {
        // encr_key and salt_key only: auth_key went to the reply (`ReplyAuth`).
        let csb_id = m.view.header().csb_id;
        let mut mk = MessageKeys {
            encr: SecretBytes::default(),
            auth: SecretBytes::default(),
            salt: SecretBytes::default(),
        };
        let keyed = ReadyPsk::kept(ready, prf_of(self.prf)?, &a.psk);
        mk.complete_with(&keyed, csb_id, m.rand, a.cipher);
        let keys = decrypt_keys(a.cipher, &mk, csb_id, &self.t, &self.kemac)?;
        Ok(Recovered {
            update_key: Some(a.psk.clone()),
            ..Recovered::keys(keys)
        })
    }
}

/// The verification message of type `ver_type` when V was set (RFC 3830 §3.1, §3.2, §5.2).
pub(crate) fn verification_reply(
    m: &Incoming<'_, '_, impl Sized>,
    out: &Outcome<'_>,
    ver_type: DataType,
) -> Result<Option<Vec<u8>>, SessionError> {
    let h = m.view.header();
    let Some(auth) = out.auth.filter(|_| h.v) else {
        return Ok(None);
    };
    verification_message(
        h,
        ver_type,
        m.claims.t,
        out.cs_map,
        m.cfg.id_r.as_ref(),
        auth,
    )
    .map(Some)
}

/// What a verified PSK message holds: the PSK that keyed it (made ready for the PRF in the
/// mode's [`ReadyPsk`], for the other two message keys) and the KEMAC's cipher; its
/// `auth_key` is the reply's, in [`ReplyAuth`].
pub struct PskAuthed {
    pub(crate) cipher: KemacCipher,
    pub(crate) psk: SecretBytes,
}

impl ReadyPsk {
    /// Whether this is `psk` made ready for `prf` (the PSK compared in constant time).
    fn holds(&self, prf: Prf, psk: &SecretBytes) -> bool {
        self.prf == prf && self.psk == *psk
    }

    /// `psk` made ready for `prf`: the one kept in `slot` when it is the same PSK (compared
    /// in constant time), else computed and kept there in its place.
    pub(crate) fn get<'s>(
        slot: &'s mut Option<ReadyPsk>,
        prf: Prf,
        psk: &SecretBytes,
    ) -> &'s PrfKey {
        if !slot.as_ref().is_some_and(|r| r.holds(prf, psk)) {
            *slot = None;
        }
        let ready = slot.get_or_insert_with(|| ReadyPsk {
            prf,
            psk: psk.clone(),
            keyed: PrfKey::new(prf, psk.as_bytes()),
        });
        &ready.keyed
    }

    /// The key [`get`](Self::get) kept for `psk` and `prf`, or, should `slot` hold another,
    /// that one computed anew.
    pub(crate) fn kept<'s>(
        slot: &'s Option<ReadyPsk>,
        prf: Prf,
        psk: &SecretBytes,
    ) -> Cow<'s, PrfKey> {
        match slot {
            Some(r) if r.holds(prf, psk) => Cow::Borrowed(&r.keyed),
            _ => Cow::Owned(PrfKey::new(prf, psk.as_bytes())),
        }
    }
}

impl Psk {
    /// The PSK for a message: the store's for its identities, or, for an update, the key
    /// its bundle was set up with.
    fn psk_for(
        &self,
        parts: &PskParts<'_>,
        m: &Incoming<'_, '_, SecretBytes>,
    ) -> Result<SecretBytes, SessionError> {
        let found = self
            .store
            .lookup(parts.ids[0].as_deref(), parts.ids[1].as_deref());
        match (found, &m.existing) {
            (Some(p), _) => Ok(p),
            (None, Some(e)) if m.is_update => {
                e.update_key.cloned().ok_or(SessionError::AuthFailure)
            }
            _ => Err(SessionError::AuthFailure),
        }
    }
}

impl Sealed for Psk {}

impl Mode for Psk {
    type Binding = SecretBytes;
    type Parts<'a> = PskParts<'a>;
    type Authed = PskAuthed;
    const NAME: &'static str = "PskResponder";
    const UPDATES: Updates = Updates::WithoutRand;

    fn collect<'a>(
        &self,
        view: &MessageView<'a>,
        _cfg: &ResponderConfig,
    ) -> Result<PskParts<'a>, SessionError> {
        PskParts::collect(view)
    }

    fn claims<'p>(&self, parts: &'p PskParts<'_>) -> Claims<'p> {
        parts.claims()
    }

    fn check_algorithms(
        &self,
        parts: &PskParts<'_>,
        cfg: &ResponderConfig,
    ) -> Result<(), SessionError> {
        parts.algorithms(cfg).map(|_| ())
    }

    fn authenticate(
        &mut self,
        parts: &PskParts<'_>,
        m: &Incoming<'_, '_, SecretBytes>,
        _env: &mut Env<'_>,
    ) -> Result<Authenticated<SecretBytes, PskAuthed>, SessionError> {
        let psk = self.psk_for(parts, m)?;
        let (state, reply) = parts.authenticate(m, psk, &mut self.ready)?;
        Ok(Authenticated {
            binding: state.psk.clone(),
            reply_auth: Some(reply),
            state,
        })
    }

    fn recover(
        &self,
        parts: &PskParts<'_>,
        authed: &mut PskAuthed,
        m: &Incoming<'_, '_, SecretBytes>,
        _env: &mut Env<'_>,
    ) -> Result<Recovered, SessionError> {
        parts.recover(authed, &self.ready, m)
    }

    fn reply(
        &self,
        parts: &PskParts<'_>,
        _authed: &PskAuthed,
        m: &Incoming<'_, '_, SecretBytes>,
        out: &Outcome<'_>,
        _env: &mut Env<'_>,
    ) -> Result<Option<Vec<u8>>, SessionError> {
        let _ = parts;
        verification_reply(m, out, DataType::PskResp)
    }
}
