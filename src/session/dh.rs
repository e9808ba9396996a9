//! What the two Diffie-Hellman modes share: their settings ([`DhConfig`],
//! [`DhResponderConfig`]), the initiator's result ([`Established`]) and the exchange itself,
//! which [`dh_sign`](super::dh_sign) (RFC 3830 §3.3) and [`dh_hmac`](super::dh_hmac)
//! (RFC 4650) complete with their authentication (a SIGN payload, or a KEMAC with NULL
//! encryption carrying a MAC).
//!
//! ```text
//! DH-SIGN  I_MESSAGE = HDR, T, RAND, [IDi|CERTi], [IDr], {SP}, DHi, SIGNi
//!          R_MESSAGE = HDR, T, [IDr|CERTr], IDi, DHr, DHi, SIGNr
//! DHHMAC   I_MESSAGE = HDR, T, RAND, [IDi], IDr, {SP}, DHi, KEMAC
//!          R_MESSAGE = HDR, T, [IDr], IDi, DHr, DHi, KEMAC
//! ```
//! Both sides compute the TGK `g^(xi*xr)` (RFC 3830 §3.3, §4.1; RFC 4650 §3), which becomes
//! a TGK of the crypto session bundle with the key validity of the DHi payload (§6.4); TEKs
//! derive from it with the RAND of the I_MESSAGE (§4.1.3). The response is mandatory: the V
//! flag is sent as 0 and ignored (RFC 3830 §6.1).
//!
//! Updates (RFC 3830 §4.5, Figure 4.1; RFC 4650 §3.1) reuse the CSB ID and carry no RAND;
//! with a fresh DHi the responder answers with a fresh DHr and the TGK is replaced (re-keying),
//! without DH payloads only policies and crypto sessions change.
//!
//! Responders check cheapest first (RFC 3830 §5.3, §9.2): shape, data type, algorithms and
//! group, timestamp, replay cache, then the MAC or signature (public-key operations only),
//! the peer's DH value range, and only then exponentiate and sign. Error messages are not
//! authenticated (RFC 3830 §5.1.2 leaves it to local policy; signing them would hand a
//! forger a private-key operation, and RFC 4650 §4.1 has no V payload); initiators report
//! them as [`SessionError::PeerError`] and keep waiting for a genuine response. Replays get
//! no answer; undecodable messages get one only in DHHMAC (RFC 4650 §4.1 "SHALL"), when
//! their header parses.

use super::common::export;
use super::common::{
    apply_ssrcs, check_timestamp, error_message, fill_ssrcs, filled_ssrcs, is_unknown_dh_group,
    new_timestamp, outgoing_cs_map, prf_of, salvage_header,
};
use super::psk::{Accepted, Rejected};
use super::replay::{digest, ReplayCache, ReplayVerdict};
use super::{Entropy, SessionError, TimestampPolicy};
use crate::bundle::{BundleChange, CryptoSessionBundle, TransportKey};
use crate::crypto::dh::{group, DhKeyPair};
use crate::crypto::{CryptoProvider, RustCryptoProvider};
use crate::srtp::export::SrtpParams;
use crate::wire::{
    CsIdMap, Data, DataType, Dh, DhGroup, ErrorNo, Header, Id, Kemac, KeyDataType, KeyValidity,
    Message, MessageView, ParseOptions, Payload, PrfFunc, SecurityPolicy, Sign, SrtpCs, SrtpIdMap,
    Timestamp, TsType,
};
use core::time::Duration;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

/// Initiator settings of both DH modes (RFC 3830 §3.3, RFC 4650 §3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DhConfig {
    /// CSB ID; random when `None` (RFC 3830 §6.1).
    pub csb_id: Option<u32>,
    /// PRF for TEK derivation and, in DHHMAC, the auth key (RFC 3830 §4.1.2; RFC 6043 §6.1).
    pub prf: PrfFunc,
    /// DH group (RFC 3830 §6.4): OAKLEY 5 by default.
    pub group: DhGroup,
    /// Key validity of the TGK, sent in DHi (RFC 3830 §6.4, §6.14): e.g. an SRTP MKI.
    pub kv: KeyValidity<'static>,
    /// Initiator identity (IDi).
    pub id_i: Option<Id<'static>>,
    /// Responder identity (IDr); DHHMAC requires it (RFC 4650 §3).
    pub id_r: Option<Id<'static>>,
    /// Crypto sessions (SRTP-ID map; SSRC 0 lets the responder fill it in).
    pub crypto_sessions: Vec<SrtpCs>,
    /// Security policies (SP payloads).
    pub policies: Vec<SecurityPolicy<'static>>,
    /// Timestamp type: NTP-UTC (default), NTP or COUNTER.
    pub ts_type: TsType,
    /// RAND length in bytes (RFC 3830 §6.11: at least 16).
    pub rand_len: u8,
}

