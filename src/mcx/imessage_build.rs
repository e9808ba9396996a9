//! Assembling the unsigned part of a 3GPP MIKEY-SAKKE I_MESSAGE (TS 33.180 E.1 to E.4)
//! from typed fields, and appending the SIGN payload once a signer has signed it.
//!
//! The boundary: [`IMessageFields::unsigned`] gives every octet before the SIGN payload
//! (its last next-payload field already says SIGN); the ECCSI signer (RFC 6507, another
//! module) signs [`UnsignedIMessage::to_be_signed`]; [`UnsignedIMessage::append_sign`]
//! completes the message. The SAKKE encapsulated data is likewise made elsewhere and passed
//! in as a [`SakkePayload`].
//!
//! ```
//! use mikey::mcx::imessage::IMessageView;
//! use mikey::mcx::imessage_build::{IMessageFields, IdentityField};
//! use mikey::mcx::KeyId;
//! use mikey::wire::*;
//! let fields = IMessageFields {
//!     key_id: KeyId::new(0x16992638),
//!     cs_map: CsIdMap::Empty { count: 0 },
//!     timestamp: Timestamp::ntp_utc(0xec898da8_0000_0000),
//!     rand: vec![7; 16],
//!     initiator: IdentityField::Uid([1; 32]),
//!     responder: IdentityField::Uid([2; 32]),
//!     kms_initiator: Some("kms.example.org".into()),
//!     kms_responder: Some("kms.example.org".into()),
//!     policies: vec![],
//!     sakke: SakkePayload { params: SakkeParams::Set1, id_scheme: SakkeIdScheme::Unknown(2), data: vec![4; 273].into() },
//!     extensions: vec![],
//! };
//! let unsigned = fields.unsigned().unwrap();
//! let signed = unsigned.append_sign(SignType::Eccsi, &[0x5a; 129]).unwrap();
//! let (msg, q) = Message::parse_with(&signed, ParseOptions::STRICT).unwrap();
//! assert_eq!(IMessageView::new(&msg, q).unwrap().key_id, KeyId::new(0x16992638));
//! ```

use super::error::McxError;
use super::imessage::{ROLE_UID_INITIATOR, ROLE_UID_RESPONDER};
use super::key_id::KeyId;
use crate::wire::{
    CsIdMap, DataType, GeneralExtension, Header, Id, IdRole, IdRoleId, IdType, Message, Payload,
    PrfFunc, Rand, SakkePayload, SecurityPolicy, Sign, SignType, Timestamp,
};
use std::borrow::Cow;

/// The largest signature a SIGN payload can carry (12-bit length, RFC 3830 §6.5).
pub const MAX_SIGNATURE_LEN: usize = 0x0fff;

/// An identity to put in an IDR payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdentityField {
    /// A URI in IDRi/IDRr (roles 1/2), as RFC 6509 and TS 33.179 send it.
    Uri(String),
    /// A 32-octet UID in the UID roles (8/9), as TS 33.180 E.7 sends it.
    Uid([u8; 32]),
}

/// The typed fields of an I_MESSAGE, everything but the signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IMessageFields<'a> {
    /// The CSB ID: the key identifier (GUK-ID, PCK-ID, CSK-ID, ...).
    pub key_id: KeyId,
    /// The CS ID map (an empty map with #CS 0 for the default policy, E.1.2).
    pub cs_map: CsIdMap<'a>,
    /// The NTP-UTC timestamp.
    pub timestamp: Timestamp,
    /// RAND (at most 255 octets; 16 in every message seen).
    pub rand: Vec<u8>,
    /// The initiator's identity.
    pub initiator: IdentityField,
    /// The responder's identity.
    pub responder: IdentityField,
    /// IDRkmsi: the initiator's KMS URI.
    pub kms_initiator: Option<String>,
    /// IDRkmsr: the responder's KMS URI.
    pub kms_responder: Option<String>,
    /// Security policies.
    pub policies: Vec<SecurityPolicy<'a>>,
    /// The SAKKE payload (encapsulated data made by the SAKKE sender).
    pub sakke: SakkePayload<'a>,
    /// General extensions (e.g. the type-7 key parameters of [`crate::mcx::ext7::build`]).
    pub extensions: Vec<GeneralExtension<'a>>,
}

fn fits(field: &'static str, len: usize, max: usize) -> Result<(), McxError> {
    if len > max {
        return Err(McxError::TooLong { field, len, max });
    }
    Ok(())
}

fn idr(role: u8, id_type: IdType, data: &[u8]) -> Result<Payload<'_>, McxError> {
    fits("IDR ID data", data.len(), usize::from(u16::MAX))?;
    Ok(Payload::Idr(IdRoleId {
        role: IdRole::from_wire(role),
        id: Id {
            id_type,
            data: Cow::Borrowed(data),
        },
    }))
}

