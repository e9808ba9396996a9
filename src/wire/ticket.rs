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
        let p = if full { "TICKET" } else { "TP" };
        let next = PayloadType::from_wire(r.u8(p, "next payload")?);
        let ticket_type = TicketType::from_wire(r.u16(p, "Ticket Type")?);
        let subtype = r.u8(p, "Subtype")?;
        let version = r.u8(p, "Version")?;
        let pf = r.u8(p, "PRF Func/D")?;
        let rest = r.u16(p, "Flags")?;
        let flags = (((pf & 1) as u32) << 16) | rest as u32;
        let n = r.u16(p, "TP Data length")? as usize;
        let tp_data = Cow::Borrowed(r.take(n, p, "TP Data")?);
        let (ticket_data, initiator_data) = if full {
            let n = r.u16(p, "Ticket Data length")? as usize;
            let t = Cow::Borrowed(r.take(n, p, "Ticket Data")?);
            let n = r.u16(p, "Initiator Data length")? as usize;
            let i = Cow::Borrowed(r.take(n, p, "Initiator Data")?);
            (Some(t), Some(i))
        } else {
            (None, None)
        };
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
        10 + self.tp_data.len()
            + if full {
                4 + opt(&self.ticket_data) + opt(&self.initiator_data)
            } else {
                0
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
        out.push(next.to_wire());
        out.extend_from_slice(&self.ticket_type.to_wire().to_be_bytes());
        out.push(self.subtype);
        out.push(self.version);
        // Both fit: prf < 128, flags < 2^17.
        out.push(((prf as u8) << 1) | (flags >> 16) as u8);
        out.extend_from_slice(&(flags as u16).to_be_bytes());
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