impl Default for DhConfig {
    fn default() -> Self {
        Self {
            csb_id: None,
            prf: PrfFunc::Mikey1,
            group: DhGroup::Oakley5,
            kv: KeyValidity::Null,
            id_i: None,
            id_r: None,
            crypto_sessions: Vec::new(),
            policies: Vec::new(),
            ts_type: TsType::NtpUtc,
            rand_len: 16,
        }
    }
}

/// Responder settings of both DH modes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DhResponderConfig {
    /// Timestamp acceptance (RFC 3830 §5.4). `allow_missing_rand` does not apply: the DH
    /// modes need RAND for TEK derivation.
    pub timestamps: TimestampPolicy,
    /// Maximum number of messages the replay cache remembers.
    pub replay_capacity: usize,
    /// Maximum number of crypto session bundles kept (new CSBs are refused beyond it).
    pub max_bundles: usize,
    /// Answer rejected messages with an (unauthenticated) Error message (RFC 3830 §5.1.2).
    pub send_errors: bool,
    /// Our identity, sent as IDr in responses.
    pub id_r: Option<Id<'static>>,
    /// SSRCs of our streams, used in order to fill crypto sessions whose SSRC is 0.
    pub local_ssrcs: Vec<u32>,
    /// Parse leniently (see [`Quirk`](crate::wire::Quirk)); in DHHMAC also accept an
    /// I_MESSAGE without IDr (as the `mykey` crate sends).
    pub lenient: bool,
    /// Accepted DH groups; others get "Invalid DH" (RFC 3830 §6.12). OAKLEY 5 and 2 by
    /// default: the 768-bit OAKLEY 1 must be enabled explicitly.
    pub groups: Vec<DhGroup>,
}

impl Default for DhResponderConfig {
    fn default() -> Self {
        Self {
            timestamps: TimestampPolicy::default(),
            replay_capacity: 4096,
            max_bundles: 1024,
            send_errors: true,
            id_r: None,
            local_ssrcs: Vec::new(),
            lenient: false,
            groups: vec![DhGroup::Oakley5, DhGroup::Oakley2],
        }
    }
}

/// The responder's answer was authenticated and the TGK (if the exchange carried DH values)
/// computed: the initiator's bundle is up to date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Established {
    /// CSB ID.
    pub csb_id: u32,
    /// True when a new TGK was agreed (initial exchange or re-keying, RFC 4650 §3.1 a).
    pub rekeyed: bool,
    /// What changed in the bundle.
    pub change: BundleChange,
    /// SSRCs the responder filled in (CS ID, SSRC).
    pub ssrcs_filled: Vec<(u8, u32)>,
}

/// The two DH modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// RFC 3830 §3.3.
    Sign,
    /// RFC 4650.
    Hmac,
}

impl Flavor {
    fn init(self) -> DataType {
        match self {
            Flavor::Sign => DataType::DhInit,
            Flavor::Hmac => DataType::DhHmacInit,
        }
    }

    fn resp(self) -> DataType {
        match self {
            Flavor::Sign => DataType::DhResp,
            Flavor::Hmac => DataType::DhHmacResp,
        }
    }
}

