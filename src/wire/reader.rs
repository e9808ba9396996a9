//! A forward-only reader over a borrowed buffer and the writer helpers used by encoders.

use super::error::{ErrorKind, ParseError};

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
}
