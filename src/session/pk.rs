//! The public-key envelope method, RFC 3830 §3.2:
//!
//! ```text
//! Initiator                                   Responder
//! I_MESSAGE = HDR, T, RAND, [IDi|CERTi], [IDr], {SP},
//!             KEMAC, [CHASH], PKE, SIGNi              --->
//!                                       [<---]  R_MESSAGE = HDR, T, [IDr], V
//! ```
//! * PKE = E(PKr, env_key): a fresh envelope key (16 bytes or more, from the caller's
//!   [`Entropy`]) encrypted to the responder's RSA key with PKCS#1 v1.5 (RFC 3830 §4.2.5,
//!   §6.3), with the envelope key cache indicator of RFC 3830 Table 6.3.
//! * KEMAC = E(encr_key, IDi || {TGK}) || MAC, with `encr_key`, `auth_key` and `salt_key`
//!   derived from the envelope key like from a pre-shared key (RFC 3830 §4.1.4). The MAC
//!   covers the KEMAC payload only, without its MAC field and with its Next payload field
//!   set to zero (RFC 3830 §5.2, §6.2).
//! * SIGNi: RSA PKCS#1 v1.5 (S type 0) or PSS (S type 1) over the whole message up to the
//!   signature field (RFC 3830 §5.2, §6.5), SHA-256 by default
//!   ([`SignatureScheme`]).
//! * R_MESSAGE: the verification message as in the PSK method, data type "PK ver msg",
//!   its V keyed with the `auth_key` derived from the envelope key (RFC 3830 §3.2, §5.2).
//!
//! The responder checks cheapest first (RFC 3830 §5.3, §9.2 denial of service): shape, data
//! type, algorithms, timestamp, replay cache, then the caller's [`PeerVerifier`] and the
//! signature (public-key operations), and only then the private-key RSA decryption of PKE,
//! the KEMAC MAC and the decryption. A forged message costs no private-key operation.
//!
//! **Envelope key caching and updates (RFC 3830 §3.2, §4.5).** With a PKE cache indicator
//! of "Cache" or "Cache for CSB", both sides keep the envelope key for the CSB, and updates
//! are PSK messages with the envelope key as the PSK ([`PkInitiator::into_psk`]; the
//! [`PkResponder`] accepts them). This crate uses a cached envelope key only for the CSB it
//! came with (both indicators). Without caching, updates are public-key messages with a new
//! envelope key, no RAND and optionally no key ([`PkInitiator::initiate`] again).
//!
//! ```
//! use mikey::crypto::{default_provider, CryptoProvider};
//! use mikey::session::{PinnedKeys, PkConfig, PkInitiator, PkResponder, ResponderConfig, TransportKey, OsEntropy};
//! use mikey::wire::{Id, SrtpCs};
//! use std::sync::Arc;
//! use core::time::Duration;
//!
//! let p = default_provider();
//! let alice = p.rsa_private_from_pem(include_str!("../../testvectors/keys/rsa2048-a.pem")).unwrap();
//! let bob = p.rsa_private_from_pem(include_str!("../../testvectors/keys/rsa2048-b.pem")).unwrap();
//! let now = Duration::from_secs(1_800_000_000);
//!
//! let cfg = PkConfig {
//!     v: true,
//!     id_i: Some(Id::nai("alice@example.com")),
//!     crypto_sessions: vec![SrtpCs { policy_no: 0, ssrc: 0x1234, roc: 0 }],
//!     ..PkConfig::default()
//! };
//! // Bob trusts Alice's pinned key.
//! let trust = PinnedKeys::new().with(b"alice@example.com", &alice.to_spki_der());
//! let mut initiator = PkInitiator::new(alice, bob.public(), cfg);
//! let i_message = initiator.initiate(vec![TransportKey::tgk(&[9u8; 16])], now, &mut OsEntropy).unwrap();
//!
//! let mut responder = PkResponder::new(Arc::new(mikey::crypto::RustCryptoProvider), bob, trust, ResponderConfig::default());
//! let accepted = responder.handle(&i_message, now).unwrap();
//! initiator.handle_response(accepted.response.as_deref().unwrap(), now).unwrap();
//! assert_eq!(initiator.srtp().unwrap(), responder.srtp(accepted.csb_id).unwrap());
//! ```

