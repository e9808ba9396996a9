//! The responder side of both DH modes as hooks on the [`Responder`] engine: [`Dh`] with
//! the authentication of DH-SIGN or DHHMAC ([`DhAuth`]). After the signature or MAC, the
//! initiator's DH value is range-checked, and only then come the two exponentiations and
//! the reply's signature (RFC 3830 §5.3, §9.2; RFC 4650 §5.2).

use super::{accepted_group, dh_payload, parse_parts, tgk_key, Flavor, Parts};
use crate::crypto::dh::DhKeyPair;
use crate::crypto::Entropy;
use crate::session::common::{is_unknown_dh_group, prf_of, salvage_header};
use crate::session::engine::error_message;
use crate::session::engine::{
    Authenticated, Claims, Env, Incoming, Mode, Outcome, Recovered, Responder, ResponderConfig,
    Sealed, Updates,
};
use crate::session::replay::ReplayKey;
use crate::session::SessionError;
use crate::wire::{
    Dh as DhPayload, DhGroup, ErrorNo, Header, Id, Message, MessageView, ParseError, Payload,
    Reader, Timestamp,
};
use std::borrow::Cow;

/// What a DH mode adds to the shared responder: its checks, its authentication and the
/// seal of its reply. `Binding` is what binds a bundle to its peer (the PSK, or the peer's
/// public key).
pub trait DhAuth: Send {
    /// What binds a bundle to its peer.
    type Binding: Clone + PartialEq + Send + Sync + 'static;
    /// RFC 3830 §3.3 or RFC 4650.
    const FLAVOR: Flavor;
    /// The responder's name (for `Debug`).
    const NAME: &'static str;
    /// Algorithm checks on the authentication payload (no cryptography).
    fn check_algorithms(&self, parts: &Parts<'_>) -> Result<(), SessionError>;
    /// What names the message in the replay cache.
    fn replay_key<'p>(&self, parts: &'p DhParts<'_>) -> ReplayKey<'p>;
    /// Verifies the MAC or signature (public-key operations only); returns the binding.
    fn authenticate(
        &self,
        parts: &DhParts<'_>,
        m: &Incoming<'_, '_, Self::Binding>,
        env: &Env<'_>,
    ) -> Result<Self::Binding, SessionError>;
    /// CERT payloads to add after IDr.
    fn certs(&self) -> &[Vec<u8>];
    /// Appends the authentication payload and fills it in.
    fn seal(
        &self,
        msg: Message<'_>,
        binding: &Self::Binding,
        parts: &DhParts<'_>,
        m: &Incoming<'_, '_, Self::Binding>,
        rng: &mut dyn Entropy,
    ) -> Result<Vec<u8>, SessionError>;
}

/// A DH mode of the [`Responder`] engine: DH-SIGN (RFC 3830 §3.3) or DHHMAC (RFC 4650),
/// with the groups it accepts.
pub struct Dh<A> {
    pub(crate) auth: A,
    /// Accepted DH groups; others get "Invalid DH" (RFC 3830 §6.12).
    pub(crate) groups: Vec<DhGroup>,
}

impl<A> Dh<A> {
    /// OAKLEY 5 and 2 by default: the 768-bit OAKLEY 1 must be enabled explicitly.
    pub(crate) fn new(auth: A) -> Self {
        Self {
            auth,
            groups: vec![DhGroup::Oakley5, DhGroup::Oakley2],
        }
    }
}

impl<A: DhAuth> Responder<Dh<A>> {
    /// Accepts these DH groups (OAKLEY 5 and 2 by default); others get "Invalid DH".
    pub fn with_groups(mut self, groups: Vec<DhGroup>) -> Self {
        self.mode.groups = groups;
        self
    }
}

/// A DH I_MESSAGE checked for shape: its payloads and which ID is which.
pub struct DhParts<'a> {
    prf: crate::wire::PrfFunc,
    /// The payloads.
    pub parts: Parts<'a>,
    /// IDi and IDr (by position in `parts.ids`).
    pub id_i: Option<usize>,
    pub(crate) id_r: Option<usize>,
    /// The message up to the authentication payload's MAC or signature field.
    pub signed: &'a [u8],
}

impl<'a> DhParts<'a> {
    pub(crate) fn id_i(&self) -> Option<&Id<'a>> {
        self.id_i.map(|k| &self.parts.ids[k].0)
    }

    fn dhi(&self) -> Option<&DhPayload<'a>> {
        self.parts.dh.first()
    }
}

