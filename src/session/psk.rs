//! The pre-shared key method, RFC 3830 §3.1:
//!
//! ```text
//! Initiator                                   Responder
//! I_MESSAGE = HDR, T, RAND, [IDi], [IDr], {SP}, KEMAC  --->
//!                                       [<---]  R_MESSAGE = HDR, T, [IDr], V
//! ```
//! KEMAC = E(encr_key, {TGK}) || MAC, with keys derived from the PSK (§4.1.4); the MAC
//! covers the whole message up to the MAC field (§5.2). Updates (§4.5) reuse the CSB ID
//! and the first exchange's RAND, and carry no RAND.
//!
//! ```
//! use mikey::session::{PskConfig, PskInitiator, PskResponder, ResponderConfig, TransportKey, OsEntropy};
//! use mikey::wire::SrtpCs;
//! use core::time::Duration;
//!
//! let psk = [7u8; 16];
//! let now = Duration::from_secs(1_800_000_000);
//! let cfg = PskConfig { v: true, crypto_sessions: vec![SrtpCs { policy_no: 0, ssrc: 0x1234, roc: 0 }], ..PskConfig::default() };
//! let mut initiator = PskInitiator::new(&psk, cfg);
//! let i_message = initiator.initiate(vec![TransportKey::tgk(&[9u8; 16])], now, &mut OsEntropy).unwrap();
//!
//! let mut responder = PskResponder::new(mikey::crypto::SecretBytes::from_slice(&psk), ResponderConfig::default());
//! let accepted = responder.handle(&i_message, now).unwrap();
//! let verified = initiator.handle_response(accepted.response.as_deref().unwrap(), now).unwrap();
//! assert_eq!(verified.csb_id, accepted.csb_id);
//! let a = initiator.srtp().unwrap();
//! let b = responder.srtp(accepted.csb_id).unwrap();
//! assert_eq!(a[0].master_key, b[0].master_key);
//! ```

use super::common::export;
use super::common::{
    check_policies, check_response, check_timestamp, cipher_of, fill_ssrcs, mac_of,
    mac_placeholder, new_timestamp, outgoing_cs_map, prf_of, seal_with_v, ts_bytes, ErrCtx,
    ResponseAuth, ResponseCheck,
};
use super::replay::{replay_key, ReplayCache, ReplayVerdict};
use super::{Entropy, SessionError, TimestampPolicy};
use crate::bundle::{encode_keys, BundleChange, CryptoSessionBundle, TransportKey};
use crate::crypto::{self, KemacCipher, MacKind, MessageKeys, SecretBytes};
use crate::srtp::export::{check as check_export, SrtpParams};
use crate::wire::{
    CsIdMap, DataType, EncrAlg, Header, Id, IdType, Kemac, KeyDataList, MacAlg, MessageView,
    ParseOptions, Payload, PayloadBody, PayloadType, PrfFunc, Quirk, Quirks, Rand, SecurityPolicy,
    SrtpCs, SrtpIdMap, Timestamp, TsType,
};
use core::time::Duration;
use std::borrow::Cow;
use std::collections::HashMap;

/// Initiator settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PskConfig {
    /// CSB ID; random when `None` (RFC 3830 §6.1 recommends a random one).
    pub csb_id: Option<u32>,
    /// PRF (MIKEY-1 or PRF-HMAC-SHA-256).
    pub prf: PrfFunc,
    /// KEMAC encryption (AES-CM-128 by default; NULL only for the RTSP/ONVIF "MIKEY-NULL"
    /// profile over TLS).
    pub encr: EncrAlg,
    /// KEMAC MAC (HMAC-SHA-1-160 by default).
    pub mac: MacAlg,
    /// Ask for a verification message.
    pub v: bool,
    /// Initiator identity sent in an ID payload.
    pub id_i: Option<Id<'static>>,
    /// Responder identity sent in an ID payload.
    pub id_r: Option<Id<'static>>,
    /// Crypto sessions (SRTP-ID map; SSRC 0 lets the responder fill it in).
    pub crypto_sessions: Vec<SrtpCs>,
    /// Security policies (SP payloads).
    pub policies: Vec<SecurityPolicy<'static>>,
    /// Timestamp type: NTP-UTC (default), NTP or COUNTER.
    pub ts_type: TsType,
    /// RAND length in bytes (RFC 3830 §6.11: at least 16).
    pub rand_len: u8,
    /// A given RAND instead of a fresh one: a group controller sends the same RAND to every
    /// member of a CSB (RFC 3830 §6.11, §8.1).
    pub rand: Option<Vec<u8>>,
}

impl Default for PskConfig {
    fn default() -> Self {
        Self {
            csb_id: None,
            prf: PrfFunc::Mikey1,
            encr: EncrAlg::AesCm128,
            mac: MacAlg::HmacSha1_160,
            v: false,
            id_i: None,
            id_r: None,
            crypto_sessions: Vec::new(),
            policies: Vec::new(),
            ts_type: TsType::NtpUtc,
            rand_len: 16,
            rand: None,
        }
    }
}

/// Where a responder finds the pre-shared key of an initiator.
pub trait PskStore {
    /// The PSK for the identities the message carries (ID data, when present).
    fn lookup(&self, id_i: Option<&[u8]>, id_r: Option<&[u8]>) -> Option<SecretBytes>;
}

impl PskStore for SecretBytes {
    fn lookup(&self, _: Option<&[u8]>, _: Option<&[u8]>) -> Option<SecretBytes> {
        Some(self.clone())
    }
}

/// PSKs by initiator identity (ID data of IDi).
impl PskStore for HashMap<Vec<u8>, SecretBytes> {
    fn lookup(&self, id_i: Option<&[u8]>, _: Option<&[u8]>) -> Option<SecretBytes> {
        self.get(id_i?).cloned()
    }
}

/// The verification message was checked: the responder holds the keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// CSB ID.
    pub csb_id: u32,
    /// SSRCs the responder filled in (CS ID, SSRC).
    pub ssrcs_filled: Vec<(u8, u32)>,
}

