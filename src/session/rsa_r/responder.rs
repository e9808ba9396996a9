//! The RSA-R responder (RFC 4738 §3.5, §3.6) as hooks on the [`Responder`] engine: the
//! signed request is verified with the key the caller's [`PeerVerifier`] accepts, then the
//! responder supplies the TGK (fresh per request, or the group's), encrypted under a fresh
//! envelope key sent to the initiator's public key. No private-key operation (our
//! signature) happens before the initiator's signature verified.

use super::parts::IParts;
use super::RsaRGroup;
use crate::bundle::{encode_keys, TransportKey};
use crate::crypto::{self, MessageKeys, RsaPrivate, RsaPublic, SecretBytes, SignatureScheme};
use crate::session::common::{
    cipher_of, mac_of, pk_kemac_mac_input, prf_of, sign_message, ts_bytes, verify_signature,
};
use crate::session::engine::error_message;
use crate::session::engine::{
    Authenticated, Claims, Env, Incoming, Mode, Outcome, Recovered, Responder, ResponderConfig,
    Sealed, Updates,
};
use crate::session::pk::MIN_ENVELOPE_KEY_LEN;
use crate::session::replay::ReplayKey;
use crate::session::trust::{PeerClaim, PeerVerifier};
use crate::session::SessionError;
use crate::wire::{
    CacheType, Cert, CertType, CsIdMap, DataType, EncrAlg, ErrorNo, GeneralExtension, Header, Id,
    IdType, Kemac, MacAlg, Message, MessageView, ParseError, Payload, PayloadBody, PayloadType,
    Pke, Rand, Reader, SecurityPolicy, SrtpCs, SrtpIdMap, Timestamp,
};
use std::borrow::Cow;

/// What an RSA-R responder sends (RFC 4738 §3.5, §3.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsaRSettings {
    /// Our certificate chain (DER, leaf first), one CERT payload each.
    pub certs: Vec<Vec<u8>>,
    /// Policies to send when the initiator offered none (unicast).
    pub policies: Vec<SecurityPolicy<'static>>,
    /// KEMAC encryption.
    pub encr: EncrAlg,
    /// KEMAC MAC.
    pub mac: MacAlg,
    /// Signature scheme of SIGNr.
    pub signature: SignatureScheme,
    /// Envelope key length (at least 16 bytes).
    pub envelope_key_len: usize,
    /// Length of the fresh unicast TGK.
    pub tgk_len: usize,
    /// RAND length when we supply it.
    pub rand_len: u8,
    /// Group mode: every member gets this group's CSB ID, RAND, policies and keys.
    pub group: Option<RsaRGroup>,
}

impl Default for RsaRSettings {
    fn default() -> Self {
        Self {
            certs: Vec::new(),
            policies: Vec::new(),
            encr: EncrAlg::AesCm128,
            mac: MacAlg::HmacSha1_160,
            signature: SignatureScheme::RsaPkcs1Sha256,
            envelope_key_len: MIN_ENVELOPE_KEY_LEN,
            tgk_len: 16,
            rand_len: 16,
            group: None,
        }
    }
}

/// The RSA-R mode (RFC 4738) of the [`Responder`] engine: our key, whom we trust, what we
/// send.
pub struct RsaR {
    key: Box<dyn RsaPrivate>,
    verifier: Box<dyn PeerVerifier>,
    settings: RsaRSettings,
}

/// The RSA-R responder (RFC 4738 §3.5, §3.6). On success the R_MESSAGE is in
/// [`Accepted::response`](crate::session::Accepted::response) and `csb_id` is the CSB ID keys
/// are derived with (the group's in group mode).
pub type RsaRResponder = Responder<RsaR>;

impl Responder<RsaR> {
    /// A responder signing with `key`, answering the initiators `verifier` accepts.
    pub fn new(
        key: Box<dyn RsaPrivate>,
        verifier: impl PeerVerifier + 'static,
        cfg: ResponderConfig,
    ) -> Self {
        let mode = RsaR {
            key,
            verifier: Box::new(verifier),
            settings: RsaRSettings::default(),
        };
        Responder::with_mode(mode, cfg)
    }