fn party(f: &IdentityField, uri_role: u8, uid_role: u8) -> Result<Payload<'_>, McxError> {
    match f {
        IdentityField::Uri(u) => idr(uri_role, IdType::Uri, u.as_bytes()),
        IdentityField::Uid(u) => idr(uid_role, IdType::Uri, u),
    }
}

impl IMessageFields<'_> {
    /// The payloads in TS 33.180 order: T, RAND, IDRi, IDRr, IDRkmsi, IDRkmsr, SP, SAKKE,
    /// general extensions.
    fn payloads(&self) -> Result<Vec<Payload<'_>>, McxError> {
        fits("RAND", self.rand.len(), usize::from(u8::MAX))?;
        fits("SAKKE data", self.sakke.data.len(), usize::from(u16::MAX))?;
        let mut p = vec![
            Payload::T(self.timestamp),
            Payload::Rand(Rand {
                rand: Cow::Borrowed(&self.rand),
            }),
            party(&self.initiator, 1, ROLE_UID_INITIATOR)?,
            party(&self.responder, 2, ROLE_UID_RESPONDER)?,
        ];
        for (role, kms) in [
            (IdRole::InitiatorKms, &self.kms_initiator),
            (IdRole::ResponderKms, &self.kms_responder),
        ] {
            if let Some(k) = kms {
                p.push(idr(role.to_wire(), IdType::Uri, k.as_bytes())?);
            }
        }
        for sp in &self.policies {
            fits(
                "SP parameters",
                sp.param_bytes().len(),
                usize::from(u16::MAX),
            )?;
            p.push(Payload::Sp(sp.borrowed()));
        }
        p.push(Payload::Sakke(SakkePayload {
            params: self.sakke.params,
            id_scheme: self.sakke.id_scheme,
            data: Cow::Borrowed(&self.sakke.data),
        }));
        for e in &self.extensions {
            fits(
                "General extension data",
                e.data.len(),
                usize::from(u16::MAX),
            )?;
            p.push(Payload::GenExt(GeneralExtension {
                ext_type: e.ext_type,
                data: Cow::Borrowed(&e.data),
            }));
        }
        Ok(p)
    }

    /// The octets before the SIGN payload: HDR (data type 26, V = 0, PRF-HMAC-SHA-256)
    /// and the payloads, the last next-payload field set to SIGN.
    pub fn unsigned(&self) -> Result<UnsignedIMessage, McxError> {
        let header = Header {
            data_type: DataType::Sakke,
            v: false,
            prf: PrfFunc::HmacSha256,
            csb_id: self.key_id.value(),
            cs_map: self.cs_map.borrowed(),
        };
        let mut msg = Message::new(header);
        msg.payloads = self.payloads()?;
        // A SIGN with no signature makes the encoder point the chain at SIGN; its two
        // octets (S type, length) are then dropped.
        msg.payloads.push(Payload::Sign(Sign {
            sign_type: SignType::Eccsi,
            signature: Cow::Borrowed(&[]),
        }));
        let mut bytes = msg.encode()?;
        bytes.truncate(bytes.len().saturating_sub(2));
        Ok(UnsignedIMessage { bytes })
    }
}

/// Every octet of an I_MESSAGE before its SIGN payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsignedIMessage {
    bytes: Vec<u8>,
}

impl UnsignedIMessage {
    /// The octets.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The SIGN payload's first two octets: S type (4 bits) and signature length (12 bits).
    pub fn sign_header(sign_type: SignType, sig_len: usize) -> Result<[u8; 2], McxError> {
        fits("Signature", sig_len, MAX_SIGNATURE_LEN)?;
        let len = u16::try_from(sig_len).unwrap_or(u16::MAX) & 0x0fff;
        let tl = (u16::from(sign_type.to_wire() & 0x0f) << 12) | len;
        Ok(tl.to_be_bytes())
    }

    /// What RFC 3830 §5.2 signs: the whole message up to the signature field, i.e. these
    /// octets and the SIGN header for a signature of `sig_len` octets (129 for ECCSI).
    pub fn to_be_signed(&self, sign_type: SignType, sig_len: usize) -> Result<Vec<u8>, McxError> {
        let mut v = Vec::with_capacity(self.bytes.len() + 2);
        v.extend_from_slice(&self.bytes);
        v.extend_from_slice(&Self::sign_header(sign_type, sig_len)?);
        Ok(v)
    }

    /// The complete message: these octets, the SIGN header and the signature.
    pub fn append_sign(self, sign_type: SignType, signature: &[u8]) -> Result<Vec<u8>, McxError> {
        let mut v = self.to_be_signed(sign_type, signature.len())?;
        v.extend_from_slice(signature);
        Ok(v)
    }
}
