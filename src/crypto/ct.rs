//! Constant-time comparison of byte strings (MACs, tags, keys), eight bytes at a time.
//!
//! `subtle`'s slice comparison makes one [`Choice`] per byte, each through its optimisation
//! barrier: a 20-byte MAC costs twenty of them. This one compares 64-bit words with
//! `subtle`'s own `u64` comparison and combines the [`Choice`]s the same way, so a 20-byte
//! MAC costs three. Lengths are public, as in `subtle`.
//!
//! [`Choice`]: subtle::Choice

use subtle::ConstantTimeEq;

/// The word of the (at most eight) bytes of `b`, zero-padded: a whole word is one load,
/// a shorter tail is gathered byte by byte.
#[inline(always)]
fn word(b: &[u8]) -> u64 {
    match <[u8; 8]>::try_from(b) {
        Ok(w) => u64::from_le_bytes(w),
        Err(_) => b.iter().rev().fold(0, |w, &x| (w << 8) | u64::from(x)),
    }
}

/// Whether `a` and `b` are equal, in time that depends on their lengths only.
///
/// ```
/// use mikey::crypto::ct_eq;
/// assert!(ct_eq(b"twenty bytes of tag!", b"twenty bytes of tag!"));
/// assert!(!ct_eq(b"twenty bytes of tag!", b"twenty bytes of tag?"));
/// assert!(!ct_eq(b"short", b"shorter"));
/// ```
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (wa, wb) = (a.chunks_exact(8), b.chunks_exact(8));
    let mut same = word(wa.remainder()).ct_eq(&word(wb.remainder()));
    for (x, y) in wa.zip(wb) {
        same &= word(x).ct_eq(&word(y));
    }
    same.into()
}

#[cfg(test)]
mod tests {
    use super::ct_eq;
    use proptest::prelude::*;

    /// Every length from 0 to 40 (whole words, partial last words), a difference in
    /// every byte and every bit.
    #[test]
    fn a_difference_anywhere_is_found() {
        for len in 0..=40usize {
            let a: Vec<u8> = (0..len).map(|i| i as u8 ^ 0x5a).collect();
            assert!(ct_eq(&a, &a.clone()), "{len}");
            for i in 0..len {
                for bit in 0..8 {
                    let mut b = a.clone();
                    b[i] ^= 1 << bit;
                    assert!(!ct_eq(&a, &b), "len {len}, byte {i}, bit {bit}");
                }
            }
            assert!(!ct_eq(&a, &[a.as_slice(), &[0]].concat()), "{len}: longer");
        }
    }

    proptest! {
        /// The same answer as `==` (and as `subtle`) for any two strings.
        #[test]
        fn agrees_with_plain_equality(a in proptest::collection::vec(any::<u8>(), 0..70),
                                      b in proptest::collection::vec(any::<u8>(), 0..70)) {
            prop_assert_eq!(ct_eq(&a, &b), a == b);
            prop_assert!(ct_eq(&a, &a));
        }
    }
}
