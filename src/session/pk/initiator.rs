//! The initiator of the public-key envelope method (RFC 3830 §3.2).

use super::{cert_hash, PkConfig, MIN_ENVELOPE_KEY_LEN};
use crate::bundle::{encode_keys, CryptoSessionBundle, TransportKey};
use crate::crypto::{
    self, Entropy, KemacCipher, MacKey, MacKind, MessageKeys, RsaPrivate, RsaPublic, SecretBytes,
};
use crate::session::common::{
    check_response, cipher_of, csb_and_rand, initiator_export, mac_of, new_timestamp,
    pk_kemac_mac_input, prf_of, sign_message, ResponseCheck,
};
use crate::session::engine::check_outgoing;
use crate::session::psk::{PskConfig, PskInitiator, Verified};
use crate::session::SessionError;
use crate::srtp::export::DecodedPolicies;
use crate::srtp::SrtpParams;
use crate::wire::{
    CacheType, Cert, CertType, Chash, CsIdMap, DataType, Header, Id, IdType, Kemac, Message,
    MessageView, Payload, PayloadBody, PayloadType, Pke, Rand, SrtpIdMap, Timestamp,
};
use core::time::Duration;
use std::borrow::Cow;

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
    /// What `initiate` decoded of the bundle's first policy, while it holds for the
    /// bundle: exports decode it no more.
    decoded: DecodedPolicies,
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
            decoded: DecodedPolicies::default(),
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
        self.check_settings()?;
        let prf = prf_of(self.cfg.prf)?;
        let cipher = cipher_of(self.cfg.encr, true)?;
        let mac_kind = mac_of(self.cfg.mac, true)?;
        let t = new_timestamp(self.cfg.ts_type, now, &mut self.counter)?;
        let update = self.bundle.is_some();
        let (csb_id, rand) = csb_and_rand(
            self.bundle.as_ref(),
            self.cfg.csb_id,
            self.cfg.rand.as_deref(),
            self.cfg.rand_len,
            rng,
        );
        let cs_map = self.outgoing_map()?;
        let map = CsIdMap::SrtpId(cs_map.clone());
        let policies = &self.cfg.policies;
        let decoded = check_outgoing(&rand, &keys, &map, policies, self.bundle.as_ref())
            .map_err(SessionError::WeakInput)?;
        let mut h = Header::new(DataType::PkInit, csb_id);
        h.v = self.cfg.v;
        h.prf = self.cfg.prf;
        h.cs_map = map;
        let mut m = Message::new(h).with(Payload::T(t));
        let id_i = self.cfg.id_i.clone().unwrap_or(Id {
            id_type: IdType::Nai,
            data: Cow::Borrowed(&[]),
        });
        self.push_head(&mut m, (!update).then_some(&rand), &id_i);
        // The envelope key and the KEMAC (RFC 3830 §3.2, §4.1.4, §5.2).
        let mut env = SecretBytes::zeroed(self.cfg.envelope_key_len);
        rng.fill(env.as_mut_bytes());
        let mk = MessageKeys::derive(prf, env.as_bytes(), csb_id, &rand, cipher, mac_kind);
        let plain = encode_keys(&keys, Some(id_i.clone()))?;
        let kemac = self.kemac(&mk, plain.as_bytes(), (csb_id, t), (cipher, mac_kind))?;
        m.payloads.push(Payload::Kemac(kemac));
        self.push_tail(&mut m, &env, rng)?;
        let out = sign_message(m, self.key.as_ref(), self.cfg.signature, rng, None)?;
        self.record(csb_id, rand, cs_map, keys);
        self.decoded = decoded;
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

    /// What an I_MESSAGE needs of the state and settings: no cached envelope key for an
    /// update, an envelope key length that fits PKCS#1 v1.5, a known cache indicator.
    fn check_settings(&self) -> Result<(), SessionError> {
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
        Ok(())
    }

    /// The configured crypto sessions, with the SSRCs the responder filled in earlier
    /// (RFC 3830 §6.1).
    fn outgoing_map(&self) -> Result<SrtpIdMap<'static>, SessionError> {
        let mut cs_map = SrtpIdMap::from_entries(&self.cfg.crypto_sessions)?;
        if let Some(CsIdMap::SrtpId(known)) = self.bundle.as_ref().map(|b| &b.cs_map) {
            for (id, cs) in known.iter() {
                if cs_map.get(id).is_some_and(|c| c.ssrc == 0) && cs.ssrc != 0 {
                    cs_map.set_ssrc(id, cs.ssrc);
                }
            }
        }
        Ok(cs_map)
    }

    /// RAND (initial messages), IDi, CERTs, IDr and the SPs (RFC 3830 §3.2).
    fn push_head(&self, m: &mut Message<'static>, rand: Option<&Vec<u8>>, id_i: &Id<'static>) {
        if let Some(rand) = rand {
            m.payloads.push(Payload::Rand(Rand {
                rand: Cow::Owned(rand.clone()),
            }));
        }
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
    }

    /// The KEMAC: the key data encrypted and MACed with the envelope key's message keys
    /// (RFC 3830 §3.2, §4.2.3; its MAC covers the KEMAC payload only, §5.2).
    fn kemac(
        &self,
        mk: &MessageKeys,
        plain: &[u8],
        (csb_id, t): (u32, Timestamp),
        (cipher, mac_kind): (KemacCipher, MacKind),
    ) -> Result<Kemac<'static>, SessionError> {
        let (encr, salt) = (mk.encr.as_bytes(), mk.salt.as_bytes());
        let encr_data = crypto::kemac::encrypt(cipher, encr, salt, csb_id, t.as_u64(), plain)
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
        kemac.encode(PayloadType::Last, &mut kbytes)?;
        let input = pk_kemac_mac_input(&kbytes, mac_kind.mac_len());
        let tag = crypto::kemac::mac(mac_kind, mk.auth.as_bytes(), &input);
        kemac.mac = Cow::Owned(tag.as_bytes().to_vec());
        Ok(kemac)
    }

    /// CHASH (when configured) and PKE: the envelope key encrypted to the responder.
    fn push_tail(
        &self,
        m: &mut Message<'static>,
        env: &SecretBytes,
        rng: &mut impl Entropy,
    ) -> Result<(), SessionError> {
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
        Ok(())
    }

    /// The bundle as sent: created, or updated with the message's map, policies and keys.
    /// Either way through [`CryptoSessionBundle::update`], as the responder builds its
    /// own: a policy number given twice means its last policy on both sides.
    fn record(
        &mut self,
        csb_id: u32,
        rand: Vec<u8>,
        cs_map: SrtpIdMap<'static>,
        keys: Vec<TransportKey>,
    ) {
        let policies = self.cfg.policies.clone();
        let prf = self.cfg.prf;
        self.bundle
            .get_or_insert_with(|| CryptoSessionBundle::new(csb_id, prf, rand))
            .update(Some(CsIdMap::SrtpId(cs_map)), policies, keys);
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
                auth_key: &MacKey::new(
                    mac_of(self.cfg.mac, true).unwrap_or(MacKind::Null),
                    pending.auth.clone(),
                ),
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
        initiator_export(self.bundle.as_ref(), &self.decoded)
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
            decoded: DecodedPolicies::default(),
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
