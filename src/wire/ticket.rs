//! Ticket policy (TP) and ticket (TICKET) payloads, RFC 6043 §6.10.
//!
//! ```text
//! ! Next Payload  !          Ticket Type          !    Subtype    !
//! !    Version    !   PRF Func  !D!E!F!G!H!I!J!K!L!M!N!O!   Res   !
//! !        TP Data length         !            TP Data            ~
//! !      Ticket Data length       !          Ticket Data          ~   (TICKET only)
//! !     Initiator Data length     !   Initiator Data (OPTIONAL)   ~   (TICKET only)
//! ```

use super::codes::{PayloadType, PrfFunc, TicketType};
use super::ctx::{ParseCtx, PayloadBody};
use super::encode::{code_bits, len_u16, EncodeError, EncodeErrorKind};
use super::error::ParseError;
use super::reader::Reader;
use super::{own, Data};
use std::borrow::Cow;

/// The TP and TICKET field layout (RFC 6043 §6.10), written once: the parser and the
/// encoder read it from here. A TP ends after its TP Data; a TICKET goes on with the ticket
/// and initiator data, placed after the variable fields before them.
pub(crate) mod field {
    use core::ops::Range;
    /// Next Payload.
    pub const NEXT: usize = 0;
    /// Ticket Type (16 bits).
    pub const TICKET_TYPE: Range<usize> = 1..3;
    /// Subtype.
    pub const SUBTYPE: usize = 3;
    /// Version.
    pub const VERSION: usize = 4;
    /// PRF Func (7 bits) and flag D (the low bit).
    pub const PRF_D: usize = 5;
    /// Flags E to O and the 5 reserved bits.
    pub const FLAGS: Range<usize> = 6..8;
    /// TP Data length (16 bits).
    pub const TP_LEN: Range<usize> = 8..10;
    /// TP Data from here.
    pub const TP_DATA: usize = 10;
    /// Ticket Data length (16 bits, TICKET only), after `tp` bytes of TP Data.
    pub const fn ticket_len(tp: usize) -> Range<usize> {
        TP_DATA + tp..TP_DATA + tp + 2
    }
    /// Ticket Data (TICKET only), after `tp` bytes of TP Data.
    pub const fn ticket_data(tp: usize) -> usize {
        TP_DATA + tp + 2
    }
    /// Initiator Data length (16 bits, TICKET only), after `tp` bytes of TP Data and `t`
    /// bytes of Ticket Data.
    pub const fn init_len(tp: usize, t: usize) -> Range<usize> {
        ticket_data(tp) + t..ticket_data(tp) + t + 2
    }
    /// Initiator Data (TICKET only), after `tp` bytes of TP Data and `t` of Ticket Data.
    pub const fn init_data(tp: usize, t: usize) -> usize {
        ticket_data(tp) + t + 2
    }
}

/// TP or TICKET payload. `ticket_data` and `initiator_data` are `None` in a TP payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketPayload<'a> {
    /// Ticket type.
    pub ticket_type: TicketType,
    /// Ticket subtype.
    pub subtype: u8,
    /// Ticket subtype version.
    pub version: u8,
    /// PRF for key forking (7 bits).
    pub prf: PrfFunc,
    /// Flags D..O then the 5 reserved bits, as the 17 low bits after the PRF func: bit 16 is
    /// D, bit 5 is O, bits 4..0 are Res.
    pub flags: u32,
    /// TP data: MIKEY payloads, first byte naming the first one.
    pub tp_data: Data<'a>,
    /// Ticket data (TICKET only).
    pub ticket_data: Option<Data<'a>>,
    /// Initiator data (TICKET only; may be empty).
    pub initiator_data: Option<Data<'a>>,
}

