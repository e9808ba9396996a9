//! The receiver of MIKEY-SAKKE I_MESSAGEs (RFC 6509, the 3GPP profile of TS 33.180 E.1 to
//! E.4) as a mode of the [`Responder`] engine: the engine checks size, shape, the
//! timestamp window, the replay cache and the quotas; this mode's hooks check that the
//! message is for us, that the sender's KMS (IDRkmsi) is trusted
//! ([`SessionError::UntrustedKms`] otherwise), the sender's ECCSI signature (RFC 6507
//! §5.2.2, either span, see [`crate::mcx::imessage_open`]), and only then compute the
//! pairing: SAKKE decapsulation with our RSK and its re-encapsulation check (RFC 6508
//! §6.2.2). The SSV (GMK, PCK or CSK) becomes the bundle's TGK under the message's CSB ID
//! (the GUK-ID or key id) and RAND, as TS 33.180 7.4 uses them. MIKEY-SAKKE has no
//! verification message: nothing is answered.
//!
//! ```
//! # use mikey::mcx::kms_server::Kms;
//! # use mikey::mcx::user_keys::{KmsTrust, UserKeys};
//! # use mikey::mcx::{KeyPeriod, PurposeTag};
//! # use mikey::mcx::imessage_make::{make, DistributedKey, MakeOptions, Recipient};
//! use mikey::session::sakke::SakkeResponder;
//! use mikey::session::ResponderConfig;
//! # let mut rng = mikey::crypto::OsEntropy;
//! # let period = KeyPeriod { length: 2_592_000, offset: 0 };
//! # let kms = Kms::generate("kms.example.org", period, &mut rng).unwrap();
//! # let mut trust = KmsTrust::new();
//! # let cert = trust.add(kms.certificate()).unwrap();
//! # let gms = UserKeys::load(&kms.certificate(), &kms.provision("sip:gms@example.org", 7, &mut rng).unwrap()).unwrap();
//! # let bob = UserKeys::load(&kms.certificate(), &kms.provision("sip:bob@example.org", 7, &mut rng).unwrap()).unwrap();
//! let now = std::time::Duration::from_secs(1_764_892_800);
//! # let gmk = DistributedKey::generate(PurposeTag::Gmk, &mut rng).unwrap();
//! # let to_bob = Recipient { uri: "sip:bob@example.org".into(), kms: &cert, period_no: 7 };
//! # let bytes = make(&gms, &to_bob, &gmk, &MakeOptions::new(now, [3; 16]), &mut rng).unwrap();
//! let mut responder = SakkeResponder::new(bob, trust, ResponderConfig::default());
//! let accepted = responder.handle(&bytes, now).unwrap();
//! let (purpose, key_id, _key) = responder.key(accepted.csb_id).unwrap();
//! assert_eq!((purpose, key_id), (PurposeTag::Gmk, gmk.key_id()));
//! assert!(responder.handle(&bytes, now).is_err()); // a replay
//! ```

use crate::bundle::TransportKey;
use crate::crypto::SecretBytes;
use crate::mcx::derive::gmk_id_from_guk_id;
use crate::mcx::imessage::IMessageView;
use crate::mcx::imessage_open::{self as io, Signed};
use crate::mcx::user_keys::{KmsTrust, UserKeys};
use crate::mcx::{media, KeyId, MikeySakkeError, PurposeTag};
use crate::session::engine::{
    Authenticated, Claims, Env, Incoming, Mode, Outcome, Recovered, Responder, ResponderConfig,
    Sealed, Updates,
};
use crate::session::replay::ReplayKey;
use crate::session::SessionError;
use crate::srtp::SrtpParams;
use crate::wire::{
    DataType, Message, MessageView, Payload, PrfFunc, Quirks, SecurityPolicy, SignType,
};

/// The MIKEY-SAKKE mode of the [`Responder`] engine: our key material and the KMSs we
/// trust.
pub struct Sakke {
    me: UserKeys,
    trust: KmsTrust,
}

/// The receiver of MIKEY-SAKKE I_MESSAGEs (RFC 6509, TS 33.180).
pub type SakkeResponder = Responder<Sakke>;

