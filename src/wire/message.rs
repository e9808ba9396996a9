//! Whole MIKEY messages: a zero-copy validated view ([`MessageView`]) for reading without
//! allocation, and an owned-or-borrowed [`Message`] for building and editing.
//!
//! Parsing walks the payload chain from the header's next payload field (RFC 3830 §6.1):
//! every payload names the type of the one after it; SIGN, which has no such field, ends
//! the chain (§6.5). Strict parsing then requires the input to end; lenient parsing also
//! accepts the [`Quirk`](super::Quirk)s of real devices and reports them.

use super::codes::{EncrAlg, PayloadType};
use super::ctx::ctx_for;
pub use super::ctx::ParseOptions;
use super::encode::{EncodeError, EncodeErrorKind};
use super::error::ParseError;
use super::header::Header;
use super::kemac::Kemac;
use super::key_data::KeyDataList;
use super::payload::{Payload, Quirks};
use super::walk::{check_key_data, validate, PayloadRefs};

/// A validated, borrowed view of a message. Parsing checks every payload in one pass (see
/// [`walk`](super::walk)); [`MessageView::walk`] then visits the payloads as small views
/// that read their fields from the buffer, and [`MessageView::payloads`] decodes them into
/// [`Payload`]s, with no allocation either way.
#[derive(Clone, Debug)]
pub struct MessageView<'a> {
    bytes: &'a [u8],
    header: Header<'a>,
    first: PayloadType,
    body_start: usize,
    end: usize,
    quirks: Quirks,
    opts: ParseOptions,
}

impl<'a> MessageView<'a> {
    /// Parses strictly.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ParseError> {
        Self::parse_with(bytes, ParseOptions::STRICT)
    }

    /// Parses with options.
    pub fn parse_with(bytes: &'a [u8], opts: ParseOptions) -> Result<Self, ParseError> {
        let v = validate(bytes, opts)?;
        Ok(Self {
            bytes,
            header: v.header,
            first: v.first,
            body_start: v.body_start,
            end: v.end,
            quirks: v.quirks,
            opts,
        })
    }

    /// The common header.
    pub fn header(&self) -> &Header<'a> {
        &self.header
    }

    /// The bytes of the message proper (without a tolerated trailing byte).
    pub fn as_bytes(&self) -> &'a [u8] {
        &self.bytes[..self.end]
    }

    /// What lenient parsing tolerated.
    pub fn quirks(&self) -> Quirks {
        self.quirks
    }

    /// The payloads after the header as small borrowed views ([`PayloadRef`](super::PayloadRef)) whose fields
    /// are read from the bytes on demand: the cheapest way to read a message. No allocation.
    pub fn walk(&self) -> PayloadRefs<'a> {
        PayloadRefs::new(
            self.bytes.get(..self.end).unwrap_or_default(),
            self.body_start,
            self.first,
            ctx_for(self.opts, self.header.data_type),
        )
    }

    /// The payloads after the header, each with its byte offset in the message.
    pub fn payloads_with_offsets(&self) -> impl Iterator<Item = (usize, Payload<'a>)> + '_ {
        // `decode` cannot fail: the same bytes were validated by `parse_with`.
        self.walk()
            .map_while(|p| p.decode().ok().map(|d| (p.offset(), d)))
    }

    /// The payloads after the header.
    pub fn payloads(&self) -> impl Iterator<Item = Payload<'a>> + '_ {
        self.payloads_with_offsets().map(|(_, p)| p)
    }

    /// The KEMAC payload and its offset, if any.
    pub fn kemac(&self) -> Option<(usize, Kemac<'a>)> {
        self.payloads_with_offsets().find_map(|(o, p)| match p {
            Payload::Kemac(k) => Some((o, k)),
            _ => None,
        })
    }

    /// An owned-or-borrowed [`Message`] with the same content.
    pub fn to_message(&self) -> Message<'a> {
        Message {
            header: self.header.clone(),
            payloads: self.payloads().collect(),
        }
    }
}

/// Appends the encoding of the message `header`, `payloads` to `out`: what
/// [`Message::encode_into`] does, for messages whose payloads are not in a list (built on the
/// stack or on the fly, borrowing their data). `payloads` is walked twice (length, then
/// encoding). On error `out` is left as it was.
pub(crate) fn encode_iter<'p, P, I>(
    header: &Header<'_>,
    payloads: I,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError>
where
    P: core::borrow::Borrow<Payload<'p>>,
    I: Iterator<Item = P> + Clone,
{
    let start = out.len();
    let r = encode_all(header, payloads, out);
    if r.is_err() {
        // What was written may hold key data (NULL-encrypted KEMAC): wiped, then dropped.
        zeroize::Zeroize::zeroize(&mut out[start..]);
        out.truncate(start);
    }
    r
}

fn encode_all<'p, P, I>(
    header: &Header<'_>,
    payloads: I,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError>
