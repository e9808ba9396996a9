//! MIKEY-RSA-R, the reverse RSA mode of RFC 4738: the initiator asks, the responder
//! supplies the keys, encrypted to the initiator's public key.
//!
//! ```text
//! Initiator                                            Responder
//! I_MESSAGE = HDR, T, [RAND], [IDi|CERTi], [IDr], {SP}, SIGNi          --->
//!             <---  R_MESSAGE = HDR, [GenExt(CSB_ID)], T, [RAND], [IDr|CERTr], [SP],
//!                               KEMAC, PKE, SIGNr
//! ```
//! (RFC 4738 §3.1, Figure 1; group mode §3.2, Figure 2: no SP from the initiator, and
//! GenExt(CSB_ID), RAND and SP mandatory in the R_MESSAGE.)
//!
//! * I_MESSAGE: data type "RSA-R I_MSG" (9), V set (a response is mandatory, §3.4), signed
//!   as in RFC 3830 §5.2 over the whole message up to the signature field. RAND is sent by
//!   default (SHOULD for unicast, §3.4).
//! * R_MESSAGE: data type "RSA-R R_MSG" (10), the CSB ID of the I_MESSAGE in the header,
//!   the same T (§3.6); RAND only when the I_MESSAGE had none (unicast) or always (group);
//!   KEMAC = E(encr_key, IDr || {TGK}) || MAC with keys derived from a fresh envelope key
//!   (RFC 3830 §4.1.4; MAC over the KEMAC with its Next payload zeroed, RFC 3830 §5.2);
//!   PKE = E(PKi, env_key) with RSA PKCS#1 v1.5 to the initiator's key; SIGNr over
//!   "R_MESSAGE (excluding the SIGNr payload itself) || IDi || IDr || T" (§3.6). This crate
//!   reads "excluding the SIGNr payload" literally: the signed bytes end before the SIGN
//!   payload's S type / length field, then IDi, IDr (ID data, empty when absent) and the
//!   T payload's TS value follow.
//! * Group mode (§3.2, §3.6): the responder adds GenExt(CSB_ID) with the group's CSB ID,
//!   which both sides then use for key derivation (KEMAC keys and TEKs), and always RAND
//!   and SP; the RAND of the I_MESSAGE is ignored.
//! * Errors (§3.5): an I_MESSAGE that cannot be parsed is answered with Error no 13
//!   "Unsupported message type" (when its header can be read); other errors as in
//!   RFC 3830 §5.1.2, unauthenticated (no key is shared yet). The initiator silently
//!   discards (returns an error for) an R_MESSAGE that breaks the RAND rule or carries a
//!   policy it did not offer (§3.7).
//!
//! Both sides check cheapest first: the responder does no private-key operation (its
//! signature) before the initiator's signature verified; the initiator does no RSA
//! decryption before the responder's signature verified. Certificates of type "X.509v3
//! URL" (§3.8) are not fetched (this crate does no I/O): the caller's [`PeerVerifier`] sees
//! DER certificates and identities only.
//!
//! ```
//! use mikey::crypto::{default_provider, CryptoProvider, RustCryptoProvider};
//! use mikey::session::{PinnedKeys, RsaRConfig, RsaRInitiator, RsaRResponder, RsaRResponderConfig, OsEntropy};
//! use mikey::wire::{Id, SrtpCs};
//! use std::sync::Arc;
//! use core::time::Duration;
//!
//! let p = default_provider();
//! let alice = p.rsa_private_from_pem(include_str!("../../testvectors/keys/rsa2048-a.pem")).unwrap();
//! let bob = p.rsa_private_from_pem(include_str!("../../testvectors/keys/rsa2048-b.pem")).unwrap();
//! let now = Duration::from_secs(1_800_000_000);
//! let trust_alice = PinnedKeys::new().with(b"alice@example.com", &alice.to_spki_der());
//! let trust_bob = PinnedKeys::new().with(b"bob@example.com", &bob.to_spki_der());
//!
//! let cfg = RsaRConfig {
//!     id_i: Some(Id::nai("alice@example.com")),
//!     crypto_sessions: vec![SrtpCs { policy_no: 0, ssrc: 0x1234, roc: 0 }],
//!     ..RsaRConfig::default()
//! };
//! let provider = Arc::new(RustCryptoProvider);
//! let mut initiator = RsaRInitiator::new(provider.clone(), alice, trust_bob, cfg);
//! let i_message = initiator.initiate(now, &mut OsEntropy).unwrap();
//!
//! let rcfg = RsaRResponderConfig { id_r: Some(Id::nai("bob@example.com")), ..RsaRResponderConfig::default() };
//! let mut responder = RsaRResponder::new(provider, bob, trust_alice, rcfg);
//! let accepted = responder.handle(&i_message, now, &mut OsEntropy).unwrap();
//! let got = initiator.handle_response(accepted.response.as_deref().unwrap(), now).unwrap();
//! assert_eq!(initiator.srtp().unwrap(), responder.srtp(got.csb_id).unwrap());
//! ```

