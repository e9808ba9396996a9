//! Single-pass validation of a whole message and a zero-copy walk over its payloads.
//!
//! [`MessageView::parse_with`](super::MessageView::parse_with) validates in one pass:
//! for the common payloads (T, RAND, SP, KEMAC with its NULL-encrypted key data, V, ID,
//! CERT, ERR, SIGN) a lean check reads only the length and code fields straight from the
//! buffer; whenever that check does not succeed (any error, a departure that lenient parsing
//! must report, or a payload type it leaves alone), the payload's full parser
//! ([`Payload::parse`]) decides at the same offset. So a message is accepted exactly when
//! the full parsers accept it, and every error is the one they report.
//!
//! [`MessageView::walk`](super::MessageView::walk) then yields one small [`PayloadRef`] per
//! payload: its type, offset and bytes, with accessors that decode fields lazily from the
//! borrowed bytes ([`KemacRef`], [`SpRef`], [`PayloadRef::timestamp`], ...), or
//! [`PayloadRef::decode`] for the full [`Payload`].

use super::codes::{
    EncrAlg, IdType, KeyDataType, KvType, MacAlg, PayloadType, ProtType, SrtpParamType, TsType,
};
use super::ctx::{ctx_for, ParseCtx, ParseOptions, Quirk, Quirks};
use super::error::{ErrorKind, ParseError};
use super::header::Header;
use super::kemac::Kemac;
use super::payload::Payload;
use super::policy::{PolicyParam, SecurityPolicy, SrtpPolicy};
use super::reader::Reader;
use super::timestamp::Timestamp;
use super::{err, id, kemac, key_data, policy, rand, sign, timestamp, verification};
use std::borrow::Cow;

/// What `validate` found: the header, where the payloads start and end, and what lenient
/// parsing tolerated.
pub(crate) struct Validated<'a> {
    pub(crate) header: Header<'a>,
    pub(crate) first: PayloadType,
    pub(crate) body_start: usize,
    pub(crate) end: usize,
    pub(crate) quirks: Quirks,
}

/// The big-endian u16 field `f`, as a length.
#[inline(always)]
fn be16(b: &[u8], f: core::ops::Range<usize>) -> Option<usize> {
    match b.get(f)? {
        [x, y] => Some(u16::from_be_bytes([*x, *y]) as usize),
        _ => None,
    }
}

/// The SP parameter TLVs (RFC 3830 §6.10) are complete, and the GStreamer auth key length
/// departure (§6.10.1 type 3 = 10 with HMAC-SHA-1) is recorded when lenient. `None` when
/// [`SecurityPolicy`](super::SecurityPolicy)'s parser must decide (an error).
#[inline]
fn check_sp_params(prot: ProtType, mut p: &[u8], ctx: &mut ParseCtx) -> Option<()> {
    use policy::param_field as f;
    let (mut auth_hmac, mut key_len_10) = (false, false);
    while !p.is_empty() {
        let l = *p.get(f::LEN)? as usize;
        let (param, rest) = p.split_at_checked(f::VALUE + l)?;
        if prot == ProtType::Srtp {
            let v = &param[f::VALUE..];
            match SrtpParamType::from_wire(param[f::TYPE]) {
                SrtpParamType::AuthAlg => auth_hmac = v == [1],
                SrtpParamType::AuthKeyLen => key_len_10 = v == [10],
                _ => {}
            }
        }
        p = rest;
    }
    if auth_hmac && key_len_10 {
        if !ctx.lenient {
            return None;
        }
        ctx.quirk(Quirk::SrtpAuthKeyLen10);
    }
    Some(())
}

