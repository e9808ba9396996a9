//! The payload trait, the enum of all payloads, and the parse context (strict or lenient).

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

/// A departure from RFC 3830 that real devices make and that lenient parsing accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Quirk {
    /// One 0x00 byte after the last payload (Milestone XProtect).
    TrailingZero = 1,
    /// SRTP "Session Auth. key length" = 10 with HMAC-SHA-1, where 20 is meant (GStreamer
    /// writes the tag length there).
    SrtpAuthKeyLen10 = 2,
    /// A NUL-terminated NAI/URI in an ID or IDR payload (MCPTT clients).
    NulTerminatedId = 4,
}

impl Quirk {
    const ALL: [Quirk; 3] = [
        Quirk::TrailingZero,
        Quirk::SrtpAuthKeyLen10,
        Quirk::NulTerminatedId,
    ];

    /// A short description.
    pub const fn describe(self) -> &'static str {
        match self {
            Quirk::TrailingZero => "one 0x00 byte after the last payload (Milestone XProtect)",
            Quirk::SrtpAuthKeyLen10 => {
                "SRTP session auth key length 10 for HMAC-SHA-1, read as 20 (GStreamer)"
            }
            Quirk::NulTerminatedId => "NUL-terminated NAI/URI in ID/IDR (MCPTT clients)",
        }
    }
}

/// The set of quirks a lenient parse tolerated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Quirks(u8);

impl Quirks {
    /// Whether `q` was tolerated.
    pub const fn contains(self, q: Quirk) -> bool {
        self.0 & q as u8 != 0
    }

    /// True when nothing was tolerated.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The tolerated quirks.
    pub fn iter(self) -> impl Iterator<Item = Quirk> {
        Quirk::ALL.into_iter().filter(move |q| self.contains(*q))
    }
}

/// Parse state shared by the payload parsers.
#[derive(Clone, Debug)]
pub struct ParseCtx {
    /// Accept the [`Quirk`]s of real devices.
    pub lenient: bool,
    /// What was tolerated so far.
    pub quirks: Quirks,
    /// Check everything (NULL-encrypted KEMAC contents as key data sub-payloads, SP
    /// parameter TLVs, ID text). False when re-reading bytes that were already checked.
    pub validate: bool,
    /// Whether a KEMAC plaintext starts with an ID payload (public-key methods).
    pub kemac_with_id: bool,
}

impl Default for ParseCtx {
    fn default() -> Self {
        Self {
            lenient: false,
            quirks: Quirks::default(),
            validate: true,
            kemac_with_id: false,
        }
    }
}

impl ParseCtx {
    /// Records a tolerated quirk.
    pub fn quirk(&mut self, q: Quirk) {
        self.quirks.0 |= q as u8;
    }
}

/// One payload type's codec: parse from a reader (including its next payload field), and
/// encode with a given next payload field.
pub trait PayloadBody<'a>: Sized {
    /// The payload type code.
    const TYPE: PayloadType;
    /// Parses the payload at the reader; returns it and its next payload field.
    fn parse(r: &mut Reader<'a>, ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError>;
    /// Encoded length in bytes.
    fn encoded_len(&self) -> usize;
    /// Appends the payload with `next` as its next payload field, after checking that every
    /// length, count and code fits its field; on error nothing is written.
    fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError>;
}

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