use super::common::export;
use super::common::{
    check_policies, check_timestamp, cipher_of, mac_of, new_timestamp, pk_kemac_mac_input, prf_of,
    sign_message, ts_bytes, verify_signature, ErrCtx,
};
use super::pk::MIN_ENVELOPE_KEY_LEN;
use super::psk::{decrypt_key_list, Accepted, Rejected};
use super::replay::{digest, ReplayCache, ReplayVerdict};
use super::trust::{PeerClaim, PeerVerifier};
use super::{Entropy, SessionError, TimestampPolicy};
use crate::bundle::{encode_keys, BundleChange, CryptoSessionBundle, TransportKey};
use crate::crypto::{self, CryptoProvider, MessageKeys, RsaPrivate, SecretBytes, SignatureScheme};
use crate::srtp::export::SrtpParams;
use crate::wire::{
    CacheType, Cert, CertType, CsIdMap, DataType, EncrAlg, ErrorNo, GenExtType, GeneralExtension,
    Header, Id, IdType, Kemac, MacAlg, Message, MessageView, ParseOptions, Payload, PayloadBody,
    PayloadType, Pke, PrfFunc, Rand, Reader, SecurityPolicy, Sign, SrtpCs, SrtpIdMap, Timestamp,
    TsType,
};
use core::time::Duration;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

/// Initiator settings of RSA-R (RFC 4738 §3.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsaRConfig {
    /// CSB ID; random when `None` (RFC 4738 §3.4: "randomly selected by the Initiator").
    pub csb_id: Option<u32>,
    /// PRF (MIKEY-1 or PRF-HMAC-SHA-256).
    pub prf: PrfFunc,
    /// Our identity (IDi), sent in the clear and used in SIGNr's input (RFC 4738 §3.6).
    pub id_i: Option<Id<'static>>,
    /// Our certificate chain (DER X.509v3, leaf first), one CERT payload each.
    pub certs: Vec<Vec<u8>>,
    /// The responder identity we insist on (RFC 4738 §3.4: an initiator that accepts only
    /// a specific responder MUST send it as IDr). When set, an R_MESSAGE from any other
    /// identity is rejected; leave it `None` to let the call be retargeted (§4, §5).
    pub id_r: Option<Id<'static>>,
    /// Streams we originate (SSRC 0 lets the responder choose); empty for listen-only and
    /// group members (number of CSs 0, §3.4).
    pub crypto_sessions: Vec<SrtpCs>,
    /// Security policies we support (unicast only: group members send none, §3.2).
    pub policies: Vec<SecurityPolicy<'static>>,
    /// Timestamp type: NTP-UTC (default), NTP or COUNTER.
    pub ts_type: TsType,
    /// Send a RAND (RFC 4738 §3.4: SHOULD for unicast). On by default.
    pub send_rand: bool,
    /// RAND length in bytes (RFC 3830 §6.11: at least 16).
    pub rand_len: u8,
    /// Signature scheme of SIGNi.
    pub signature: SignatureScheme,
    /// Expect group mode (RFC 4738 §3.2): the R_MESSAGE must carry GenExt(CSB_ID), RAND
    /// and SP. When false, an R_MESSAGE with GenExt(CSB_ID) is rejected (§3.6).
    pub group: bool,
    /// Also accept SHA-1 signatures from the responder.
    pub sha1_signatures: bool,
}

impl Default for RsaRConfig {
    fn default() -> Self {
        Self {
            csb_id: None,
            prf: PrfFunc::Mikey1,
            id_i: None,
            certs: Vec::new(),
            id_r: None,
            crypto_sessions: Vec::new(),
            policies: Vec::new(),
            ts_type: TsType::NtpUtc,
            send_rand: true,
            rand_len: 16,
            signature: SignatureScheme::RsaPkcs1Sha256,
            group: false,
            sha1_signatures: false,
        }
    }
}

/// An accepted R_MESSAGE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsaRAccepted {
    /// The CSB ID the keys are derived with: the group's (GenExt CSB_ID) in group mode,
    /// ours otherwise (RFC 4738 §3.6).
    pub csb_id: u32,
    /// What the bundle now holds.
    pub change: BundleChange,
    /// The responder's authenticated identity (the ID data inside its KEMAC).
    pub responder_id: Id<'static>,
    /// Whether the responder answered in group mode.
    pub group: bool,
}

struct Pending {
    t: Timestamp,
    csb_id: u32,
    rand: Option<Vec<u8>>,
}

/// The RSA-R initiator (RFC 4738 §3.4, §3.7): signs a request, then accepts the keys the
/// responder sends encrypted to its public key, once the responder's signature verified
/// with a key the caller's [`PeerVerifier`] accepts.
pub struct RsaRInitiator {
    provider: Arc<dyn CryptoProvider>,
    key: Box<dyn RsaPrivate>,
    verifier: Box<dyn PeerVerifier>,
    cfg: RsaRConfig,
    pending: Option<Pending>,
    bundle: Option<CryptoSessionBundle>,
    counter: u32,
}

impl core::fmt::Debug for RsaRInitiator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RsaRInitiator")
            .field("provider", &self.provider.name())
            .field("key", &self.key)
            .field("cfg", &self.cfg)
            .field("bundle", &self.bundle)
            .finish()
    }
}