/// A NULL-encrypted KEMAC's plaintext without a leading ID is a complete chain of key data
/// sub-payloads (RFC 3830 §6.2, §6.13, §6.14), as
/// [`KeyDataList::validate`](super::KeyDataList::validate) checks it. `None` when that
/// function must decide (an error).
#[inline]
pub(crate) fn check_key_data(mut d: &[u8]) -> Option<()> {
    use key_data::{field as f, kv_field as kv};
    if d.is_empty() {
        return Some(());
    }
    loop {
        let tkv = *d.get(f::TYPE_KV)?;
        let n = be16(d, f::KEY_LEN)?;
        let kv_at = match KeyDataType::from_wire(f::key_type(tkv)).has_salt()? {
            true => f::salt(n) + be16(d, f::salt_len(n))?,
            false => f::KEY + n,
        };
        let k = d.get(kv_at..)?;
        let kv_len = match KvType::from_wire(f::kv(tkv)) {
            KvType::Null => 0,
            KvType::Spi => kv::DATA + *k.get(kv::LEN)? as usize,
            KvType::Interval => {
                let vf = *k.get(kv::LEN)? as usize;
                kv::vt(vf) + *k.get(kv::vt_len(vf))? as usize
            }
            KvType::Unknown(_) => return None,
        };
        let next = d[f::NEXT];
        d = d.get(kv_at + kv_len..)?;
        match PayloadType::from_wire(next) {
            PayloadType::Last => return d.is_empty().then_some(()),
            PayloadType::KeyData => {}
            _ => return None,
        }
    }
}

/// The length and next payload field of the payload of type `t` at the start of `b`.
///
/// With `DEEP` (validation) it accepts only what `Payload::parse` with `ctx.validate`
/// accepts, and records the same quirks; without it (walking bytes already validated) it
/// reads the lengths only. `None` means "ask `Payload::parse`": an error, or a payload type
/// or case this fast path leaves to it. The field layouts are those of RFC 3830 §6.2 (KEMAC),
/// §6.5 (SIGN), §6.6 (T), §6.7 (ID, CERT), §6.9 (V), §6.10 (SP), §6.11 (RAND), §6.12 (ERR).
#[inline(always)]
fn step<const DEEP: bool>(
    t: PayloadType,
    b: &[u8],
    ctx: &mut ParseCtx,
) -> Option<(usize, PayloadType)> {
    // Every offset is the payload module's `field` layout (written once, there).
    let len = match t {
        PayloadType::T => {
            use timestamp::field as f;
            f::VALUE + TsType::from_wire(*b.get(f::TS_TYPE)?).value_len()?
        }
        PayloadType::Rand => rand::field::RAND + *b.get(rand::field::LEN)? as usize,
        PayloadType::Sp => {
            use policy::field as f;
            let len = f::PARAMS + be16(b, f::PARAM_LEN)?;
            if DEEP {
                let prot = ProtType::from_wire(b[f::PROT_TYPE]);
                check_sp_params(prot, b.get(f::PARAMS..len)?, ctx)?;
            }
            len
        }
        PayloadType::Kemac => {
            use kemac::field as f;
            let n = be16(b, f::ENCR_LEN)?;
            let len = f::mac(n) + MacAlg::from_wire(*b.get(f::mac_alg(n))?).mac_len()?;
            if DEEP && EncrAlg::from_wire(b[f::ENCR_ALG]) == EncrAlg::Null {
                if ctx.kemac_with_id || len > b.len() {
                    return None;
                }
                check_key_data(&b[f::ENCR_DATA..f::ENCR_DATA + n])?;
            }
            len
        }
        PayloadType::V => {
            use verification::field as f;
            f::MAC + MacAlg::from_wire(*b.get(f::AUTH_ALG)?).mac_len()?
        }
        PayloadType::Id => {
            use id::field as f;
            let len = f::DATA + be16(b, f::LEN)?;
            // A NUL-terminated NAI/URI is an error or a quirk: the ID parser reports it.
            if DEEP
                && matches!(IdType::from_wire(b[f::TYPE]), IdType::Nai | IdType::Uri)
                && b.get(len - 1) == Some(&0)
                && len > f::DATA
            {
                return None;
            }
            len
        }
        PayloadType::Cert => id::field::DATA + be16(b, id::field::LEN)?,
        PayloadType::Err => err::field::LEN,
        PayloadType::Sign => {
            // SIGN has no next payload field and ends the chain (RFC 3830 §6.5).
            use sign::field as f;
            let len = f::SIGNATURE + (be16(b, f::TYPE_LEN)? & usize::from(f::LEN_MASK));
            return (len <= b.len()).then_some((len, PayloadType::Last));
        }
        _ => return None,
    };
    if len > b.len() {
        return None;
    }
    // The next payload field comes first in every payload but SIGN (RFC 3830 §6).
    Some((len, PayloadType::from_wire(b[0])))
}