/// The authentication payload of a DH message.
pub(crate) enum AuthPart<'a> {
    Sign(Sign<'a>),
    Kemac(Kemac<'a>),
}

/// The payloads of a DH message, checked for shape.
pub(crate) struct Parts<'a> {
    pub t: Timestamp,
    pub rand: Option<Data<'a>>,
    /// ID payloads in order, each with whether a CERT came before it.
    pub ids: Vec<(Id<'a>, bool)>,
    pub certs: Vec<Data<'a>>,
    pub policies: Vec<SecurityPolicy<'static>>,
    pub dh: Vec<Dh<'a>>,
    pub auth: AuthPart<'a>,
}

/// Walks the payloads: only those the mode allows (RFC 3830 §3.3; RFC 4650 §4.1 Table
/// 4.1.b), the authentication payload last.
pub(crate) fn parse_parts<'a>(
    view: &MessageView<'a>,
    flavor: Flavor,
) -> Result<Parts<'a>, SessionError> {
    let mut t = None;
    let mut rand = None;
    let mut ids = Vec::new();
    let mut certs = Vec::new();
    let mut policies = Vec::new();
    let mut dh = Vec::new();
    let mut auth = None;
    for p in view.payloads() {
        if auth.is_some() {
            return Err(SessionError::MissingPayload(
                "authentication payload (must be last)",
            ));
        }
        match (p, flavor) {
            (Payload::T(x), _) if t.is_none() => t = Some(x),
            (Payload::Rand(r), _) if rand.is_none() => rand = Some(r.rand),
            (Payload::Id(i), _) => ids.push((i, !certs.is_empty())),
            (Payload::Cert(c), Flavor::Sign) => certs.push(c.data),
            (Payload::Sp(s), _) => policies.push(s.into_owned()),
            (Payload::Dh(d), _) => dh.push(d),
            (Payload::GenExt(_), _) => {}
            (Payload::Sign(s), Flavor::Sign) => auth = Some(AuthPart::Sign(s)),
            (Payload::Kemac(k), Flavor::Hmac) => auth = Some(AuthPart::Kemac(k)),
            _ => {
                return Err(SessionError::MissingPayload(match flavor {
                    Flavor::Sign => "unexpected payload in a DH message",
                    Flavor::Hmac => "unexpected payload in a DHHMAC message",
                }))
            }
        }
    }
    Ok(Parts {
        t: t.ok_or_else(|| SessionError::MissingPayload("T"))?,
        rand,
        ids,
        certs,
        policies,
        dh,
        auth: auth.ok_or_else(|| {
            SessionError::MissingPayload(match flavor {
                Flavor::Sign => "SIGN",
                Flavor::Hmac => "KEMAC",
            })
        })?,
    })
}

/// The group of a DH payload, if this side accepts it.
fn accepted_group(
    g: DhGroup,
    allowed: &[DhGroup],
) -> Result<&'static crate::crypto::dh::ModpGroup, SessionError> {
    match group(g) {
        Some(m) if allowed.contains(&g) => Ok(m),
        _ => Err(SessionError::InvalidDh(format!("group {g} not accepted"))),
    }
}

fn dh_payload<'a>(group: DhGroup, value: &[u8], kv: KeyValidity<'a>) -> Dh<'a> {
    Dh {
        group,
        value: Cow::Owned(value.to_vec()),
        reserved: 0,
        kv,
    }
}

fn tgk_key(secret: crate::crypto::SecretBytes, kv: KeyValidity<'static>) -> TransportKey {
    TransportKey {
        key_type: KeyDataType::Tgk,
        key: secret,
        salt: None,
        kv,
    }
}

// ---------------------------------------------------------------------------------------
// Initiator

/// What an initiator sent and waits an answer for.
pub(crate) struct Pending {
    pub t: Timestamp,
    pub csb_id: u32,
    pub rand: Vec<u8>,
    keypair: Option<DhKeyPair>,
    dhi: Option<Dh<'static>>,
    cs_map: SrtpIdMap<'static>,
    policies: Vec<SecurityPolicy<'static>>,
    sent_id_i: Option<Vec<u8>>,
}

/// The initiator side of both modes, without authentication.
pub(crate) struct InitiatorCore {
    pub cfg: DhConfig,
    pub provider: Arc<dyn CryptoProvider>,
    pub bundle: Option<CryptoSessionBundle>,
    pub pending: Option<Pending>,
    counter: u32,
    flavor: Flavor,
}

impl core::fmt::Debug for InitiatorCore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DhInitiator")
            .field("flavor", &self.flavor)
            .field("cfg", &self.cfg)
            .field("bundle", &self.bundle)
            .field("pending", &self.pending.is_some())
            .finish()
    }
}

/// What the initiator learned from a response, before authentication.
pub(crate) struct ResponseIds {
    /// The IDr the response carries.
    pub id_r: Option<Vec<u8>>,
}

impl InitiatorCore {
    pub fn new(cfg: DhConfig, flavor: Flavor) -> Self {
        Self {
            cfg,
            provider: Arc::new(RustCryptoProvider),
            bundle: None,
            pending: None,
            counter: 0,
            flavor,
        }
    }