impl RsaRInitiator {
    /// An initiator signing with (and receiving envelope keys for) `key`, trusting the
    /// responders `verifier` accepts.
    pub fn new(
        provider: Arc<dyn CryptoProvider>,
        key: Box<dyn RsaPrivate>,
        verifier: impl PeerVerifier + 'static,
        cfg: RsaRConfig,
    ) -> Self {
        Self {
            provider,
            key,
            verifier: Box::new(verifier),
            cfg,
            pending: None,
            bundle: None,
            counter: 0,
        }
    }

    /// The bundle, once an R_MESSAGE was accepted.
    pub fn bundle(&self) -> Option<&CryptoSessionBundle> {
        self.bundle.as_ref()
    }

    /// SRTP parameters of every crypto session and key.
    pub fn srtp(&self) -> Result<Vec<SrtpParams>, SessionError> {
        export(
            self.bundle
                .as_ref()
                .ok_or_else(|| SessionError::WrongState("no bundle yet"))?,
        )
    }

    /// Builds the signed I_MESSAGE (RFC 4738 §3.4). Each call starts a new request (a new
    /// CSB ID unless configured, new timestamp and RAND).
    pub fn initiate(
        &mut self,
        now: Duration,
        rng: &mut impl Entropy,
    ) -> Result<Vec<u8>, SessionError> {
        prf_of(self.cfg.prf)?;
        if self.cfg.group && !self.cfg.policies.is_empty() {
            return Err(SessionError::InvalidSpPar(
                "group members must not send SP (RFC 4738 §3.2)".into(),
            ));
        }
        let t = new_timestamp(self.cfg.ts_type, now, &mut self.counter)?;
        let csb_id = self.cfg.csb_id.unwrap_or_else(|| {
            let mut b = [0u8; 4];
            rng.fill(&mut b);
            u32::from_be_bytes(b)
        });
        let cs_map = SrtpIdMap::from_entries(&self.cfg.crypto_sessions);
        let mut h = Header::new(DataType::RsaRInit, csb_id);
        h.v = true;
        h.prf = self.cfg.prf;
        h.cs_map = CsIdMap::SrtpId(cs_map.clone());
        let mut m = Message::new(h).with(Payload::T(t));
        let rand = self.cfg.send_rand.then(|| {
            let mut r = vec![0u8; self.cfg.rand_len as usize];
            rng.fill(&mut r);
            r
        });
        if let Some(r) = &rand {
            m.payloads.push(Payload::Rand(Rand {
                rand: Cow::Owned(r.clone()),
            }));
        }
        if let Some(id) = &self.cfg.id_i {
            m.payloads.push(Payload::Id(id.clone()));
        }
        for c in &self.cfg.certs {
            m.payloads.push(Payload::Cert(Cert {
                cert_type: CertType::X509v3,
                data: Cow::Owned(c.clone()),
            }));
        }
        if let Some(id) = &self.cfg.id_r {
            if self.cfg.id_i.is_none() && self.cfg.certs.is_empty() {
                // A lone ID would read as IDi; RFC 4738 §3.4 lists [IDi|CERTi] first.
                return Err(SessionError::Unspecified(
                    "an IDr needs an IDi or CERTi before it".into(),
                ));
            }
            m.payloads.push(Payload::Id(id.clone()));
        }
        for sp in &self.cfg.policies {
            m.payloads.push(Payload::Sp(sp.clone()));
        }
        let out = sign_message(m, self.key.as_ref(), self.cfg.signature, rng, None)?;
        self.pending = Some(Pending { t, csb_id, rand });
        Ok(out)
    }