/// The full parser on the payload at `pos`: its length and next payload field, or its error.
#[inline(never)]
fn slow_step(
    t: PayloadType,
    bytes: &[u8],
    pos: usize,
    ctx: &mut ParseCtx,
) -> Result<(usize, PayloadType), ParseError> {
    let mut r = Reader::with_base(bytes.get(pos..).unwrap_or_default(), pos);
    let (_, next) = Payload::parse(t, &mut r, ctx)?;
    Ok((r.offset() - pos, next))
}

/// Validates a whole message in one pass, as strictly as the payload parsers (see the
/// module documentation). Inlined into `MessageView::parse_with`, which builds its
/// result in place.
#[inline(always)]
pub(crate) fn validate(bytes: &[u8], opts: ParseOptions) -> Result<Validated<'_>, ParseError> {
    let (header, first, body_start) = match Header::parse_fast(bytes) {
        Some(h) => h,
        None => {
            let mut r = Reader::new(bytes);
            let (h, first) = Header::parse(&mut r)?;
            (h, first, r.offset())
        }
    };
    let mut ctx = ctx_for(opts, header.data_type);
    let mut pos = body_start;
    let mut next = first;
    while next != PayloadType::Last {
        let rest = bytes.get(pos..).unwrap_or_default();
        let (len, n) = match step::<true>(next, rest, &mut ctx) {
            Some(s) => s,
            None => slow_step(next, bytes, pos, &mut ctx)?,
        };
        pos += len;
        next = n;
    }
    match bytes.get(pos..).unwrap_or_default() {
        [] => {}
        [0] if opts.lenient => ctx.quirk(Quirk::TrailingZero),
        rest => {
            return Err(ParseError::new(
                "message",
                "end",
                pos,
                ErrorKind::TrailingBytes { count: rest.len() },
            ))
        }
    }
    Ok(Validated {
        header,
        first,
        body_start,
        end: pos,
        quirks: ctx.quirks,
    })
}

/// The payloads of a validated message, as [`PayloadRef`]s (from
/// [`MessageView::walk`](super::MessageView::walk)). No allocation.
#[derive(Clone, Debug)]
pub struct PayloadRefs<'a> {
    bytes: &'a [u8],
    pos: usize,
    next: PayloadType,
    ctx: ParseCtx,
}

impl<'a> PayloadRefs<'a> {
    /// `bytes` is the validated message up to the end of its last payload.
    pub(crate) fn new(bytes: &'a [u8], pos: usize, first: PayloadType, ctx: ParseCtx) -> Self {
        Self {
            bytes,
            pos,
            next: first,
            ctx: ParseCtx {
                validate: false,
                ..ctx
            },
        }
    }
}

impl<'a> Iterator for PayloadRefs<'a> {
    type Item = PayloadRef<'a>;

