//! The enum of all payloads (RFC 3830 §6), above the payload modules: it names each one.
//! What the payloads share (the parse context, the codec trait) is in [`ctx`](super::ctx).

use super::chash::Chash;
use super::codes::PayloadType;
use super::dh::Dh;
use super::encode::EncodeError;
use super::err::ErrorPayload;
use super::error::{ErrorKind, ParseError};
use super::ext::GeneralExtension;
use super::id::{Cert, Id, IdRoleId};
use super::kemac::Kemac;
use super::key_data::KeyData;
use super::pke::Pke;
use super::policy::SecurityPolicy;
use super::rand::{Rand, RandRoleRand};
use super::reader::Reader;
use super::sakke::SakkePayload;
use super::sign::Sign;
use super::ticket::{Ticket, TicketPolicy};
use super::timestamp::{Timestamp, TimestampRole};
use super::verification::Verification;

pub use super::ctx::{ParseCtx, PayloadBody, Quirk, Quirks};

macro_rules! payloads {
    ($( $(#[$m:meta])* $variant:ident($ty:ty) ),* $(,)?) => {
        /// Any MIKEY payload (the header excepted).
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Payload<'a> {
            $( $(#[$m])* $variant($ty), )*
        }

        impl<'a> Payload<'a> {
            /// Parses a payload of type `t` at the reader.
            #[inline]
            pub fn parse(t: PayloadType, r: &mut Reader<'a>, ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError> {
                match t {
                    $( <$ty as PayloadBody>::TYPE => {
                        let (p, n) = <$ty as PayloadBody>::parse(r, ctx)?;
                        Ok((Payload::$variant(p), n))
                    } )*
                    other => Err(r.error("payload", "next payload", ErrorKind::UnknownLayout { value: other.to_wire().into() })),
                }
            }

            /// The payload type code.
            pub fn payload_type(&self) -> PayloadType {
                match self { $( Payload::$variant(_) => <$ty as PayloadBody>::TYPE, )* }
            }

            /// Encoded length.
            pub fn encoded_len(&self) -> usize {
                match self { $( Payload::$variant(p) => p.encoded_len(), )* }
            }

            /// Appends the payload with `next` as its next payload field (see
            /// [`PayloadBody::encode`]); on error nothing is written.
            pub fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
                match self { $( Payload::$variant(p) => p.encode(next, out), )* }
            }
        }
    };
}

payloads! {
    /// KEMAC (RFC 3830 §6.2).
    Kemac(Kemac<'a>),
    /// PKE (RFC 3830 §6.3).
    Pke(Pke<'a>),
    /// DH (RFC 3830 §6.4).
    Dh(Dh<'a>),
    /// SIGN (RFC 3830 §6.5).
    Sign(Sign<'a>),
    /// T (RFC 3830 §6.6).
    T(Timestamp),
    /// ID (RFC 3830 §6.7).
    Id(Id<'a>),
    /// CERT (RFC 3830 §6.7).
    Cert(Cert<'a>),
    /// CHASH (RFC 3830 §6.8).
    Chash(Chash<'a>),
    /// V (RFC 3830 §6.9).
    V(Verification<'a>),
    /// SP (RFC 3830 §6.10).
    Sp(SecurityPolicy<'a>),
    /// RAND (RFC 3830 §6.11).
    Rand(Rand<'a>),
    /// ERR (RFC 3830 §6.12).
    Err(ErrorPayload),
    /// Key data sub-payload found outside a KEMAC (RFC 3830 §6.13).
    KeyData(KeyData<'a>),
    /// General extension (RFC 3830 §6.15).
    GenExt(GeneralExtension<'a>),
    /// TR (RFC 6043 §6.4).
    Tr(TimestampRole),
    /// IDR (RFC 6043 §6.6).
    Idr(IdRoleId<'a>),
    /// RANDR (RFC 6043 §6.8).
    Randr(RandRoleRand<'a>),
    /// TP (RFC 6043 §6.10).
    Tp(TicketPolicy<'a>),
    /// TICKET (RFC 6043 §6.10).
    Ticket(Ticket<'a>),
    /// SAKKE (RFC 6509 §4.2).
    Sakke(SakkePayload<'a>),
}

impl Payload<'_> {
    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> Payload<'static> {
        match self {
            Payload::Kemac(p) => Payload::Kemac(p.into_owned()),
            Payload::Pke(p) => Payload::Pke(p.into_owned()),
            Payload::Dh(p) => Payload::Dh(p.into_owned()),
            Payload::Sign(p) => Payload::Sign(p.into_owned()),
            Payload::T(p) => Payload::T(p),
            Payload::Id(p) => Payload::Id(p.into_owned()),
            Payload::Cert(p) => Payload::Cert(p.into_owned()),
            Payload::Chash(p) => Payload::Chash(p.into_owned()),
            Payload::V(p) => Payload::V(p.into_owned()),
            Payload::Sp(p) => Payload::Sp(p.into_owned()),
            Payload::Rand(p) => Payload::Rand(p.into_owned()),
            Payload::Err(p) => Payload::Err(p),
            Payload::KeyData(p) => Payload::KeyData(p.into_owned()),
            Payload::GenExt(p) => Payload::GenExt(p.into_owned()),
            Payload::Tr(p) => Payload::Tr(p),
            Payload::Idr(p) => Payload::Idr(p.into_owned()),
            Payload::Randr(p) => Payload::Randr(p.into_owned()),
            Payload::Tp(p) => Payload::Tp(TicketPolicy(p.0.into_owned())),
            Payload::Ticket(p) => Payload::Ticket(Ticket(p.0.into_owned())),
            Payload::Sakke(p) => Payload::Sakke(p.into_owned()),
        }
    }
}