    /// Builds the I_MESSAGE up to the authentication payload: the first message (with RAND
    /// and DHi) when `update` is false, an update (no RAND; DHi when `fresh_dh`) otherwise.
    /// `identity` adds the initiator's CERT payloads after IDi. The caller seals the message
    /// and then stores the returned [`Pending`].
    pub fn draft(
        &mut self,
        update: bool,
        fresh_dh: bool,
        now: Duration,
        rng: &mut dyn Entropy,
        certs: &[Vec<u8>],
    ) -> Result<(Message<'static>, Pending), SessionError> {
        match (&self.bundle, update) {
            (Some(_), false) => {
                return Err(SessionError::WrongState(
                    "already established: send an update",
                ))
            }
            (None, true) => return Err(SessionError::WrongState("no exchange to update yet")),
            _ => {}
        }
        prf_of(self.cfg.prf)?;
        let modp = group(self.cfg.group)
            .ok_or_else(|| SessionError::InvalidDh(format!("group {}", self.cfg.group)))?;
        if self.flavor == Flavor::Hmac && self.cfg.id_r.is_none() {
            return Err(SessionError::MissingPayload(
                "IDr (RFC 4650 §3: the initiator always includes it)",
            ));
        }
        if !update && self.cfg.rand_len < 16 {
            return Err(SessionError::Unspecified(
                "RAND must be at least 16 bytes (RFC 3830 §6.11)".into(),
            ));
        }
        let mut counter = self.counter;
        let t = new_timestamp(self.cfg.ts_type, now, &mut counter)?;
        let (csb_id, rand) = match &self.bundle {
            Some(b) => (b.csb_id, b.rand.clone()),
            None => {
                let csb_id = match self.cfg.csb_id {
                    Some(c) => c,
                    None => {
                        let mut b = [0u8; 4];
                        rng.fill(&mut b);
                        u32::from_be_bytes(b)
                    }
                };
                let mut r = vec![0u8; self.cfg.rand_len as usize];
                rng.fill(&mut r);
                (csb_id, r)
            }
        };
        let cs_map = outgoing_cs_map(&self.cfg.crypto_sessions, self.bundle.as_ref());
        let mut h = Header::new(self.flavor.init(), csb_id);
        h.prf = self.cfg.prf;
        h.cs_map = CsIdMap::SrtpId(cs_map.clone());
        let mut m = Message::new(h).with(Payload::T(t));
        if !update {
            m.payloads.push(Payload::Rand(crate::wire::Rand {
                rand: Cow::Owned(rand.clone()),
            }));
        }
        if let Some(id) = &self.cfg.id_i {
            m.payloads.push(Payload::Id(id.clone()));
        }
        for c in certs {
            m.payloads.push(Payload::Cert(crate::wire::Cert {
                cert_type: crate::wire::CertType::X509v3Sign,
                data: Cow::Owned(c.clone()),
            }));
        }
        if let Some(id) = &self.cfg.id_r {
            m.payloads.push(Payload::Id(id.clone()));
        }
        for sp in &self.cfg.policies {
            m.payloads.push(Payload::Sp(sp.clone()));
        }
        let (keypair, dhi) = if !update || fresh_dh {
            let kp = DhKeyPair::generate(modp, self.provider.as_ref(), rng)
                .map_err(|e| SessionError::InvalidDh(e.to_string()))?;
            let dhi = dh_payload(self.cfg.group, kp.public_value(), self.cfg.kv.clone());
            m.payloads.push(Payload::Dh(dhi.clone()));
            (Some(kp), Some(dhi))
        } else {
            (None, None)
        };
        self.counter = counter;
        Ok((
            m,
            Pending {
                t,
                csb_id,
                rand,
                keypair,
                dhi,
                cs_map,
                policies: self.cfg.policies.clone(),
                sent_id_i: self.cfg.id_i.as_ref().map(|i| i.data.to_vec()),
            },
        ))
    }