struct Pending {
    t: Timestamp,
    id_i: Vec<u8>,
    /// The auth key of this message (RFC 3830 §4.1.4), to check the response with.
    auth: SecretBytes,
}

/// The initiator of the pre-shared key method.
pub struct PskInitiator {
    psk: SecretBytes,
    cfg: PskConfig,
    bundle: Option<CryptoSessionBundle>,
    pending: Option<Pending>,
    counter: u32,
    confirmed: bool,
}

impl core::fmt::Debug for PskInitiator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PskInitiator")
            .field("cfg", &self.cfg)
            .field("bundle", &self.bundle)
            .field("confirmed", &self.confirmed)
            .finish()
    }
}

impl PskInitiator {
    /// An initiator with a pre-shared key.
    pub fn new(psk: &[u8], cfg: PskConfig) -> Self {
        Self {
            psk: SecretBytes::from_slice(psk),
            cfg,
            bundle: None,
            pending: None,
            counter: 0,
            confirmed: false,
        }
    }

    /// An initiator continuing an existing CSB with PSK update messages (RFC 3830 §4.5):
    /// for a CSB set up with the public-key method whose envelope key was cached (RFC 3830
    /// §3.2), `psk` is that envelope key (see [`PkInitiator::into_psk`](super::PkInitiator::into_psk)).
    /// The next [`initiate`](Self::initiate) builds an update (same CSB ID, no RAND).
    pub fn from_bundle(psk: &[u8], cfg: PskConfig, bundle: CryptoSessionBundle) -> Self {
        Self {
            psk: SecretBytes::from_slice(psk),
            cfg,
            bundle: Some(bundle),
            pending: None,
            counter: 0,
            confirmed: true,
        }
    }

    /// Continues a COUNTER timestamp sequence (updates after a public-key exchange).
    pub(crate) fn set_counter(&mut self, counter: u32) {
        self.counter = counter;
    }

    /// The crypto session bundle, once a message was built.
    pub fn bundle(&self) -> Option<&CryptoSessionBundle> {
        self.bundle.as_ref()
    }

    /// True once the responder's verification message was checked (or none was asked for).
    pub fn is_confirmed(&self) -> bool {
        self.confirmed
    }

    /// The settings (editable between updates: policies and crypto sessions of the next
    /// update come from here).
    pub fn config_mut(&mut self) -> &mut PskConfig {
        &mut self.cfg
    }

    /// Builds the I_MESSAGE carrying `keys`. The first call creates the CSB (with a fresh
    /// RAND and CSB ID); later calls build update messages (RFC 3830 §4.5: same CSB ID, new
    /// timestamp, no RAND) that add or replace keys, policies and crypto sessions.
    pub fn initiate(
        &mut self,
        keys: Vec<TransportKey>,
        now: Duration,
        rng: &mut impl Entropy,
    ) -> Result<Vec<u8>, SessionError> {
        // Unsupported algorithms are refused before any state changes.
        prf_of(self.cfg.prf)?;
        cipher_of(self.cfg.encr, true)?;
        mac_of(self.cfg.mac, true)?;
        let t = new_timestamp(self.cfg.ts_type, now, &mut self.counter)?;
        let update = self.bundle.is_some();
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
                let r = match &self.cfg.rand {
                    Some(r) => r.clone(),
                    None => {
                        let mut r = vec![0u8; self.cfg.rand_len as usize];
                        rng.fill(&mut r);
                        r
                    }
                };
                (csb_id, r)
            }
        };
        // SSRCs learned from the responder stay in later updates.
        let cs_map = outgoing_cs_map(&self.cfg.crypto_sessions, self.bundle.as_ref());
        let cs_map = CsIdMap::SrtpId(cs_map);
        let (out, auth) = build_i_message(
            &IMessage {
                csb_id,
                prf: self.cfg.prf,
                encr: self.cfg.encr,
                mac: self.cfg.mac,
                v: self.cfg.v,
                rand: &rand,
                send_rand: !update,
                id_i: id_parts(&self.cfg.id_i),
                id_r: id_parts(&self.cfg.id_r),
                policies: &self.cfg.policies,
                cs_map: &cs_map,
            },
            self.psk.as_bytes(),
            t,
            Plain::Keys(&keys),
        )?;

        let policies = self.cfg.policies.clone();
        match &mut self.bundle {
            Some(b) => {
                b.update(Some(cs_map), policies, keys);
            }
            None => {
                self.bundle = Some(CryptoSessionBundle {
                    csb_id,
                    prf: self.cfg.prf,
                    rand,
                    cs_map,
                    policies,
                    keys,
                    gstreamer_auth_key_len: false,
                })
            }
        }
        self.confirmed = !self.cfg.v;
        self.pending = Some(Pending {
            t,
            // The auth key checks the verification message (RFC 3830 §5.2).
            auth,
            id_i: self
                .cfg
                .id_i
                .as_ref()
                .map(|i| i.data.to_vec())
                .unwrap_or_default(),
        });
        Ok(out)
    }

    /// Handles the responder's answer: a verification message (checked, and SSRCs the
    /// responder filled in are taken over) or an Error message (reported as
    /// [`SessionError::PeerError`]). A message that does not verify changes nothing.
    pub fn handle_response(
        &mut self,
        bytes: &[u8],
        now: Duration,
    ) -> Result<Verified, SessionError> {
        let _ = now;
        let view = MessageView::parse(bytes)?;
        let (Some(bundle), Some(pending)) = (&self.bundle, &self.pending) else {
            return Err(SessionError::WrongState("no message awaiting a response"));
        };
        let id_r: &[u8] = self.cfg.id_r.as_ref().map_or(&[], |i| &i.data);
        let filled = check_response(
            &view,
            &ResponseCheck {
                csb_id: bundle.csb_id,
                t: pending.t,
                ver_type: DataType::PskResp,
                auth_key: pending.auth.as_bytes(),
                mac: self.cfg.mac,
                id_i: &pending.id_i,
                id_r,
                cs_map: &bundle.cs_map,
            },
        )?;
        let csb_id = bundle.csb_id;
        if let Some(CsIdMap::SrtpId(ours)) = self.bundle.as_mut().map(|b| &mut b.cs_map) {
            for (id, ssrc) in &filled {
                ours.set_ssrc(*id, *ssrc);
            }
        }
        self.confirmed = true;
        self.pending = None;
        Ok(Verified {
            csb_id,
            ssrcs_filled: filled,
        })
    }

    /// SRTP parameters of every crypto session and key.
    pub fn srtp(&self) -> Result<Vec<SrtpParams>, SessionError> {
        export(
            self.bundle
                .as_ref()
                .ok_or_else(|| SessionError::WrongState("no bundle yet"))?,
        )
    }
}