    /// Handles the R_MESSAGE (RFC 4738 §3.6, §3.7), cheapest checks first: shape, CSB ID,
    /// timestamp, RAND rule, policies, then the responder's identity through the verifier
    /// and SIGNr, and only then the RSA decryption of PKE, the KEMAC MAC and the keys. An
    /// Error message is reported as [`SessionError::PeerError`]. Nothing changes unless
    /// the message is accepted.
    pub fn handle_response(
        &mut self,
        bytes: &[u8],
        now: Duration,
    ) -> Result<RsaRAccepted, SessionError> {
        let _ = now;
        let view = MessageView::parse(bytes)?;
        let pending = self
            .pending
            .as_ref()
            .ok_or_else(|| SessionError::WrongState("no message awaiting a response"))?;
        let h = view.header();
        if h.csb_id != pending.csb_id {
            return Err(SessionError::UnknownCsb(h.csb_id));
        }
        match h.data_type {
            DataType::RsaRResp => {}
            DataType::Error => {
                let t =
                    view.payloads()
                        .find_map(|p| if let Payload::T(t) = p { Some(t) } else { None });
                if t.is_some_and(|t| t != pending.t && t != Timestamp::ntp_utc(0)) {
                    return Err(SessionError::InvalidTimestamp);
                }
                let errs: Vec<ErrorNo> = view
                    .payloads()
                    .filter_map(|p| match p {
                        Payload::Err(e) => Some(e.error_no),
                        _ => None,
                    })
                    .collect();
                return Err(SessionError::PeerError(errs));
            }
            other => return Err(SessionError::UnexpectedDataType(other.to_wire())),
        }
        let p = RParts::collect(&view)?;
        if p.t != pending.t {
            return Err(SessionError::InvalidTimestamp);
        }
        let group = p.csb_ext.is_some();
        if group != self.cfg.group {
            return Err(SessionError::MissingPayload(
                "GenExt(CSB_ID) exactly in group mode (RFC 4738 §3.6)",
            ));
        }
        let rand = match (group, &pending.rand, &p.rand) {
            (true, _, Some(r)) => r.clone(),
            (true, _, None) => return Err(SessionError::MissingPayload("RAND (group mode)")),
            (false, Some(r), None) => r.clone(),
            (false, None, Some(r)) => r.clone(),
            (false, Some(_), Some(_)) | (false, None, None) => {
                return Err(SessionError::MissingPayload(
                    "RAND from exactly one side (RFC 4738 §3.6, §3.7)",
                ))
            }
        };
        if rand.is_empty() {
            return Err(SessionError::MissingPayload("RAND"));
        }
        if (!self.cfg.policies.is_empty() || group) && p.policies.is_empty() {
            return Err(SessionError::MissingPayload("SP"));
        }
        if !self.cfg.policies.is_empty()
            && !p.policies.iter().all(|sp| self.cfg.policies.contains(sp))
        {
            return Err(SessionError::InvalidSpPar(
                "the responder chose a policy we did not offer (RFC 4738 §3.7)".into(),
            ));
        }
        check_policies(&p.policies)?;
        let prf = prf_of(h.prf)?;
        let cipher = cipher_of(p.kemac.encr_alg, false)?;
        let mac_kind = mac_of(p.kemac.mac_alg, false)?;
        if !matches!(p.sign.sign_type.to_wire(), 0 | 1) {
            return Err(SessionError::AuthFailure);
        }
        if p.pke.data.len() != self.key.modulus_len() {
            return Err(SessionError::AuthFailure);
        }
        // Who answered (RFC 4738 §3.7, §5): the identity we insist on, else the one
        // claimed, as the caller's verifier decides.
        let claimed = p.id_r.clone().or_else(|| self.cfg.id_r.clone());
        if let (Some(want), Some(got)) = (&self.cfg.id_r, &claimed) {
            if want != got {
                return Err(SessionError::AuthFailure);
            }
        }
        let claim = PeerClaim {
            identity: claimed.as_ref().map(|i| &*i.data),
            certs: &p.certs,
        };
        let peer = self.verifier.verify_peer(&claim, self.provider.as_ref())?;
        let id_i = self
            .cfg
            .id_i
            .as_ref()
            .map(|i| i.data.to_vec())
            .unwrap_or_default();
        let id_r = claimed
            .as_ref()
            .map(|i| i.data.to_vec())
            .unwrap_or_default();
        let suffix = [id_i.as_slice(), &id_r, &ts_bytes(&p.t)].concat();
        verify_signature(
            view.as_bytes(),
            &p.sign,
            peer.as_ref(),
            self.cfg.sha1_signatures,
            Some(&suffix),
        )?;
        // Only now the private-key operation.
        let env = self
            .key
            .decrypt_pkcs1v15(&p.pke.data)
            .map_err(|_| SessionError::AuthFailure)?;
        let csb_id = p.csb_ext.unwrap_or(h.csb_id);
        let keys = MessageKeys::derive(prf, env.as_bytes(), csb_id, &rand, cipher, mac_kind);
        let kbytes = &view.as_bytes()[p.kemac_off..p.kemac_off + p.kemac.encoded_len()];
        if !crypto::kemac::verify_mac(
            mac_kind,
            keys.auth.as_bytes(),
            &pk_kemac_mac_input(kbytes, p.kemac.mac.len()),
            &p.kemac.mac,
        ) || env.len() < MIN_ENVELOPE_KEY_LEN
        {
            return Err(SessionError::AuthFailure);
        }
        let (enc_id, new_keys) = decrypt_key_list(cipher, &keys, csb_id, &p.t, &p.kemac, true)?;
        let enc_id = enc_id.ok_or_else(|| SessionError::AuthFailure)?;
        match &claimed {
            Some(c) if *c != enc_id => return Err(SessionError::AuthFailure),
            Some(_) => {}
            None => {
                let claim = PeerClaim {
                    identity: Some(&enc_id.data),
                    certs: &p.certs,
                };
                let k = self.verifier.verify_peer(&claim, self.provider.as_ref())?;
                if k.to_spki_der() != peer.to_spki_der() {
                    return Err(SessionError::AuthFailure);
                }
            }
        }
        if new_keys.is_empty() {
            return Err(SessionError::InvalidKeyData(
                "no key in the R_MESSAGE".into(),
            ));
        }
        let mut bundle = CryptoSessionBundle {
            csb_id,
            prf: h.prf,
            rand,
            cs_map: CsIdMap::SrtpId(SrtpIdMap::default()),
            policies: Vec::new(),
            keys: Vec::new(),
            gstreamer_auth_key_len: false,
        };
        let mut change = bundle.update(Some(h.cs_map.clone().into_owned()), p.policies, new_keys);
        change.created = true;
        export(&bundle)?;
        self.bundle = Some(bundle);
        self.pending = None;
        Ok(RsaRAccepted {
            csb_id,
            change,
            responder_id: enc_id,
            group,
        })
    }
}