    /// Checks a response up to its authentication: data type (an Error message becomes
    /// [`SessionError::PeerError`]), CSB ID, timestamp, identities, and the DH payloads
    /// (DHr then our own DHi, RFC 3830 §3.3, §4.5).
    pub fn check_response<'a>(
        &self,
        view: &MessageView<'a>,
    ) -> Result<(Parts<'a>, ResponseIds), SessionError> {
        let pending = self
            .pending
            .as_ref()
            .ok_or_else(|| SessionError::WrongState("no message awaiting a response"))?;
        let h = view.header();
        if h.csb_id != pending.csb_id {
            return Err(SessionError::UnknownCsb(h.csb_id));
        }
        if h.data_type == DataType::Error {
            let errs: Vec<ErrorNo> = view
                .payloads()
                .filter_map(|p| match p {
                    Payload::Err(e) => Some(e.error_no),
                    _ => None,
                })
                .collect();
            return Err(SessionError::PeerError(errs));
        }
        if h.data_type != self.flavor.resp() {
            return Err(SessionError::UnexpectedDataType(h.data_type.to_wire()));
        }
        let parts = parse_parts(view, self.flavor)?;
        if parts.t != pending.t {
            return Err(SessionError::InvalidTimestamp);
        }
        if parts.rand.is_some() {
            return Err(SessionError::MissingPayload(
                "RAND (not allowed in R_MESSAGE)",
            ));
        }
        // [IDr], IDi: the last ID is IDi when we sent one (DHHMAC: always, RFC 4650 §3).
        let (id_r, id_i): (Option<&[u8]>, Option<&[u8]>) = match parts.ids.as_slice() {
            [] => (None, None),
            [(a, _)] if pending.sent_id_i.is_some() || self.flavor == Flavor::Hmac => {
                (None, Some(&a.data))
            }
            [(a, _)] => (Some(&a.data), None),
            [(a, _), (b, _)] => (Some(&a.data), Some(&b.data)),
            _ => return Err(SessionError::MissingPayload("ID (more than IDr and IDi)")),
        };
        if let Some(sent) = &pending.sent_id_i {
            match id_i {
                None => return Err(SessionError::MissingPayload("IDi")),
                Some(got) if got != sent.as_slice() => return Err(SessionError::AuthFailure),
                _ => {}
            }
        }
        let id_r = id_r.map(<[u8]>::to_vec);
        match (&pending.dhi, parts.dh.as_slice()) {
            (None, []) => {}
            (Some(ours), [dhr, dhi]) => {
                if dhi != ours || dhr.group != ours.group {
                    return Err(SessionError::AuthFailure);
                }
            }
            (Some(_), _) => return Err(SessionError::MissingPayload("DHr, DHi")),
            (None, _) => {
                return Err(SessionError::MissingPayload(
                    "DH (not allowed when the update carried no DHi, RFC 3830 §4.5)",
                ))
            }
        }
        Ok((parts, ResponseIds { id_r }))
    }

    /// After authentication: checks DHr, computes the TGK and commits the bundle.
    pub fn finish(
        &mut self,
        view: &MessageView<'_>,
        parts: &Parts<'_>,
    ) -> Result<Established, SessionError> {
        let pending = self
            .pending
            .as_ref()
            .ok_or_else(|| SessionError::WrongState("no message awaiting a response"))?;
        let new_key = match (&pending.keypair, parts.dh.first(), &pending.dhi) {
            (Some(kp), Some(dhr), Some(dhi)) => {
                let secret = kp
                    .agree(&dhr.value, self.provider.as_ref())
                    .map_err(|e| SessionError::InvalidDh(e.to_string()))?;
                Some(tgk_key(secret, dhi.kv.clone().into_owned()))
            }
            _ => None,
        };
        let h = view.header();
        let mut cs_map = CsIdMap::SrtpId(pending.cs_map.clone());
        let filled = filled_ssrcs(&h.cs_map, &cs_map);
        apply_ssrcs(&mut cs_map, &filled);
        let rekeyed = new_key.is_some();
        let mut bundle = match &self.bundle {
            Some(b) => b.clone(),
            None => CryptoSessionBundle {
                csb_id: pending.csb_id,
                prf: self.cfg.prf,
                rand: pending.rand.clone(),
                cs_map: CsIdMap::SrtpId(SrtpIdMap::default()),
                policies: Vec::new(),
                keys: Vec::new(),
                gstreamer_auth_key_len: false,
            },
        };
        let mut change = bundle.update(
            Some(cs_map),
            pending.policies.clone(),
            new_key.into_iter().collect(),
        );
        change.created = self.bundle.is_none();
        let csb_id = bundle.csb_id;
        self.bundle = Some(bundle);
        self.pending = None;
        Ok(Established {
            csb_id,
            rekeyed,
            change,
            ssrcs_filled: filled,
        })
    }

    pub fn srtp(&self) -> Result<Vec<SrtpParams>, SessionError> {
        export(
            self.bundle
                .as_ref()
                .ok_or_else(|| SessionError::WrongState("no bundle yet"))?,
        )
    }
}