/// Which ID payload is IDi and which IDr.
fn which_ids(
    ids: &[(Id<'_>, bool)],
    flavor: Flavor,
    lenient: bool,
) -> Result<(Option<usize>, Option<usize>), SessionError> {
    match flavor {
        // [IDi|CERTi], [IDr]: an ID after a CERT is IDr.
        Flavor::Sign => match ids {
            [] => Ok((None, None)),
            [(_, true)] => Ok((None, Some(0))),
            [(_, false)] => Ok((Some(0), None)),
            [(_, false), _] => Ok((Some(0), Some(1))),
            _ => Err(SessionError::MissingPayload("ID (more than IDi and IDr)")),
        },
        // [IDi], IDr (RFC 4650 §3).
        Flavor::Hmac => match ids {
            [] if lenient => Ok((None, None)),
            [] => Err(SessionError::MissingPayload("IDr")),
            [_] => Ok((None, Some(0))),
            [_, _] => Ok((Some(0), Some(1))),
            _ => Err(SessionError::MissingPayload("ID (more than IDi and IDr)")),
        },
    }
}

/// The R_MESSAGE up to its authentication payload: HDR, T, [IDr|CERTr], IDi, [DHr, DHi]
/// (RFC 3830 §3.3; RFC 4650 §3).
fn r_message<'m>(
    flavor: Flavor,
    h: &Header<'_>,
    parts: &'m DhParts<'_>,
    out: &Outcome<'_>,
    cfg: &'m ResponderConfig,
    certs: &'m [Vec<u8>],
    dhr: Option<DhPayload<'m>>,
) -> Message<'m> {
    let mut rh = Header::new(flavor.resp(), h.csb_id);
    rh.prf = h.prf;
    rh.cs_map = out.cs_map.clone();
    let mut m = Message::new(rh).with(Payload::T(parts.parts.t));
    if let Some(id) = &cfg.id_r {
        m.payloads.push(Payload::Id(id.clone()));
    }
    for c in certs {
        m.payloads.push(Payload::Cert(crate::wire::Cert {
            cert_type: crate::wire::CertType::X509v3Sign,
            data: Cow::Borrowed(c),
        }));
    }
    // IDi as received (RFC 3830 §3.3; RFC 4650 §3 asks for it even when the I_MESSAGE
    // had none, but then this side does not know it).
    if let Some(id) = parts.id_i() {
        m.payloads.push(Payload::Id(id.clone()));
    }
    if let (Some(dhr), Some(dhi)) = (dhr, parts.dhi()) {
        m.payloads.push(Payload::Dh(dhr));
        m.payloads.push(Payload::Dh(dhi.clone()));
    }
    m
}

/// Our half of a re-keying or first exchange: the DHr payload (kept for the reply).
pub struct DhAuthed<B> {
    binding: B,
    dhr: Option<DhPayload<'static>>,
}

impl<A: DhAuth> Sealed for Dh<A> {}

impl<A: DhAuth> Mode for Dh<A> {
    type Binding = A::Binding;
    type Parts<'a> = DhParts<'a>;
    type Authed = DhAuthed<A::Binding>;
    const NAME: &'static str = A::NAME;
    const UPDATES: Updates = Updates::WithoutRand;

    fn parse_failure(
        &self,
        bytes: &[u8],
        e: ParseError,
        cfg: &ResponderConfig,
        _now: core::time::Duration,
        may_answer: &mut dyn FnMut() -> bool,
    ) -> (SessionError, Option<Vec<u8>>) {
        let flavor = A::FLAVOR;
        // The header alone says whether the message is ours; the payloads are walked for
        // its timestamp only when an Error message is sent.
        let ours =
            Header::parse(&mut Reader::new(bytes)).is_ok_and(|(h, _)| h.data_type == flavor.init());
        if !ours {
            return (SessionError::Parse(e), None);
        }
        let answer = |no: ErrorNo| {
            let (h, t) = salvage_header(bytes, cfg.parse_options())?;
            let t = t.unwrap_or(Timestamp::ntp_utc(0));
            error_message(h.csb_id, h.prf, h.cs_map, t, &[no], cfg.id_r.clone(), None).ok()
        };
        // An unknown group stops the parser (RFC 3830 §6.4): answer "Invalid DH".
        if let Some(g) = is_unknown_dh_group(&e) {
            let error =
                SessionError::InvalidDh(format!("group {} not supported", DhGroup::from_wire(g)));
            let response = (cfg.send_errors && may_answer())
                .then(|| answer(error.error_no()))
                .flatten();
            return (error, response);
        }
        // DHHMAC answers decoding errors too (RFC 4650 §4.1).
        let response = (flavor == Flavor::Hmac && cfg.send_errors && may_answer())
            .then(|| answer(ErrorNo::Unspecified));
        (SessionError::Parse(e), response.flatten())
    }