/// The keys, policies and map a group's key server hands every member (RFC 4738 §3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsaRGroup {
    /// The group's CSB ID, sent in GenExt(CSB_ID) and used for key derivation (§3.6).
    pub csb_id: u32,
    /// The group's RAND (sent in every R_MESSAGE, §3.4, §3.5).
    pub rand: Vec<u8>,
    /// The group's crypto sessions.
    pub crypto_sessions: Vec<SrtpCs>,
    /// The group's security policies (mandatory SP, §3.2).
    pub policies: Vec<SecurityPolicy<'static>>,
    /// The group's TGKs.
    pub keys: Vec<TransportKey>,
}

/// Responder settings of RSA-R (RFC 4738 §3.5, §3.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsaRResponderConfig {
    /// Timestamp acceptance (RFC 3830 §5.4).
    pub timestamps: TimestampPolicy,
    /// Maximum number of messages the replay cache remembers.
    pub replay_capacity: usize,
    /// Maximum number of unicast bundles kept.
    pub max_bundles: usize,
    /// Answer rejected messages with an Error message.
    pub send_errors: bool,
    /// Our identity: IDr in the clear and first in the KEMAC (§3.6). `None` sends an empty
    /// NAI inside the KEMAC and no clear IDr.
    pub id_r: Option<Id<'static>>,
    /// Our certificate chain (DER, leaf first), one CERT payload each.
    pub certs: Vec<Vec<u8>>,
    /// SSRCs of our streams: fill the initiator's crypto sessions with SSRC 0, then are
    /// added as crypto sessions of their own.
    pub local_ssrcs: Vec<u32>,
    /// Policies to send when the initiator offered none (unicast).
    pub policies: Vec<SecurityPolicy<'static>>,
    /// KEMAC encryption.
    pub encr: EncrAlg,
    /// KEMAC MAC.
    pub mac: MacAlg,
    /// Signature scheme of SIGNr.
    pub signature: SignatureScheme,
    /// Also accept SHA-1 signatures from initiators.
    pub sha1_signatures: bool,
    /// Envelope key length (at least 16 bytes).
    pub envelope_key_len: usize,
    /// Length of the fresh unicast TGK.
    pub tgk_len: usize,
    /// RAND length when we supply it.
    pub rand_len: u8,
    /// Group mode: every member gets this group's CSB ID, RAND, policies and keys.
    pub group: Option<RsaRGroup>,
    /// Parse leniently.
    pub lenient: bool,
}

impl Default for RsaRResponderConfig {
    fn default() -> Self {
        Self {
            timestamps: TimestampPolicy::default(),
            replay_capacity: 4096,
            max_bundles: 1024,
            send_errors: true,
            id_r: None,
            certs: Vec::new(),
            local_ssrcs: Vec::new(),
            policies: Vec::new(),
            encr: EncrAlg::AesCm128,
            mac: MacAlg::HmacSha1_160,
            signature: SignatureScheme::RsaPkcs1Sha256,
            sha1_signatures: false,
            envelope_key_len: MIN_ENVELOPE_KEY_LEN,
            tgk_len: 16,
            rand_len: 16,
            group: None,
            lenient: false,
        }
    }
}

/// The RSA-R responder (RFC 4738 §3.5, §3.6): verifies the signed request with the key the
/// caller's [`PeerVerifier`] accepts, then supplies the TGK (fresh per request, or the
/// group's), encrypted under a fresh envelope key sent to the initiator's public key.
pub struct RsaRResponder {
    provider: Arc<dyn CryptoProvider>,
    key: Box<dyn RsaPrivate>,
    verifier: Box<dyn PeerVerifier>,
    cfg: RsaRResponderConfig,
    replay: ReplayCache,
    bundles: super::FastMap<u32, CryptoSessionBundle>,
    counters: HashMap<Vec<u8>, u64>,
}

impl core::fmt::Debug for RsaRResponder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RsaRResponder")
            .field("provider", &self.provider.name())
            .field("key", &self.key)
            .field("bundles", &self.bundles.len())
            .field("replay", &self.replay.len())
            .finish()
    }
}

impl RsaRResponder {
    /// A responder signing with `key`, answering the initiators `verifier` accepts.
    pub fn new(
        provider: Arc<dyn CryptoProvider>,
        key: Box<dyn RsaPrivate>,
        verifier: impl PeerVerifier + 'static,
        cfg: RsaRResponderConfig,
    ) -> Self {
        Self {
            provider,
            key,
            verifier: Box::new(verifier),
            replay: ReplayCache::new(cfg.replay_capacity),
            cfg,
            bundles: super::FastMap::default(),
            counters: HashMap::new(),
        }
    }

    /// The bundle with this CSB ID (the group's for group mode).
    pub fn bundle(&self, csb_id: u32) -> Option<&CryptoSessionBundle> {
        self.bundles.get(&csb_id)
    }

