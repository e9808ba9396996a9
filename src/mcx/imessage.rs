//! A typed view of the 3GPP MIKEY-SAKKE I_MESSAGE (TS 33.180 E.1 to E.4, RFC 6509 §2.1)
//! over a parsed [`wire::Message`](crate::wire::Message): the key identifier in the CSB ID,
//! the NTP-UTC timestamp, RAND, the identities with their roles (URIs, or 32-octet UIDs in
//! the UID roles 8 and 9), the KMS identities, the security policies, the SAKKE and SIGN
//! payloads and the general extensions. No cryptography: the SAKKE encapsulation and the
//! ECCSI signature are checked elsewhere.
//!
//! ```
//! use mikey::mcx::imessage::{IMessageView, Identity};
//! use mikey::wire::{Message, ParseOptions};
//! use base64::Engine;
//! let text = include_str!("../../testvectors/sw-stw-ref-pck-imessage.b64");
//! let bytes = base64::engine::general_purpose::STANDARD.decode(text.trim()).unwrap();
//! let (msg, wire_quirks) = Message::parse_with(&bytes, ParseOptions::LENIENT).unwrap();
//! let view = IMessageView::new(&msg, wire_quirks).unwrap();
//! assert_eq!(view.key_id.value(), 0x16992638);
//! assert!(matches!(view.initiator.id, Identity::Uid(_)));
//! ```

use super::error::McxError;
use super::ext7::KeyParamsExt;
use super::key_id::KeyId;
use super::quirks::{McxQuirk, McxQuirks};
use super::uid::Uid;
use crate::wire::{
    CsIdMap, DataType, GenExtType, GeneralExtension, Header, IdRole, IdRoleId, Message, Payload,
    PrfFunc, Quirk, Quirks, SakkePayload, SecurityPolicy, Sign, Timestamp, TsType,
};

/// ID role of the initiator's UID (TS 33.180 E.7; not in RFC 6043's table).
pub const ROLE_UID_INITIATOR: u8 = 8;
/// ID role of the responder's UID (TS 33.180 E.7).
pub const ROLE_UID_RESPONDER: u8 = 9;
/// SRTP policy parameter: ROC transmission rate (RFC 4771 §5, TS 33.180 E.2.2).
pub const SP_ROC_TX_RATE: u8 = 13;

/// An identity of an IDR payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Identity<'a> {
    /// An MC service URI (text, without a trailing NUL).
    Uri(&'a str),
    /// A 256-bit MIKEY-SAKKE UID (F.2.1).
    Uid(Uid),
}

/// One side of the exchange: the IDR role it was found under and its identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Party<'a> {
    /// The ID role code (1/2, or 8/9 for UIDs).
    pub role: u8,
    /// The identity.
    pub id: Identity<'a>,
}

/// The TS 33.180 fields of a MIKEY-SAKKE I_MESSAGE.
#[derive(Clone, Debug)]
pub struct IMessageView<'m, 'a> {
    /// The common header (V, PRF, CS ID map).
    pub header: &'m Header<'a>,
    /// CSB ID: the key identifier (GUK-ID for a GMK, PCK-ID, CSK-ID, ...).
    pub key_id: KeyId,
    /// The NTP-UTC timestamp.
    pub timestamp: Timestamp,
    /// RAND.
    pub rand: &'m [u8],
    /// IDRi (role 1) or the initiator's UID (role 8).
    pub initiator: Party<'m>,
    /// IDRr (role 2) or the responder's UID (role 9).
    pub responder: Party<'m>,
    /// IDRkmsi: the initiator's KMS (role 6).
    pub kms_initiator: Option<&'m str>,
    /// IDRkmsr: the responder's KMS (role 7).
    pub kms_responder: Option<&'m str>,
    /// The security policies.
    pub policies: Vec<&'m SecurityPolicy<'a>>,
    /// The SAKKE payload.
    pub sakke: &'m SakkePayload<'a>,
    /// The general extensions, in order.
    pub extensions: Vec<&'m GeneralExtension<'a>>,
    /// The SIGN payload.
    pub sign: &'m Sign<'a>,
    /// What was accepted that TS 33.180 does not allow.
    pub quirks: McxQuirks,
}

fn text<'d>(data: &'d [u8], what: &'static str) -> Result<&'d str, McxError> {
    core::str::from_utf8(data.strip_suffix(&[0]).unwrap_or(data))
        .ok()
        .filter(|s| !s.is_empty() && !s.chars().any(char::is_control))
        .ok_or(McxError::Invalid {
            what,
            field: "ID data",
            expected: "URI text",
        })
}

fn party<'m>(idr: &'m IdRoleId<'_>, quirks: &mut McxQuirks) -> Result<Party<'m>, McxError> {
    let role = idr.role.to_wire();
    let data: &[u8] = &idr.id.data;
    let id = match role {
        ROLE_UID_INITIATOR | ROLE_UID_RESPONDER => {
            Identity::Uid(Uid::from_slice(data).ok_or(McxError::Invalid {
                what: "IDR",
                field: "UID",
                expected: "32 octets",
            })?)
        }
        _ => match (text(data, "IDR"), Uid::from_slice(data)) {
            (Ok(t), _) => Identity::Uri(t),
            (Err(_), Some(uid)) => {
                quirks.insert(McxQuirk::UidInIdrRole);
                Identity::Uid(uid)
            }
            (Err(e), None) => return Err(e),
        },
    };
    Ok(Party { role, id })
}