use super::common::export;
use super::common::{
    check_policies, check_response, check_timestamp, cipher_of, mac_of, new_timestamp,
    pk_kemac_mac_input, prf_of, sign_message, verify_signature, ErrCtx, ResponseCheck,
};
use super::psk::{decrypt_key_list, Accepted, Commit, PskConfig, PskInitiator, PskResponder};
use super::psk::{Rejected, ResponderConfig, Verified};
use super::replay::{digest, ReplayVerdict};
use super::trust::{PeerClaim, PeerVerifier};
use super::{Entropy, SessionError};
use crate::bundle::{encode_keys, CryptoSessionBundle, TransportKey};
use crate::crypto::{
    self, CryptoProvider, MacKind, MessageKeys, RsaPrivate, RsaPublic, SecretBytes, SignatureScheme,
};
use crate::srtp::export::SrtpParams;
use crate::wire::{
    CacheType, Cert, CertType, Chash, CsIdMap, DataType, EncrAlg, HashFunc, Header, Id, IdType,
    Kemac, MacAlg, Message, MessageView, ParseOptions, Payload, PayloadBody, PayloadType, Pke,
    PrfFunc, Rand, SecurityPolicy, Sign, SrtpCs, SrtpIdMap, Timestamp, TsType,
};
use core::time::Duration;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

/// Smallest envelope key accepted and sent (RFC 3830 §4.1.4 derives 128-bit keys from it).
pub const MIN_ENVELOPE_KEY_LEN: usize = 16;

/// Initiator settings of the public-key method (RFC 3830 §3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PkConfig {
    /// CSB ID; random when `None` (RFC 3830 §6.1).
    pub csb_id: Option<u32>,
    /// PRF (MIKEY-1 or PRF-HMAC-SHA-256).
    pub prf: PrfFunc,
    /// KEMAC encryption (AES-CM-128 by default, RFC 3830 §4.2.3).
    pub encr: EncrAlg,
    /// KEMAC MAC (HMAC-SHA-1-160 by default, RFC 3830 §4.2.4).
    pub mac: MacAlg,
    /// Ask for a verification message (RFC 3830 §3.2).
    pub v: bool,
    /// The initiator's identity: sent in the clear (when `send_id_i`) and always as the
    /// first payload of the KEMAC plaintext (RFC 3830 §3.2, §6.2). `None` sends an empty NAI
    /// inside the KEMAC and no clear IDi.
    pub id_i: Option<Id<'static>>,
    /// Send IDi in the clear too (RFC 3830 §3.2: SHOULD, MAY be left out when the peer
    /// knows it, e.g. from SIP). On by default.
    pub send_id_i: bool,
    /// The initiator's certificate chain (DER X.509v3, leaf first), one CERT payload each
    /// (RFC 3830 §6.7).
    pub certs: Vec<Vec<u8>>,
    /// The responder's identity, sent as IDr.
    pub id_r: Option<Id<'static>>,
    /// Send a CHASH of `responder_cert` with this hash function, to tell a responder with
    /// several keys which one was used (RFC 3830 §3.2, §6.8).
    pub chash: Option<HashFunc>,
    /// The responder's certificate (DER), for CHASH.
    pub responder_cert: Option<Vec<u8>>,
    /// Crypto sessions (SRTP-ID map; SSRC 0 lets the responder fill it in).
    pub crypto_sessions: Vec<SrtpCs>,
    /// Security policies (SP payloads).
    pub policies: Vec<SecurityPolicy<'static>>,
    /// Timestamp type: NTP-UTC (default), NTP or COUNTER.
    pub ts_type: TsType,
    /// RAND length in bytes (RFC 3830 §6.11: at least 16).
    pub rand_len: u8,
    /// A given RAND instead of a fresh one (group CSBs, RFC 3830 §6.11).
    pub rand: Option<Vec<u8>>,
    /// Signature scheme of SIGNi (RFC 3830 §6.5): PKCS#1 v1.5 / SHA-256 by default.
    pub signature: SignatureScheme,
    /// Envelope key cache indicator (RFC 3830 Table 6.3). `NoCache` by default.
    pub cache: CacheType,
    /// Envelope key length in bytes (at least [`MIN_ENVELOPE_KEY_LEN`]; 16 by default).
    pub envelope_key_len: usize,
}

impl Default for PkConfig {
    fn default() -> Self {
        Self {
            csb_id: None,
            prf: PrfFunc::Mikey1,
            encr: EncrAlg::AesCm128,
            mac: MacAlg::HmacSha1_160,
            v: false,
            id_i: None,
            send_id_i: true,
            certs: Vec::new(),
            id_r: None,
            chash: None,
            responder_cert: None,
            crypto_sessions: Vec::new(),
            policies: Vec::new(),
            ts_type: TsType::NtpUtc,
            rand_len: 16,
            rand: None,
            signature: SignatureScheme::RsaPkcs1Sha256,
            cache: CacheType::NoCache,
            envelope_key_len: MIN_ENVELOPE_KEY_LEN,
        }
    }
}

/// The hash of a certificate for a CHASH payload (RFC 3830 §6.8; SHA-256 of RFC 6043
/// §6.7). `None` for MD5 and unknown functions, which this crate does not compute.
pub fn cert_hash(func: HashFunc, cert_der: &[u8]) -> Option<Vec<u8>> {
    use sha2::Digest;
    match func {
        HashFunc::Sha1 => Some(sha1::Sha1::digest(cert_der).to_vec()),
        HashFunc::Sha256 => Some(sha2::Sha256::digest(cert_der).to_vec()),
        _ => None,
    }
}

