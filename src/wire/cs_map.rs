//! The CS ID map info of the common header (part of [`header`](super)): the SRTP-ID map
//! entries of RFC 3830 §6.1.1 and the GENERIC-ID map entries of RFC 6043 §6.1.1, each with
//! its field layout written once.
//!
//! ```text
//! SRTP-ID:    ! Policy_no_i   ! SSRC_i (32 bits)                              ! ROC_i (32 bits) !
//! GENERIC-ID: ! CS ID ! Prot type ! S ! #P ! Ps ... ! Session Data Length ! Session Data ~
//!             ! SPI Length ! SPI ~
//! ```

use super::P;
use crate::wire::codes::ProtType;
use crate::wire::encode::{fit, fit_u8, len_u16, len_u8, EncodeError};
use crate::wire::error::ParseError;
use crate::wire::reader::Reader;
use crate::wire::Data;
use std::borrow::Cow;

/// The layout of one SRTP-ID map entry (RFC 3830 §6.1.1), written once.
pub(crate) mod srtp_field {
    use core::ops::Range;
    /// Policy_no_i.
    pub const POLICY_NO: usize = 0;
    /// SSRC_i (32 bits).
    pub const SSRC: Range<usize> = 1..5;
    /// ROC_i (32 bits).
    pub const ROC: Range<usize> = 5..9;
    /// The length of one entry.
    pub const LEN: usize = 9;
}

/// The layout of one GENERIC-ID map entry (RFC 6043 §6.1.1), written once.
pub(crate) mod generic_field {
    use core::ops::Range;
    /// CS ID.
    pub const CS_ID: usize = 0;
    /// Prot type.
    pub const PROT_TYPE: usize = 1;
    /// S flag (top bit) and #P (7 bits).
    pub const S_P: usize = 2;
    /// The S flag in [`S_P`].
    pub const S: u8 = 0x80;
    /// The #P bits of [`S_P`].
    pub const N_P: u8 = 0x7f;
    /// Ps: #P policy numbers from here.
    pub const PS: usize = 3;
    /// Session Data Length (16 bits), after `p` policy numbers.
    pub const fn data_len(p: usize) -> Range<usize> {
        PS + p..PS + p + 2
    }
    /// Session Data, after `p` policy numbers.
    pub const fn data(p: usize) -> usize {
        PS + p + 2
    }
    /// SPI Length, after `p` policy numbers and `d` bytes of session data.
    pub const fn spi_len(p: usize, d: usize) -> usize {
        data(p) + d
    }
    /// SPI, after `p` policy numbers and `d` bytes of session data.
    pub const fn spi(p: usize, d: usize) -> usize {
        data(p) + d + 1
    }
}

/// One SRTP-ID map entry from its bytes.
#[inline]
fn srtp_cs(e: &[u8; srtp_field::LEN]) -> SrtpCs {
    use srtp_field as f;
    let u32_at = |r: core::ops::Range<usize>| {
        let mut b = [0u8; 4];
        b.copy_from_slice(&e[r]);
        u32::from_be_bytes(b)
    };
    SrtpCs {
        policy_no: e[f::POLICY_NO],
        ssrc: u32_at(f::SSRC),
        roc: u32_at(f::ROC),
    }
}

/// One SRTP crypto session of an SRTP-ID map (RFC 3830 §6.1.1). The i-th entry (from 1)
/// has CS ID i.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SrtpCs {
    /// Security policy number (refers to an SP payload).
    pub policy_no: u8,
    /// SSRC of the stream; 0 lets the responder fill it in.
    pub ssrc: u32,
    /// Current rollover counter.
    pub roc: u32,
}

/// SRTP-ID map info: a run of 9-byte entries (`srtp_field`), kept as bytes so reading needs no allocation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SrtpIdMap<'a> {
    pub(super) raw: Data<'a>,
}

impl<'a> SrtpIdMap<'a> {
    /// A map with the given entries; more than 255 (the 8-bit #CS field, RFC 3830 §6.1) is
    /// an error.
    pub fn from_entries(entries: &[SrtpCs]) -> Result<SrtpIdMap<'static>, EncodeError> {
        fit(P, "#CS", entries.len(), 255)?;
        let mut m = SrtpIdMap {
            raw: Cow::Owned(Vec::with_capacity(entries.len() * srtp_field::LEN)),
        };
        for e in entries {
            m.push(*e)?;
        }
        Ok(m)
    }

    /// Appends an entry; a 256th is an error (the 8-bit #CS field, RFC 3830 §6.1) and is
    /// not added.
    pub fn push(&mut self, cs: SrtpCs) -> Result<(), EncodeError> {
        fit(P, "#CS", self.len() + 1, 255)?;
        use srtp_field as f;
        let mut e = [0u8; f::LEN];
        e[f::POLICY_NO] = cs.policy_no;
        e[f::SSRC].copy_from_slice(&cs.ssrc.to_be_bytes());
        e[f::ROC].copy_from_slice(&cs.roc.to_be_bytes());
        self.raw.to_mut().extend_from_slice(&e);
        Ok(())
    }

    /// Number of crypto sessions.
    pub fn len(&self) -> usize {
        self.raw.len() / srtp_field::LEN
    }

    /// True when there is no crypto session.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The entry for CS ID `cs_id` (1-based, RFC 3830 §6.1.1).
    pub fn get(&self, cs_id: u8) -> Option<SrtpCs> {
        let i = (cs_id as usize).checked_sub(1)?;
        self.entries().get(i).map(srtp_cs)
    }

    /// Replaces the SSRC of CS ID `cs_id` (for a responder filling in SSRC 0).
    pub fn set_ssrc(&mut self, cs_id: u8, ssrc: u32) -> bool {
        let Some(i) = (cs_id as usize).checked_sub(1) else {
            return false;
        };
        let at = i * srtp_field::LEN;
        let field = at + srtp_field::SSRC.start..at + srtp_field::SSRC.end;
        match self.raw.to_mut().get_mut(field) {
            Some(s) => {
                s.copy_from_slice(&ssrc.to_be_bytes());
                true
            }
            None => false,
        }
    }

    /// Iterates over `(cs_id, entry)`.
    #[inline]
    pub fn iter(&self) -> impl Iterator<Item = (u8, SrtpCs)> + '_ {
        (1..=u8::MAX)
            .zip(self.entries())
            .map(|(id, e)| (id, srtp_cs(e)))
    }

    /// The entries' bytes.
    #[inline]
    fn entries(&self) -> &[[u8; srtp_field::LEN]] {
        self.raw.as_chunks().0
    }
}