    // Always inlined: returned through memory, the 32-byte item costs a store-forwarding
    // stall per payload (peers/benches/vs_gstreamer.rs walk of the 112-byte message: 80 ns
    // when the compiler chose not to inline, 52 ns inlined).
    #[inline(always)]
    fn next(&mut self) -> Option<PayloadRef<'a>> {
        if self.next == PayloadType::Last {
            return None;
        }
        let t = self.next;
        let rest = self.bytes.get(self.pos..)?;
        // The bytes were validated: neither path can fail (an error would end the walk).
        let (len, n) = match step::<false>(t, rest, &mut self.ctx) {
            Some(s) => s,
            None => slow_step(t, self.bytes, self.pos, &mut self.ctx).ok()?,
        };
        let p = PayloadRef {
            payload_type: t,
            offset: self.pos,
            bytes: rest.get(..len)?,
        };
        self.pos += len;
        self.next = n;
        Some(p)
    }
}

/// One payload of a validated message: its type, its offset in the message and its bytes
/// (next payload field included), borrowed. The accessors read fields from the bytes on
/// demand. `Debug` shows no content (a NULL-encrypted KEMAC holds keys).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PayloadRef<'a> {
    payload_type: PayloadType,
    offset: usize,
    bytes: &'a [u8],
}

impl core::fmt::Debug for PayloadRef<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PayloadRef")
            .field("payload_type", &self.payload_type)
            .field("offset", &self.offset)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// Byte `i`, or 0 (the bytes were validated, so the default is never used).
#[inline(always)]
fn byte(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

impl<'a> PayloadRef<'a> {
    /// The payload type.
    #[inline]
    pub fn payload_type(&self) -> PayloadType {
        self.payload_type
    }

    /// Byte offset of the payload in the message.
    #[inline]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The payload's bytes, from its first field (the next payload field, except for SIGN)
    /// to its end.
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The full typed payload (what [`MessageView::payloads`](super::MessageView::payloads)
    /// yields). Cannot fail for a payload of a validated message.
    pub fn decode(&self) -> Result<Payload<'a>, ParseError> {
        let mut r = Reader::with_base(self.bytes, self.offset);
        // Lenient: the bytes are exactly the payload the validation measured, which may
        // have used a quirk's reading (an IDR's zeroed length octet); on bytes strict
        // parsing accepted, both read the same.
        let mut ctx = ParseCtx {
            validate: false,
            lenient: true,
            ..ParseCtx::default()
        };
        Payload::parse(self.payload_type, &mut r, &mut ctx).map(|(p, _)| p)
    }

    /// A KEMAC payload (RFC 3830 §6.2).
    #[inline]
    pub fn kemac(&self) -> Option<KemacRef<'a>> {
        (self.payload_type == PayloadType::Kemac).then_some(KemacRef {
            bytes: self.bytes,
            offset: self.offset,
        })
    }

    /// A T payload's timestamp (RFC 3830 §6.6).
    #[inline]
    pub fn timestamp(&self) -> Option<Timestamp> {
        if self.payload_type != PayloadType::T {
            return None;
        }
        use timestamp::field as f;
        let ts_type = TsType::from_wire(byte(self.bytes, f::TS_TYPE));
        let v = self.bytes.get(f::VALUE..)?;
        let value = match *v {
            [a, b, c, d, e, f, g, h] => u64::from_be_bytes([a, b, c, d, e, f, g, h]),
            [a, b, c, d] => u32::from_be_bytes([a, b, c, d]).into(),
            _ => return None,
        };
        Some(Timestamp { ts_type, value })
    }

    /// A RAND payload's random bytes (RFC 3830 §6.11).
    #[inline]
    pub fn rand(&self) -> Option<&'a [u8]> {
        if self.payload_type != PayloadType::Rand {
            return None;
        }
        self.bytes.get(rand::field::RAND..)
    }

    /// An SP payload (RFC 3830 §6.10).
    #[inline]
    pub fn sp(&self) -> Option<SpRef<'a>> {
        (self.payload_type == PayloadType::Sp).then_some(SpRef { bytes: self.bytes })
    }

    /// A V payload's MAC algorithm and MAC (RFC 3830 §6.9).
    #[inline]
    pub fn verification(&self) -> Option<(MacAlg, &'a [u8])> {
        if self.payload_type != PayloadType::V {
            return None;
        }
        use verification::field as f;
        let alg = MacAlg::from_wire(byte(self.bytes, f::AUTH_ALG));
        Some((alg, self.bytes.get(f::MAC..)?))
    }
}