struct Pending {
    t: Timestamp,
    id_i: Vec<u8>,
    auth: SecretBytes,
}

/// The initiator of the public-key method (RFC 3830 §3.2). Holds its signing key, the
/// responder's public key, and the envelope key while it is cached.
pub struct PkInitiator {
    key: Box<dyn RsaPrivate>,
    responder: Box<dyn RsaPublic>,
    cfg: PkConfig,
    bundle: Option<CryptoSessionBundle>,
    pending: Option<Pending>,
    envelope_key: Option<SecretBytes>,
    counter: u32,
    confirmed: bool,
}

impl core::fmt::Debug for PkInitiator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PkInitiator")
            .field("key", &self.key)
            .field("responder", &self.responder)
            .field("cfg", &self.cfg)
            .field("bundle", &self.bundle)
            .field("envelope_key", &self.envelope_key)
            .field("confirmed", &self.confirmed)
            .finish()
    }
}

impl PkInitiator {
    /// An initiator signing with `key`, encrypting envelope keys to `responder`
    /// (RFC 3830 §3.2).
    pub fn new(key: Box<dyn RsaPrivate>, responder: Box<dyn RsaPublic>, cfg: PkConfig) -> Self {
        Self {
            key,
            responder,
            cfg,
            bundle: None,
            pending: None,
            envelope_key: None,
            counter: 0,
            confirmed: false,
        }
    }

    /// The crypto session bundle, once a message was built.
    pub fn bundle(&self) -> Option<&CryptoSessionBundle> {
        self.bundle.as_ref()
    }

    /// True once the responder's verification message was checked (or none was asked for).
    pub fn is_confirmed(&self) -> bool {
        self.confirmed
    }

    /// The settings (editable between updates).
    pub fn config_mut(&mut self) -> &mut PkConfig {
        &mut self.cfg
    }