// ---------------------------------------------------------------------------------------
// Responder

/// An I_MESSAGE that passed the cheap checks.
pub(crate) struct Incoming<'v, 'a, B> {
    pub view: &'v MessageView<'a>,
    pub parts: &'v Parts<'a>,
    pub id_i: Option<&'v Id<'a>>,
    pub id_r: Option<&'v Id<'a>>,
    pub rand: &'v [u8],
    /// The binding of the existing bundle with this CSB ID (an update or a restart).
    pub existing: Option<&'v B>,
    pub is_update: bool,
}

/// What a mode adds to the shared responder: its checks and its authentication. `B` is
/// what binds a bundle to its peer (the PSK, or the peer's public key).
pub(crate) trait ResponderAuth<B> {
    /// Algorithm checks on the authentication payload (no cryptography).
    fn check_algorithms(&self, parts: &Parts<'_>) -> Result<(), SessionError>;
    /// Verifies the MAC or signature (public-key operations only); returns the binding.
    fn authenticate(&self, m: &Incoming<'_, '_, B>) -> Result<B, SessionError>;
    /// CERT payloads to add after IDr.
    fn certs(&self) -> &[Vec<u8>];
    /// Appends the authentication payload and fills it in.
    fn seal(
        &self,
        msg: Message<'_>,
        binding: &B,
        m: &Incoming<'_, '_, B>,
        rng: &mut dyn Entropy,
    ) -> Result<Vec<u8>, SessionError>;
}

/// The responder side of both modes, without authentication.
pub(crate) struct ResponderCore<B> {
    pub cfg: DhResponderConfig,
    pub provider: Arc<dyn CryptoProvider>,
    pub replay: ReplayCache,
    pub bundles: HashMap<u32, (CryptoSessionBundle, B)>,
    counters: HashMap<Vec<u8>, u64>,
    flavor: Flavor,
}

impl<B> core::fmt::Debug for ResponderCore<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DhResponder")
            .field("flavor", &self.flavor)
            .field("cfg", &self.cfg)
            .field("bundles", &self.bundles.len())
            .field("replay", &self.replay.len())
            .finish()
    }
}

impl<B: Clone + PartialEq> ResponderCore<B> {
    pub fn new(cfg: DhResponderConfig, flavor: Flavor) -> Self {
        Self {
            replay: ReplayCache::new(cfg.replay_capacity),
            cfg,
            provider: Arc::new(RustCryptoProvider),
            bundles: HashMap::new(),
            counters: HashMap::new(),
            flavor,
        }
    }

    pub fn srtp(&self, csb_id: u32) -> Result<Vec<SrtpParams>, SessionError> {
        export(
            &self
                .bundles
                .get(&csb_id)
                .ok_or_else(|| SessionError::UnknownCsb(csb_id))?
                .0,
        )
    }

    fn error_response(
        &self,
        e: &SessionError,
        header: &Header<'_>,
        t: Option<Timestamp>,
    ) -> Option<Vec<u8>> {
        if !self.cfg.send_errors
            || matches!(
                e,
                SessionError::Replay | SessionError::ReplayCacheFull | SessionError::Parse(_)
            )
        {
            return None;
        }
        Some(error_message(
            header.csb_id,
            header.prf,
            header.cs_map.clone().into_owned(),
            t.unwrap_or(Timestamp::ntp_utc(0)),
            &[e.error_no()],
            self.cfg.id_r.clone(),
            None,
        ))
    }