    /// Forgets a bundle.
    pub fn remove_bundle(&mut self, csb_id: u32) -> bool {
        self.bundles.remove(&csb_id).is_some()
    }

    /// The replay cache.
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

    /// Processes an I_MESSAGE received at `now`; on success the R_MESSAGE is in
    /// [`Accepted::response`] and `csb_id` is the CSB ID keys are derived with. Randomness
    /// for the TGK, RAND, envelope key and padding comes from `rng`.
    pub fn handle(
        &mut self,
        bytes: &[u8],
        now: Duration,
        rng: &mut impl Entropy,
    ) -> Result<Accepted, Rejected> {
        let opts = if self.cfg.lenient {
            ParseOptions::LENIENT
        } else {
            ParseOptions::STRICT
        };
        let view = match MessageView::parse_with(bytes, opts) {
            Ok(v) => v,
            Err(e) => {
                // RFC 4738 §3.5: Error no 13 for a message we cannot parse, when its header
                // tells us whom to answer.
                let response = self
                    .cfg
                    .send_errors
                    .then(|| Header::parse(&mut Reader::new(bytes)).ok())
                    .flatten()
                    .filter(|(h, _)| h.data_type == DataType::RsaRInit)
                    .map(|(h, _)| {
                        super::common::error_message(
                            h.csb_id,
                            h.prf,
                            h.cs_map.into_owned(),
                            Timestamp::from_unix(now),
                            &[ErrorNo::UnsupportedMessageType],
                            self.cfg.id_r.clone(),
                            None,
                        )
                    });
                return Err(Rejected {
                    error: SessionError::UnsupportedMessageType(e.to_string()),
                    response,
                });
            }
        };
        let mut ctx = ErrCtx {
            send_errors: self.cfg.send_errors,
            id_r: self.cfg.id_r.clone(),
            view: &view,
            auth: None,
            t: None,
        };
        match self.process(&view, now, rng, &mut ctx) {
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
        rng: &mut impl Entropy,
        ctx: &mut ErrCtx<'_>,
    ) -> Result<Accepted, SessionError> {
        let h = view.header();
        if h.data_type != DataType::RsaRInit {
            return Err(SessionError::UnexpectedDataType(h.data_type.to_wire()));
        }
        let p = IParts::collect(view)?;
        let t = p.t;
        ctx.t = Some(t);
        prf_of(h.prf)?;
        let cipher = cipher_of(self.cfg.encr, false)?;
        let mac_kind = mac_of(self.cfg.mac, false)?;
        if !matches!(p.sign.sign_type.to_wire(), 0 | 1) {
            return Err(SessionError::AuthFailure);
        }
        // Policies: in group mode the group's (an initiator's SP is ignored, §3.2);
        // otherwise the ones offered, all of which must be SRTP (§3.4, §3.5).
        check_policies(&p.policies)?;
        let id_i = p.ids.first().cloned();
        let id_r_theirs = p.ids.get(1).cloned();
        let counter_key = id_i.as_ref().map(|i| i.data.to_vec()).unwrap_or_default();
        let expires = check_timestamp(
            &t,
            now,
            &self.cfg.timestamps,
            self.counters.get(&counter_key).copied(),
        )?;
        if self.cfg.group.is_none()
            && !self.bundles.contains_key(&h.csb_id)
            && self.bundles.len() >= self.cfg.max_bundles
        {
            return Err(SessionError::Unspecified(
                "too many crypto session bundles".into(),
            ));
        }
        let d = digest(view.as_bytes());
        match self.replay.check(&d, now.as_secs()) {
            ReplayVerdict::Fresh => {}
            ReplayVerdict::Replayed => return Err(SessionError::Replay),
            ReplayVerdict::Full => return Err(SessionError::ReplayCacheFull),
        }
        // The initiator's key, as the caller decides; its signature (public-key work).
        let claim = PeerClaim {
            identity: id_i.as_ref().map(|i| &*i.data),
            certs: &p.certs,
        };
        let peer = self.verifier.verify_peer(&claim, self.provider.as_ref())?;
        verify_signature(
            view.as_bytes(),
            &p.sign,
            peer.as_ref(),
            self.cfg.sha1_signatures,
            None,
        )?;
        if peer.modulus_len() < self.cfg.envelope_key_len + 11 {
            return Err(SessionError::InvalidCert(
                "initiator key too small for the envelope key".into(),
            ));
        }
        // What we answer with.
        let (csb_id, rand, send_rand, mut cs_map, policies, keys) = match &self.cfg.group {
            Some(g) => (
                g.csb_id,
                g.rand.clone(),
                true,
                SrtpIdMap::from_entries(&g.crypto_sessions),
                g.policies.clone(),
                g.keys.clone(),
            ),
            None => {
                let (rand, send) = match &p.rand {
                    Some(r) => (r.clone(), false),
                    None => {
                        let mut r = vec![0u8; self.cfg.rand_len as usize];
                        rng.fill(&mut r);
                        (r, true)
                    }
                };
                let mut tgk = SecretBytes::zeroed(self.cfg.tgk_len);
                rng.fill(tgk.as_mut_bytes());
                let policies = if p.policies.is_empty() {
                    self.cfg.policies.clone()
                } else {
                    p.policies.clone()
                };
                let map = match h.cs_map.clone().into_owned() {
                    CsIdMap::SrtpId(m) => m,
                    _ => SrtpIdMap::default(),
                };
                (
                    h.csb_id,
                    rand,
                    send,
                    map,
                    policies,
                    vec![TransportKey::tgk(tgk.as_bytes())],
                )
            }
        };
        if rand.is_empty() {
            return Err(SessionError::MissingPayload("RAND"));
        }
        if self.cfg.group.is_none() {
            // Fill SSRC 0 with our streams, then add the rest as crypto sessions (§3.6).
            let mut ours = self.cfg.local_ssrcs.iter();
            let zero: Vec<u8> = cs_map
                .iter()
                .filter(|(_, c)| c.ssrc == 0)
                .map(|(id, _)| id)
                .collect();
            for id in zero {
                if let Some(s) = ours.next() {
                    cs_map.set_ssrc(id, *s);
                }
            }
            let policy_no = policies.first().map_or(0, |p| p.policy_no);
            for s in ours {
                cs_map.push(SrtpCs {
                    policy_no,
                    ssrc: *s,
                    roc: 0,
                });
            }
        }
        let mut bundle = CryptoSessionBundle {
            csb_id,
            prf: h.prf,
            rand: rand.clone(),
            cs_map: CsIdMap::SrtpId(SrtpIdMap::default()),
            policies: Vec::new(),
            keys: Vec::new(),
            gstreamer_auth_key_len: false,
        };
        let mut change = bundle.update(
            Some(CsIdMap::SrtpId(cs_map.clone())),
            policies.clone(),
            keys.clone(),
        );
        change.created = true;
        export(&bundle)?;
        self.replay.insert(d, expires, now.as_secs());

        // The R_MESSAGE (§3.6).
        let mut rh = Header::new(DataType::RsaRResp, h.csb_id);
        rh.prf = h.prf;
        rh.cs_map = CsIdMap::SrtpId(cs_map);
        let mut m = Message::new(rh);
        if self.cfg.group.is_some() {
            m.payloads
                .push(Payload::GenExt(GeneralExtension::csb_id(csb_id)));
        }
        m.payloads.push(Payload::T(t));
        if send_rand {
            m.payloads.push(Payload::Rand(Rand {
                rand: Cow::Owned(rand.clone()),
            }));
        }
        if let Some(id) = &self.cfg.id_r {
            m.payloads.push(Payload::Id(id.clone()));
        }
        for c in &self.cfg.certs {
            m.payloads.push(Payload::Cert(Cert {
                cert_type: CertType::X509v3,
                data: Cow::Owned(c.clone()),
            }));
        }
        for sp in &policies {
            m.payloads.push(Payload::Sp(sp.clone()));
        }
        let id_r = self.cfg.id_r.clone().unwrap_or(Id {
            id_type: IdType::Nai,
            data: Cow::Borrowed(&[]),
        });
        let mut env = SecretBytes::zeroed(self.cfg.envelope_key_len.max(MIN_ENVELOPE_KEY_LEN));
        rng.fill(env.as_mut_bytes());
        let mk = MessageKeys::derive(
            prf_of(h.prf)?,
            env.as_bytes(),
            csb_id,
            &rand,
            cipher,
            mac_kind,
        );
        let plain = encode_keys(&keys, Some(id_r.clone()));
        let encr_data = crypto::kemac::encrypt(
            cipher,
            mk.encr.as_bytes(),
            mk.salt.as_bytes(),
            csb_id,
            t.as_u64(),
            plain.as_bytes(),
        )
        .map_err(|e| SessionError::InvalidKeyData(e.to_string()))?;
        let mut kemac = Kemac {
            encr_alg: self.cfg.encr,
            encr_data: Cow::Owned(encr_data),
            mac_alg: self.cfg.mac,
            mac: Cow::Owned(vec![0; mac_kind.mac_len()]),
        };
        let mut kbytes = Vec::with_capacity(kemac.encoded_len());
        kemac.encode(PayloadType::Last, &mut kbytes);
        let tag = crypto::kemac::mac(
            mac_kind,
            mk.auth.as_bytes(),
            &pk_kemac_mac_input(&kbytes, mac_kind.mac_len()),
        );
        kemac.mac = Cow::Owned(tag.as_bytes().to_vec());
        m.payloads.push(Payload::Kemac(kemac));
        let pke = peer
            .encrypt_pkcs1v15(rng, env.as_bytes())
            .map_err(|e| SessionError::Unspecified(format!("envelope key encryption: {e}")))?;
        m.payloads.push(Payload::Pke(Pke {
            cache: CacheType::NoCache,
            data: Cow::Owned(pke),
        }));
        let id_i_bytes = id_i.as_ref().map(|i| i.data.to_vec()).unwrap_or_default();
        let id_r_bytes = match &self.cfg.id_r {
            Some(i) => i.data.to_vec(),
            None => id_r_theirs.map(|i| i.data.to_vec()).unwrap_or_default(),
        };
        let suffix = [id_i_bytes.as_slice(), &id_r_bytes, &ts_bytes(&t)].concat();
        let response = sign_message(m, self.key.as_ref(), self.cfg.signature, rng, Some(&suffix))?;
        if t.ts_type == TsType::Counter {
            self.counters.insert(counter_key, t.value);
        }
        self.bundles.insert(csb_id, bundle);
        Ok(Accepted {
            csb_id,
            change,
            response: Some(response),
            quirks: view.quirks(),
        })
    }
}

/// I_MESSAGE payloads: T, [RAND], {ID}, {CERT}, {SP}, SIGN (last). The first ID is IDi,
/// a second one IDr.
struct IParts<'a> {
    t: Timestamp,
    rand: Option<Vec<u8>>,
    ids: Vec<Id<'static>>,
    certs: Vec<&'a [u8]>,
    policies: Vec<SecurityPolicy<'static>>,
    sign: Sign<'a>,
}

