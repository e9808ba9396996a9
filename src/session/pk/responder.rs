//! The responder of the public-key envelope method (RFC 3830 §3.2): its hooks on the
//! [`Responder`] engine. The signature is checked with a key the caller's
//! [`PeerVerifier`] approved (public-key operations only) before the private-key RSA
//! decryption of PKE, the KEMAC MAC and the decryption: a forged message costs no
//! private-key operation. PSK update messages keyed with a cached envelope key are accepted
//! for the CSB it came with (RFC 3830 §4.5).

use super::parts::PkParts;
use super::{cert_hash, MIN_ENVELOPE_KEY_LEN};
use crate::crypto::{self, MacKind, MessageKeys, RsaPrivate};
use crate::session::common::{cipher_of, mac_of, pk_kemac_mac_input, prf_of, verify_signature};
use crate::session::engine::{
    Authenticated, Claims, Env, Incoming, Mode, Outcome, Recovered, ReplyAuth, Responder,
    ResponderConfig, Sealed, Updates,
};
use crate::session::psk::{decrypt_key_list, verification_reply, PskAuthed, PskParts, ReadyPsk};
use crate::session::replay::ReplayKey;
use crate::session::trust::{PeerClaim, PeerVerifier};
use crate::session::SessionError;
use crate::wire::{CacheType, DataType, MessageView, PayloadBody};

struct ResponderKey {
    key: Box<dyn RsaPrivate>,
    cert: Option<Vec<u8>>,
}

/// The public-key envelope mode (RFC 3830 §3.2) of the [`Responder`] engine: our private
/// keys (chosen by CHASH when there are several, RFC 3830 §6.8) and whom we trust.
pub struct PublicKey {
    keys: Vec<ResponderKey>,
    verifier: Box<dyn PeerVerifier>,
    /// The envelope key of the last PSK update, made ready for the PRF (see the PSK mode's).
    ready: Option<ReadyPsk>,
}

/// The responder of the public-key method (RFC 3830 §3.2).
pub type PkResponder = Responder<PublicKey>;

impl Responder<PublicKey> {
    /// A responder decrypting with `key`, trusting the initiators `verifier` accepts.
    /// `cfg.sha1_signatures` also accepts SHA-1 signatures.
    pub fn new(
        key: Box<dyn RsaPrivate>,
        verifier: impl PeerVerifier + 'static,
        cfg: ResponderConfig,
    ) -> Self {
        let mode = PublicKey {
            keys: vec![ResponderKey { key, cert: None }],
            verifier: Box::new(verifier),
            ready: None,
        };
        Responder::with_mode(mode, cfg)
    }

    /// Sets the certificate (DER) of the first key, so initiators can name it by CHASH.
    pub fn with_certificate(mut self, cert_der: &[u8]) -> Self {
        if let Some(k) = self.mode.keys.first_mut() {
            k.cert = Some(cert_der.to_vec());
        }
        self
    }

    /// Adds another key with its certificate; initiators select it with a CHASH of the
    /// certificate (RFC 3830 §3.2, §6.8). Messages without CHASH use the first key.
    pub fn add_key(&mut self, key: Box<dyn RsaPrivate>, cert_der: &[u8]) {
        self.mode.keys.push(ResponderKey {
            key,
            cert: Some(cert_der.to_vec()),
        });
    }
}

