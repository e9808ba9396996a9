//! The RSA-R initiator (RFC 4738 §3.4, §3.7).

use super::parts::RParts;
use super::{RsaRAccepted, RsaRConfig};
use crate::bundle::CryptoSessionBundle;
use crate::crypto::{self, CryptoProvider, Entropy, MessageKeys, RsaPrivate, RsaPublic};
use crate::session::common::{
    check_policies, cipher_of, export, initiator_export, mac_of, new_timestamp, pk_kemac_mac_input,
    prf_of, sign_message, ts_bytes, verify_signature,
};
use crate::session::pk::MIN_ENVELOPE_KEY_LEN;
use crate::session::psk::decrypt_key_list;
use crate::session::trust::{PeerClaim, PeerVerifier};
use crate::session::SessionError;
use crate::srtp::SrtpParams;
use crate::wire::{
    Cert, CertType, CsIdMap, DataType, ErrorNo, Header, Id, Message, MessageView, Payload,
    PayloadBody, Rand, SrtpIdMap, Timestamp,
};
use core::time::Duration;
use std::borrow::Cow;
use std::sync::Arc;

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
        initiator_export(self.bundle.as_ref(), &Default::default())
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
        let cs_map = SrtpIdMap::from_entries(&self.cfg.crypto_sessions)?;
        let mut h = Header::new(DataType::RsaRInit, csb_id);
        h.v = true;
        h.prf = self.cfg.prf;
        h.cs_map = CsIdMap::SrtpId(cs_map.clone());
        let mut m = Message::new(h).with(Payload::T(t));
        if self.cfg.send_rand && usize::from(self.cfg.rand_len) < crate::session::MIN_RAND_LEN {
            let len = usize::from(self.cfg.rand_len);
            return Err(SessionError::WeakInput(
                crate::session::Weakness::ShortRand { len },
            ));
        }
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
            DataType::Error => return Err(peer_error(&view, pending.t)),
            other => return Err(SessionError::UnexpectedDataType(other.to_wire())),
        }
        let p = RParts::collect(&view)?;
        let (group, rand) = self.check_parts(&p, pending)?;
        let prf = prf_of(h.prf)?;
        let cipher = cipher_of(p.kemac.encr_alg, false)?;
        let mac_kind = mac_of(p.kemac.mac_alg, false)?;
        if !matches!(p.sign.sign_type.to_wire(), 0 | 1) {
            return Err(SessionError::AuthFailure);
        }
        if p.pke.data.len() != self.key.modulus_len() {
            return Err(SessionError::AuthFailure);
        }
        let (claimed, peer) = self.verify_responder(&view, &p)?;
        // Only now the private-key operation.
        let env = self
            .key
            .decrypt_pkcs1v15(&p.pke.data)
            .map_err(|_| SessionError::AuthFailure)?;
        let csb_id = p.csb_ext.unwrap_or(h.csb_id);
        let keys = MessageKeys::derive(prf, env.as_bytes(), csb_id, &rand, cipher, mac_kind);
        if !kemac_mac_ok(&view, &p, &keys, mac_kind) || env.len() < MIN_ENVELOPE_KEY_LEN {
            return Err(SessionError::AuthFailure);
        }
        let (enc_id, new_keys) = decrypt_key_list(cipher, &keys, csb_id, &p.t, &p.kemac, true)?;
        let enc_id = enc_id.ok_or_else(|| SessionError::AuthFailure)?;
        self.check_enc_id(claimed.as_ref(), &enc_id, &p.certs, peer.as_ref())?;
        if new_keys.is_empty() {
            return Err(SessionError::InvalidKeyData(
                "no key in the R_MESSAGE".into(),
            ));
        }
        let mut bundle = CryptoSessionBundle::new(csb_id, h.prf, rand);
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

    /// The R_MESSAGE checks before any signature or key (RFC 4738 §3.6, §3.7): the echoed
    /// timestamp, group mode as configured, the RAND rule and the policies. Returns whether
    /// the answer is in group mode and the RAND the keys derive from.
    fn check_parts(
        &self,
        p: &RParts<'_>,
        pending: &Pending,
    ) -> Result<(bool, Vec<u8>), SessionError> {
        if p.t != pending.t {
            return Err(SessionError::InvalidTimestamp);
        }
        let group = p.csb_ext.is_some();
        if group != self.cfg.group {
            return Err(SessionError::MissingPayload(
                "GenExt(CSB_ID) exactly in group mode (RFC 4738 §3.6)",
            ));
        }
        let rand = response_rand(group, &pending.rand, &p.rand)?;
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
        Ok((group, rand))
    }

    /// Who answered (RFC 4738 §3.7, §5) and SIGNr: the identity we insist on, else the one
    /// claimed, as the caller's verifier decides; then the signature over the message, IDi,
    /// IDr and T. Returns the claimed identity and the responder's key.
    fn verify_responder(
        &self,
        view: &MessageView<'_>,
        p: &RParts<'_>,
    ) -> Result<(Option<Id<'static>>, Box<dyn RsaPublic>), SessionError> {
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
        Ok((claimed, peer))
    }

    /// The identity inside the KEMAC must be the one claimed; with none claimed, the
    /// verifier must accept it with the key that verified SIGNr (RFC 4738 §3.7).
    fn check_enc_id(
        &self,
        claimed: Option<&Id<'static>>,
        enc_id: &Id<'static>,
        certs: &[&[u8]],
        peer: &dyn RsaPublic,
    ) -> Result<(), SessionError> {
        match claimed {
            Some(c) if c != enc_id => Err(SessionError::AuthFailure),
            Some(_) => Ok(()),
            None => {
                let claim = PeerClaim {
                    identity: Some(&enc_id.data),
                    certs,
                };
                let k = self.verifier.verify_peer(&claim, self.provider.as_ref())?;
                if k.to_spki_der() != peer.to_spki_der() {
                    return Err(SessionError::AuthFailure);
                }
                Ok(())
            }
        }
    }
}

