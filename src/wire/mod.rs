//! The MIKEY wire format: bytes ⇄ typed payloads and messages (RFC 3830 §6 and the
//! extensions of RFC 4563, 4650, 4738, 4771, 5410, 6043, 6509, 7714).
//!
//! * [`MessageView`] validates a message and walks its payloads without allocating
//!   ([`MessageView::walk`] yields [`PayloadRef`]s that read fields in place).
//! * [`Message`] holds a header and a list of [`Payload`]s, borrowed or owned, for building
//!   and editing; [`Message::encode`] writes exactly what was parsed, and refuses (a typed
//!   [`EncodeError`]) any length, count or code that does not fit its field.
//! * Every code is an enum of [`codes`] that keeps unknown values.
//!
//! # The front door for parsing
//!
//! [`MessageView::parse_with`]`(bytes, `[`ParseOptions`]`)` is the one entry point for a
//! whole message: strict ([`ParseOptions::STRICT`]) or lenient ([`ParseOptions::LENIENT`],
//! reporting the [`Quirk`]s it tolerated), borrowed (the view, [`MessageView::walk`],
//! [`MessageView::payloads`]). Everything else is layered on it: [`MessageView::parse`] is
//! the strict case, [`Message::parse_with`] / [`Message::parse`] are the view turned into a
//! [`Message`] ([`MessageView::to_message`]; owned with [`Message::into_owned`]). The
//! per-payload parsers ([`Header::parse`], [`Payload::parse`], [`KeyDataList::parse`]) read
//! one payload and are what the view falls back on.
//!
//! # Layers
//!
//! [`ctx`] (parse options and context, the [`PayloadBody`] trait) is below the payload
//! modules; [`payload`] (the [`Payload`] enum) above them; the fast walk ([`walk`]) uses
//! both; [`message`] sits on top of the walk and the payload parsers. None imports a layer
//! above it.
//!
//! ```
//! use mikey::wire::{Message, Payload};
//! let hex = include_str!("../../testvectors/gortsplib-mikey-a.hex").trim();
//! let bytes: Vec<u8> = (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
//! let msg = Message::parse_with(&bytes, mikey::wire::ParseOptions::LENIENT).unwrap().0;
//! assert_eq!(msg.header.csb_id, 0xe69d51f8);
//! assert!(msg.payloads.iter().any(|p| matches!(p, Payload::Kemac(_))));
//! assert_eq!(msg.encode().unwrap(), bytes);
//! ```

use std::borrow::Cow;

pub mod chash;
pub mod codes;
pub mod ctx;
pub mod dh;
pub mod encode;
pub mod err;
pub mod error;
pub mod ext;
pub mod header;
pub mod id;
pub mod kemac;
pub mod key_data;
pub mod message;
pub mod payload;
pub mod pke;
pub mod policy;
pub mod rand;
pub mod reader;
pub mod sakke;
pub mod sign;
pub mod ticket;
pub mod timestamp;
pub mod verification;
pub mod walk;

/// Byte data borrowed from the parsed buffer or owned by a built value.
pub type Data<'a> = Cow<'a, [u8]>;

pub(crate) fn own(d: Data<'_>) -> Data<'static> {
    Cow::Owned(d.into_owned())
}

pub use chash::Chash;
pub use codes::*;
pub use dh::Dh;
pub use encode::{EncodeError, EncodeErrorKind};
pub use err::ErrorPayload;
pub use error::{ErrorKind, ParseError};
pub use ext::GeneralExtension;
pub use header::{CsIdMap, GenericCs, GenericIdMap, Header, SrtpCs, SrtpIdMap};
pub use id::{Cert, Id, IdRoleId};
pub use kemac::Kemac;
pub use key_data::{KeyData, KeyDataList, KeyValidity};
pub(crate) use message::encode_iter;
pub use message::{Message, MessageView, ParseOptions};
pub use payload::{ParseCtx, Payload, PayloadBody, Quirk, Quirks};
pub use pke::Pke;
pub use policy::{PolicyParam, SecurityPolicy, SrtpPolicy};
pub use rand::{Rand, RandRoleRand};
pub use reader::Reader;
pub use sakke::SakkePayload;
pub use sign::Sign;
pub use ticket::{Ticket, TicketPayload, TicketPolicy};
pub use timestamp::{Timestamp, TimestampRole};
pub use verification::Verification;
pub use walk::{KemacRef, PayloadRef, PayloadRefs, SpRef};