/// What a PSK I_MESSAGE carries besides its keys (RFC 3830 §3.1): everything borrowed, so a
/// group controller builds one message per member from the group's shared settings.
pub(crate) struct IMessage<'a> {
    pub csb_id: u32,
    pub prf: PrfFunc,
    pub encr: EncrAlg,
    pub mac: MacAlg,
    pub v: bool,
    /// The CSB's RAND (keys are derived from it, RFC 3830 §4.1.4).
    pub rand: &'a [u8],
    /// Send a RAND payload (initial message; updates carry none, §4.5).
    pub send_rand: bool,
    /// IDi and IDr (type, data), when sent.
    pub id_i: Option<(IdType, &'a [u8])>,
    pub id_r: Option<(IdType, &'a [u8])>,
    pub policies: &'a [SecurityPolicy<'static>],
    pub cs_map: &'a CsIdMap<'static>,
}

/// The key data a KEMAC carries (RFC 3830 §6.2, §6.13): already encoded (a group sends the
/// same to every member), or keys encoded straight into the message.
#[derive(Clone, Copy)]
pub(crate) enum Plain<'a> {
    /// An encoded key data chain.
    Encoded(&'a [u8]),
    /// Keys to encode.
    Keys(&'a [TransportKey]),
}

impl Plain<'_> {
    fn len(self) -> usize {
        match self {
            Plain::Encoded(p) => p.len(),
            Plain::Keys(k) => k.iter().map(|k| k.to_key_data().encoded_len()).sum(),
        }
    }

    fn write(self, out: &mut Vec<u8>) {
        match self {
            Plain::Encoded(p) => out.extend_from_slice(p),
            Plain::Keys(k) => crate::wire::key_data::encode_chain(
                None,
                k.iter().map(TransportKey::to_key_data),
                out,
            ),
        }
    }

    fn encoded(self) -> SecretBytes {
        match self {
            Plain::Encoded(p) => SecretBytes::from_slice(p),
            Plain::Keys(k) => encode_keys(k, None),
        }
    }
}

/// An ID payload's type and data, borrowed.
fn id_parts<'a>(id: &'a Option<Id<'static>>) -> Option<(IdType, &'a [u8])> {
    id.as_ref().map(|i| (i.id_type, &*i.data))
}

/// Builds a PSK I_MESSAGE (RFC 3830 §3.1) with timestamp `t` whose KEMAC carries the
/// encoded key data `plain` (§6.2, §6.13), encrypted and MACed with keys derived from `psk`
/// (§4.1.4); returns the message and the auth key that checks the verification message
/// (§5.2). The other message keys are zeroized when this returns.
pub(crate) fn build_i_message(
    m: &IMessage<'_>,
    psk: &[u8],
    t: Timestamp,
    plain: Plain<'_>,
) -> Result<(Vec<u8>, SecretBytes), SessionError> {
    let prf = prf_of(m.prf)?;
    let cipher = cipher_of(m.encr, true)?;
    let mac_kind = mac_of(m.mac, true)?;
    let mk = MessageKeys::derive(prf, psk, m.csb_id, m.rand, cipher, mac_kind);
    let (enc, salt) = (mk.encr.as_bytes(), mk.salt.as_bytes());
    let invalid = |e: crypto::CryptoError| SessionError::InvalidKeyData(e.to_string());
    // NULL and AES-CM keep the length: the plaintext is encoded into the message and
    // encrypted there. AES-KW (8 bytes longer) is wrapped first.
    let in_place = cipher.keeps_length();
    let wrapped = match in_place {
        true => None,
        false => Some(
            crypto::kemac::encrypt(
                cipher,
                enc,
                salt,
                m.csb_id,
                t.as_u64(),
                plain.encoded().as_bytes(),
            )
            .map_err(invalid)?,
        ),
    };
    let encr_len = wrapped.as_ref().map_or_else(|| plain.len(), Vec::len);
    if encr_len > u16::MAX as usize {
        return Err(SessionError::InvalidKeyData(
            "key data longer than 65535 bytes".into(),
        ));
    }
    // Written payload by payload, each borrowing its data (IDs, policies, CS map, key
    // data): nothing is copied first and no list of payloads is built. Next payload fields:
    // HDR -> T -> [RAND] -> {ID} -> {SP} -> KEMAC (RFC 3830 §3.1).
    let mut h = Header::new(DataType::PskInit, m.csb_id);
    h.v = m.v;
    h.prf = m.prf;
    h.cs_map = m.cs_map.borrowed();
    let rand = Rand {
        rand: Cow::Borrowed(m.rand),
    };
    let ids = [m.id_i, m.id_r].map(|i| {
        i.map(|(id_type, data)| Id {
            id_type,
            data: Cow::Borrowed(data),
        })
    });
    let n_ids = ids.iter().flatten().count();
    let mac_len = mac_kind.mac_len();
    let after_id = match m.policies.is_empty() {
        true => PayloadType::Kemac,
        false => PayloadType::Sp,
    };
    let after_rand = if n_ids > 0 { PayloadType::Id } else { after_id };
    let after_t = if m.send_rand {
        PayloadType::Rand
    } else {
        after_rand
    };
    let len = h.encoded_len()
        + t.encoded_len()
        + if m.send_rand { rand.encoded_len() } else { 0 }
        + ids.iter().flatten().map(|i| i.encoded_len()).sum::<usize>()
        + m.policies.iter().map(|p| p.encoded_len()).sum::<usize>()
        + 5
        + encr_len
        + mac_len;
    let mut out = Vec::with_capacity(len);
    h.encode(PayloadType::T, &mut out);
    t.encode(after_t, &mut out);
    if m.send_rand {
        rand.encode(after_rand, &mut out);
    }
    for (k, id) in ids.iter().flatten().enumerate() {
        let next = if k + 1 < n_ids {
            PayloadType::Id
        } else {
            after_id
        };
        id.encode(next, &mut out);
    }
    for (k, sp) in m.policies.iter().enumerate() {
        let next = match k + 1 < m.policies.len() {
            true => PayloadType::Sp,
            false => PayloadType::Kemac,
        };
        sp.encode(next, &mut out);
    }
    // KEMAC (RFC 3830 §6.2): the key data is encoded straight into the message (and
    // encrypted there below), the MAC field zero until the MAC is computed.
    let n = (encr_len as u16).to_be_bytes();
    out.extend_from_slice(&[PayloadType::Last.to_wire(), m.encr.to_wire(), n[0], n[1]]);
    let data_start = out.len();
    match &wrapped {
        Some(w) => out.extend_from_slice(w),
        None => plain.write(&mut out),
    }
    debug_assert_eq!(
        out.len() - data_start,
        encr_len,
        "Plain::len and Plain::write agree"
    );
    out.push(m.mac.to_wire());
    out.extend_from_slice(&mac_placeholder(mac_len));
    // The KEMAC is last: ... || Encr data || MAC alg || MAC (RFC 3830 §6.2).
    let body = out.len() - mac_len;
    if in_place {
        let start = body - 1 - encr_len;
        crypto::kemac::crypt_in_place(
            cipher,
            enc,
            salt,
            m.csb_id,
            t.as_u64(),
            &mut out[start..body - 1],
        )
        .map_err(|e| {
            // The plaintext keys must not outlive a failed encryption.
            zeroize::Zeroize::zeroize(&mut out);
            invalid(e)
        })?;
    }
    // RFC 3830 §5.2: the MAC covers the whole message up to the MAC field.
    let tag = crypto::kemac::mac(mac_kind, mk.auth.as_bytes(), &out[..body]);
    out[body..].copy_from_slice(tag.as_bytes());
    Ok((out, mk.auth))
}

