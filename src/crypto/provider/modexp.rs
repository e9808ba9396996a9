//! Constant-time modular exponentiation for the Diffie-Hellman modes (RFC 3830 §3.3,
//! RFC 4650) on `crypto-bigint`, bounded by [`MAX_MODEXP_BITS`].

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, Odd};
use zeroize::Zeroize;

use super::MAX_MODEXP_BITS;
use crate::crypto::{CryptoError, SecretBytes};

/// `b` without its leading zero bytes.
pub(super) fn strip_leading_zeros(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|&&x| x == 0).count();
    &b[n..]
}

/// Constant-time (in the exponent's value) `base^exponent mod modulus` with a fixed-window
/// Montgomery ladder over exactly `8 * exponent.len()` exponent bits, so a 256-bit exponent
/// modulo a 1536-bit prime costs about 256 squarings.
pub(super) fn modexp_ct(
    base: &[u8],
    exponent: &SecretBytes,
    modulus: &[u8],
) -> Result<SecretBytes, CryptoError> {
    let modulus = strip_leading_zeros(modulus);
    let base = strip_leading_zeros(base);
    let k = modulus.len();
    let odd_and_at_least_3 = match modulus {
        [] => false,
        [m] => *m >= 3 && m & 1 == 1,
        [.., last] => last & 1 == 1,
    };
    if !odd_and_at_least_3 || k > MAX_MODEXP_BITS / 8 || base.len() > k || exponent.len() > k {
        return Err(CryptoError::InvalidModExpInput);
    }

    // Public values: variable time is fine.
    let n = BoxedUint::from_be_slice_vartime(modulus);
    let precision = n.bits_precision();
    let b =
        BoxedUint::from_be_slice(base, precision).map_err(|_| CryptoError::InvalidModExpInput)?;
    if b.cmp_vartime(&n) != core::cmp::Ordering::Less {
        return Err(CryptoError::InvalidModExpInput);
    }
    let n = Odd::new(n)
        .into_option()
        .ok_or(CryptoError::InvalidModExpInput)?;
    let params = BoxedMontyParams::new_vartime(n);

    let mut result = if exponent.is_empty() {
        BoxedMontyForm::one(&params)
    } else {
        // The exponent at its own width, not the modulus width.
        let exp_bits =
            u32::try_from(exponent.len() * 8).map_err(|_| CryptoError::InvalidModExpInput)?;
        let mut e = BoxedUint::from_be_slice(exponent.as_bytes(), exp_bits)
            .map_err(|_| CryptoError::InvalidModExpInput)?;
        let r = BoxedMontyForm::new(b, &params).pow_bounded_exp(&e, exp_bits);
        e.zeroize();
        r
    };
    let mut value = result.retrieve();
    result.zeroize();
    let mut bytes = value.to_be_bytes();
    value.zeroize();
    let out = bytes
        .len()
        .checked_sub(k)
        .and_then(|start| bytes.get(start..))
        .map(SecretBytes::from_slice)
        .ok_or(CryptoError::InvalidModExpInput);
    bytes.zeroize();
    out
}