    /// What to send: certificates, policies, algorithms, key sizes, group mode.
    pub fn with_settings(mut self, settings: RsaRSettings) -> Self {
        self.mode.settings = settings;
        self
    }

    /// The settings of what is sent.
    pub fn settings(&self) -> &RsaRSettings {
        &self.mode.settings
    }
}

/// The initiator's key, once its signature verified, and whether we send RAND.
pub struct RsaRAuthed {
    peer: Box<dyn RsaPublic>,
    send_rand: bool,
}

impl RsaR {
    /// What we answer with: the group's, or a fresh TGK (and RAND unless the initiator sent
    /// one) with the offered map and policies, our streams' SSRCs filled in and added
    /// (RFC 4738 §3.6).
    fn supply(
        &self,
        p: &IParts<'_>,
        m: &Incoming<'_, '_, Vec<u8>>,
        rng: &mut dyn crypto::Entropy,
    ) -> Result<(Recovered, bool), SessionError> {
        if let Some(g) = &self.settings.group {
            let rec = Recovered {
                csb_id: Some(g.csb_id),
                rand: Some(g.rand.clone()),
                cs_map: Some(CsIdMap::SrtpId(SrtpIdMap::from_entries(
                    &g.crypto_sessions,
                )?)),
                policies: Some(g.policies.clone()),
                shared: true,
                ..Recovered::keys(g.keys.clone())
            };
            return Ok((rec, true));
        }
        let (rand, send) = match &p.rand {
            Some(r) => (r.clone(), false),
            None => {
                let mut r = vec![0u8; usize::from(self.settings.rand_len)];
                rng.fill(&mut r);
                (r, true)
            }
        };
        let mut tgk = SecretBytes::zeroed(self.settings.tgk_len);
        rng.fill(tgk.as_mut_bytes());
        let policies = match p.policies.is_empty() {
            true => self.settings.policies.clone(),
            false => p.policies.clone(),
        };
        let mut cs_map = match m.view.header().cs_map.clone().into_owned() {
            CsIdMap::SrtpId(c) => c,
            _ => SrtpIdMap::default(),
        };
        fill_and_add(&mut cs_map, &m.cfg.local_ssrcs, &policies)?;
        let rec = Recovered {
            rand: Some(rand),
            cs_map: Some(CsIdMap::SrtpId(cs_map)),
            policies: Some(policies),
            ..Recovered::keys(vec![TransportKey::tgk(tgk.as_bytes())])
        };
        Ok((rec, send))
    }
}

/// Fills SSRC 0 with our streams, then adds the rest as crypto sessions (RFC 4738 §3.6);
/// more than 255 in all is an error (the #CS field, RFC 3830 §6.1).
fn fill_and_add(
    cs_map: &mut SrtpIdMap<'static>,
    ours: &[u32],
    policies: &[SecurityPolicy<'_>],
) -> Result<(), SessionError> {
    let mut ours = ours.iter();
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
        })?;
    }
    Ok(())
}

impl Sealed for RsaR {}

impl Mode for RsaR {
    type Binding = Vec<u8>;
    type Parts<'a> = IParts<'a>;
    type Authed = RsaRAuthed;
    const NAME: &'static str = "RsaRResponder";
    const UPDATES: Updates = Updates::Never;

    /// RFC 4738 §3.5: Error no 13 for a message we cannot parse, when its header tells us
    /// whom to answer.
    fn parse_failure(
        &self,
        bytes: &[u8],
        e: ParseError,
        cfg: &ResponderConfig,
        now: core::time::Duration,
        may_answer: &mut dyn FnMut() -> bool,
    ) -> (SessionError, Option<Vec<u8>>) {
        let response = cfg
            .send_errors
            .then(|| Header::parse(&mut Reader::new(bytes)).ok())
            .flatten()
            .filter(|(h, _)| h.data_type == DataType::RsaRInit && may_answer())
            .and_then(|(h, _)| {
                error_message(
                    h.csb_id,
                    h.prf,
                    h.cs_map.into_owned(),
                    Timestamp::from_unix(now),
                    &[ErrorNo::UnsupportedMessageType],
                    cfg.id_r.clone(),
                    None,
                )
                .ok()
            });
        (
            SessionError::UnsupportedMessageType(e.to_string()),
            response,
        )
    }