    /// Builds the I_MESSAGE carrying `keys` (RFC 3830 §3.2). The first call creates the CSB
    /// (fresh RAND and CSB ID); later calls build public-key update messages (RFC 3830 §4.5:
    /// same CSB ID, new timestamp, no RAND, a new envelope key, keys optional), allowed
    /// only while the envelope key is not cached (a cached one makes updates PSK messages:
    /// [`into_psk`](Self::into_psk)).
    pub fn initiate(
        &mut self,
        keys: Vec<TransportKey>,
        now: Duration,
        rng: &mut impl Entropy,
    ) -> Result<Vec<u8>, SessionError> {
        if self.bundle.is_some() && self.envelope_key.is_some() {
            return Err(SessionError::WrongState(
                "envelope key cached: updates are PSK messages (PkInitiator::into_psk)",
            ));
        }
        if self.cfg.envelope_key_len < MIN_ENVELOPE_KEY_LEN
            || self.cfg.envelope_key_len + 11 > self.responder.modulus_len()
        {
            return Err(SessionError::Unspecified(format!(
                "envelope key length {} outside {MIN_ENVELOPE_KEY_LEN}..={}",
                self.cfg.envelope_key_len,
                self.responder.modulus_len().saturating_sub(11)
            )));
        }
        if self.cfg.cache.is_unknown() {
            return Err(SessionError::Unspecified("unknown cache indicator".into()));
        }
        let prf = prf_of(self.cfg.prf)?;
        let cipher = cipher_of(self.cfg.encr, true)?;
        let mac_kind = mac_of(self.cfg.mac, true)?;
        let t = new_timestamp(self.cfg.ts_type, now, &mut self.counter)?;
        let update = self.bundle.is_some();
        let (csb_id, rand) = match &self.bundle {
            Some(b) => (b.csb_id, b.rand.clone()),
            None => {
                let csb_id = self.cfg.csb_id.unwrap_or_else(|| {
                    let mut b = [0u8; 4];
                    rng.fill(&mut b);
                    u32::from_be_bytes(b)
                });
                let r = self.cfg.rand.clone().unwrap_or_else(|| {
                    let mut r = vec![0u8; self.cfg.rand_len as usize];
                    rng.fill(&mut r);
                    r
                });
                (csb_id, r)
            }
        };
        let mut cs_map = SrtpIdMap::from_entries(&self.cfg.crypto_sessions);
        if let Some(CsIdMap::SrtpId(known)) = self.bundle.as_ref().map(|b| &b.cs_map) {
            for (id, cs) in known.iter() {
                if cs_map.get(id).is_some_and(|c| c.ssrc == 0) && cs.ssrc != 0 {
                    cs_map.set_ssrc(id, cs.ssrc);
                }
            }
        }
        let mut h = Header::new(DataType::PkInit, csb_id);
        h.v = self.cfg.v;
        h.prf = self.cfg.prf;
        h.cs_map = CsIdMap::SrtpId(cs_map.clone());
        let mut m = Message::new(h).with(Payload::T(t));
        if !update {
            m.payloads.push(Payload::Rand(Rand {
                rand: Cow::Owned(rand.clone()),
            }));
        }
        let id_i = self.cfg.id_i.clone().unwrap_or(Id {
            id_type: IdType::Nai,
            data: Cow::Borrowed(&[]),
        });
        if self.cfg.send_id_i && self.cfg.id_i.is_some() {
            m.payloads.push(Payload::Id(id_i.clone()));
        }
        for c in &self.cfg.certs {
            m.payloads.push(Payload::Cert(Cert {
                cert_type: CertType::X509v3,
                data: Cow::Owned(c.clone()),
            }));
        }
        if let Some(id) = &self.cfg.id_r {
            m.payloads.push(Payload::Id(id.clone()));
        }
        for sp in &self.cfg.policies {
            m.payloads.push(Payload::Sp(sp.clone()));
        }
        // The envelope key and the KEMAC (RFC 3830 §3.2, §4.1.4, §5.2).
        let mut env = SecretBytes::zeroed(self.cfg.envelope_key_len);
        rng.fill(env.as_mut_bytes());
        let mk = MessageKeys::derive(prf, env.as_bytes(), csb_id, &rand, cipher, mac_kind);
        let plain = encode_keys(&keys, Some(id_i.clone()));
        let encr_data = crypto::kemac::encrypt(
            cipher,
            mk.encr.as_bytes(),
            mk.salt.as_bytes(),
            csb_id,
            t.as_u64(),
            plain.as_bytes(),
        )
        .map_err(|e| SessionError::InvalidKeyData(e.to_string()))?;
        if encr_data.len() > u16::MAX as usize {
            return Err(SessionError::InvalidKeyData(
                "key data longer than 65535 bytes".into(),
            ));
        }
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
        if let (Some(f), Some(cert)) = (self.cfg.chash, &self.cfg.responder_cert) {
            let hash = cert_hash(f, cert).ok_or_else(|| {
                SessionError::Unspecified(format!("CHASH hash function {f} not supported"))
            })?;
            m.payloads.push(Payload::Chash(Chash {
                hash_func: f,
                hash: Cow::Owned(hash),
            }));
        }
        let pke = self
            .responder
            .encrypt_pkcs1v15(rng, env.as_bytes())
            .map_err(|e| SessionError::Unspecified(format!("envelope key encryption: {e}")))?;
        if pke.len() > 0x3fff {
            return Err(SessionError::Unspecified(
                "PKE longer than 16383 bytes".into(),
            ));
        }
        m.payloads.push(Payload::Pke(Pke {
            cache: self.cfg.cache,
            data: Cow::Owned(pke),
        }));
        let out = sign_message(m, self.key.as_ref(), self.cfg.signature, rng, None)?;

        let policies = self.cfg.policies.clone();
        match &mut self.bundle {
            Some(b) => {
                b.update(Some(CsIdMap::SrtpId(cs_map)), policies, keys);
            }
            None => {
                self.bundle = Some(CryptoSessionBundle {
                    csb_id,
                    prf: self.cfg.prf,
                    rand,
                    cs_map: CsIdMap::SrtpId(cs_map),
                    policies,
                    keys,
                    gstreamer_auth_key_len: false,
                })
            }
        }
        if self.cfg.cache != CacheType::NoCache {
            self.envelope_key = Some(env.clone());
        }
        self.confirmed = !self.cfg.v;
        self.pending = Some(Pending {
            t,
            id_i: self
                .cfg
                .id_i
                .as_ref()
                .map(|i| i.data.to_vec())
                .unwrap_or_default(),
            auth: mk.auth.clone(),
        });
        Ok(out)
    }

