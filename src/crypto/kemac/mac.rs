//! The KEMAC / V payload MAC (RFC 3830 §4.2.4, RFC 6043 §6.2): HMAC-SHA-1-160,
//! HMAC-SHA-256-256 or NULL, into a fixed-size [`MacTag`] compared in constant time.

use core::fmt;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::Sha256;

use super::MacKind;

/// A MAC tag in a fixed-size buffer (up to 32 bytes; no allocation). Equality is
/// constant-time.
#[derive(Clone, Copy)]
pub struct MacTag {
    buf: [u8; 32],
    len: usize,
}

impl MacTag {
    fn from_slice(b: &[u8]) -> MacTag {
        let mut buf = [0u8; 32];
        let len = b.len().min(32);
        buf[..len].copy_from_slice(&b[..len]);
        MacTag { buf, len }
    }

    /// The tag bytes ([`MacKind::mac_len`] of them).
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Tag length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// `true` for the NULL MAC.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl AsRef<[u8]> for MacTag {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for MacTag {
    fn eq(&self, other: &Self) -> bool {
        crate::crypto::ct_eq(self.as_bytes(), other.as_bytes())
    }
}

impl Eq for MacTag {}

impl fmt::Debug for MacTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MacTag(")?;
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

fn hmac_tag<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> MacTag {
    // HMAC (RFC 2104 §2) accepts keys of any length, so this cannot fail.
    let mut m = match <M as KeyInit>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of any length (RFC 2104 §2)"),
    };
    m.update(data);
    MacTag::from_slice(&m.finalize().into_bytes())
}

/// Computes the MAC over `data` with `key` (`auth_key`): HMAC-SHA-1 with the full 160-bit
/// output (RFC 3830 §4.2.4), HMAC-SHA-256 with the full 256-bit output (RFC 6043 §6.2), or
/// an empty tag for NULL. Any key length is accepted (HMAC, RFC 2104).
pub fn mac(kind: MacKind, key: &[u8], data: &[u8]) -> MacTag {
    match kind {
        MacKind::Null => MacTag::from_slice(&[]),
        MacKind::HmacSha1_160 => hmac_tag::<Hmac<Sha1>>(key, data),
        MacKind::HmacSha256_256 => hmac_tag::<Hmac<Sha256>>(key, data),
    }
}

fn hmac_tag_parts<M: Mac + KeyInit>(key: &[u8], parts: &[&[u8]]) -> MacTag {
    // HMAC (RFC 2104 §2) accepts keys of any length, so this cannot fail.
    let mut m = match <M as KeyInit>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of any length (RFC 2104 §2)"),
    };
    for p in parts {
        m.update(p);
    }
    MacTag::from_slice(&m.finalize().into_bytes())
}

/// [`mac`] over the concatenation of `parts`, without building it: the verification
/// message's MAC covers the message, then IDi, IDr and T (RFC 3830 §5.2).
pub fn mac_parts(kind: MacKind, key: &[u8], parts: &[&[u8]]) -> MacTag {
    match kind {
        MacKind::Null => MacTag::from_slice(&[]),
        MacKind::HmacSha1_160 => hmac_tag_parts::<Hmac<Sha1>>(key, parts),
        MacKind::HmacSha256_256 => hmac_tag_parts::<Hmac<Sha256>>(key, parts),
    }
}

/// Verifies `tag` over `data` in constant time (RFC 3830 §4.2.4). A tag of the wrong length
/// is rejected; for NULL only an empty tag verifies.
pub fn verify_mac(kind: MacKind, key: &[u8], data: &[u8], tag: &[u8]) -> bool {
    crate::crypto::ct_eq(mac(kind, key, data).as_bytes(), tag)
}
