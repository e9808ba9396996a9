//! The KEMAC / V payload MAC (RFC 3830 §4.2.4, RFC 6043 §6.2): HMAC-SHA-1-160,
//! HMAC-SHA-256-256 or NULL, into a fixed-size [`MacTag`] compared in constant time.

use core::fmt;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::Sha256;

use super::MacKind;
use crate::crypto::SecretBytes;

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

/// `auth_key` made ready for its MAC (RFC 3830 §4.2.4, RFC 6043 §6.2): the HMAC key
/// schedule (the inner and outer padded key blocks, RFC 2104 §2) computed once, so that each
/// MAC with it costs two SHA compressions fewer than keying anew, for a side that MACs one
/// message and checks another with the same key (RFC 3830 §5.2): the PSK initiator and the
/// group controller for their I_MESSAGE and its verification message. (Responders key a
/// reply's MAC only when they send one.) Each MAC copies the schedule (and zeroizes the
/// copy), which costs more than it saves when a key serves one MAC only.
/// Keeps the key itself for a MAC of another kind ([`mac_parts_as`](Self::mac_parts_as)).
/// Key and schedule are zeroized on drop; `Debug` shows only the kind.
#[derive(Clone)]
pub struct MacKey {
    key: SecretBytes,
    keyed: Keyed,
}

#[derive(Clone)]
enum Keyed {
    Null,
    Sha1(Hmac<Sha1>),
    Sha256(Hmac<Sha256>),
}

fn keyed<M: KeyInit>(key: &[u8]) -> M {
    // HMAC (RFC 2104 §2) accepts keys of any length, so this cannot fail.
    match M::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of any length (RFC 2104 §2)"),
    }
}

fn tag<M: Mac>(mut m: M, parts: &[&[u8]]) -> MacTag {
    for p in parts {
        m.update(p);
    }
    MacTag::from_slice(&m.finalize().into_bytes())
}

impl MacKey {
    /// Keys `kind` with `key` (any length: HMAC, RFC 2104).
    pub fn new(kind: MacKind, key: SecretBytes) -> MacKey {
        let keyed = match kind {
            MacKind::Null => Keyed::Null,
            MacKind::HmacSha1_160 => Keyed::Sha1(keyed(key.as_bytes())),
            MacKind::HmacSha256_256 => Keyed::Sha256(keyed(key.as_bytes())),
        };
        MacKey { key, keyed }
    }

    /// The MAC this key is ready for.
    pub fn kind(&self) -> MacKind {
        match self.keyed {
            Keyed::Null => MacKind::Null,
            Keyed::Sha1(_) => MacKind::HmacSha1_160,
            Keyed::Sha256(_) => MacKind::HmacSha256_256,
        }
    }

    /// The key (`auth_key`).
    pub fn key(&self) -> &SecretBytes {
        &self.key
    }

    /// The MAC over the concatenation of `parts`, without building it (the verification
    /// message's MAC covers the message, then IDi, IDr and T, RFC 3830 §5.2); an empty tag
    /// for NULL.
    pub fn mac_parts(&self, parts: &[&[u8]]) -> MacTag {
        match &self.keyed {
            Keyed::Null => MacTag::from_slice(&[]),
            Keyed::Sha1(m) => tag(m.clone(), parts),
            Keyed::Sha256(m) => tag(m.clone(), parts),
        }
    }

    /// [`mac_parts`](Self::mac_parts) with `kind`, keyed anew from the key when it is not
    /// this key's kind (a verification message may name another MAC than the KEMAC's).
    pub fn mac_parts_as(&self, kind: MacKind, parts: &[&[u8]]) -> MacTag {
        if kind == self.kind() {
            self.mac_parts(parts)
        } else {
            MacKey::new(kind, self.key.clone()).mac_parts(parts)
        }
    }

    /// The MAC over `data`.
    pub fn mac(&self, data: &[u8]) -> MacTag {
        self.mac_parts(&[data])
    }

    /// Verifies `tag` over `data` in constant time; a tag of the wrong length is rejected,
    /// and for NULL only an empty tag verifies.
    pub fn verify(&self, data: &[u8], tag: &[u8]) -> bool {
        crate::crypto::ct_eq(self.mac(data).as_bytes(), tag)
    }
}

impl fmt::Debug for MacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MacKey")
            .field("kind", &self.kind())
            .finish_non_exhaustive()
    }
}

fn hmac_tag_parts<M: Mac + KeyInit>(key: &[u8], parts: &[&[u8]]) -> MacTag {
    tag(keyed::<M>(key), parts)
}

/// Computes the MAC over `data` with `key` (`auth_key`): HMAC-SHA-1 with the full 160-bit
/// output (RFC 3830 §4.2.4), HMAC-SHA-256 with the full 256-bit output (RFC 6043 §6.2), or
/// an empty tag for NULL. Any key length is accepted (HMAC, RFC 2104). To MAC more than
/// one message with a key, make it a [`MacKey`] once.
pub fn mac(kind: MacKind, key: &[u8], data: &[u8]) -> MacTag {
    match kind {
        MacKind::Null => MacTag::from_slice(&[]),
        MacKind::HmacSha1_160 => hmac_tag::<Hmac<Sha1>>(key, data),
        MacKind::HmacSha256_256 => hmac_tag::<Hmac<Sha256>>(key, data),
    }
}

fn hmac_tag<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> MacTag {
    let mut m = keyed::<M>(key);
    m.update(data);
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