    /// Handles the responder's answer: a PK verification message (RFC 3830 §3.2, V as in
    /// §5.2, keyed from the envelope key) or an Error message (reported as
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
        let id_r = self
            .cfg
            .id_r
            .as_ref()
            .map(|i| i.data.to_vec())
            .unwrap_or_default();
        let filled = check_response(
            &view,
            &ResponseCheck {
                csb_id: bundle.csb_id,
                t: pending.t,
                ver_type: DataType::PkResp,
                auth_key: pending.auth.as_bytes(),
                mac: self.cfg.mac,
                id_i: &pending.id_i,
                id_r: &id_r,
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

    /// Continues the CSB with PSK update messages keyed with the cached envelope key
    /// (RFC 3830 §3.2: "it is possible to cache the envelope key, so that it can be used as
    /// a pre-shared key"; §4.5: the update "is a pre-shared key message with the cached
    /// envelope key as the pre-shared key"). `cfg` supplies the algorithms, identities and
    /// the next update's crypto sessions and policies.
    ///
    /// # Errors
    /// [`SessionError::WrongState`] when no exchange was made or the envelope key was not
    /// cached (cache indicator "No cache").
    pub fn into_psk(self, cfg: PskConfig) -> Result<PskInitiator, SessionError> {
        match (&self.envelope_key, &self.bundle) {
            (Some(k), Some(b)) => {
                let mut i = PskInitiator::from_bundle(k.as_bytes(), cfg, b.clone());
                i.set_counter(self.counter);
                Ok(i)
            }
            _ => Err(SessionError::WrongState(
                "no cached envelope key (cache indicator No cache)",
            )),
        }
    }
}

impl PkInitiator {
    /// An initiator for a CSB the responder already holds (RFC 3830 §4.5): its next
    /// [`initiate`](Self::initiate) builds a public-key update (same CSB ID, no RAND, a new
    /// envelope key). `pending` is the timestamp and verification key (`auth_key`, RFC 3830
    /// §4.1.4, §5.2) of a message still awaiting its verification message. Used by the group
    /// controller, which builds one initiator per exchange and restores them from snapshots.
    pub(crate) fn resume(
        key: Box<dyn RsaPrivate>,
        responder: Box<dyn RsaPublic>,
        cfg: PkConfig,
        bundle: CryptoSessionBundle,
        pending: Option<(Timestamp, SecretBytes)>,
    ) -> Self {
        let id_i = cfg
            .id_i
            .as_ref()
            .map(|i| i.data.to_vec())
            .unwrap_or_default();
        Self {
            key,
            responder,
            cfg,
            bundle: Some(bundle),
            pending: pending.map(|(t, auth)| Pending { t, id_i, auth }),
            envelope_key: None,
            counter: 0,
            confirmed: false,
        }
    }

    /// The timestamp and verification key of the message awaiting a response, if any.
    pub(crate) fn pending_reply(&self) -> Option<(Timestamp, SecretBytes)> {
        self.pending.as_ref().map(|p| (p.t, p.auth.clone()))
    }
}

struct ResponderKey {
    key: Box<dyn RsaPrivate>,
    cert: Option<Vec<u8>>,
}

/// The responder of the public-key method (RFC 3830 §3.2). Its [`PeerVerifier`] decides
/// which initiators it trusts; it decrypts envelope keys with its private key(s), chosen by
/// CHASH when it has several (RFC 3830 §6.8). PSK update messages keyed with a cached
/// envelope key are accepted too (RFC 3830 §4.5).
pub struct PkResponder {
    inner: PskResponder,
    provider: Arc<dyn CryptoProvider>,
    keys: Vec<ResponderKey>,
    verifier: Box<dyn PeerVerifier>,
    peers: HashMap<u32, Vec<u8>>,
}

impl core::fmt::Debug for PkResponder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PkResponder")
            .field("provider", &self.provider.name())
            .field("keys", &self.keys.len())
            .field("verifier", &self.verifier)
            .field("inner", &self.inner)
            .finish()
    }
}

impl PkResponder {
    /// A responder decrypting with `key`, trusting the initiators `verifier` accepts.
    /// Settings as for the PSK responder; `cfg.sha1_signatures` also accepts SHA-1 signatures.
    pub fn new(
        provider: Arc<dyn CryptoProvider>,
        key: Box<dyn RsaPrivate>,
        verifier: impl PeerVerifier + 'static,
        cfg: ResponderConfig,
    ) -> Self {
        Self {
            inner: PskResponder::new(HashMap::<Vec<u8>, SecretBytes>::new(), cfg),
            provider,
            keys: vec![ResponderKey { key, cert: None }],
            verifier: Box::new(verifier),
            peers: HashMap::new(),
        }
    }

    /// Sets the certificate (DER) of the first key, so initiators can name it by CHASH.
    pub fn with_certificate(mut self, cert_der: &[u8]) -> Self {
        if let Some(k) = self.keys.first_mut() {
            k.cert = Some(cert_der.to_vec());
        }
        self
    }

    /// Adds another key with its certificate; initiators select it with a CHASH of the
    /// certificate (RFC 3830 §3.2, §6.8). Messages without CHASH use the first key.
    pub fn add_key(&mut self, key: Box<dyn RsaPrivate>, cert_der: &[u8]) {
        self.keys.push(ResponderKey {
            key,
            cert: Some(cert_der.to_vec()),
        });
    }

    /// The bundle with this CSB ID.
    pub fn bundle(&self, csb_id: u32) -> Option<&CryptoSessionBundle> {
        self.inner.bundle(csb_id)
    }

    /// Forgets a bundle (and its cached envelope key).
    pub fn remove_bundle(&mut self, csb_id: u32) -> bool {
        self.peers.remove(&csb_id);
        self.inner.remove_bundle(csb_id)
    }

    /// The replay cache (for monitoring its size).
    pub fn replay_cache(&self) -> &super::ReplayCache {
        self.inner.replay_cache()
    }

    /// SRTP parameters of a bundle.
    pub fn srtp(&self, csb_id: u32) -> Result<Vec<SrtpParams>, SessionError> {
        self.inner.srtp(csb_id)
    }

