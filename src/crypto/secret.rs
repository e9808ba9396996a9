//! Owned secret key material, zeroized on drop.

use core::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Secrets up to this many bytes are kept inline, without a heap allocation: every key,
/// salt and PSK of RFC 3830, RFC 6043 and SRTP (at most 32 bytes; 30 for a TEK || salt).
const INLINE: usize = 32;

/// Owned key bytes (TGK, TEK, PSK, derived keys, salts, decrypted key data).
///
/// The buffer is zeroized when dropped. `Debug` prints only the length
/// (`SecretBytes(16 bytes)`), never the contents. Equality is constant-time
/// in the contents (the length is not secret). Secrets of up to 32 bytes live inline (no
/// allocation); longer ones (key data lists) on the heap.
#[derive(Clone)]
pub struct SecretBytes(Repr);

#[derive(Clone)]
enum Repr {
    /// `buf[..len]` holds the secret; the rest stays zero.
    Inline {
        buf: [u8; INLINE],
        len: u8,
    },
    Heap(Vec<u8>),
}

impl Default for SecretBytes {
    fn default() -> Self {
        SecretBytes(Repr::Inline {
            buf: [0; INLINE],
            len: 0,
        })
    }
}

impl SecretBytes {
    /// Copies `bytes` into a new secret buffer.
    pub fn from_slice(bytes: &[u8]) -> Self {
        let mut s = Self::zeroed(bytes.len());
        s.as_mut_bytes().copy_from_slice(bytes);
        s
    }

    /// A secret buffer of `len` zero bytes, to be filled by a derivation.
    pub fn zeroed(len: usize) -> Self {
        match u8::try_from(len) {
            Ok(l) if len <= INLINE => SecretBytes(Repr::Inline {
                buf: [0; INLINE],
                len: l,
            }),
            _ => SecretBytes(Repr::Heap(vec![0; len])),
        }
    }

    /// The secret bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { buf, len } => &buf[..usize::from(*len)],
            Repr::Heap(v) => v,
        }
    }

    /// Mutable access to the secret bytes (the length cannot change).
    pub fn as_mut_bytes(&mut self) -> &mut [u8] {
        match &mut self.0 {
            Repr::Inline { buf, len } => &mut buf[..usize::from(*len)],
            Repr::Heap(v) => v,
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    /// `true` if the buffer is empty (e.g. a key for the NULL algorithm).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Constant-time comparison of the contents (lengths are compared first and
    /// are not treated as secret).
    pub fn ct_eq(&self, other: &[u8]) -> bool {
        crate::crypto::ct_eq(self.as_bytes(), other)
    }
}

impl Zeroize for SecretBytes {
    /// Overwrites the bytes with zeros and empties the buffer.
    fn zeroize(&mut self) {
        match &mut self.0 {
            Repr::Inline { buf, len } => {
                // Bytes past `len` are zero already.
                buf[..usize::from(*len)].zeroize();
                *len = 0;
            }
            Repr::Heap(v) => v.zeroize(),
        }
    }
}

impl Drop for SecretBytes {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl ZeroizeOnDrop for SecretBytes {}

impl From<Vec<u8>> for SecretBytes {
    /// Takes `v` over: kept as is when longer than the inline buffer, else copied inline
    /// and `v` zeroized.
    fn from(mut v: Vec<u8>) -> Self {
        if v.len() > INLINE {
            return SecretBytes(Repr::Heap(v));
        }
        let s = SecretBytes::from_slice(&v);
        v.zeroize();
        s
    }
}

impl From<&[u8]> for SecretBytes {
    fn from(v: &[u8]) -> Self {
        SecretBytes::from_slice(v)
    }
}

impl AsRef<[u8]> for SecretBytes {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes({} bytes)", self.len())
    }
}

impl PartialEq for SecretBytes {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other.as_bytes())
    }
}

impl Eq for SecretBytes {}

/// A short secret in a stack buffer of `N` bytes (decrypted key data of a message): no
/// allocation, and the used bytes are zeroized on drop.
pub(crate) struct StackSecret<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> StackSecret<N> {
    /// A copy of `data` to work on in place, or `None` when it does not fit.
    pub(crate) fn copy_of(data: &[u8]) -> Option<Self> {
        let mut s = StackSecret {
            buf: [0; N],
            len: 0,
        };
        s.buf.get_mut(..data.len())?.copy_from_slice(data);
        s.len = data.len();
        Some(s)
    }

    /// The bytes.
    pub(crate) fn as_mut_bytes(&mut self) -> &mut [u8] {
        &mut self.buf[..self.len]
    }
}

impl<const N: usize> Drop for StackSecret<N> {
    fn drop(&mut self) {
        self.buf[..self.len].zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_bytes() {
        let s = SecretBytes::from(vec![0xde, 0xad, 0xbe, 0xef, 0x42, 0x17]);
        let d = format!("{s:?}");
        assert_eq!(d, "SecretBytes(6 bytes)");
        for needle in ["de", "ad", "be", "ef", "222", "173", "66"] {
            assert!(!d.to_lowercase().contains(needle), "{d}");
        }
        assert_eq!(
            format!("{:?}", SecretBytes::zeroed(16)),
            "SecretBytes(16 bytes)"
        );
    }

    #[test]
    fn inline_and_heap_secrets_behave_alike() {
        for len in [0usize, 1, 16, 31, 32, 33, 64, 300] {
            let bytes: Vec<u8> = (0..len).map(|i| i as u8 ^ 0x5a).collect();
            let a = SecretBytes::from_slice(&bytes);
            let b = SecretBytes::from(bytes.clone());
            assert_eq!(a.as_bytes(), &bytes[..], "{len}");
            assert_eq!(a, b, "{len}");
            assert_eq!(a.len(), len);
            let mut z = SecretBytes::zeroed(len);
            assert!(z.as_bytes().iter().all(|x| *x == 0));
            z.as_mut_bytes().copy_from_slice(&bytes);
            assert_eq!(z, a);
            let mut c = a.clone();
            c.zeroize();
            assert!(c.is_empty(), "zeroize empties, as for a Vec");
        }
    }

    #[test]
    fn equality_and_accessors() {
        let a = SecretBytes::from_slice(&[1, 2, 3]);
        let b = SecretBytes::from(vec![1, 2, 3]);
        let c = SecretBytes::from(vec![1, 2, 4]);
        let d = SecretBytes::from(vec![1, 2]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
        assert!(a.ct_eq(&[1, 2, 3]));
        assert!(!a.ct_eq(&[1, 2, 3, 4]));
        assert_eq!(a.len(), 3);
        assert!(!a.is_empty());
        assert!(SecretBytes::default().is_empty());
        assert_eq!(a.as_bytes(), &[1, 2, 3]);
    }
}