fn one<T>(found: Option<T>, what: &'static str) -> Result<T, McxError> {
    found.ok_or(McxError::Missing { what })
}

/// The quirks visible in the header and the wire parse.
fn header_quirks(msg: &Message<'_>, wire_quirks: Quirks) -> McxQuirks {
    let mut quirks = McxQuirks::default();
    if wire_quirks.contains(Quirk::NulTerminatedId) {
        quirks.insert(McxQuirk::IdrTrailingNul);
    }
    if wire_quirks.contains(Quirk::IdrLenHighOctetZero) {
        quirks.insert(McxQuirk::IdrLenHighOctetZero);
    }
    if matches!(&msg.header.cs_map, CsIdMap::GenericId(m) if m.is_empty()) {
        quirks.insert(McxQuirk::GenericIdMapWithoutCs);
    }
    quirks
}

impl<'m, 'a> IMessageView<'m, 'a> {
    /// The view of `msg`, an I_MESSAGE of data type 26 (SAKKE); `wire_quirks` are those
    /// its lenient parse reported (a NUL-terminated IDR becomes
    /// [`McxQuirk::IdrTrailingNul`]).
    pub fn new(msg: &'m Message<'a>, wire_quirks: Quirks) -> Result<Self, McxError> {
        if msg.header.data_type != DataType::Sakke {
            return Err(McxError::Invalid {
                what: "HDR",
                field: "data type",
                expected: "26 (SAKKE, RFC 6509)",
            });
        }
        let mut quirks = header_quirks(msg, wire_quirks);
        let p = &msg.payloads;
        let idr = |roles: [u8; 2]| {
            p.iter().find_map(|x| match x {
                Payload::Idr(i) if roles.contains(&i.role.to_wire()) => Some(i),
                _ => None,
            })
        };
        let kms = |role: IdRole| match idr([role.to_wire(); 2]) {
            Some(i) => text(&i.id.data, "IDRkms").map(Some),
            None => Ok(None),
        };
        let initiator = party(one(idr([1, ROLE_UID_INITIATOR]), "IDRi")?, &mut quirks)?;
        let responder = party(one(idr([2, ROLE_UID_RESPONDER]), "IDRr")?, &mut quirks)?;
        let view = IMessageView {
            header: &msg.header,
            key_id: KeyId::new(msg.header.csb_id),
            timestamp: *one(
                msg.find(|x| match x {
                    Payload::T(t) if t.ts_type == TsType::NtpUtc => Some(t),
                    _ => None,
                }),
                "T payload (NTP-UTC)",
            )?,
            rand: one(
                msg.find(|x| match x {
                    Payload::Rand(r) => Some(&*r.rand),
                    _ => None,
                }),
                "RAND payload",
            )?,
            initiator,
            responder,
            kms_initiator: kms(IdRole::InitiatorKms)?,
            kms_responder: kms(IdRole::ResponderKms)?,
            policies: p
                .iter()
                .filter_map(|x| match x {
                    Payload::Sp(s) => Some(s),
                    _ => None,
                })
                .collect(),
            sakke: one(
                msg.find(|x| match x {
                    Payload::Sakke(s) => Some(s),
                    _ => None,
                }),
                "SAKKE payload",
            )?,
            extensions: p
                .iter()
                .filter_map(|x| match x {
                    Payload::GenExt(e) => Some(e),
                    _ => None,
                })
                .collect(),
            sign: one(
                p.last().and_then(|x| match x {
                    Payload::Sign(s) => Some(s),
                    _ => None,
                }),
                "SIGN payload",
            )?,
            quirks,
        };
        view.with_payload_quirks()
    }

    /// Adds the quirks of the SP and general extension payloads.
    fn with_payload_quirks(mut self) -> Result<Self, McxError> {
        if self
            .policies
            .iter()
            .flat_map(|s| s.params())
            .any(|q| q.param_type == SP_ROC_TX_RATE && q.value.len() == 1)
        {
            self.quirks.insert(McxQuirk::RocTxRateOneOctet);
        }
        if self
            .key_params()
            .transpose()?
            .is_some_and(|k| k.is_legacy())
        {
            self.quirks.insert(McxQuirk::LegacyKeyParameters);
        }
        Ok(self)
    }

    /// Whether the header is TS 33.180's: V = 0 and PRF-HMAC-SHA-256 (E.1.1).
    pub fn profile_header(&self) -> bool {
        !self.header.v && self.header.prf == PrfFunc::HmacSha256
    }

    /// The 3GPP key-parameters extension (type 7), if any.
    pub fn key_params(&self) -> Option<Result<KeyParamsExt<'m>, McxError>> {
        self.extensions
            .iter()
            .copied()
            .find(|e| e.ext_type == GenExtType::Mcx)
            .map(|e: &'m GeneralExtension<'a>| KeyParamsExt::parse(&e.data))
    }

    /// The types of the general extensions, in order.
    pub fn extension_types(&self) -> impl Iterator<Item = GenExtType> + '_ {
        self.extensions.iter().map(|e| e.ext_type)
    }
}