    pub fn handle(
        &mut self,
        bytes: &[u8],
        now: Duration,
        rng: &mut dyn Entropy,
        auth: &dyn ResponderAuth<B>,
    ) -> Result<Accepted, Rejected> {
        let opts = if self.cfg.lenient {
            ParseOptions::LENIENT
        } else {
            ParseOptions::STRICT
        };
        let view = match MessageView::parse_with(bytes, opts) {
            Ok(v) => v,
            Err(e) => {
                let salvaged =
                    salvage_header(bytes, opts).filter(|(h, _)| h.data_type == self.flavor.init());
                let Some((h, t)) = salvaged else {
                    return Err(Rejected {
                        error: e.into(),
                        response: None,
                    });
                };
                // An unknown group stops the parser (RFC 3830 §6.4): answer "Invalid DH".
                if let Some(g) = is_unknown_dh_group(&e) {
                    let error = SessionError::InvalidDh(format!(
                        "group {} not supported",
                        DhGroup::from_wire(g)
                    ));
                    let response = self.error_response(&error, &h, t);
                    return Err(Rejected { error, response });
                }
                // DHHMAC answers decoding errors too (RFC 4650 §4.1).
                let error = SessionError::Parse(e);
                let response = (self.flavor == Flavor::Hmac && self.cfg.send_errors).then(|| {
                    error_message(
                        h.csb_id,
                        h.prf,
                        h.cs_map.clone(),
                        t.unwrap_or(Timestamp::ntp_utc(0)),
                        &[ErrorNo::Unspecified],
                        self.cfg.id_r.clone(),
                        None,
                    )
                });
                return Err(Rejected { error, response });
            }
        };
        let mut t = None;
        match self.process(&view, now, rng, auth, &mut t) {
            Ok(a) => Ok(a),
            Err(error) => {
                let response = self.error_response(&error, view.header(), t);
                Err(Rejected { error, response })
            }
        }
    }