/// A KEMAC payload (RFC 3830 §6.2) read in place. `Debug` shows no data.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct KemacRef<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl core::fmt::Debug for KemacRef<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KemacRef")
            .field("encr_alg", &self.encr_alg())
            .field("encr_data_len", &self.encr_data().len())
            .field("mac_alg", &self.mac_alg())
            .finish()
    }
}

impl<'a> KemacRef<'a> {
    #[inline]
    fn encr_len(&self) -> usize {
        be16(self.bytes, kemac::field::ENCR_LEN).unwrap_or(0)
    }

    /// Encryption algorithm.
    #[inline]
    pub fn encr_alg(&self) -> EncrAlg {
        EncrAlg::from_wire(byte(self.bytes, kemac::field::ENCR_ALG))
    }

    /// The encrypted key data sub-payloads (plaintext when the algorithm is NULL).
    #[inline]
    pub fn encr_data(&self) -> &'a [u8] {
        let start = kemac::field::ENCR_DATA;
        self.bytes
            .get(start..start + self.encr_len())
            .unwrap_or_default()
    }

    /// MAC algorithm.
    #[inline]
    pub fn mac_alg(&self) -> MacAlg {
        MacAlg::from_wire(byte(self.bytes, kemac::field::mac_alg(self.encr_len())))
    }

    /// The MAC.
    #[inline]
    pub fn mac(&self) -> &'a [u8] {
        let start = kemac::field::mac(self.encr_len());
        self.bytes.get(start..).unwrap_or_default()
    }

    /// Offset of the MAC field in the message.
    #[inline]
    pub fn mac_offset(&self) -> usize {
        self.offset + kemac::field::mac(self.encr_len())
    }

    /// The same payload as a [`Kemac`].
    pub fn to_kemac(&self) -> Kemac<'a> {
        Kemac {
            encr_alg: self.encr_alg(),
            encr_data: Cow::Borrowed(self.encr_data()),
            mac_alg: self.mac_alg(),
            mac: Cow::Borrowed(self.mac()),
        }
    }
}

/// An SP payload (RFC 3830 §6.10) read in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpRef<'a> {
    bytes: &'a [u8],
}

impl<'a> SpRef<'a> {
    /// Policy number.
    #[inline]
    pub fn policy_no(&self) -> u8 {
        byte(self.bytes, policy::field::POLICY_NO)
    }

    /// Security protocol.
    #[inline]
    pub fn prot_type(&self) -> ProtType {
        ProtType::from_wire(byte(self.bytes, policy::field::PROT_TYPE))
    }

    /// The raw parameter bytes (TLVs).
    #[inline]
    pub fn param_bytes(&self) -> &'a [u8] {
        self.bytes.get(policy::field::PARAMS..).unwrap_or_default()
    }

    /// The parameters in order.
    #[inline]
    pub fn params(&self) -> impl Iterator<Item = PolicyParam<'a>> + 'a {
        super::policy::params(self.param_bytes())
    }

    /// The SRTP meaning of the parameters (for prot type SRTP).
    pub fn srtp(&self) -> SrtpPolicy {
        SrtpPolicy::from_params(self.params())
    }

    /// The same payload as a [`SecurityPolicy`] borrowing its parameter bytes (what
    /// [`PayloadRef::decode`] yields for it, without decoding the other payloads' fields).
    pub fn to_policy(&self) -> SecurityPolicy<'a> {
        SecurityPolicy::from_param_bytes(self.policy_no(), self.prot_type(), self.param_bytes())
    }
}

#[cfg(test)]
#[path = "walk_tests.rs"]
mod tests;
