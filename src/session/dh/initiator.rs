//! The initiator side of both DH modes (RFC 3830 §3.3, RFC 4650 §3), without authentication.

use super::*;
use crate::crypto::dh::ModpGroup;
use crate::session::common::csb_and_rand;

/// What an initiator sent and waits an answer for.
pub(crate) struct Pending {
    pub t: Timestamp,
    pub csb_id: u32,
    pub rand: Vec<u8>,
    keypair: Option<DhKeyPair>,
    dhi: Option<DhPayload<'static>>,
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
            provider: crate::crypto::provider::default_provider_arc(),
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
        let modp = self.check_draft(update)?;
        let mut counter = self.counter;
        let t = new_timestamp(self.cfg.ts_type, now, &mut counter)?;
        let (csb_id, rand) = csb_and_rand(
            self.bundle.as_ref(),
            self.cfg.csb_id,
            None,
            self.cfg.rand_len,
            rng,
        );
        let cs_map = outgoing_cs_map(&self.cfg.crypto_sessions, self.bundle.as_ref())?;
        let mut h = Header::new(self.flavor.init(), csb_id);
        h.prf = self.cfg.prf;
        h.cs_map = CsIdMap::SrtpId(cs_map.clone());
        let mut m = Message::new(h).with(Payload::T(t));
        self.push_payloads(&mut m, (!update).then_some(rand.as_slice()), certs);
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

    /// The checks before a draft (state, PRF, DH group, the DHHMAC IDr, RAND length);
    /// returns the DH group.
    fn check_draft(&self, update: bool) -> Result<&'static ModpGroup, SessionError> {
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
        if !update && usize::from(self.cfg.rand_len) < crate::session::MIN_RAND_LEN {
            let len = usize::from(self.cfg.rand_len);
            return Err(SessionError::WeakInput(
                crate::session::Weakness::ShortRand { len },
            ));
        }
        Ok(modp)
    }

    /// The payloads after T: [RAND], [IDi], {CERT}, [IDr], {SP} (RFC 3830 §3.3, RFC 4650
    /// §3); `rand` only in the first message.
    fn push_payloads(&self, m: &mut Message<'static>, rand: Option<&[u8]>, certs: &[Vec<u8>]) {
        if let Some(rand) = rand {
            m.payloads.push(Payload::Rand(crate::wire::Rand {
                rand: Cow::Owned(rand.to_vec()),
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
            None => CryptoSessionBundle::new(pending.csb_id, self.cfg.prf, pending.rand.clone()),
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
        initiator_export(self.bundle.as_ref(), &Default::default())
    }
}
