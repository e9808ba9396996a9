//! A forward-only reader over a borrowed buffer, and `Fields`, which reads a payload's
//! fixed fields at the offsets of its `mod field` layout.

use super::error::{ErrorKind, ParseError};
use core::ops::Range;

/// Reads big-endian fields from a borrowed buffer, only forwards. Offsets in errors are
/// absolute: `base` is the offset of the buffer's first byte in the whole message.
#[derive(Clone, Copy, Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `buf`, whose first byte is at offset 0.
    #[inline]
    pub const fn new(buf: &'a [u8]) -> Self {
        Self {
            buf,
            pos: 0,
            base: 0,
        }
    }

    /// A reader over `buf`, whose first byte is at absolute offset `base`.
    #[inline]
    pub const fn with_base(buf: &'a [u8], base: usize) -> Self {
        Self { buf, pos: 0, base }
    }

    /// Absolute offset of the next byte.
    #[inline]
    pub const fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// Bytes not read yet.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The bytes not read yet.
    #[inline]
    pub fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    /// True when everything was read.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    /// The payload `payload` starting at the next byte, read by field offset (see
    /// [`Fields`]). The reader does not move: [`Reader::advance`] past the payload after.
    #[inline]
    pub(crate) fn fields(&self, payload: &'static str) -> Fields<'a> {
        Fields {
            buf: self.rest(),
            base: self.offset(),
            payload,
        }
    }

    /// Moves `n` bytes on (at most to the end), once [`Fields`] read them.
    #[inline]
    pub(crate) fn advance(&mut self, n: usize) {
        self.pos = self.buf.len().min(self.pos + n);
    }

    /// Takes `n` bytes.
    #[inline]
    pub fn take(
        &mut self,
        n: usize,
        payload: &'static str,
        field: &'static str,
    ) -> Result<&'a [u8], ParseError> {
        let available = self.remaining();
        if n > available {
            return Err(ParseError::new(
                payload,
                field,
                self.offset(),
                ErrorKind::Truncated {
                    needed: n,
                    available,
                },
            ));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// Takes a fixed-size array.
    #[inline]
    pub fn array<const N: usize>(
        &mut self,
        payload: &'static str,
        field: &'static str,
    ) -> Result<[u8; N], ParseError> {
        let s = self.take(N, payload, field)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    /// Reads one byte.
    #[inline]
    pub fn u8(&mut self, payload: &'static str, field: &'static str) -> Result<u8, ParseError> {
        Ok(self.array::<1>(payload, field)?[0])
    }

    /// Reads a big-endian u16.
    #[inline]
    pub fn u16(&mut self, payload: &'static str, field: &'static str) -> Result<u16, ParseError> {
        Ok(u16::from_be_bytes(self.array(payload, field)?))
    }

    /// Reads a big-endian u32.
    #[inline]
    pub fn u32(&mut self, payload: &'static str, field: &'static str) -> Result<u32, ParseError> {
        Ok(u32::from_be_bytes(self.array(payload, field)?))
    }

    /// An error at the current offset.
    #[inline]
    pub fn error(&self, payload: &'static str, field: &'static str, kind: ErrorKind) -> ParseError {
        ParseError::new(payload, field, self.offset(), kind)
    }

    /// An error at the offset `back` bytes before the current one (for a field just read).
    #[inline]
    pub fn error_back(
        &self,
        back: usize,
        payload: &'static str,
        field: &'static str,
        kind: ErrorKind,
    ) -> ParseError {
        ParseError::new(payload, field, self.offset().saturating_sub(back), kind)
    }
}

/// One payload's bytes, read by field offset: the offsets come from the payload's
/// `mod field` (its layout, written once). Every read names the payload and the field; a
/// buffer too short for a field is [`ErrorKind::Truncated`] at the field's absolute offset,
/// with the bytes available from there, as [`Reader`] reports it when the fields are read in
/// order.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields<'a> {
    buf: &'a [u8],
    base: usize,
    payload: &'static str,
}

impl<'a> Fields<'a> {
    /// `n` bytes at offset `at`.
    #[inline]
    pub(crate) fn bytes(
        &self,
        at: usize,
        n: usize,
        field: &'static str,
    ) -> Result<&'a [u8], ParseError> {
        match self.buf.get(at..).and_then(|b| b.get(..n)) {
            Some(b) => Ok(b),
            None => Err(self.error(
                at,
                field,
                ErrorKind::Truncated {
                    needed: n,
                    available: self.buf.len().saturating_sub(at),
                },
            )),
        }
    }

    /// The fixed-size field at `at`.
    #[inline]
    pub(crate) fn array<const N: usize>(
        &self,
        at: Range<usize>,
        field: &'static str,
    ) -> Result<[u8; N], ParseError> {
        debug_assert_eq!(at.len(), N, "{} {field}", self.payload);
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(at.start, N, field)?);
        Ok(a)
    }

    /// The byte at `at`.
    #[inline]
    pub(crate) fn u8(&self, at: usize, field: &'static str) -> Result<u8, ParseError> {
        self.bytes(at, 1, field).map(|b| b[0])
    }

    /// The big-endian u16 field at `at`.
    #[inline]
    pub(crate) fn u16(&self, at: Range<usize>, field: &'static str) -> Result<u16, ParseError> {
        self.array(at, field).map(u16::from_be_bytes)
    }

    /// The big-endian u32 field at `at`.
    #[inline]
    pub(crate) fn u32(&self, at: Range<usize>, field: &'static str) -> Result<u32, ParseError> {
        self.array(at, field).map(u32::from_be_bytes)
    }

    /// An error about the field at `at`.
    #[inline]
    pub(crate) fn error(&self, at: usize, field: &'static str, kind: ErrorKind) -> ParseError {
        ParseError::new(self.payload, field, self.base + at, kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_reports_offsets() {
        let mut r = Reader::with_base(&[1, 2, 3, 4, 5], 10);
        assert_eq!(r.u8("X", "a").unwrap(), 1);
        assert_eq!(r.u16("X", "b").unwrap(), 0x0203);
        let e = r.u32("X", "c").unwrap_err();
        assert_eq!(e.offset, 13);
        assert_eq!(
            e.kind,
            ErrorKind::Truncated {
                needed: 4,
                available: 2
            }
        );
        assert_eq!(r.rest(), &[4, 5]);
    }

    #[test]
    fn fields_report_like_the_reader() {
        let mut r = Reader::with_base(&[9, 1, 2, 3, 4, 5], 10);
        r.advance(1);
        let f = r.fields("X");
        assert_eq!(f.u8(0, "a").unwrap(), 1);
        assert_eq!(f.u16(1..3, "b").unwrap(), 0x0203);
        assert_eq!(f.bytes(3, 2, "c").unwrap(), &[4, 5]);
        let e = f.u32(2..6, "d").unwrap_err();
        assert_eq!((e.payload, e.field, e.offset), ("X", "d", 13));
        let t = ErrorKind::Truncated {
            needed: 4,
            available: 3,
        };
        assert_eq!(e.kind, t);
        let e = f.u8(5, "e").unwrap_err();
        let t = ErrorKind::Truncated {
            needed: 1,
            available: 0,
        };
        assert_eq!((e.offset, e.kind), (16, t));
        r.advance(9);
        assert!(r.is_empty());
    }
}
