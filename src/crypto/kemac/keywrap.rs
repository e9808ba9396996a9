//! AES key wrap (RFC 3394 §2.2) with a caller-chosen initial value: MIKEY uses the
//! derived 64-bit salt as IV (RFC 3830 §4.2.3).

use aes::cipher::consts::U16;
use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use aes::{Aes128, Aes192, Aes256};
use subtle::ConstantTimeEq;

use crate::crypto::{CryptoError, SecretBytes};

/// RFC 3394 §2.2.1 key wrap of `plaintext` under `kek` (16, 24 or 32 bytes) with initial
/// value `iv` (MIKEY: the derived 64-bit salt, RFC 3830 §4.2.3; the RFC 3394 default is
/// [`AES_KW_DEFAULT_IV`](super::AES_KW_DEFAULT_IV)). `plaintext` must be a multiple of 8
/// bytes and at least 16.
pub fn aes_key_wrap(kek: &[u8], iv: &[u8; 8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if !plaintext.len().is_multiple_of(8) || plaintext.len() < 16 {
        return Err(CryptoError::KeyWrapLength {
            got: plaintext.len(),
        });
    }
    let mut out = vec![0u8; plaintext.len() + 8];
    match kek.len() {
        16 => kw_wrap(
            &Aes128::new_from_slice(kek).map_err(|_| bad_kek(kek))?,
            iv,
            plaintext,
            &mut out,
        ),
        24 => kw_wrap(
            &Aes192::new_from_slice(kek).map_err(|_| bad_kek(kek))?,
            iv,
            plaintext,
            &mut out,
        ),
        32 => kw_wrap(
            &Aes256::new_from_slice(kek).map_err(|_| bad_kek(kek))?,
            iv,
            plaintext,
            &mut out,
        ),
        _ => return Err(bad_kek(kek)),
    }
    Ok(out)
}

/// RFC 3394 §2.2.2 key unwrap of `ciphertext` under `kek` (16, 24 or 32 bytes), checking
/// the recovered initial value against `iv` in constant time (RFC 3394 §2.2.3).
/// `ciphertext` must be a multiple of 8 bytes and at least 24.
pub fn aes_key_unwrap(
    kek: &[u8],
    iv: &[u8; 8],
    ciphertext: &[u8],
) -> Result<SecretBytes, CryptoError> {
    if !ciphertext.len().is_multiple_of(8) || ciphertext.len() < 24 {
        return Err(CryptoError::KeyWrapLength {
            got: ciphertext.len(),
        });
    }
    let mut out = SecretBytes::zeroed(ciphertext.len() - 8);
    let a = match kek.len() {
        16 => kw_unwrap(
            &Aes128::new_from_slice(kek).map_err(|_| bad_kek(kek))?,
            ciphertext,
            out.as_mut_bytes(),
        ),
        24 => kw_unwrap(
            &Aes192::new_from_slice(kek).map_err(|_| bad_kek(kek))?,
            ciphertext,
            out.as_mut_bytes(),
        ),
        32 => kw_unwrap(
            &Aes256::new_from_slice(kek).map_err(|_| bad_kek(kek))?,
            ciphertext,
            out.as_mut_bytes(),
        ),
        _ => return Err(bad_kek(kek)),
    };
    if bool::from(a.ct_eq(iv)) {
        Ok(out)
    } else {
        Err(CryptoError::KeyWrapIntegrity)
    }
}

fn bad_kek(kek: &[u8]) -> CryptoError {
    CryptoError::InvalidKeyLength {
        expected: 16,
        got: kek.len(),
    }
}

/// RFC 3394 §2.2.1 (index-based form). `out.len() == p.len() + 8`, `p.len() % 8 == 0`.
fn kw_wrap<C: BlockCipherEncrypt<BlockSize = U16>>(c: &C, iv: &[u8; 8], p: &[u8], out: &mut [u8]) {
    let n = p.len() / 8;
    out[8..].copy_from_slice(p);
    let mut a = *iv;
    let mut b = aes::Block::default();
    for j in 0..6 {
        for (i, r) in out[8..].chunks_exact_mut(8).enumerate() {
            b[..8].copy_from_slice(&a);
            b[8..].copy_from_slice(r);
            c.encrypt_block(&mut b);
            let t = (n * j + i + 1) as u64;
            for ((ad, bs), ts) in a.iter_mut().zip(&b[..8]).zip(t.to_be_bytes()) {
                *ad = bs ^ ts;
            }
            r.copy_from_slice(&b[8..]);
        }
    }
    out[..8].copy_from_slice(&a);
    b.fill(0);
}

/// RFC 3394 §2.2.2 (index-based form); returns the recovered A for the §2.2.3 check.
/// `out.len() == c.len() - 8`, `c.len() % 8 == 0`.
fn kw_unwrap<C: BlockCipherDecrypt<BlockSize = U16>>(k: &C, c: &[u8], out: &mut [u8]) -> [u8; 8] {
    let n = out.len() / 8;
    let mut a = [0u8; 8];
    a.copy_from_slice(&c[..8]);
    out.copy_from_slice(&c[8..]);
    let mut b = aes::Block::default();
    for j in (0..6).rev() {
        for (i, r) in out.chunks_exact_mut(8).enumerate().rev() {
            let t = (n * j + i + 1) as u64;
            for ((bd, as_), ts) in b[..8].iter_mut().zip(&a).zip(t.to_be_bytes()) {
                *bd = as_ ^ ts;
            }
            b[8..].copy_from_slice(r);
            k.decrypt_block(&mut b);
            a.copy_from_slice(&b[..8]);
            r.copy_from_slice(&b[8..]);
        }
    }
    b.fill(0);
    a
}