    /// Processes an I_MESSAGE received at `now`: a public-key message (RFC 3830 §3.2), or a
    /// PSK update keyed with a cached envelope key (RFC 3830 §4.5).
    pub fn handle(&mut self, bytes: &[u8], now: Duration) -> Result<Accepted, Rejected> {
        let opts = if self.inner.cfg.lenient {
            ParseOptions::LENIENT
        } else {
            ParseOptions::STRICT
        };
        let view = MessageView::parse_with(bytes, opts).map_err(|e| Rejected {
            error: e.into(),
            response: None,
        })?;
        if view.header().data_type == DataType::PskInit {
            return self.inner.handle(bytes, now);
        }
        let mut ctx = ErrCtx {
            send_errors: self.inner.cfg.send_errors,
            id_r: self.inner.cfg.id_r.clone(),
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
        if h.data_type != DataType::PkInit {
            return Err(SessionError::UnexpectedDataType(h.data_type.to_wire()));
        }
        let p = PkParts::collect(view)?;
        let t = p.t;
        ctx.t = Some(t);
        let prf = prf_of(h.prf)?;
        let cfg = self.inner.cfg.clone();
        let cipher = cipher_of(p.kemac.encr_alg, cfg.allow_null_encryption)?;
        let mac_kind = mac_of(p.kemac.mac_alg, cfg.allow_null_mac)?;
        if p.pke.cache.is_unknown() {
            return Err(SessionError::Unspecified(format!(
                "unknown envelope key cache indicator {}",
                p.pke.cache.to_wire()
            )));
        }
        if !matches!(p.sign.sign_type.to_wire(), 0 | 1) {
            return Err(SessionError::AuthFailure);
        }
        check_policies(&p.policies)?;
        let id_i = p.ids.first().cloned();
        let id_r = p.ids.get(1).cloned();
        let counter_key = id_i.as_ref().map(|i| i.data.to_vec()).unwrap_or_default();
        let expires = check_timestamp(
            &t,
            now,
            &cfg.timestamps,
            self.inner.counters.get(&counter_key).copied(),
        )?;
        let existing = self.inner.bundles.get(&h.csb_id);
        let is_update = p.rand.is_none() && existing.is_some();
        let rand = match (&p.rand, existing) {
            (Some(r), _) => r.clone(),
            (None, Some(e)) => e.bundle.rand.clone(),
            (None, None) => return Err(SessionError::MissingPayload("RAND")),
        };
        if existing.is_none() && self.inner.bundles.len() >= cfg.max_bundles {
            return Err(SessionError::Unspecified(
                "too many crypto session bundles".into(),
            ));
        }
        let d = digest(view.as_bytes());
        match self.inner.replay.check(&d, now.as_secs()) {
            ReplayVerdict::Fresh => {}
            ReplayVerdict::Replayed => return Err(SessionError::Replay),
            ReplayVerdict::Full => return Err(SessionError::ReplayCacheFull),
        }
        // Which of our keys (CHASH, RFC 3830 §6.8).
        let key = match &p.chash {
            None => &self.keys[0],
            Some(c) => self
                .keys
                .iter()
                .find(|k| {
                    k.cert
                        .as_deref()
                        .and_then(|cert| cert_hash(c.hash_func, cert))
                        == Some(c.hash.to_vec())
                })
                .ok_or_else(|| SessionError::InvalidCert("CHASH names none of our keys".into()))?,
        };
        if p.pke.data.len() != key.key.modulus_len() {
            return Err(SessionError::AuthFailure);
        }
        // The initiator's key, as the caller's verifier decides (public-key work only).
        let claim = PeerClaim {
            identity: id_i.as_ref().map(|i| &*i.data),
            certs: &p.certs,
        };
        let peer = self.verifier.verify_peer(&claim, self.provider.as_ref())?;
        let peer_spki = peer.to_spki_der();
        // Updates, and new exchanges reusing a CSB ID, only from the CSB's owner.
        if existing_owner_differs(&self.peers, h.csb_id, &peer_spki, is_update) {
            return Err(SessionError::AuthFailure);
        }
        verify_signature(
            view.as_bytes(),
            &p.sign,
            peer.as_ref(),
            cfg.sha1_signatures,
            None,
        )?;
        // Only now the private-key operation (RFC 3830 §3.2, §4.2.5).
        let env = key
            .key
            .decrypt_pkcs1v15(&p.pke.data)
            .map_err(|_| SessionError::AuthFailure)?;
        let keys = MessageKeys::derive(prf, env.as_bytes(), h.csb_id, &rand, cipher, mac_kind);
        let kbytes = &view.as_bytes()[p.kemac_off..p.kemac_off + p.kemac.encoded_len()];
        if mac_kind != MacKind::Null
            && !crypto::kemac::verify_mac(
                mac_kind,
                keys.auth.as_bytes(),
                &pk_kemac_mac_input(kbytes, p.kemac.mac.len()),
                &p.kemac.mac,
            )
        {
            return Err(SessionError::AuthFailure);
        }
        if env.len() < MIN_ENVELOPE_KEY_LEN {
            return Err(SessionError::InvalidKeyData(
                "envelope key shorter than 16 bytes".into(),
            ));
        }
        let id_i_bytes = id_i.as_ref().map(|i| i.data.to_vec()).unwrap_or_default();
        let id_r_bytes = id_r.as_ref().map(|i| i.data.to_vec()).unwrap_or_default();
        ctx.auth = Some((
            mac_kind,
            p.kemac.mac_alg,
            keys.auth.clone(),
            id_i_bytes.clone(),
            id_r_bytes.clone(),
        ));
        self.inner.replay.insert(d, expires, now.as_secs());
        let (enc_id, new_keys) = decrypt_key_list(cipher, &keys, h.csb_id, &t, &p.kemac, true)?;
        // The encrypted IDi must be the expected one (RFC 3830 §3.2): the clear IDi, or,
        // without one, an identity the verifier ties to the same key.
        let enc_id = enc_id.ok_or_else(|| SessionError::AuthFailure)?;
        match &id_i {
            Some(clear) if *clear != enc_id => return Err(SessionError::AuthFailure),
            Some(_) => {}
            None => {
                let claim = PeerClaim {
                    identity: Some(&enc_id.data),
                    certs: &p.certs,
                };
                let k = self.verifier.verify_peer(&claim, self.provider.as_ref())?;
                if k.to_spki_der() != peer_spki {
                    return Err(SessionError::AuthFailure);
                }
            }
        }
        if !is_update && new_keys.is_empty() {
            return Err(SessionError::InvalidKeyData(
                "no key in the initial message".into(),
            ));
        }
        let cached = p.pke.cache != CacheType::NoCache;
        let a = self.inner.commit(Commit {
            view,
            t,
            rand,
            policies: p.policies,
            new_keys,
            is_update,
            counter_key,
            mac_kind,
            mac_alg: p.kemac.mac_alg,
            auth_key: keys.auth.as_bytes(),
            id_i: enc_id.data.to_vec(),
            id_r: id_r_bytes,
            // Cached: PSK updates keyed with it are accepted (RFC 3830 §3.2, §4.5).
            psk: cached.then_some(env),
            ver_type: DataType::PkResp,
        })?;
        self.peers.insert(h.csb_id, peer_spki);
        Ok(a)
    }
}

fn existing_owner_differs(
    peers: &HashMap<u32, Vec<u8>>,
    csb_id: u32,
    spki: &[u8],
    is_update: bool,
) -> bool {
    match peers.get(&csb_id) {
        Some(owner) => owner.as_slice() != spki,
        None => is_update,
    }
}

/// The payloads of a public-key I_MESSAGE, in the order RFC 3830 §3.2 gives them.
struct PkParts<'a> {
    t: Timestamp,
    rand: Option<Vec<u8>>,
    ids: Vec<Id<'static>>,
    certs: Vec<&'a [u8]>,
    policies: Vec<SecurityPolicy<'static>>,
    kemac_off: usize,
    kemac: Kemac<'a>,
    chash: Option<Chash<'a>>,
    pke: Pke<'a>,
    sign: Sign<'a>,
}