impl Responder<Sakke> {
    /// A receiver with key material `me` (loaded and validated, [`UserKeys::load`]) that
    /// accepts messages from the users of the KMSs in `trust`.
    pub fn new(me: UserKeys, trust: KmsTrust, cfg: ResponderConfig) -> Self {
        Responder::with_mode(Sakke { me, trust }, cfg)
    }

    /// The key a bundle holds: its purpose, its identifier (the GMK-ID recovered from the
    /// GUK-ID with our URI for a GMK, F.1.3) and the key.
    pub fn key(&self, csb_id: u32) -> Option<(PurposeTag, KeyId, SecretBytes)> {
        let b = self.bundle(csb_id)?;
        let key = b.keys.iter().find(|k| k.is_tgk())?.key.clone();
        let csb = KeyId::new(csb_id);
        let id = match csb.purpose() {
            PurposeTag::Gmk => {
                gmk_id_from_guk_id(key.as_bytes(), csb, self.mode.me.user_uri().as_bytes()).ok()?
            }
            _ => csb,
        };
        Some((csb.purpose(), id, key))
    }

    /// The SRTP parameters of the media a bundle keys (TS 33.180 7.4) for CS-ID `cs_id`:
    /// for a GMK the media sent by `sender_uri` (our own URI for what we send), for a PCK
    /// the call's.
    ///
    /// # Errors
    /// [`SessionError::UnknownCsb`], or a CSK (no media).
    pub fn media(
        &self,
        csb_id: u32,
        sender_uri: &str,
        cs_id: u8,
    ) -> Result<SrtpParams, SessionError> {
        let (purpose, id, key) = self.key(csb_id).ok_or(SessionError::UnknownCsb(csb_id))?;
        let rand = &self
            .bundle(csb_id)
            .ok_or(SessionError::UnknownCsb(csb_id))?
            .rand;
        let p = match purpose {
            PurposeTag::Gmk => {
                media::group_srtp(key.as_bytes(), id, sender_uri.as_bytes(), rand, cs_id)
            }
            PurposeTag::Pck => media::private_srtp(key.as_bytes(), id, rand, cs_id),
            _ => return Err(SessionError::InvalidKeyData("a CSK keys no media".into())),
        };
        p.map_err(|e| SessionError::InvalidKeyData(e.to_string()))
    }
}

/// A MIKEY-SAKKE I_MESSAGE, parsed.
pub struct SakkeParts<'a> {
    msg: Message<'a>,
    wire_quirks: Quirks,
    bytes: &'a [u8],
    policies: Vec<SecurityPolicy<'static>>,
}

fn session_error(e: MikeySakkeError) -> SessionError {
    match e {
        MikeySakkeError::Parse(p) => SessionError::Parse(p),
        MikeySakkeError::UntrustedKms(u) => SessionError::UntrustedKms(u),
        MikeySakkeError::Timestamp => SessionError::InvalidTimestamp,
        MikeySakkeError::Eccsi(_) | MikeySakkeError::Sakke(_) => SessionError::AuthFailure,
        MikeySakkeError::Unsupported { field, .. } => SessionError::MissingPayload(field),
        other => SessionError::Unspecified(other.to_string()),
    }
}

impl SakkeParts<'_> {
    fn view(&self) -> Result<IMessageView<'_, '_>, SessionError> {
        IMessageView::new(&self.msg, self.wire_quirks).map_err(|e| session_error(e.into()))
    }

    /// The data of the first IDR payload with one of `roles`.
    fn idr(&self, roles: [u8; 2]) -> Option<&[u8]> {
        self.msg.payloads.iter().find_map(|p| match p {
            Payload::Idr(i) if roles.contains(&i.role.to_wire()) => Some(&*i.id.data),
            _ => None,
        })
    }
}

impl Sealed for Sakke {}

impl Mode for Sakke {
    type Binding = Vec<u8>;
    type Parts<'a> = SakkeParts<'a>;
    type Authed = Option<Signed>;
    const NAME: &'static str = "SakkeResponder";
    const UPDATES: Updates = Updates::Never;