/// Responder settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponderConfig {
    /// Timestamp and RAND acceptance.
    pub timestamps: TimestampPolicy,
    /// Maximum number of messages the replay cache remembers.
    pub replay_capacity: usize,
    /// Maximum number of crypto session bundles kept (new CSBs are refused beyond it).
    pub max_bundles: usize,
    /// Maximum number of keys one crypto session bundle holds. Every crypto session gets
    /// SRTP parameters for every key, so accepting a message costs crypto sessions × keys
    /// key derivations: a message, or an update, that would leave a bundle with more keys
    /// is refused. Without a bound, one 64 KiB MIKEY-NULL message with 13,000 TGKs and 255
    /// crypto sessions took seconds and hundreds of megabytes to accept.
    pub max_keys: usize,
    /// Accept NULL KEMAC encryption (RTSP/ONVIF over TLS). Off by default.
    pub allow_null_encryption: bool,
    /// Accept a NULL MAC (RTSP/ONVIF over TLS). Off by default.
    pub allow_null_mac: bool,
    /// Answer rejected messages with an Error message (RFC 3830 §5.1.2).
    pub send_errors: bool,
    /// Our identity, sent as IDr in responses.
    pub id_r: Option<Id<'static>>,
    /// SSRCs of our streams, used in order to fill crypto sessions whose SSRC is 0.
    pub local_ssrcs: Vec<u32>,
    /// Parse leniently (see [`Quirk`]).
    pub lenient: bool,
    /// Public-key modes: also accept SIGN payloads made with SHA-1 (RFC 3830 §6.5 does not
    /// signal the hash; SHA-256 is always tried first). Off by default.
    pub sha1_signatures: bool,
}

impl Default for ResponderConfig {
    fn default() -> Self {
        Self {
            timestamps: TimestampPolicy::default(),
            replay_capacity: 4096,
            max_bundles: 1024,
            max_keys: 64,
            allow_null_encryption: false,
            allow_null_mac: false,
            send_errors: true,
            id_r: None,
            local_ssrcs: Vec::new(),
            lenient: false,
            sha1_signatures: false,
        }
    }
}

impl ResponderConfig {
    /// The "MIKEY-NULL" profile used by RTSP(S)/ONVIF devices: NULL encryption and MAC
    /// accepted (the transport is TLS) and quirks of real devices tolerated.
    pub fn mikey_null() -> Self {
        Self {
            allow_null_encryption: true,
            allow_null_mac: true,
            lenient: true,
            ..Self::default()
        }
    }
}

/// An accepted I_MESSAGE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// CSB ID.
    pub csb_id: u32,
    /// What changed in the bundle.
    pub change: BundleChange,
    /// The verification message to send, when V was set.
    pub response: Option<Vec<u8>>,
    /// What lenient parsing tolerated.
    pub quirks: Quirks,
}

/// A rejected message: nothing changed but the replay cache (for authentic messages).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// Why.
    pub error: SessionError,
    /// The Error message to send, when configured and possible.
    pub response: Option<Vec<u8>>,
}

pub(crate) struct BundleEntry {
    pub(crate) bundle: CryptoSessionBundle,
    /// The PSK (or cached envelope key) PSK updates are checked with; `None` when PSK
    /// updates of this CSB are refused (public-key CSB without a cached envelope key).
    pub(crate) psk: Option<SecretBytes>,
}

/// The responder of the pre-shared key method. Checks run cheapest first (RFC 3830 §5.3):
/// shape, data type, algorithms, timestamp, replay cache, MAC; only then decryption.
pub struct PskResponder {
    store: Box<dyn PskStore + Send + Sync>,
    pub(crate) cfg: ResponderConfig,
    pub(crate) replay: ReplayCache,
    pub(crate) bundles: super::FastMap<u32, BundleEntry>,
    pub(crate) counters: super::FastMap<Vec<u8>, u64>,
}