impl<'a> PkParts<'a> {
    /// Shape: T, [RAND], {ID}, {CERT}, {SP}, KEMAC, [CHASH], PKE, SIGN (last, RFC 3830
    /// §6.5). The first ID is IDi, a second one IDr. General extensions are ignored.
    fn collect(view: &MessageView<'a>) -> Result<Self, SessionError> {
        let mut t = None;
        let mut rand = None;
        let mut ids = Vec::new();
        let mut certs = Vec::new();
        let mut policies = Vec::new();
        let mut kemac = None;
        let mut chash = None;
        let mut pke = None;
        let mut sign = None;
        for (off, p) in view.payloads_with_offsets() {
            let after_kemac = kemac.is_some();
            match p {
                Payload::Kemac(k) if !after_kemac => kemac = Some((off, k)),
                Payload::Chash(c) if after_kemac && chash.is_none() && pke.is_none() => {
                    chash = Some(c)
                }
                Payload::Pke(x) if after_kemac && pke.is_none() => pke = Some(x),
                Payload::Sign(s) if pke.is_some() => sign = Some(s),
                _ if after_kemac => {
                    return Err(SessionError::MissingPayload(
                        "KEMAC, [CHASH], PKE, SIGN (in this order, last)",
                    ))
                }
                Payload::T(x) if t.is_none() => t = Some(x),
                Payload::Rand(r) if rand.is_none() => rand = Some(r.rand.to_vec()),
                Payload::Id(i) => ids.push(i.into_owned()),
                Payload::Cert(c) => {
                    if matches!(c.cert_type, CertType::X509v3 | CertType::X509v3Sign) {
                        if let Cow::Borrowed(d) = c.data {
                            certs.push(d);
                        }
                    }
                }
                Payload::Sp(s) => policies.push(s.into_owned()),
                Payload::GenExt(_) => {}
                _ => {
                    return Err(SessionError::MissingPayload(
                        "unexpected payload in a public-key message",
                    ))
                }
            }
        }
        let (kemac_off, kemac) = kemac.ok_or_else(|| SessionError::MissingPayload("KEMAC"))?;
        Ok(Self {
            t: t.ok_or_else(|| SessionError::MissingPayload("T"))?,
            rand,
            ids,
            certs,
            policies,
            kemac_off,
            kemac,
            chash,
            pke: pke.ok_or_else(|| SessionError::MissingPayload("PKE"))?,
            sign: sign.ok_or_else(|| SessionError::MissingPayload("SIGN"))?,
        })
    }
}