    fn collect<'a>(
        &self,
        view: &MessageView<'a>,
        cfg: &ResponderConfig,
    ) -> Result<SakkeParts<'a>, SessionError> {
        if view.header().data_type != DataType::Sakke {
            return Err(SessionError::UnexpectedDataType(
                view.header().data_type.to_wire(),
            ));
        }
        let bytes = view.as_bytes();
        let (msg, wire_quirks) = Message::parse_with(bytes, cfg.parse_options())?;
        let policies = msg
            .payloads
            .iter()
            .filter_map(|p| match p {
                Payload::Sp(s) => Some(s.clone().into_owned()),
                _ => None,
            })
            .collect();
        let parts = SakkeParts {
            msg,
            wire_quirks,
            bytes,
            policies,
        };
        io::check_shape(&parts.view()?, bytes).map_err(session_error)?;
        Ok(parts)
    }

    fn claims<'p>(&self, parts: &'p SakkeParts<'_>) -> Claims<'p> {
        let id_i = parts.idr([1, 8]);
        let rand = parts.msg.payloads.iter().find_map(|p| match p {
            Payload::Rand(r) => Some(&*r.rand),
            _ => None,
        });
        let t = parts.msg.payloads.iter().find_map(|p| match p {
            Payload::T(t) => Some(*t),
            _ => None,
        });
        let end = parts
            .bytes
            .len()
            .saturating_sub(crate::crypto::eccsi::SIGNATURE_LEN);
        Claims {
            // `collect` checked that the view (with its NTP-UTC T) exists.
            t: t.unwrap_or(crate::wire::Timestamp::ntp_utc(0)),
            rand,
            id_i,
            id_r: parts.idr([2, 9]),
            peer: id_i.unwrap_or_default(),
            replay: ReplayKey::Signed(&parts.bytes[..end]),
            policies: &parts.policies,
        }
    }

    fn check_algorithms(
        &self,
        parts: &SakkeParts<'_>,
        _cfg: &ResponderConfig,
    ) -> Result<(), SessionError> {
        let v = parts.view()?;
        if v.header.prf != PrfFunc::HmacSha256 && v.header.prf != PrfFunc::Mikey1 {
            return Err(SessionError::InvalidPrf(v.header.prf.to_wire()));
        }
        if v.sign.sign_type != SignType::Eccsi {
            return Err(SessionError::AuthFailure);
        }
        Ok(())
    }

    fn authenticate(
        &mut self,
        parts: &SakkeParts<'_>,
        _m: &Incoming<'_, '_, Vec<u8>>,
        _env: &mut Env<'_>,
    ) -> Result<Authenticated<Vec<u8>, Option<Signed>>, SessionError> {
        let v = parts.view()?;
        io::check_addressee(&v, &self.me).map_err(session_error)?;
        let (sender, sender_uid, kms) =
            io::sender_of(&v, &self.me, &self.trust).map_err(session_error)?;
        let mut quirks = v.quirks;
        let span =
            io::verify(&v, parts.bytes, kms, &sender_uid, &mut quirks).map_err(session_error)?;
        Ok(Authenticated {
            binding: sender_uid.0.to_vec(),
            reply_auth: None,
            state: Some(Signed {
                sender,
                sender_uid,
                sender_kms: kms.uri().to_string(),
                span,
                quirks,
            }),
        })
    }

    fn recover(
        &self,
        parts: &SakkeParts<'_>,
        authed: &mut Option<Signed>,
        _m: &Incoming<'_, '_, Vec<u8>>,
        _env: &mut Env<'_>,
    ) -> Result<Recovered, SessionError> {
        let v = parts.view()?;
        let signed = authed
            .take()
            .ok_or(SessionError::WrongState("recover before authenticate"))?;
        let opened = io::recover(&v, &self.me, signed).map_err(session_error)?;
        Ok(Recovered::keys(vec![TransportKey::tgk(
            opened.key.as_bytes(),
        )]))
    }

    fn reply(
        &self,
        _parts: &SakkeParts<'_>,
        _authed: &Option<Signed>,
        _m: &Incoming<'_, '_, Vec<u8>>,
        _out: &Outcome<'_>,
        _env: &mut Env<'_>,
    ) -> Result<Option<Vec<u8>>, SessionError> {
        Ok(None)
    }
}
