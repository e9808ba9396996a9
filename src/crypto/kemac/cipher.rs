//! KEMAC `Encr data` encryption and decryption (RFC 3830 §4.2.3, RFC 6043 §6.2): AES-CM
//! with the MIKEY IV, AES-KW with the salt as IV ([`super::keywrap`]), and NULL.

use aes::cipher::{KeyIvInit, StreamCipher};
use aes::{Aes128, Aes256};

use super::keywrap::{aes_key_unwrap, aes_key_wrap};
use super::{KemacCipher, AES_CM_MAX_LEN, AES_CM_SALT_LEN, AES_KW_SALT_LEN};
use crate::crypto::{CryptoError, SecretBytes};

fn check_len(expected: usize, got: usize, salt: bool) -> Result<(), CryptoError> {
    if expected == got {
        Ok(())
    } else if salt {
        Err(CryptoError::InvalidSaltLength { expected, got })
    } else {
        Err(CryptoError::InvalidKeyLength { expected, got })
    }
}

/// AES-CM IV = (S XOR (0x0000 || CSB ID || T)) || 0x0000 (RFC 3830 §4.2.3).
pub(super) fn aes_cm_iv(salt: &[u8], csb_id: u32, t: u64) -> Result<[u8; 16], CryptoError> {
    check_len(AES_CM_SALT_LEN, salt.len(), true)?;
    let mut iv = [0u8; 16];
    iv[..AES_CM_SALT_LEN].copy_from_slice(salt);
    for (d, s) in iv[2..6].iter_mut().zip(csb_id.to_be_bytes()) {
        *d ^= s;
    }
    for (d, s) in iv[6..14].iter_mut().zip(t.to_be_bytes()) {
        *d ^= s;
    }
    Ok(iv)
}

fn aes_cm(
    cipher: KemacCipher,
    key: &[u8],
    salt: &[u8],
    csb_id: u32,
    t: u64,
    data: &mut [u8],
) -> Result<(), CryptoError> {
    check_len(cipher.key_len(), key.len(), false)?;
    if data.len() > AES_CM_MAX_LEN {
        return Err(CryptoError::InputTooLong {
            max: AES_CM_MAX_LEN,
            got: data.len(),
        });
    }
    let iv = aes_cm_iv(salt, csb_id, t)?;
    let len = data.len();
    let too_long = |_| CryptoError::InputTooLong {
        max: AES_CM_MAX_LEN,
        got: len,
    };
    let bad_key = |_| CryptoError::InvalidKeyLength {
        expected: cipher.key_len(),
        got: key.len(),
    };
    match cipher {
        KemacCipher::AesCm256 => ctr::Ctr128BE::<Aes256>::new_from_slices(key, &iv)
            .map_err(bad_key)?
            .try_apply_keystream(data)
            .map_err(too_long),
        _ => ctr::Ctr128BE::<Aes128>::new_from_slices(key, &iv)
            .map_err(bad_key)?
            .try_apply_keystream(data)
            .map_err(too_long),
    }
}

/// Encrypts or decrypts `data` in place for a cipher that [keeps the
/// length](KemacCipher::keeps_length) (NULL: nothing to do; AES-CM: the keystream of
/// [`encrypt`]). AES-KW, whose output length differs, is refused: use [`encrypt`] /
/// [`decrypt`].
pub(crate) fn crypt_in_place(
    cipher: KemacCipher,
    key: &[u8],
    salt: &[u8],
    csb_id: u32,
    t: u64,
    data: &mut [u8],
) -> Result<(), CryptoError> {
    match cipher {
        KemacCipher::Null => Ok(()),
        KemacCipher::AesCm128 | KemacCipher::AesCm256 => aes_cm(cipher, key, salt, csb_id, t, data),
        KemacCipher::AesKw128 => Err(CryptoError::UnsupportedAlgorithm {
            registry: "Encr alg (in place)",
            value: cipher.id(),
        }),
    }
}

/// Encrypts the KEMAC `Encr data` (the concatenated key data sub-payloads) per
/// RFC 3830 §4.2.3 / RFC 6043 §6.2.
///
/// * AES-CM-128 / AES-CM-256: AES counter mode (SRTP AES-CM, SRTP_PREFIX_LENGTH 0) with
///   `IV = (S XOR (0x0000 || CSB ID || T)) || 0x0000`; `salt` is the 112-bit S and `t` is
///   the 64-bit timestamp T. A 32-bit timestamp (COUNTER, NTP-UTC-32) must already be
///   padded to 64 bits by the caller (for NTP-UTC-32: seconds in the high 32 bits, zero
///   fraction, RFC 6043 §6.3). At most [`AES_CM_MAX_LEN`] bytes.
/// * AES-KW-128: RFC 3394 key wrap with the 64-bit `salt` as IV; `csb_id` and `t` are
///   unused. `plaintext` must be a multiple of 8 bytes and at least 16 bytes
///   ([`CryptoError::KeyWrapLength`] otherwise); the output is 8 bytes longer.
/// * NULL: returns a copy of `plaintext`; keys are ignored.
pub fn encrypt(
    cipher: KemacCipher,
    encr_key: &[u8],
    salt: &[u8],
    csb_id: u32,
    t: u64,
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    match cipher {
        KemacCipher::Null | KemacCipher::AesCm128 | KemacCipher::AesCm256 => {
            let mut out = plaintext.to_vec();
            crypt_in_place(cipher, encr_key, salt, csb_id, t, &mut out)?;
            Ok(out)
        }
        KemacCipher::AesKw128 => {
            check_len(16, encr_key.len(), false)?;
            let iv = kw_iv(salt)?;
            aes_key_wrap(encr_key, &iv, plaintext)
        }
    }
}

/// Decrypts the KEMAC `Encr data`; the inverse of [`encrypt`] (RFC 3830 §4.2.3,
/// RFC 6043 §6.2). For AES-KW-128 the ciphertext must be a multiple of 8 bytes and at least
/// 24 bytes, and a failed RFC 3394 integrity check gives [`CryptoError::KeyWrapIntegrity`].
/// AES-CM and NULL provide no integrity: verify the MAC first.
pub fn decrypt(
    cipher: KemacCipher,
    encr_key: &[u8],
    salt: &[u8],
    csb_id: u32,
    t: u64,
    ciphertext: &[u8],
) -> Result<SecretBytes, CryptoError> {
    match cipher {
        KemacCipher::Null | KemacCipher::AesCm128 | KemacCipher::AesCm256 => {
            let mut out = SecretBytes::from_slice(ciphertext);
            crypt_in_place(cipher, encr_key, salt, csb_id, t, out.as_mut_bytes())?;
            Ok(out)
        }
        KemacCipher::AesKw128 => {
            check_len(16, encr_key.len(), false)?;
            let iv = kw_iv(salt)?;
            aes_key_unwrap(encr_key, &iv, ciphertext)
        }
    }
}

fn kw_iv(salt: &[u8]) -> Result<[u8; 8], CryptoError> {
    salt.try_into().map_err(|_| CryptoError::InvalidSaltLength {
        expected: AES_KW_SALT_LEN,
        got: salt.len(),
    })
}