/// A public-key I_MESSAGE opened with [`open_pk_message`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PkOpened {
    /// The bundle the message describes (its keys decrypted).
    pub bundle: CryptoSessionBundle,
    /// `Some(true)` when SIGN verified with the key of the message's first CERT,
    /// `Some(false)` when it did not, `None` when the message has no certificate to check
    /// it with.
    pub signature_verified: Option<bool>,
    /// Whether the KEMAC MAC (RFC 3830 §5.2) verified (false for a NULL MAC).
    pub mac_verified: bool,
    /// The identity inside the KEMAC (the initiator's, RFC 3830 §3.2).
    pub encrypted_id: Option<Id<'static>>,
    /// The envelope key cache indicator (RFC 3830 Table 6.3).
    pub cache: CacheType,
}

/// Opens a public-key I_MESSAGE addressed to `key` for diagnostics (`mikey decode
/// --private-key`), without timestamp, replay or trust checks: checks SIGN with the public
/// key of the message's first CERT when there is one (RFC 3830 §5.2), decrypts the envelope
/// key (RFC 3830 §3.2), verifies the KEMAC MAC unless `verify` is false, decrypts the key
/// data. A certificate found in the message proves nothing about who sent it.
pub fn open_pk_message(
    view: &MessageView<'_>,
    key: &dyn RsaPrivate,
    provider: &dyn CryptoProvider,
    rand: Option<&[u8]>,
    verify: bool,
) -> Result<PkOpened, SessionError> {
    let h = view.header();
    if h.data_type != DataType::PkInit {
        return Err(SessionError::UnexpectedDataType(h.data_type.to_wire()));
    }
    let p = PkParts::collect(view)?;
    let signature_verified = p.certs.first().map(|c| {
        super::trust::spki_of_cert(c)
            .ok()
            .and_then(|spki| provider.rsa_public_from_der(&spki).ok())
            .is_some_and(|k| {
                verify_signature(view.as_bytes(), &p.sign, k.as_ref(), true, None).is_ok()
            })
    });
    if verify && signature_verified == Some(false) {
        return Err(SessionError::AuthFailure);
    }
    let rand = p
        .rand
        .clone()
        .or_else(|| rand.map(<[u8]>::to_vec))
        .unwrap_or_default();
    let cipher = cipher_of(p.kemac.encr_alg, true)?;
    let mac_kind = mac_of(p.kemac.mac_alg, true)?;
    let env = key
        .decrypt_pkcs1v15(&p.pke.data)
        .map_err(|_| SessionError::AuthFailure)?;
    let keys = MessageKeys::derive(
        prf_of(h.prf)?,
        env.as_bytes(),
        h.csb_id,
        &rand,
        cipher,
        mac_kind,
    );
    let kbytes = &view.as_bytes()[p.kemac_off..p.kemac_off + p.kemac.encoded_len()];
    let mac_verified = mac_kind != MacKind::Null
        && crypto::kemac::verify_mac(
            mac_kind,
            keys.auth.as_bytes(),
            &pk_kemac_mac_input(kbytes, p.kemac.mac.len()),
            &p.kemac.mac,
        );
    if verify && mac_kind != MacKind::Null && !mac_verified {
        return Err(SessionError::AuthFailure);
    }
    let (encrypted_id, new_keys) = decrypt_key_list(cipher, &keys, h.csb_id, &p.t, &p.kemac, true)?;
    let mut bundle = CryptoSessionBundle {
        csb_id: h.csb_id,
        prf: h.prf,
        rand,
        cs_map: CsIdMap::SrtpId(SrtpIdMap::default()),
        policies: Vec::new(),
        keys: Vec::new(),
        gstreamer_auth_key_len: false,
    };
    bundle.update(Some(h.cs_map.clone().into_owned()), p.policies, new_keys);
    Ok(PkOpened {
        bundle,
        signature_verified,
        mac_verified,
        encrypted_id,
        cache: p.pke.cache,
    })
}