impl<'a> IParts<'a> {
    fn collect(view: &MessageView<'a>) -> Result<Self, SessionError> {
        let mut t = None;
        let mut rand = None;
        let mut ids = Vec::new();
        let mut certs = Vec::new();
        let mut policies = Vec::new();
        let mut sign = None;
        for p in view.payloads() {
            match p {
                Payload::T(x) if t.is_none() => t = Some(x),
                Payload::Rand(r) if rand.is_none() => rand = Some(r.rand.to_vec()),
                Payload::Id(i) => ids.push(i.into_owned()),
                Payload::Cert(c) => push_cert(&mut certs, c),
                Payload::Sp(s) => policies.push(s.into_owned()),
                Payload::GenExt(_) => {}
                Payload::Sign(s) => sign = Some(s),
                _ => {
                    return Err(SessionError::MissingPayload(
                        "unexpected payload in an RSA-R I_MESSAGE",
                    ))
                }
            }
        }
        Ok(Self {
            t: t.ok_or_else(|| SessionError::MissingPayload("T"))?,
            rand,
            ids,
            certs,
            policies,
            sign: sign.ok_or_else(|| SessionError::MissingPayload("SIGN"))?,
        })
    }
}

fn push_cert<'a>(certs: &mut Vec<&'a [u8]>, c: Cert<'a>) {
    if matches!(c.cert_type, CertType::X509v3 | CertType::X509v3Sign) {
        if let Cow::Borrowed(d) = c.data {
            certs.push(d);
        }
    }
}