/// The error for an Error message answering our request: its timestamp, if any, must echo
/// ours (or be zero); then [`SessionError::PeerError`] with its error codes.
fn peer_error(view: &MessageView<'_>, t_sent: Timestamp) -> SessionError {
    let t = view.walk().find_map(|p| p.timestamp());
    if t.is_some_and(|t| t != t_sent && t != Timestamp::ntp_utc(0)) {
        return SessionError::InvalidTimestamp;
    }
    let errs: Vec<ErrorNo> = view
        .payloads()
        .filter_map(|p| match p {
            Payload::Err(e) => Some(e.error_no),
            _ => None,
        })
        .collect();
    SessionError::PeerError(errs)
}

/// The RAND the keys derive from (RFC 4738 §3.6, §3.7): the responder's in group mode,
/// otherwise the one side's that sent one.
fn response_rand(
    group: bool,
    ours: &Option<Vec<u8>>,
    theirs: &Option<Vec<u8>>,
) -> Result<Vec<u8>, SessionError> {
    let rand = match (group, ours, theirs) {
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
    Ok(rand)
}

/// Whether the KEMAC's MAC verifies with the derived auth key (RFC 3830 §5.2, the MAC of
/// the public-key KEMAC).
fn kemac_mac_ok(
    view: &MessageView<'_>,
    p: &RParts<'_>,
    keys: &MessageKeys,
    mac_kind: crypto::MacKind,
) -> bool {
    let kbytes = &view.as_bytes()[p.kemac_off..p.kemac_off + p.kemac.encoded_len()];
    crypto::kemac::verify_mac(
        mac_kind,
        keys.auth.as_bytes(),
        &pk_kemac_mac_input(kbytes, p.kemac.mac.len()),
        &p.kemac.mac,
    )
}