impl core::fmt::Debug for PskResponder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PskResponder")
            .field("cfg", &self.cfg)
            .field("bundles", &self.bundles.len())
            .field("replay", &self.replay.len())
            .finish()
    }
}

impl PskResponder {
    /// A responder looking PSKs up in `store` (a single [`SecretBytes`] for one peer).
    pub fn new(store: impl PskStore + Send + Sync + 'static, cfg: ResponderConfig) -> Self {
        let replay = ReplayCache::new(cfg.replay_capacity);
        Self {
            store: Box::new(store),
            cfg,
            replay,
            bundles: super::FastMap::default(),
            counters: super::FastMap::default(),
        }
    }

    /// The bundle with this CSB ID.
    pub fn bundle(&self, csb_id: u32) -> Option<&CryptoSessionBundle> {
        self.bundles.get(&csb_id).map(|e| &e.bundle)
    }

    /// Retires a key of a bundle by its SPI/MKI (see [`CryptoSessionBundle::remove_key`]).
    pub fn remove_key(&mut self, csb_id: u32, mki: &[u8]) -> bool {
        self.bundles
            .get_mut(&csb_id)
            .is_some_and(|e| e.bundle.remove_key(mki))
    }

    /// Forgets a bundle (e.g. when its session ends).
    pub fn remove_bundle(&mut self, csb_id: u32) -> bool {
        self.bundles.remove(&csb_id).is_some()
    }

    /// The settings.
    pub fn config(&self) -> &ResponderConfig {
        &self.cfg
    }

    /// Replaces the SSRCs that fill crypto sessions whose SSRC is 0 in the next messages
    /// (RFC 3830 §6.1: the responder may fill in the SSRCs of its own streams). An entry 0
    /// leaves its crypto session unfilled. SDP applications take them from the answer's
    /// `a=ssrc` lines (RFC 5576), see [`crate::sdp::offer_answer`].
    pub fn set_local_ssrcs(&mut self, ssrcs: Vec<u32>) {
        self.cfg.local_ssrcs = ssrcs;
    }

    /// The replay cache (for monitoring its size).
    pub fn replay_cache(&self) -> &ReplayCache {
        &self.replay
    }

    /// SRTP parameters of a bundle.
    pub fn srtp(&self, csb_id: u32) -> Result<Vec<SrtpParams>, SessionError> {
        export(
            self.bundle(csb_id)
                .ok_or_else(|| SessionError::UnknownCsb(csb_id))?,
        )
    }

    /// Processes an I_MESSAGE received at `now`.
    pub fn handle(&mut self, bytes: &[u8], now: Duration) -> Result<Accepted, Rejected> {
        let opts = if self.cfg.lenient {
            ParseOptions::LENIENT
        } else {
            ParseOptions::STRICT
        };
        let view = MessageView::parse_with(bytes, opts).map_err(|e| Rejected {
            error: e.into(),
            response: None,
        })?;
        let mut ctx = ErrCtx {
            send_errors: self.cfg.send_errors,
            id_r: self.cfg.id_r.clone(),
            view: &view,
            auth: None,
            t: None,
        };
        match self.process(&view, now, &mut ctx) {
            Ok(a) => Ok(a),
            Err(error) => {
                let response = ctx.error_response(&error);
                Err(Rejected { error, response })
            }
        }
    }