/// R_MESSAGE payloads: [GenExt(CSB_ID)], T, [RAND], [IDr], {CERT}, {SP}, KEMAC, PKE, SIGN.
struct RParts<'a> {
    csb_ext: Option<u32>,
    t: Timestamp,
    rand: Option<Vec<u8>>,
    id_r: Option<Id<'static>>,
    certs: Vec<&'a [u8]>,
    policies: Vec<SecurityPolicy<'static>>,
    kemac_off: usize,
    kemac: Kemac<'a>,
    pke: Pke<'a>,
    sign: Sign<'a>,
}

impl<'a> RParts<'a> {
    fn collect(view: &MessageView<'a>) -> Result<Self, SessionError> {
        let mut csb_ext = None;
        let mut t = None;
        let mut rand = None;
        let mut id_r = None;
        let mut certs = Vec::new();
        let mut policies = Vec::new();
        let mut kemac = None;
        let mut pke = None;
        let mut sign = None;
        let bad = || {
            SessionError::MissingPayload("RSA-R R_MESSAGE payloads out of place (RFC 4738 §3.1)")
        };
        for (off, p) in view.payloads_with_offsets() {
            let after_kemac = kemac.is_some();
            match p {
                Payload::GenExt(g) if g.ext_type == GenExtType::CsbId => {
                    if t.is_some() || csb_ext.is_some() {
                        return Err(bad());
                    }
                    csb_ext = Some(g.as_csb_id().ok_or_else(bad)?);
                }
                Payload::Kemac(k) if !after_kemac => kemac = Some((off, k)),
                Payload::Pke(x) if after_kemac && pke.is_none() => pke = Some(x),
                Payload::Sign(s) if pke.is_some() => sign = Some(s),
                _ if after_kemac => return Err(bad()),
                Payload::T(x) if t.is_none() => t = Some(x),
                Payload::Rand(r) if rand.is_none() => rand = Some(r.rand.to_vec()),
                Payload::Id(i) if id_r.is_none() => id_r = Some(i.into_owned()),
                Payload::Cert(c) => push_cert(&mut certs, c),
                Payload::Sp(s) => policies.push(s.into_owned()),
                Payload::GenExt(_) => {}
                _ => return Err(bad()),
            }
        }
        let (kemac_off, kemac) = kemac.ok_or_else(|| SessionError::MissingPayload("KEMAC"))?;
        Ok(Self {
            csb_ext,
            t: t.ok_or_else(|| SessionError::MissingPayload("T"))?,
            rand,
            id_r,
            certs,
            policies,
            kemac_off,
            kemac,
            pke: pke.ok_or_else(|| SessionError::MissingPayload("PKE"))?,
            sign: sign.ok_or_else(|| SessionError::MissingPayload("SIGN"))?,
        })
    }
}