/// One GENERIC-ID crypto session (RFC 6043 §6.1.1), borrowed from the map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GenericCs<'m> {
    /// CS ID.
    pub cs_id: u8,
    /// Security protocol.
    pub prot_type: ProtType,
    /// S flag (for SRTP: ROC and SEQ present in the session data).
    pub s: bool,
    /// Policy numbers (#P of them).
    pub policies: &'m [u8],
    /// Session data (for SRTP: SSRC, then ROC and SEQ when S is set).
    pub session_data: &'m [u8],
    /// SPI/MKI of the key to use first.
    pub spi: &'m [u8],
}

impl<'m> GenericCs<'m> {
    pub(super) fn read(r: &mut Reader<'m>) -> Result<Self, ParseError> {
        const F: &str = "HDR GENERIC-ID";
        use generic_field as f;
        let b = r.fields(F);
        let cs_id = b.u8(f::CS_ID, "CS ID")?;
        let prot_type = ProtType::from_wire(b.u8(f::PROT_TYPE, "Prot type")?);
        let sp = b.u8(f::S_P, "S/#P")?;
        let p = usize::from(sp & f::N_P);
        let policies = b.bytes(f::PS, p, "Ps")?;
        let d = b.u16(f::data_len(p), "Session Data Length")? as usize;
        let session_data = b.bytes(f::data(p), d, "Session Data")?;
        let spil = b.u8(f::spi_len(p, d), "SPI Length")? as usize;
        let spi = b.bytes(f::spi(p, d), spil, "SPI")?;
        r.advance(f::spi(p, d) + spil);
        Ok(Self {
            cs_id,
            prot_type,
            s: sp & f::S != 0,
            policies,
            session_data,
            spi,
        })
    }

    /// For SRTP session data: the SSRC (first 4 bytes).
    pub fn ssrc(&self) -> Option<u32> {
        self.session_data
            .get(..4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// For SRTP session data with S set: the ROC.
    pub fn roc(&self) -> Option<u32> {
        self.rcc_field(4).map(u32::from_be_bytes)
    }

    /// For SRTP session data with S set: the SEQ.
    pub fn seq(&self) -> Option<u16> {
        self.rcc_field(8).map(u16::from_be_bytes)
    }

    /// The `N` bytes at `at` of SRTP session data that has the S flag (ROC and SEQ present,
    /// RFC 6043 §6.1.1).
    fn rcc_field<const N: usize>(&self, at: usize) -> Option<[u8; N]> {
        let b = self.session_data.get(at..at + N).filter(|_| self.s)?;
        b.try_into().ok()
    }
}

/// GENERIC-ID map info (RFC 6043 §6.1.1), kept as validated bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GenericIdMap<'a> {
    pub(super) count: u8,
    pub(super) raw: Data<'a>,
}

impl<'a> GenericIdMap<'a> {
    /// Appends a crypto session (RFC 6043 §6.1.1). More than 255 sessions (#CS), 127
    /// policies (#P, 7 bits), 65,535 bytes of session data or 255 bytes of SPI is an error
    /// and nothing is added.
    pub fn push(
        &mut self,
        cs_id: u8,
        prot_type: ProtType,
        s: bool,
        policies: &[u8],
        session_data: &[u8],
        spi: &[u8],
    ) -> Result<(), EncodeError> {
        const F: &str = "HDR GENERIC-ID";
        fit(P, "#CS", usize::from(self.count) + 1, 255)?;
        let n_p = fit_u8(F, "#P", policies.len(), 127)?;
        let sdl = len_u16(F, "Session Data Length", session_data.len())?;
        let spil = len_u8(F, "SPI Length", spi.len())?;
        use generic_field as f;
        let mut head = [0u8; f::PS];
        head[f::CS_ID] = cs_id;
        head[f::PROT_TYPE] = prot_type.to_wire();
        head[f::S_P] = if s { f::S | n_p } else { n_p };
        let v = self.raw.to_mut();
        v.extend_from_slice(&head);
        // Ps, then each length right before its data (`data_len`, `spi_len`).
        v.extend_from_slice(policies);
        v.extend_from_slice(&sdl.to_be_bytes());
        v.extend_from_slice(session_data);
        v.push(spil);
        v.extend_from_slice(spi);
        self.count += 1;
        Ok(())
    }

    /// Number of crypto sessions.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// True when there is no crypto session.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Iterates over the crypto sessions.
    pub fn iter(&self) -> impl Iterator<Item = GenericCs<'_>> + '_ {
        let mut r = Reader::new(&self.raw);
        (0..self.count).map_while(move |_| GenericCs::read(&mut r).ok())
    }
}