    fn process(
        &mut self,
        view: &MessageView<'_>,
        now: Duration,
        ctx: &mut ErrCtx<'_>,
    ) -> Result<Accepted, SessionError> {
        let h = view.header();
        if h.data_type != DataType::PskInit {
            return Err(SessionError::UnexpectedDataType(h.data_type.to_wire()));
        }
        // Shape: T, [RAND], {ID}, {SP}, KEMAC last.
        // One walk over the validated message, reading fields in place.
        let mut t = None;
        let mut rand: Option<&[u8]> = None;
        let mut ids: Vec<Vec<u8>> = Vec::new();
        let mut policies = Vec::new();
        let mut kemac = None;
        for p in view.walk() {
            if kemac.is_some() {
                return Err(SessionError::MissingPayload("KEMAC (must be last)"));
            }
            match p.payload_type() {
                PayloadType::T => t = p.timestamp().or(t),
                PayloadType::Rand => rand = p.rand().or(rand),
                PayloadType::Id => {
                    if let Ok(Payload::Id(i)) = p.decode() {
                        ids.push(i.data.to_vec());
                    }
                }
                PayloadType::Sp => policies.extend(p.sp().map(|s| s.to_policy().into_owned())),
                PayloadType::Kemac => kemac = p.kemac().map(|k| k.to_kemac()),
                PayloadType::GenExt | PayloadType::Cert | PayloadType::Chash => {}
                _ => {
                    return Err(SessionError::MissingPayload(
                        "unexpected payload in a PSK message",
                    ))
                }
            }
        }
        let t = t.ok_or_else(|| SessionError::MissingPayload("T"))?;
        let kemac = kemac.ok_or_else(|| SessionError::MissingPayload("KEMAC"))?;
        ctx.t = Some(t);
        let prf = prf_of(h.prf)?;
        let cipher = cipher_of(kemac.encr_alg, self.cfg.allow_null_encryption)?;
        let mac_kind = mac_of(kemac.mac_alg, self.cfg.allow_null_mac)?;
        check_policies(&policies)?;
        let id_i = ids.first().cloned();
        let id_r = ids.get(1).cloned();
        let counter_key = id_i.clone().unwrap_or_default();
        let expires = check_timestamp(
            &t,
            now,
            &self.cfg.timestamps,
            self.counters.get(&counter_key).copied(),
        )?;
        // Initial exchange or update (RFC 3830 §4.5).
        let existing = self.bundles.get(&h.csb_id);
        let is_update = rand.is_none() && existing.is_some();
        let rand = match (rand, existing) {
            (Some(r), _) => r.to_vec(),
            (None, Some(e)) => e.bundle.rand.clone(),
            (None, None) if self.cfg.timestamps.allow_missing_rand => Vec::new(),
            (None, None) => return Err(SessionError::MissingPayload("RAND")),
        };
        if !is_update && existing.is_none() && self.bundles.len() >= self.cfg.max_bundles {
            return Err(SessionError::Unspecified(
                "too many crypto session bundles".into(),
            ));
        }
        let d = replay_key(view.as_bytes(), &kemac.mac);
        match self.replay.check(&d, now.as_secs()) {
            ReplayVerdict::Fresh => {}
            ReplayVerdict::Replayed => return Err(SessionError::Replay),
            ReplayVerdict::Full => return Err(SessionError::ReplayCacheFull),
        }
        // MAC (RFC 3830 §5.2: over the whole message except the MAC field).
        let psk = match (
            self.store.lookup(id_i.as_deref(), id_r.as_deref()),
            existing,
        ) {
            (Some(p), _) => p,
            (None, Some(e)) if is_update => {
                e.psk.clone().ok_or_else(|| SessionError::AuthFailure)?
            }
            _ => return Err(SessionError::AuthFailure),
        };
        let mut keys = MessageKeys::derive(prf, psk.as_bytes(), h.csb_id, &rand, cipher, mac_kind);
        let msg = view.as_bytes();
        let body = &msg[..msg.len() - kemac.mac.len()];
        if mac_kind != MacKind::Null
            && !crypto::kemac::verify_mac(mac_kind, keys.auth.as_bytes(), body, &kemac.mac)
        {
            return Err(SessionError::AuthFailure);
        }
        // Authenticated: the auth key moves to the error context (an Error message from here
        // on carries V, RFC 3830 §5.1.2) and the verification message borrows it from there.
        ctx.auth = Some((
            mac_kind,
            kemac.mac_alg,
            core::mem::take(&mut keys.auth),
            id_i.clone().unwrap_or_default(),
            id_r.clone().unwrap_or_default(),
        ));
        let auth_key = ctx.auth.as_ref().map_or(&[][..], |a| a.2.as_bytes());
        self.replay.insert(d, expires, now.as_secs());
        // Decrypt and check the keys and policies.
        let new_keys = decrypt_keys(cipher, &keys, h.csb_id, &t, &kemac)?;
        if new_keys.len() > self.cfg.max_keys {
            return Err(SessionError::InvalidKeyData(format!(
                "{} keys in one message, at most {} accepted",
                new_keys.len(),
                self.cfg.max_keys
            )));
        }
        if !is_update && new_keys.is_empty() {
            return Err(SessionError::InvalidKeyData(
                "no key in the initial message".into(),
            ));
        }
        if rand.is_empty() && new_keys.iter().any(|k| k.is_tgk()) {
            return Err(SessionError::MissingPayload(
                "RAND (needed to derive keys from a TGK)",
            ));
        }
        self.commit(Commit {
            view,
            t,
            rand,
            policies,
            new_keys,
            is_update,
            counter_key,
            mac_kind,
            mac_alg: kemac.mac_alg,
            auth_key,
            id_i: id_i.unwrap_or_default(),
            id_r: id_r.unwrap_or_default(),
            psk: Some(psk),
            ver_type: DataType::PskResp,
        })
    }