where
    P: core::borrow::Borrow<Payload<'p>>,
    I: Iterator<Item = P> + Clone,
{
    let len = header.encoded_len()
        + payloads
            .clone()
            .map(|p| p.borrow().encoded_len())
            .sum::<usize>();
    out.reserve(len);
    let mut all = payloads.peekable();
    let first = all
        .peek()
        .map_or(PayloadType::Last, |p| p.borrow().payload_type());
    let with_id = ctx_for(ParseOptions::STRICT, header.data_type).kemac_with_id;
    header.encode(first, out)?;
    while let Some(p) = all.next() {
        let next = all
            .peek()
            .map_or(PayloadType::Last, |n| n.borrow().payload_type());
        if matches!(p.borrow(), Payload::Sign(_)) && next != PayloadType::Last {
            // SIGN has no next payload field: it ends the chain (RFC 3830 §6.5).
            let reason = "SIGN ends the message (RFC 3830 §6.5): no payload may follow it";
            let kind = EncodeErrorKind::Misplaced { reason };
            return Err(EncodeError::new("SIGN", "position", kind));
        }
        if let Payload::Kemac(k) = p.borrow() {
            check_null_kemac(k, with_id)?;
        }
        p.borrow().encode(next, out)?;
    }
    Ok(())
}

/// A NULL-encrypted KEMAC carries its key data in clear, which a parser checks (RFC 3830
/// §4.2.3, §6.2; an ID payload first for the public-key methods): so does the encoder.
fn check_null_kemac(k: &Kemac<'_>, with_id: bool) -> Result<(), EncodeError> {
    // The walk's lean check first (a key data chain without ID), the full parser else.
    if k.encr_alg != EncrAlg::Null
        || (!with_id && check_key_data(&k.encr_data).is_some())
        || KeyDataList::validate(&k.encr_data, with_id, 0).is_ok()
    {
        return Ok(());
    }
    let reason = "NULL-encrypted Encr data must be key data sub-payloads (RFC 3830 §4.2.3)";
    let kind = EncodeErrorKind::Malformed { reason };
    Err(EncodeError::new("KEMAC", "Encr data", kind))
}

/// A message as a header and a list of payloads. The next payload fields are derived when
/// encoding, so the list is always consistent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message<'a> {
    /// Common header.
    pub header: Header<'a>,
    /// Payloads in order.
    pub payloads: Vec<Payload<'a>>,
}

impl<'a> Message<'a> {
    /// A message with a header and no payloads.
    pub fn new(header: Header<'a>) -> Self {
        Self {
            header,
            payloads: Vec::new(),
        }
    }

    /// Parses strictly.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ParseError> {
        Ok(MessageView::parse(bytes)?.to_message())
    }

    /// Parses with options; also returns what lenient parsing tolerated.
    pub fn parse_with(bytes: &'a [u8], opts: ParseOptions) -> Result<(Self, Quirks), ParseError> {
        let v = MessageView::parse_with(bytes, opts)?;
        Ok((v.to_message(), v.quirks()))
    }

    /// Appends a payload (builder style).
    pub fn with(mut self, p: Payload<'a>) -> Self {
        self.payloads.push(p);
        self
    }

    /// Encoded length in bytes.
    pub fn encoded_len(&self) -> usize {
        self.header.encoded_len() + self.payloads.iter().map(|p| p.encoded_len()).sum::<usize>()
    }

    /// Appends the encoding to `out`: exactly [`Message::encoded_len`] bytes. Every length,
    /// count and code is checked against its field first (see [`EncodeError`]); on error
    /// `out` is left as it was.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        encode_iter(&self.header, self.payloads.iter(), out)
    }

    /// The encoding (see [`Message::encode_into`]).
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut out)?;
        Ok(out)
    }

    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> Message<'static> {
        Message {
            header: self.header.into_owned(),
            payloads: self.payloads.into_iter().map(|p| p.into_owned()).collect(),
        }
    }

    /// The first payload for which `f` returns `Some`.
    pub fn find<'s, T>(&'s self, f: impl FnMut(&'s Payload<'a>) -> Option<T>) -> Option<T> {
        self.payloads.iter().find_map(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{ErrorKind, Quirk};

    #[test]
    fn sign_ends_the_chain() {
        // HDR (next = SIGN) + SIGN(type 0, 2 bytes) and then one extra byte.
        let b = [1, 2, 4, 0, 0, 0, 0, 1, 0, 0, 0x00, 0x02, 0xaa, 0xbb];
        let m = Message::parse(&b).unwrap();
        assert_eq!(m.payloads.len(), 1);
        assert_eq!(m.encode().unwrap(), b);
        let mut b2 = b.to_vec();
        b2.push(0);
        let e = Message::parse(&b2).unwrap_err();
        assert_eq!(e.kind, ErrorKind::TrailingBytes { count: 1 });
        assert_eq!(e.offset, 14);
        let (_, q) = Message::parse_with(&b2, ParseOptions::LENIENT).unwrap();
        assert!(q.contains(Quirk::TrailingZero));
    }

    #[test]
    fn unknown_payload_type_stops_with_offset() {
        let b = [1, 0, 99, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3];
        let e = Message::parse(&b).unwrap_err();
        assert_eq!(e.offset, 10);
        assert_eq!(e.kind, ErrorKind::UnknownLayout { value: 99 });
    }
}