/// A public-key I_MESSAGE, or a PSK update keyed with a cached envelope key.
pub enum PkMessage<'a> {
    /// RFC 3830 §3.2.
    Pk(PkParts<'a>),
    /// RFC 3830 §4.5 with the envelope key as the PSK.
    PskUpdate(PskParts<'a>),
}

/// What authentication established.
pub enum PkAuthed {
    /// The signer's key and which of our keys PKE is for.
    Pk { spki: Vec<u8>, key: usize },
    /// A PSK update, verified with the cached envelope key.
    PskUpdate(Box<PskAuthed>),
}

impl PublicKey {
    /// Which of our keys the message names (CHASH, RFC 3830 §6.8).
    fn our_key(&self, p: &PkParts<'_>) -> Result<usize, SessionError> {
        let Some(c) = &p.chash else {
            return Ok(0);
        };
        self.keys
            .iter()
            .position(|k| {
                k.cert
                    .as_deref()
                    .and_then(|cert| cert_hash(c.hash_func, cert))
                    == Some(c.hash.to_vec())
            })
            .ok_or_else(|| SessionError::InvalidCert("CHASH names none of our keys".into()))
    }

    /// The signer's key as the verifier decides, and its signature (public-key work).
    fn verify(
        &self,
        p: &PkParts<'_>,
        m: &Incoming<'_, '_, Vec<u8>>,
        env: &Env<'_>,
    ) -> Result<(Vec<u8>, PkAuthed), SessionError> {
        let key = self.our_key(p)?;
        if p.pke.data.len() != self.keys[key].key.modulus_len() {
            return Err(SessionError::AuthFailure);
        }
        let claim = PeerClaim {
            identity: p.ids.first().map(|i| &*i.data),
            certs: &p.certs,
        };
        let peer = self.verifier.verify_peer(&claim, env.provider)?;
        verify_signature(
            m.view.as_bytes(),
            &p.sign,
            peer.as_ref(),
            m.cfg.sha1_signatures,
            None,
        )?;
        let spki = peer.to_spki_der();
        Ok((spki.clone(), PkAuthed::Pk { spki, key }))
    }

    /// The private-key decryption of PKE (RFC 3830 §3.2, §4.2.5), the KEMAC MAC (§5.2), the
    /// key data and the encrypted IDi, which must be the clear one or, without one, an
    /// identity the verifier ties to the same key.
    fn open(
        &self,
        p: &PkParts<'_>,
        key: usize,
        spki: &[u8],
        m: &Incoming<'_, '_, Vec<u8>>,
        env: &Env<'_>,
    ) -> Result<Recovered, SessionError> {
        let h = m.view.header();
        let cipher = cipher_of(p.kemac.encr_alg, m.cfg.allow_null_encryption)?;
        let mac_kind = mac_of(p.kemac.mac_alg, m.cfg.allow_null_mac)?;
        let envelope = self.keys[key]
            .key
            .decrypt_pkcs1v15(&p.pke.data)
            .map_err(|_| SessionError::AuthFailure)?;
        let keys = MessageKeys::derive(
            prf_of(h.prf)?,
            envelope.as_bytes(),
            h.csb_id,
            m.rand,
            cipher,
            mac_kind,
        );
        let kbytes = &m.view.as_bytes()[p.kemac_off..p.kemac_off + p.kemac.encoded_len()];
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
        if envelope.len() < MIN_ENVELOPE_KEY_LEN {
            return Err(SessionError::InvalidKeyData(
                "envelope key shorter than 16 bytes".into(),
            ));
        }
        let (enc_id, new_keys) = decrypt_key_list(cipher, &keys, h.csb_id, &p.t, &p.kemac, true)?;
        let enc_id = enc_id.ok_or(SessionError::AuthFailure)?;
        match p.ids.first() {
            Some(clear) if *clear != enc_id => return Err(SessionError::AuthFailure),
            Some(_) => {}
            None => {
                let claim = PeerClaim {
                    identity: Some(&enc_id.data),
                    certs: &p.certs,
                };
                let k = self.verifier.verify_peer(&claim, env.provider)?;
                if k.to_spki_der() != spki {
                    return Err(SessionError::AuthFailure);
                }
            }
        }
        let reply_auth = ReplyAuth {
            kind: mac_kind,
            alg: p.kemac.mac_alg,
            key: keys.auth.clone(),
            id_i: enc_id.data.to_vec(),
            id_r: p.ids.get(1).map(|i| i.data.to_vec()).unwrap_or_default(),
        };
        // Cached: PSK updates keyed with it are accepted (RFC 3830 §3.2, §4.5).
        let cached = p.pke.cache != CacheType::NoCache;
        Ok(Recovered {
            update_key: cached.then_some(envelope),
            reply_auth: Some(reply_auth),
            ..Recovered::keys(new_keys)
        })
    }
}

impl Sealed for PublicKey {}

impl Mode for PublicKey {
    type Binding = Vec<u8>;
    type Parts<'a> = PkMessage<'a>;
    type Authed = PkAuthed;
    const NAME: &'static str = "PkResponder";
    const UPDATES: Updates = Updates::WithoutRand;

    fn collect<'a>(
        &self,
        view: &MessageView<'a>,
        _cfg: &ResponderConfig,
    ) -> Result<PkMessage<'a>, SessionError> {
        match view.header().data_type {
            DataType::PskInit => PskParts::collect(view).map(PkMessage::PskUpdate),
            DataType::PkInit => PkParts::collect(view).map(PkMessage::Pk),
            other => Err(SessionError::UnexpectedDataType(other.to_wire())),
        }
    }

    fn claims<'p>(&self, parts: &'p PkMessage<'_>) -> Claims<'p> {
        match parts {
            PkMessage::PskUpdate(p) => p.claims(),
            PkMessage::Pk(p) => {
                let id_i = p.ids.first().map(|i| &*i.data);
                Claims {
                    t: p.t,
                    rand: p.rand.as_deref(),
                    id_i,
                    id_r: p.ids.get(1).map(|i| &*i.data),
                    peer: id_i.or(p.certs.first().copied()).unwrap_or_default(),
                    replay: ReplayKey::Signed(p.signed),
                    policies: &p.policies,
                }
            }
        }
    }

    fn check_algorithms(
        &self,
        parts: &PkMessage<'_>,
        cfg: &ResponderConfig,
    ) -> Result<(), SessionError> {
        match parts {
            PkMessage::PskUpdate(p) => p.algorithms(cfg).map(|_| ()),
            PkMessage::Pk(p) => {
                cipher_of(p.kemac.encr_alg, cfg.allow_null_encryption)?;
                mac_of(p.kemac.mac_alg, cfg.allow_null_mac)?;
                if p.pke.cache.is_unknown() {
                    return Err(SessionError::Unspecified(format!(
                        "unknown envelope key cache indicator {}",
                        p.pke.cache.to_wire()
                    )));
                }
                if !matches!(p.sign.sign_type.to_wire(), 0 | 1) {
                    return Err(SessionError::AuthFailure);
                }
                Ok(())
            }
        }
    }

    fn authenticate(
        &mut self,
        parts: &PkMessage<'_>,
        m: &Incoming<'_, '_, Vec<u8>>,
        env: &mut Env<'_>,
    ) -> Result<Authenticated<Vec<u8>, PkAuthed>, SessionError> {
        match parts {
            PkMessage::Pk(p) => {
                let (binding, state) = self.verify(p, m, env)?;
                Ok(Authenticated {
                    binding,
                    reply_auth: None,
                    state,
                })
            }
            PkMessage::PskUpdate(p) => {
                // Only the CSB's owner holds its cached envelope key (RFC 3830 §4.5).
                let e = m.existing.as_ref().filter(|_| m.is_update);
                let key = e
                    .and_then(|e| e.update_key)
                    .ok_or(SessionError::AuthFailure)?;
                let binding = e.and_then(|e| e.binding).ok_or(SessionError::AuthFailure)?;
                let (a, reply) = p.authenticate(m, key.clone(), &mut self.ready)?;
                Ok(Authenticated {
                    binding: binding.clone(),
                    reply_auth: Some(reply),
                    state: PkAuthed::PskUpdate(Box::new(a)),
                })
            }
        }
    }

    fn recover(
        &self,
        parts: &PkMessage<'_>,
        authed: &mut PkAuthed,
        m: &Incoming<'_, '_, Vec<u8>>,
        env: &mut Env<'_>,
    ) -> Result<Recovered, SessionError> {
        match (parts, authed) {
            (PkMessage::Pk(p), PkAuthed::Pk { spki, key, .. }) => self.open(p, *key, spki, m, env),
            (PkMessage::PskUpdate(p), PkAuthed::PskUpdate(a)) => p.recover(a, &self.ready, m),
            _ => Err(SessionError::WrongState(
                "message and authentication differ",
            )),
        }
    }

    fn reply(
        &self,
        parts: &PkMessage<'_>,
        _authed: &PkAuthed,
        m: &Incoming<'_, '_, Vec<u8>>,
        out: &Outcome<'_>,
        _env: &mut Env<'_>,
    ) -> Result<Option<Vec<u8>>, SessionError> {
        let ver_type = match parts {
            PkMessage::Pk(_) => DataType::PkResp,
            PkMessage::PskUpdate(_) => DataType::PskResp,
        };
        verification_reply(m, out, ver_type)
    }
}

impl core::fmt::Debug for ResponderKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ResponderKey")
            .field("key", &self.key)
            .field("cert", &self.cert.is_some())
            .finish()
    }
}