impl TicketPayload<'_> {
    /// Flag letter `c` ('D' to 'O') of RFC 6043 §6.10.
    pub fn flag(&self, c: char) -> bool {
        match c {
            'D'..='O' => self.flags & (1 << (16 - (c as u32 - 'D' as u32))) != 0,
            _ => false,
        }
    }

    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> TicketPayload<'static> {
        TicketPayload {
            tp_data: own(self.tp_data),
            ticket_data: self.ticket_data.map(own),
            initiator_data: self.initiator_data.map(own),
            ..self
        }
    }

    fn parse_any<'b>(
        r: &mut Reader<'b>,
        full: bool,
    ) -> Result<(TicketPayload<'b>, PayloadType), ParseError> {
        let b = r.fields(if full { "TICKET" } else { "TP" });
        let next = PayloadType::from_wire(b.u8(field::NEXT, "next payload")?);
        let ticket_type = TicketType::from_wire(b.u16(field::TICKET_TYPE, "Ticket Type")?);
        let subtype = b.u8(field::SUBTYPE, "Subtype")?;
        let version = b.u8(field::VERSION, "Version")?;
        let pf = b.u8(field::PRF_D, "PRF Func/D")?;
        let rest = b.u16(field::FLAGS, "Flags")?;
        let flags = (((pf & 1) as u32) << 16) | rest as u32;
        let n = b.u16(field::TP_LEN, "TP Data length")? as usize;
        let tp_data = Cow::Borrowed(b.bytes(field::TP_DATA, n, "TP Data")?);
        let (ticket_data, initiator_data, len) = if full {
            let t = b.u16(field::ticket_len(n), "Ticket Data length")? as usize;
            let td = b.bytes(field::ticket_data(n), t, "Ticket Data")?;
            let i = b.u16(field::init_len(n, t), "Initiator Data length")? as usize;
            let id = b.bytes(field::init_data(n, t), i, "Initiator Data")?;
            let len = field::init_data(n, t) + i;
            (Some(Cow::Borrowed(td)), Some(Cow::Borrowed(id)), len)
        } else {
            (None, None, field::TP_DATA + n)
        };
        r.advance(len);
        Ok((
            TicketPayload {
                ticket_type,
                subtype,
                version,
                prf: PrfFunc::from_wire(pf >> 1),
                flags,
                tp_data,
                ticket_data,
                initiator_data,
            },
            next,
        ))
    }

    /// A TP carries the TP data only, a TICKET also ticket and initiator data (RFC 6043
    /// §6.10).
    fn len_any(&self, full: bool) -> usize {
        let opt = |d: &Option<Data<'_>>| d.as_ref().map_or(0, |d| d.len());
        let (tp, t) = (self.tp_data.len(), opt(&self.ticket_data));
        if full {
            field::init_data(tp, t) + opt(&self.initiator_data)
        } else {
            field::TP_DATA + tp
        }
    }

    fn encode_any(
        &self,
        next: PayloadType,
        out: &mut Vec<u8>,
        full: bool,
    ) -> Result<(), EncodeError> {
        let p = if full { "TICKET" } else { "TP" };
        let prf = code_bits(p, "PRF Func", self.prf.to_wire().into(), 7)?;
        let flags = code_bits(p, "Flags", self.flags, 17)?;
        // A TP has neither ticket nor initiator data, a TICKET both (RFC 6043 §6.10).
        let (t, i) = (self.ticket_data.is_some(), self.initiator_data.is_some());
        if (t, i) != (full, full) {
            let reason = "a TICKET has ticket and initiator data, a TP neither (RFC 6043 §6.10)";
            let kind = EncodeErrorKind::Misplaced { reason };
            return Err(EncodeError::new(p, "Ticket Data", kind));
        }
        let data: [(&[u8], &'static str); 3] = [
            (&self.tp_data, "TP Data length"),
            (
                self.ticket_data.as_deref().unwrap_or_default(),
                "Ticket Data length",
            ),
            (
                self.initiator_data.as_deref().unwrap_or_default(),
                "Initiator Data length",
            ),
        ];
        let present = if full { 3 } else { 1 };
        let mut lens = [0u16; 3];
        for (l, (d, field)) in lens.iter_mut().zip(&data).take(present) {
            *l = len_u16(p, field, d.len())?;
        }
        let mut head = [0u8; field::TP_LEN.start];
        head[field::NEXT] = next.to_wire();
        head[field::TICKET_TYPE].copy_from_slice(&self.ticket_type.to_wire().to_be_bytes());
        head[field::SUBTYPE] = self.subtype;
        head[field::VERSION] = self.version;
        // Both checked: PRF func in 7 bits, Flags in 17 (its top bit shares PRF func's byte).
        let [.., prf] = prf.to_be_bytes();
        let [_, flags_hi, flags @ ..] = flags.to_be_bytes();
        head[field::PRF_D] = (prf << 1) | flags_hi;
        head[field::FLAGS].copy_from_slice(&flags);
        out.extend_from_slice(&head);
        // Each length field comes right before its data (`field::TP_LEN`, `ticket_len`,
        // `init_len`).
        for (l, (d, _)) in lens.iter().zip(&data).take(present) {
            out.extend_from_slice(&l.to_be_bytes());
            out.extend_from_slice(d);
        }
        Ok(())
    }
}

/// The ticket policy payload (TP): a [`TicketPayload`] without ticket and initiator data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketPolicy<'a>(pub TicketPayload<'a>);

/// The ticket payload (TICKET).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket<'a>(pub TicketPayload<'a>);

impl<'a> PayloadBody<'a> for TicketPolicy<'a> {
    const TYPE: PayloadType = PayloadType::Tp;

    #[inline]
    fn parse(r: &mut Reader<'a>, _ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError> {
        TicketPayload::parse_any(r, false).map(|(t, n)| (Self(t), n))
    }

    fn encoded_len(&self) -> usize {
        self.0.len_any(false)
    }

    #[inline]
    fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.0.encode_any(next, out, false)
    }
}

impl<'a> PayloadBody<'a> for Ticket<'a> {
    const TYPE: PayloadType = PayloadType::Ticket;

    #[inline]
    fn parse(r: &mut Reader<'a>, _ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError> {
        TicketPayload::parse_any(r, true).map(|(t, n)| (Self(t), n))
    }

    fn encoded_len(&self) -> usize {
        self.0.len_any(true)
    }

    #[inline]
    fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.0.encode_any(next, out, true)
    }
}
