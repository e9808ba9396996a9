//! Owned secret key material, zeroized on drop.

use core::fmt;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Owned key bytes (TGK, TEK, PSK, derived keys, salts, decrypted key data).
///
/// The buffer is zeroized when dropped. `Debug` prints only the length
/// (`SecretBytes(16 bytes)`), never the contents. Equality is constant-time
/// in the contents (the length is not secret).
#[derive(Clone, Default, Zeroize, ZeroizeOnDrop)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    /// Copies `bytes` into a new secret buffer.
    pub fn from_slice(bytes: &[u8]) -> Self {
        SecretBytes(bytes.to_vec())
    }

    /// A secret buffer of `len` zero bytes, to be filled by a derivation.
    pub fn zeroed(len: usize) -> Self {
        SecretBytes(vec![0; len])
    }

    /// The secret bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Mutable access to the secret bytes (the length cannot change).
    pub fn as_mut_bytes(&mut self) -> &mut [u8] {
        &mut self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `true` if the buffer is empty (e.g. a key for the NULL algorithm).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Constant-time comparison of the contents (lengths are compared first and
    /// are not treated as secret).
    pub fn ct_eq(&self, other: &[u8]) -> bool {
        self.0.as_slice().ct_eq(other).into()
    }
}

impl From<Vec<u8>> for SecretBytes {
    /// Takes ownership of `v` without copying.
    fn from(v: Vec<u8>) -> Self {
        SecretBytes(v)
    }
}

impl From<&[u8]> for SecretBytes {
    fn from(v: &[u8]) -> Self {
        SecretBytes::from_slice(v)
    }
}

impl AsRef<[u8]> for SecretBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes({} bytes)", self.0.len())
    }
}

impl PartialEq for SecretBytes {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(&other.0)
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