    /// The end of a successful exchange, shared by the PSK and public-key responders: SSRCs
    /// filled in, the bundle created or updated (RFC 3830 §4.5) and checked by an export,
    /// counters and bundle committed, the verification message built (RFC 3830 §5.2).
    pub(crate) fn commit(&mut self, c: Commit<'_, '_>) -> Result<Accepted, SessionError> {
        let view = c.view;
        let h = view.header();
        let t = c.t;
        let mut cs_map = h.cs_map.clone().into_owned();
        fill_ssrcs(&mut cs_map, &self.cfg.local_ssrcs);
        let existing = self.bundles.get(&h.csb_id);
        // A PSK CSB ID belongs to the peer that created it: another peer (another PSK) may
        // not take it over, neither by update nor by a new initial message.
        if let (Some(e), Some(new), DataType::PskResp) = (existing, &c.psk, c.ver_type) {
            if e.psk.as_ref().is_some_and(|old| !old.ct_eq(new.as_bytes())) {
                return Err(SessionError::Unspecified(format!(
                    "CSB ID {:#010x} belongs to another peer",
                    h.csb_id
                )));
            }
        }
        let mut candidate = match existing {
            Some(e) if c.is_update => e.bundle.clone(),
            _ => CryptoSessionBundle {
                csb_id: h.csb_id,
                prf: h.prf,
                rand: c.rand,
                cs_map: CsIdMap::SrtpId(SrtpIdMap::default()),
                policies: Vec::new(),
                keys: Vec::new(),
                gstreamer_auth_key_len: false,
            },
        };
        // A cached envelope key (or the PSK) stays usable for later updates.
        let psk = match (c.psk, existing) {
            (Some(p), _) => Some(p),
            (None, Some(e)) if c.is_update => e.psk.clone(),
            (None, _) => None,
        };
        candidate.gstreamer_auth_key_len |= view.quirks().contains(Quirk::SrtpAuthKeyLen10);
        // The bundle takes the message's map unless it is empty and the bundle has one
        // (`CryptoSessionBundle::update`); the answer echoes the message's map either way.
        let (to_bundle, kept) = if cs_map.count() > 0 || candidate.cs_map.count() == 0 {
            (Some(cs_map), None)
        } else {
            (None, Some(cs_map))
        };
        let mut change = candidate.update(to_bundle, c.policies, c.new_keys);
        change.created = !c.is_update;
        if candidate.keys.len() > self.cfg.max_keys {
            return Err(SessionError::InvalidKeyData(format!(
                "the bundle would hold {} keys, at most {} accepted",
                candidate.keys.len(),
                self.cfg.max_keys
            )));
        }
        check_export(&candidate)?;
        // The last COUNTER value of each initiator identity is remembered (RFC 3830 §5.4);
        // that table is bounded like the bundles: a new identity is refused rather than an
        // old one forgotten (forgetting would let its old counters be replayed).
        if t.ts_type == TsType::Counter
            && !self.counters.contains_key(&c.counter_key)
            && self.counters.len() >= self.cfg.max_bundles
        {
            return Err(SessionError::Unspecified(
                "too many COUNTER identities to remember".into(),
            ));
        }
        // Accepted: commit state, then answer.
        if t.ts_type == TsType::Counter {
            self.counters.insert(c.counter_key, t.value);
        }
        let response = h.v.then(|| {
            let mut rh = Header::new(c.ver_type, h.csb_id);
            rh.prf = h.prf;
            rh.cs_map = kept.as_ref().unwrap_or(&candidate.cs_map).borrowed();
            // HDR, T, [IDr], V (RFC 3830 §3.1).
            let t_only = [Payload::T(t)];
            let with_id;
            let (payloads, id_r_bytes): (&[Payload<'_>], &[u8]) = match &self.cfg.id_r {
                Some(id) => {
                    let id_payload = Id {
                        id_type: id.id_type,
                        data: Cow::Borrowed(&id.data),
                    };
                    with_id = [Payload::T(t), Payload::Id(id_payload)];
                    (&with_id, &id.data)
                }
                None => (&t_only, &c.id_r),
            };
            let auth = ResponseAuth {
                kind: c.mac_kind,
                alg: c.mac_alg,
                key: c.auth_key,
                id_i: &c.id_i,
                id_r: id_r_bytes,
            };
            seal_with_v(&rh, payloads, &auth, &ts_bytes(&t))
        });
        self.bundles.insert(
            h.csb_id,
            BundleEntry {
                bundle: candidate,
                psk,
            },
        );
        Ok(Accepted {
            csb_id: h.csb_id,
            change,
            response,
            quirks: view.quirks(),
        })
    }
}

/// What [`PskResponder::commit`] needs of an authenticated, decrypted message.
pub(crate) struct Commit<'v, 'a> {
    pub view: &'v MessageView<'a>,
    pub t: Timestamp,
    pub rand: Vec<u8>,
    pub policies: Vec<SecurityPolicy<'static>>,
    pub new_keys: Vec<TransportKey>,
    pub is_update: bool,
    pub counter_key: Vec<u8>,
    pub mac_kind: MacKind,
    pub mac_alg: MacAlg,
    /// The auth key of the message (RFC 3830 §4.1.4), for the verification MAC.
    pub auth_key: &'v [u8],
    pub id_i: Vec<u8>,
    pub id_r: Vec<u8>,
    /// The key later PSK updates of this CSB are checked with: the PSK, or a cached envelope
    /// key (RFC 3830 §3.2, §4.5); `None` keeps the current one on updates.
    pub psk: Option<SecretBytes>,
    pub ver_type: DataType,
}

/// Decrypts a KEMAC's key data with the message keys (RFC 3830 §4.2.3).
pub(crate) fn decrypt_keys(
    cipher: KemacCipher,
    keys: &MessageKeys,
    csb_id: u32,
    t: &Timestamp,
    kemac: &Kemac<'_>,
) -> Result<Vec<TransportKey>, SessionError> {
    Ok(decrypt_key_list(cipher, keys, csb_id, t, kemac, false)?.1)
}

/// Decrypts a KEMAC's key data (RFC 3830 §4.2.3); `with_id` for the public-key methods,
/// whose plaintext starts with the sender's ID payload (RFC 3830 §6.2, RFC 4738 §3.6).
pub(crate) fn decrypt_key_list(
    cipher: KemacCipher,
    keys: &MessageKeys,
    csb_id: u32,
    t: &Timestamp,
    kemac: &Kemac<'_>,
    with_id: bool,
) -> Result<(Option<Id<'static>>, Vec<TransportKey>), SessionError> {
    let invalid = |e: &dyn core::fmt::Display| SessionError::InvalidKeyData(e.to_string());
    let (enc, salt, t) = (keys.encr.as_bytes(), keys.salt.as_bytes(), t.as_u64());
    let data: &[u8] = &kemac.encr_data;
    // Key data of up to 128 bytes (a few keys) is decrypted in place on the stack; longer
    // key data and AES-KW (whose output is shorter) go through a heap buffer. Both are
    // zeroized when dropped.
    let mut stack = match cipher.keeps_length() {
        true => crypto::StackSecret::<128>::copy_of(data),
        false => None,
    };
    let heap;
    let plain: &[u8] = match &mut stack {
        Some(buf) => {
            let b = buf.as_mut_bytes();
            crypto::kemac::crypt_in_place(cipher, enc, salt, csb_id, t, b)
                .map_err(|e| invalid(&e))?;
            b
        }
        _ => {
            heap = crypto::kemac::decrypt(cipher, enc, salt, csb_id, t, data)
                .map_err(|e| invalid(&e))?;
            heap.as_bytes()
        }
    };
    let mut out = Vec::new();
    let id = KeyDataList::parse_each(plain, with_id, 0, |kd| {
        out.push(TransportKey::from_key_data(&kd))
    })
    .map_err(|e| invalid(&e))?;
    Ok((id.map(Id::into_owned), out))
}

/// A PSK I_MESSAGE opened with [`open_psk_message`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    /// The bundle the message describes (its keys decrypted).
    pub bundle: CryptoSessionBundle,
    /// Whether a MAC was present and verified (false for a NULL MAC or when not checked).
    pub mac_verified: bool,
}

