//! The tokenizer of the RTSP `KeyMgmt` header (RFC 4567 §3.2, RFC 2326 §15.1 tokens and
//! quoted strings), used by [`KeyMgmtHeader::parse`](super::KeyMgmtHeader::parse).

use super::SdpError;

/// A cursor over a header value; `pos` is the byte offset of the next unread byte.
pub(super) struct Scanner<'s> {
    /// The header value.
    pub(super) s: &'s str,
    /// Offset of the next unread byte.
    pub(super) pos: usize,
}

impl<'s> Scanner<'s> {
    /// A scanner at the start of `s`.
    pub(super) fn new(s: &'s str) -> Self {
        Self { s, pos: 0 }
    }

    /// The next byte, if any.
    pub(super) fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    /// Skips optional whitespace (spaces and tabs).
    pub(super) fn ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn token(&mut self) -> &'s str {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if b.is_ascii_alphanumeric() || b"-_.!~*'+%/:=@?&#[]$".contains(&b) {
                self.pos += 1;
            } else {
                break;
            }
        }
        &self.s[start..self.pos]
    }

    /// A parameter name (letters, digits, `-`, `_`); empty when there is none.
    pub(super) fn name(&mut self) -> &'s str {
        let start = self.pos;
        while matches!(self.peek(), Some(b) if b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            self.pos += 1;
        }
        &self.s[start..self.pos]
    }

    /// A quoted string (RFC 2326 quoted-string with quoted-pair); the opening quote is at
    /// `self.pos`. Returns the unescaped content and its start offset.
    fn quoted(&mut self) -> Result<(String, usize), SdpError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.s[self.pos..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok((out, open + 1));
                }
                '\\' => match chars.next() {
                    Some((_, e)) => out.push(e),
                    None => break,
                },
                _ => out.push(c),
            }
        }
        Err(SdpError::UnterminatedQuote { offset: open })
    }

    /// A parameter value: a quoted string or a plain token. Returns the (unescaped) value
    /// and the offset of its first character.
    pub(super) fn value(&mut self) -> Result<(String, usize), SdpError> {
        if self.peek() == Some(b'"') {
            return self.quoted();
        }
        let off = self.pos;
        let t = self.token();
        if t.is_empty() {
            return Err(self.syntax("a parameter value"));
        }
        Ok((t.to_owned(), off))
    }

    /// A syntax error at the current offset.
    pub(super) fn syntax(&self, expected: &'static str) -> SdpError {
        SdpError::HeaderSyntax {
            offset: self.pos,
            expected,
        }
    }
}