    fn collect<'a>(
        &self,
        view: &MessageView<'a>,
        cfg: &ResponderConfig,
    ) -> Result<DhParts<'a>, SessionError> {
        let h = view.header();
        if h.data_type != A::FLAVOR.init() {
            return Err(SessionError::UnexpectedDataType(h.data_type.to_wire()));
        }
        let parts = parse_parts(view, A::FLAVOR)?;
        let (id_i, id_r) = which_ids(&parts.ids, A::FLAVOR, cfg.lenient)?;
        if parts.dh.len() > 1 {
            return Err(SessionError::MissingPayload("DH (only DHi)"));
        }
        if parts.rand.is_some() && parts.dh.is_empty() {
            return Err(SessionError::MissingPayload("DHi"));
        }
        let bytes = view.as_bytes();
        let tag_len = match &parts.auth {
            super::AuthPart::Sign(s) => s.signature.len(),
            super::AuthPart::Kemac(k) => k.mac.len(),
        };
        Ok(DhParts {
            prf: h.prf,
            signed: &bytes[..bytes.len().saturating_sub(tag_len)],
            parts,
            id_i,
            id_r,
        })
    }

    fn claims<'p>(&self, p: &'p DhParts<'_>) -> Claims<'p> {
        let id = |k: Option<usize>| k.map(|k| &*p.parts.ids[k].0.data);
        Claims {
            t: p.parts.t,
            rand: p.parts.rand.as_deref(),
            id_i: id(p.id_i),
            id_r: id(p.id_r),
            peer: id(p.id_i)
                .or(p.parts.certs.first().map(|c| &**c))
                .unwrap_or_default(),
            replay: self.auth.replay_key(p),
            policies: &p.parts.policies,
        }
    }

    fn check_algorithms(
        &self,
        p: &DhParts<'_>,
        _cfg: &ResponderConfig,
    ) -> Result<(), SessionError> {
        prf_of(p.prf)?;
        self.auth.check_algorithms(&p.parts)?;
        if let Some(d) = p.dhi() {
            accepted_group(d.group, &self.groups)?;
        }
        Ok(())
    }

    fn authenticate(
        &mut self,
        p: &DhParts<'_>,
        m: &Incoming<'_, '_, A::Binding>,
        env: &mut Env<'_>,
    ) -> Result<Authenticated<A::Binding, Self::Authed>, SessionError> {
        let binding = self.auth.authenticate(p, m, env)?;
        // The peer's value (RFC 2631 §2.1.5), still before any exponentiation.
        if let Some(d) = p.dhi() {
            accepted_group(d.group, &self.groups)?
                .check_public(&d.value)
                .map_err(|e| SessionError::InvalidDh(e.to_string()))?;
        }
        Ok(Authenticated {
            binding: binding.clone(),
            reply_auth: None,
            state: DhAuthed { binding, dhr: None },
        })
    }

    fn recover(
        &self,
        p: &DhParts<'_>,
        authed: &mut Self::Authed,
        _m: &Incoming<'_, '_, A::Binding>,
        env: &mut Env<'_>,
    ) -> Result<Recovered, SessionError> {
        let Some(dhi) = p.dhi() else {
            return Ok(Recovered::keys(Vec::new()));
        };
        // Our half and the TGK (the only exponentiations).
        let group = accepted_group(dhi.group, &self.groups)?;
        let invalid = |e: crate::crypto::CryptoError| SessionError::InvalidDh(e.to_string());
        let kp = DhKeyPair::generate(group, env.provider, env.rng).map_err(invalid)?;
        let secret = kp.agree(&dhi.value, env.provider).map_err(invalid)?;
        authed.dhr = Some(dh_payload(
            dhi.group,
            kp.public_value(),
            dhi.kv.clone().into_owned(),
        ));
        Ok(Recovered::keys(vec![tgk_key(
            secret,
            dhi.kv.clone().into_owned(),
        )]))
    }

    fn reply(
        &self,
        p: &DhParts<'_>,
        authed: &Self::Authed,
        m: &Incoming<'_, '_, A::Binding>,
        out: &Outcome<'_>,
        env: &mut Env<'_>,
    ) -> Result<Option<Vec<u8>>, SessionError> {
        let h = m.view.header();
        let msg = r_message(
            A::FLAVOR,
            h,
            p,
            out,
            m.cfg,
            self.auth.certs(),
            authed.dhr.clone(),
        );
        self.auth
            .seal(msg, &authed.binding, p, m, env.rng)
            .map(Some)
    }
}