    fn collect<'a>(
        &self,
        view: &MessageView<'a>,
        _cfg: &ResponderConfig,
    ) -> Result<IParts<'a>, SessionError> {
        let h = view.header();
        if h.data_type != DataType::RsaRInit {
            return Err(SessionError::UnexpectedDataType(h.data_type.to_wire()));
        }
        IParts::collect(view)
    }

    fn claims<'p>(&self, p: &'p IParts<'_>) -> Claims<'p> {
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

    fn check_algorithms(&self, p: &IParts<'_>, _cfg: &ResponderConfig) -> Result<(), SessionError> {
        cipher_of(self.settings.encr, false)?;
        mac_of(self.settings.mac, false)?;
        if !matches!(p.sign.sign_type.to_wire(), 0 | 1) {
            return Err(SessionError::AuthFailure);
        }
        Ok(())
    }

    fn authenticate(
        &mut self,
        p: &IParts<'_>,
        m: &Incoming<'_, '_, Vec<u8>>,
        env: &mut Env<'_>,
    ) -> Result<Authenticated<Vec<u8>, RsaRAuthed>, SessionError> {
        prf_of(m.view.header().prf)?;
        // The initiator's key, as the caller decides; its signature (public-key work).
        let claim = PeerClaim {
            identity: m.claims.id_i,
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
        if peer.modulus_len() < self.settings.envelope_key_len + 11 {
            return Err(SessionError::InvalidCert(
                "initiator key too small for the envelope key".into(),
            ));
        }
        Ok(Authenticated {
            binding: peer.to_spki_der(),
            reply_auth: None,
            state: RsaRAuthed {
                peer,
                send_rand: false,
            },
        })
    }

    fn recover(
        &self,
        p: &IParts<'_>,
        authed: &mut RsaRAuthed,
        m: &Incoming<'_, '_, Vec<u8>>,
        env: &mut Env<'_>,
    ) -> Result<Recovered, SessionError> {
        let (rec, send_rand) = self.supply(p, m, env.rng)?;
        authed.send_rand = send_rand;
        Ok(rec)
    }

    fn reply(
        &self,
        _p: &IParts<'_>,
        authed: &RsaRAuthed,
        m: &Incoming<'_, '_, Vec<u8>>,
        out: &Outcome<'_>,
        env: &mut Env<'_>,
    ) -> Result<Option<Vec<u8>>, SessionError> {
        self.r_message(authed, m, out, env).map(Some)
    }
}

impl RsaR {
    /// The R_MESSAGE (RFC 4738 §3.6): HDR, [GenExt(CSB_ID)], T, [RAND], [IDr|CERTr], {SP},
    /// KEMAC = E(encr_key, IDr || {TGK}) || MAC, PKE = E(PKi, env_key), SIGNr over the
    /// message without SIGNr, then IDi || IDr || T.
    fn r_message(
        &self,
        authed: &RsaRAuthed,
        m: &Incoming<'_, '_, Vec<u8>>,
        out: &Outcome<'_>,
        env: &mut Env<'_>,
    ) -> Result<Vec<u8>, SessionError> {
        let (h, s, b) = (m.view.header(), &self.settings, out.bundle);
        let t = m.claims.t;
        let mut rh = Header::new(DataType::RsaRResp, h.csb_id);
        rh.prf = h.prf;
        rh.cs_map = out.cs_map.clone();
        let mut msg = Message::new(rh);
        if s.group.is_some() {
            msg.payloads
                .push(Payload::GenExt(GeneralExtension::csb_id(b.csb_id)));
        }
        msg.payloads.push(Payload::T(t));
        if authed.send_rand {
            msg.payloads.push(Payload::Rand(Rand {
                rand: Cow::Borrowed(&b.rand),
            }));
        }
        if let Some(id) = &m.cfg.id_r {
            msg.payloads.push(Payload::Id(id.clone()));
        }
        for c in &s.certs {
            msg.payloads.push(Payload::Cert(Cert {
                cert_type: CertType::X509v3,
                data: Cow::Borrowed(c),
            }));
        }
        for sp in &b.policies {
            msg.payloads.push(Payload::Sp(sp.clone()));
        }
        let (kemac, pke) = self.envelope(authed, m, b, env)?;
        msg.payloads.push(Payload::Kemac(kemac));
        msg.payloads.push(Payload::Pke(pke));
        let id_i = m.claims.id_i.unwrap_or_default();
        let id_r: &[u8] = match &m.cfg.id_r {
            Some(i) => &i.data,
            None => m.claims.id_r.unwrap_or_default(),
        };
        let suffix = [id_i, id_r, &ts_bytes(&t)].concat();
        sign_message(msg, self.key.as_ref(), s.signature, env.rng, Some(&suffix))
    }

    /// KEMAC and PKE of the R_MESSAGE: the keys (after our IDr) under a fresh envelope key
    /// (RFC 3830 §4.1.4; MAC over the KEMAC with its Next payload zeroed, §5.2), the
    /// envelope key to the initiator's key with PKCS#1 v1.5.
    fn envelope(
        &self,
        authed: &RsaRAuthed,
        m: &Incoming<'_, '_, Vec<u8>>,
        b: &crate::bundle::CryptoSessionBundle,
        env: &mut Env<'_>,
    ) -> Result<(Kemac<'static>, Pke<'static>), SessionError> {
        let s = &self.settings;
        let (cipher, mac_kind) = (cipher_of(s.encr, false)?, mac_of(s.mac, false)?);
        let id_r = m.cfg.id_r.clone().unwrap_or(Id {
            id_type: IdType::Nai,
            data: Cow::Borrowed(&[]),
        });
        let mut envelope = SecretBytes::zeroed(s.envelope_key_len.max(MIN_ENVELOPE_KEY_LEN));
        env.rng.fill(envelope.as_mut_bytes());
        let prf = prf_of(m.view.header().prf)?;
        let mk = MessageKeys::derive(
            prf,
            envelope.as_bytes(),
            b.csb_id,
            &b.rand,
            cipher,
            mac_kind,
        );
        let plain = encode_keys(&b.keys, Some(id_r))?;
        let t = m.claims.t.as_u64();
        let encr_data = crypto::kemac::encrypt(
            cipher,
            mk.encr.as_bytes(),
            mk.salt.as_bytes(),
            b.csb_id,
            t,
            plain.as_bytes(),
        )
        .map_err(|e| SessionError::InvalidKeyData(e.to_string()))?;
        let mut kemac = Kemac {
            encr_alg: s.encr,
            encr_data: Cow::Owned(encr_data),
            mac_alg: s.mac,
            mac: Cow::Owned(vec![0; mac_kind.mac_len()]),
        };
        let mut kbytes = Vec::with_capacity(kemac.encoded_len());
        kemac.encode(PayloadType::Last, &mut kbytes)?;
        let input = pk_kemac_mac_input(&kbytes, mac_kind.mac_len());
        let tag = crypto::kemac::mac(mac_kind, mk.auth.as_bytes(), &input);
        kemac.mac = Cow::Owned(tag.as_bytes().to_vec());
        let pke = authed
            .peer
            .encrypt_pkcs1v15(env.rng, envelope.as_bytes())
            .map_err(|e| SessionError::Unspecified(format!("envelope key encryption: {e}")))?;
        let pke = Pke {
            cache: CacheType::NoCache,
            data: Cow::Owned(pke),
        };
        Ok((kemac, pke))
    }
}