/// Opens a PSK I_MESSAGE for diagnostics (`mikey decode --psk`), without the responder's
/// timestamp and replay checks: derives the message keys (RFC 3830 §4.1.4), verifies the
/// MAC unless `verify` is false, decrypts the KEMAC. `rand` replaces a missing RAND (for
/// update messages, the RAND of the first exchange).
pub fn open_psk_message(
    view: &MessageView<'_>,
    psk: &[u8],
    rand: Option<&[u8]>,
    verify: bool,
) -> Result<Opened, SessionError> {
    let h = view.header();
    let t = view
        .payloads()
        .find_map(|p| if let Payload::T(t) = p { Some(t) } else { None })
        .ok_or_else(|| SessionError::MissingPayload("T"))?;
    let own_rand = view.payloads().find_map(|p| {
        if let Payload::Rand(r) = p {
            Some(r.rand.to_vec())
        } else {
            None
        }
    });
    let rand = own_rand
        .or_else(|| rand.map(<[u8]>::to_vec))
        .unwrap_or_default();
    let policies: Vec<SecurityPolicy<'static>> = view
        .payloads()
        .filter_map(|p| {
            if let Payload::Sp(s) = p {
                Some(s.into_owned())
            } else {
                None
            }
        })
        .collect();
    let (_, kemac) = view
        .kemac()
        .ok_or_else(|| SessionError::MissingPayload("KEMAC"))?;
    let cipher = cipher_of(kemac.encr_alg, true)?;
    let mac_kind = mac_of(kemac.mac_alg, true)?;
    let keys = MessageKeys::derive(prf_of(h.prf)?, psk, h.csb_id, &rand, cipher, mac_kind);
    let msg = view.as_bytes();
    let mac_verified = mac_kind != MacKind::Null
        && crypto::kemac::verify_mac(
            mac_kind,
            keys.auth.as_bytes(),
            &msg[..msg.len() - kemac.mac.len()],
            &kemac.mac,
        );
    if verify && mac_kind != MacKind::Null && !mac_verified {
        return Err(SessionError::AuthFailure);
    }
    let new_keys = decrypt_keys(cipher, &keys, h.csb_id, &t, &kemac)?;
    let mut bundle = CryptoSessionBundle {
        csb_id: h.csb_id,
        prf: h.prf,
        rand,
        cs_map: CsIdMap::SrtpId(SrtpIdMap::default()),
        policies: Vec::new(),
        keys: Vec::new(),
        gstreamer_auth_key_len: view.quirks().contains(Quirk::SrtpAuthKeyLen10),
    };
    bundle.update(Some(h.cs_map.clone().into_owned()), policies, new_keys);
    Ok(Opened {
        bundle,
        mac_verified,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Duration = Duration::from_secs(1_790_000_000);

    fn null_message(
        cs: usize,
        keys: Vec<TransportKey>,
        update_of: Option<&mut PskInitiator>,
    ) -> Vec<u8> {
        let mut rng = |b: &mut [u8]| b.fill(7);
        match update_of {
            Some(i) => i.initiate(keys, NOW, &mut rng).unwrap(),
            None => {
                let cfg = PskConfig {
                    encr: EncrAlg::Null,
                    mac: MacAlg::Null,
                    crypto_sessions: (0..cs)
                        .map(|n| SrtpCs {
                            policy_no: 0,
                            ssrc: n as u32 + 1,
                            roc: 0,
                        })
                        .collect(),
                    ..PskConfig::default()
                };
                PskInitiator::new(&[], cfg)
                    .initiate(keys, NOW, &mut rng)
                    .unwrap()
            }
        }
    }

    fn tgks(n: usize, first_mki: u16) -> Vec<TransportKey> {
        (0..n)
            .map(|k| TransportKey::tgk(&[k as u8]).with_mki(&(first_mki + k as u16).to_be_bytes()))
            .collect()
    }

    /// Hostile input: one unauthenticated MIKEY-NULL message with thousands of keys and
    /// 255 crypto sessions made the responder derive crypto sessions × keys SRTP keys
    /// (seconds of work and hundreds of megabytes for one 64 KiB message).
    #[test]
    fn too_many_keys_are_refused_before_any_derivation() {
        let cfg = ResponderConfig::mikey_null();
        assert_eq!(cfg.max_keys, 64);
        let mut r = PskResponder::new(SecretBytes::from_slice(&[]), cfg.clone());
        let plain_tgks = (0..13_000).map(|k| TransportKey::tgk(&[k as u8])).collect();
        let flood = null_message(255, plain_tgks, None);
        assert!(flood.len() > 60_000);
        let started = std::time::Instant::now();
        let rej = r.handle(&flood, NOW).unwrap_err();
        assert!(
            matches!(rej.error, SessionError::InvalidKeyData(_)),
            "{:?}",
            rej.error
        );
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(r.bundles.is_empty());

        // At the limit: accepted, 255 × 64 SRTP parameter sets.
        let mut r = PskResponder::new(SecretBytes::from_slice(&[]), cfg);
        let ok = null_message(255, tgks(64, 0), None);
        let a = r.handle(&ok, NOW).unwrap();
        assert_eq!(r.srtp(a.csb_id).unwrap().len(), 255 * 64);
    }

    #[test]
    fn updates_cannot_grow_a_bundle_past_the_key_limit() {
        let cfg = ResponderConfig {
            max_keys: 3,
            ..ResponderConfig::mikey_null()
        };
        let mut r = PskResponder::new(SecretBytes::from_slice(&[]), cfg);
        let mut i = PskInitiator::new(
            &[],
            PskConfig {
                encr: EncrAlg::Null,
                mac: MacAlg::Null,
                ts_type: TsType::Counter,
                ..PskConfig::default()
            },
        );
        let first = null_message(1, tgks(2, 0), Some(&mut i));
        let a = r.handle(&first, NOW).unwrap();
        // Replacing keys by MKI keeps the count: fine. New MKIs beyond the limit: refused,
        // and the bundle keeps its keys.
        let replace = null_message(1, tgks(2, 0), Some(&mut i));
        r.handle(&replace, NOW).unwrap();
        let grow = null_message(1, tgks(2, 10), Some(&mut i));
        let rej = r.handle(&grow, NOW).unwrap_err();
        assert!(
            matches!(rej.error, SessionError::InvalidKeyData(_)),
            "{:?}",
            rej.error
        );
        assert_eq!(r.bundle(a.csb_id).unwrap().keys.len(), 2);
        let one_more = null_message(1, tgks(1, 10), Some(&mut i));
        r.handle(&one_more, NOW).unwrap();
        assert_eq!(r.bundle(a.csb_id).unwrap().keys.len(), 3);
    }
}