    fn process(
        &mut self,
        view: &MessageView<'_>,
        now: Duration,
        rng: &mut dyn Entropy,
        auth: &dyn ResponderAuth<B>,
        t_out: &mut Option<Timestamp>,
    ) -> Result<Accepted, SessionError> {
        let h = view.header();
        if h.data_type != self.flavor.init() {
            return Err(SessionError::UnexpectedDataType(h.data_type.to_wire()));
        }
        // Shape.
        let parts = parse_parts(view, self.flavor)?;
        *t_out = Some(parts.t);
        let (id_i, id_r) = match self.flavor {
            // [IDi|CERTi], [IDr]: an ID after a CERT is IDr.
            Flavor::Sign => match parts.ids.as_slice() {
                [] => (None, None),
                [(a, true)] => (None, Some(a)),
                [(a, false)] => (Some(a), None),
                [(a, false), (b, _)] => (Some(a), Some(b)),
                _ => return Err(SessionError::MissingPayload("ID (more than IDi and IDr)")),
            },
            // [IDi], IDr (RFC 4650 §3).
            Flavor::Hmac => match parts.ids.as_slice() {
                [] if self.cfg.lenient => (None, None),
                [] => return Err(SessionError::MissingPayload("IDr")),
                [(a, _)] => (None, Some(a)),
                [(a, _), (b, _)] => (Some(a), Some(b)),
                _ => return Err(SessionError::MissingPayload("ID (more than IDi and IDr)")),
            },
        };
        let dhi = match parts.dh.as_slice() {
            [] => None,
            [d] => Some(d),
            _ => return Err(SessionError::MissingPayload("DH (only DHi)")),
        };
        // Algorithms and group.
        prf_of(h.prf)?;
        auth.check_algorithms(&parts)?;
        let modp = match dhi {
            Some(d) => Some(accepted_group(d.group, &self.cfg.groups)?),
            None => None,
        };
        for sp in &parts.policies {
            if sp.prot_type != crate::wire::ProtType::Srtp {
                return Err(SessionError::InvalidSp(sp.prot_type.to_wire()));
            }
        }
        // Timestamp.
        let counter_key = id_i.map(|i| i.data.to_vec()).unwrap_or_default();
        let expires = check_timestamp(
            &parts.t,
            now,
            &self.cfg.timestamps,
            self.counters.get(&counter_key).copied(),
        )?;
        // Initial exchange or update (RFC 3830 §4.5).
        let existing = self.bundles.get(&h.csb_id);
        let is_update = parts.rand.is_none();
        let rand: Vec<u8> = match (&parts.rand, existing) {
            (Some(r), _) => r.to_vec(),
            (None, Some((b, _))) => b.rand.clone(),
            (None, None) => return Err(SessionError::MissingPayload("RAND")),
        };
        if !is_update && dhi.is_none() {
            return Err(SessionError::MissingPayload("DHi"));
        }
        if existing.is_none() && self.bundles.len() >= self.cfg.max_bundles {
            return Err(SessionError::Unspecified(
                "too many crypto session bundles".into(),
            ));
        }
        // Replay cache.
        let d = digest(view.as_bytes());
        match self.replay.check(&d, now.as_secs()) {
            ReplayVerdict::Fresh => {}
            ReplayVerdict::Replayed => return Err(SessionError::Replay),
            ReplayVerdict::Full => return Err(SessionError::ReplayCacheFull),
        }
        // Authentication (MAC or signature verification: no private-key operation).
        let incoming = Incoming {
            view,
            parts: &parts,
            id_i,
            id_r,
            rand: &rand,
            existing: existing.map(|(_, b)| b),
            is_update,
        };
        let binding = auth.authenticate(&incoming)?;
        if existing.is_some_and(|(_, b)| *b != binding) {
            // The CSB ID belongs to another peer.
            return Err(SessionError::AuthFailure);
        }
        // The peer's value (RFC 2631 §2.1.5), still before any exponentiation.
        if let (Some(d), Some(m)) = (dhi, modp) {
            m.check_public(&d.value)
                .map_err(|e| SessionError::InvalidDh(e.to_string()))?;
        }
        self.replay.insert(d, expires, now.as_secs());
        // The bundle as it will be.
        let mut cs_map = h.cs_map.clone().into_owned();
        fill_ssrcs(&mut cs_map, &self.cfg.local_ssrcs);
        let mut candidate = match existing {
            Some((b, _)) if is_update => b.clone(),
            _ => CryptoSessionBundle {
                csb_id: h.csb_id,
                prf: h.prf,
                rand: rand.clone(),
                cs_map: CsIdMap::SrtpId(SrtpIdMap::default()),
                policies: Vec::new(),
                keys: Vec::new(),
                gstreamer_auth_key_len: false,
            },
        };
        // Our half and the TGK (the only exponentiations).
        let (dhr, key) = match (dhi, modp) {
            (Some(d), Some(m)) => {
                let kp = DhKeyPair::generate(m, self.provider.as_ref(), rng)
                    .map_err(|e| SessionError::InvalidDh(e.to_string()))?;
                let secret = kp
                    .agree(&d.value, self.provider.as_ref())
                    .map_err(|e| SessionError::InvalidDh(e.to_string()))?;
                (
                    Some(dh_payload(d.group, kp.public_value(), d.kv.clone())),
                    Some(tgk_key(secret, d.kv.clone().into_owned())),
                )
            }
            _ => (None, None),
        };
        let mut change = candidate.update(
            Some(cs_map.clone()),
            parts.policies.clone(),
            key.into_iter().collect(),
        );
        change.created = !is_update;
        export(&candidate)?;
        // R_MESSAGE = HDR, T, [IDr|CERTr], IDi, [DHr, DHi], auth.
        let mut rh = Header::new(self.flavor.resp(), h.csb_id);
        rh.prf = h.prf;
        rh.cs_map = cs_map;
        let mut m = Message::new(rh).with(Payload::T(parts.t));
        if let Some(id) = &self.cfg.id_r {
            m.payloads.push(Payload::Id(id.clone()));
        }
        for c in auth.certs() {
            m.payloads.push(Payload::Cert(crate::wire::Cert {
                cert_type: crate::wire::CertType::X509v3Sign,
                data: Cow::Owned(c.clone()),
            }));
        }
        // IDi as received (RFC 3830 §3.3; RFC 4650 §3 asks for it even when the I_MESSAGE
        // had none, but then this side does not know it).
        if let Some(id) = id_i {
            m.payloads.push(Payload::Id(id.clone().into_owned()));
        }
        if let (Some(dhr), Some(dhi)) = (dhr, dhi) {
            m.payloads.push(Payload::Dh(dhr));
            m.payloads.push(Payload::Dh(dhi.clone()));
        }
        let response = auth.seal(m, &binding, &incoming, rng)?;
        // Accepted: commit.
        if parts.t.ts_type == TsType::Counter {
            self.counters.insert(counter_key, parts.t.value);
        }
        self.bundles.insert(h.csb_id, (candidate, binding));
        Ok(Accepted {
            csb_id: h.csb_id,
            change,
            response: Some(response),
            quirks: view.quirks(),
        })
    }
}
