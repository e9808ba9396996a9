//! KEMAC payload encryption and MAC (RFC 3830 §4.2.3, §4.2.4; RFC 6043 §6.2), including
//! AES key wrap with a caller-chosen IV (RFC 3394 §2.2).

use aes::cipher::consts::U16;
use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit, KeyIvInit, StreamCipher};
use aes::{Aes128, Aes192, Aes256};
use core::fmt;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::{CryptoError, SecretBytes};
use crate::wire::{EncrAlg, MacAlg};

/// Maximum AES-CM plaintext: 2^23 bits = 2^20 bytes, the limit of the 16-bit block counter
/// (RFC 3830 §4.2.3 note, SRTP AES-CM).
pub const AES_CM_MAX_LEN: usize = 1 << 20;

/// The default RFC 3394 §2.2.3.1 IV `A6A6A6A6A6A6A6A6`. MIKEY does not use it: the IV is
/// the derived 64-bit salt (RFC 3830 §4.2.3).
pub const AES_KW_DEFAULT_IV: [u8; 8] = [0xA6; 8];

/// AES-CM salt length: 112 bits (RFC 3830 §4.2.3).
const AES_CM_SALT_LEN: usize = 14;
/// AES-KW salt (= IV) length: 64 bits (RFC 3830 §4.2.3).
const AES_KW_SALT_LEN: usize = 8;

/// KEMAC `Encr alg` (RFC 3830 §6.2; RFC 6043 §6.2 Table 6.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KemacCipher {
    /// NULL: no encryption (RFC 3830 §4.2.3). Wire value 0.
    Null,
    /// AES-CM-128: AES in counter mode with a 128-bit key (RFC 3830 §4.2.3). Wire value 1.
    AesCm128,
    /// AES-CM-256: as AES-CM-128 but with a 256-bit key (RFC 6043 §6.2). Wire value 3.
    AesCm256,
    /// AES-KW-128: RFC 3394 key wrap with a 128-bit key and the 64-bit salt as IV
    /// (RFC 3830 §4.2.3). Wire value 2.
    AesKw128,
}

impl KemacCipher {
    /// Whether the ciphertext is as long as the plaintext (NULL, AES-CM), so the key data can
    /// be encrypted and decrypted in place; AES-KW adds 8 bytes (RFC 3394).
    pub fn keeps_length(self) -> bool {
        !matches!(self, KemacCipher::AesKw128)
    }

    /// Every cipher, in `Encr alg` order.
    pub const ALL: [KemacCipher; 4] = [
        KemacCipher::Null,
        KemacCipher::AesCm128,
        KemacCipher::AesKw128,
        KemacCipher::AesCm256,
    ];

    /// The `Encr alg` wire value (RFC 3830 §6.2, RFC 6043 §6.2), from [`EncrAlg`].
    pub fn id(self) -> u8 {
        EncrAlg::from(self).to_wire()
    }

    /// Length of `encr_key` in bytes: 16 for AES-CM-128 and AES-KW-128 (RFC 3830 §4.2.3),
    /// 32 for AES-CM-256 (RFC 6043 §6.2), 0 for NULL.
    pub fn key_len(self) -> usize {
        match self {
            KemacCipher::Null => 0,
            KemacCipher::AesCm128 | KemacCipher::AesKw128 => 16,
            KemacCipher::AesCm256 => 32,
        }
    }

    /// Length of `salt_key` in bytes: 14 (112 bits) for AES-CM, 8 (64 bits, the RFC 3394
    /// IV) for AES-KW (RFC 3830 §4.2.3; RFC 6043 §6.2 keeps AES-CM unchanged apart from the
    /// key size), 0 for NULL.
    pub fn salt_len(self) -> usize {
        match self {
            KemacCipher::Null => 0,
            KemacCipher::AesCm128 | KemacCipher::AesCm256 => AES_CM_SALT_LEN,
            KemacCipher::AesKw128 => AES_KW_SALT_LEN,
        }
    }
}

/// The one table between the ciphers and their `Encr alg` codes (RFC 3830 §6.2; RFC 6043
/// §6.2 Table 6.5); every other conversion goes through it.
impl From<KemacCipher> for EncrAlg {
    fn from(c: KemacCipher) -> EncrAlg {
        match c {
            KemacCipher::Null => EncrAlg::Null,
            KemacCipher::AesCm128 => EncrAlg::AesCm128,
            KemacCipher::AesKw128 => EncrAlg::AesKw128,
            KemacCipher::AesCm256 => EncrAlg::AesCm256,
        }
    }
}

impl TryFrom<EncrAlg> for KemacCipher {
    type Error = CryptoError;

    /// The cipher of an `Encr alg` code; an unknown one is
    /// [`CryptoError::UnsupportedAlgorithm`].
    fn try_from(e: EncrAlg) -> Result<Self, CryptoError> {
        KemacCipher::ALL
            .into_iter()
            .find(|c| EncrAlg::from(*c) == e)
            .ok_or(CryptoError::UnsupportedAlgorithm {
                registry: "Encr alg",
                value: e.to_wire(),
            })
    }
}

impl TryFrom<u8> for KemacCipher {
    type Error = CryptoError;

    /// Maps an `Encr alg` wire value (RFC 3830 §6.2, RFC 6043 §6.2).
    fn try_from(value: u8) -> Result<Self, CryptoError> {
        EncrAlg::from_wire(value).try_into()
    }
}

/// KEMAC / V payload `MAC alg` (RFC 3830 §6.2; RFC 6043 §6.2 Table 6.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MacKind {
    /// NULL: no MAC (RFC 3830 §4.2.4). Wire value 0.
    Null,
    /// HMAC-SHA-1-160: full 160-bit HMAC-SHA-1 tag (RFC 3830 §4.2.4). Wire value 1.
    HmacSha1_160,
    /// HMAC-SHA-256-256: full 256-bit HMAC-SHA-256 tag (RFC 6043 §6.2). Wire value 2.
    HmacSha256_256,
}

impl MacKind {
    /// Every MAC, in `MAC alg` order.
    pub const ALL: [MacKind; 3] = [
        MacKind::Null,
        MacKind::HmacSha1_160,
        MacKind::HmacSha256_256,
    ];

    /// The `MAC alg` wire value (RFC 3830 §6.2, RFC 6043 §6.2), from [`MacAlg`].
    pub fn id(self) -> u8 {
        MacAlg::from(self).to_wire()
    }

    /// Tag length in bytes: 20 (RFC 3830 §4.2.4), 32 (RFC 6043 §6.2), 0 for NULL: the
    /// length [`MacAlg::mac_len`] gives the wire layout.
    pub fn mac_len(self) -> usize {
        MacAlg::from(self).mac_len().unwrap_or(0)
    }

    /// Length of `auth_key` in bytes, equal to the hash output size: 160 bits for
    /// HMAC-SHA-1 (RFC 3830 §4.2.4), 256 bits for HMAC-SHA-256 (RFC 6043 §6.2), 0 for NULL.
    pub fn key_len(self) -> usize {
        self.mac_len()
    }
}

/// The one table between the MACs and their `MAC alg` codes (RFC 3830 §6.2; RFC 6043 §6.2
/// Table 6.6); every other conversion goes through it.
impl From<MacKind> for MacAlg {
    fn from(m: MacKind) -> MacAlg {
        match m {
            MacKind::Null => MacAlg::Null,
            MacKind::HmacSha1_160 => MacAlg::HmacSha1_160,
            MacKind::HmacSha256_256 => MacAlg::HmacSha256_256,
        }
    }
}

impl TryFrom<MacAlg> for MacKind {
    type Error = CryptoError;

    /// The MAC of a `MAC alg` code; an unknown one is [`CryptoError::UnsupportedAlgorithm`].
    fn try_from(m: MacAlg) -> Result<Self, CryptoError> {
        MacKind::ALL
            .into_iter()
            .find(|k| MacAlg::from(*k) == m)
            .ok_or(CryptoError::UnsupportedAlgorithm {
                registry: "MAC alg",
                value: m.to_wire(),
            })
    }
}

impl TryFrom<u8> for MacKind {
    type Error = CryptoError;

    /// Maps a `MAC alg` wire value (RFC 3830 §6.2, RFC 6043 §6.2).
    fn try_from(value: u8) -> Result<Self, CryptoError> {
        MacAlg::from_wire(value).try_into()
    }
}

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
        self.as_bytes().ct_eq(other.as_bytes()).into()
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
    mac(kind, key, data).as_bytes().ct_eq(tag).into()
}

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
fn aes_cm_iv(salt: &[u8], csb_id: u32, t: u64) -> Result<[u8; 16], CryptoError> {
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

/// RFC 3394 §2.2.1 key wrap of `plaintext` under `kek` (16, 24 or 32 bytes) with initial
/// value `iv` (MIKEY: the derived 64-bit salt, RFC 3830 §4.2.3; the RFC 3394 default is
/// [`AES_KW_DEFAULT_IV`]). `plaintext` must be a multiple of 8 bytes and at least 16.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect()
    }

    const K128: &str = "000102030405060708090A0B0C0D0E0F";
    const K192: &str = "000102030405060708090A0B0C0D0E0F1011121314151617";
    const K256: &str = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
    const D128: &str = "00112233445566778899AABBCCDDEEFF";
    const D192: &str = "00112233445566778899AABBCCDDEEFF0001020304050607";
    const D256: &str = "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F";

    /// RFC 3394 §4.1-§4.6.
    #[test]
    fn rfc3394_kats() {
        let cases = [
            ("4.1", K128, D128, "1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5"),
            ("4.2", K192, D128, "96778B25AE6CA435 F92B5B97C050AED2 468AB8A17AD84E5D"),
            ("4.3", K256, D128, "64E8C3F9CE0F5BA2 63E9777905818A2A 93C8191E7D6E8AE7"),
            (
                "4.4",
                K192,
                D192,
                "031D33264E15D332 68F24EC260743EDC E1C6C7DDEE725A93 6BA814915C6762D2",
            ),
            (
                "4.5",
                K256,
                D192,
                "A8F9BC1612C68B3F F6E6F4FBE30E71E4 769C8B80A32CB895 8CD5D17D6B254DA1",
            ),
            (
                "4.6",
                K256,
                D256,
                "28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21",
            ),
        ];
        for (sec, kek, data, ct) in cases {
            let (kek, data, ct) = (unhex(kek), unhex(data), unhex(ct));
            let got = aes_key_wrap(&kek, &AES_KW_DEFAULT_IV, &data).expect(sec);
            assert_eq!(got, ct, "wrap §{sec}");
            let back = aes_key_unwrap(&kek, &AES_KW_DEFAULT_IV, &ct).expect(sec);
            assert_eq!(back.as_bytes(), &data[..], "unwrap §{sec}");
        }
    }

    #[test]
    fn rfc3394_integrity_failure() {
        let kek = unhex(K128);
        let mut ct = unhex("1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5");
        ct[12] ^= 1;
        assert_eq!(
            aes_key_unwrap(&kek, &AES_KW_DEFAULT_IV, &ct),
            Err(CryptoError::KeyWrapIntegrity)
        );
        // Right ciphertext, wrong IV (MIKEY salt mismatch).
        let ct = unhex("1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5");
        assert_eq!(
            aes_key_unwrap(&kek, &[0u8; 8], &ct),
            Err(CryptoError::KeyWrapIntegrity)
        );
    }

    #[test]
    fn key_wrap_lengths() {
        let kek = [0u8; 16];
        for len in [0, 8, 15, 17, 23] {
            assert_eq!(
                aes_key_wrap(&kek, &AES_KW_DEFAULT_IV, &vec![0; len]),
                Err(CryptoError::KeyWrapLength { got: len })
            );
        }
        for len in [0, 8, 16, 23, 25] {
            assert_eq!(
                aes_key_unwrap(&kek, &AES_KW_DEFAULT_IV, &vec![0; len]),
                Err(CryptoError::KeyWrapLength { got: len })
            );
        }
        assert_eq!(
            aes_key_wrap(&[0u8; 15], &AES_KW_DEFAULT_IV, &[0; 16]),
            Err(CryptoError::InvalidKeyLength {
                expected: 16,
                got: 15
            })
        );
        // Through the KEMAC API.
        assert_eq!(
            encrypt(KemacCipher::AesKw128, &kek, &[0; 8], 0, 0, &[0; 20]),
            Err(CryptoError::KeyWrapLength { got: 20 })
        );
        assert_eq!(
            encrypt(KemacCipher::AesKw128, &kek, &[0; 14], 0, 0, &[0; 16]),
            Err(CryptoError::InvalidSaltLength {
                expected: 8,
                got: 14
            })
        );
        assert_eq!(
            encrypt(KemacCipher::AesKw128, &[0; 32], &[0; 8], 0, 0, &[0; 16]),
            Err(CryptoError::InvalidKeyLength {
                expected: 16,
                got: 32
            })
        );
    }

    #[test]
    fn aes_cm_round_trip_and_iv() {
        let salt: Vec<u8> = (0..14).collect();
        for (cipher, key) in [
            (KemacCipher::AesCm128, vec![0x11u8; 16]),
            (KemacCipher::AesCm256, vec![0x22u8; 32]),
        ] {
            for len in [0usize, 1, 15, 16, 17, 36, 100] {
                let pt: Vec<u8> = (0..len).map(|i| i as u8).collect();
                let ct = encrypt(cipher, &key, &salt, 0xdead_beef, 0x0102_0304_0506_0708, &pt)
                    .expect("enc");
                assert_eq!(ct.len(), len);
                if len > 0 {
                    assert_ne!(ct, pt);
                }
                let back = decrypt(cipher, &key, &salt, 0xdead_beef, 0x0102_0304_0506_0708, &ct)
                    .expect("dec");
                assert_eq!(back.as_bytes(), &pt[..]);
                // Different T gives a different key stream.
                let other = encrypt(cipher, &key, &salt, 0xdead_beef, 1, &pt).expect("enc");
                if len > 0 {
                    assert_ne!(other, ct);
                }
            }
        }
        let iv = aes_cm_iv(&salt, 0x1000_0001, 0x8000_0000_0000_00ff).expect("iv");
        assert_eq!(
            iv,
            [0, 1, 0x12, 3, 4, 0x04, 0x86, 7, 8, 9, 10, 11, 12, 0xf2, 0, 0]
        );
        // Keystream block 0 is AES_K(IV) (SRTP AES-CM, counter starts at 0).
        let key = [0x11u8; 16];
        let ks = encrypt(
            KemacCipher::AesCm128,
            &key,
            &salt,
            0x1000_0001,
            0x8000_0000_0000_00ff,
            &[0; 16],
        )
        .expect("enc");
        let mut b = aes::Block::from(iv);
        Aes128::new_from_slice(&key)
            .expect("key")
            .encrypt_block(&mut b);
        assert_eq!(ks, b.to_vec());
    }

    #[test]
    fn aes_cm_errors() {
        let salt = [0u8; 14];
        assert_eq!(
            encrypt(KemacCipher::AesCm128, &[0; 32], &salt, 0, 0, b"x"),
            Err(CryptoError::InvalidKeyLength {
                expected: 16,
                got: 32
            })
        );
        assert_eq!(
            encrypt(KemacCipher::AesCm256, &[0; 16], &salt, 0, 0, b"x"),
            Err(CryptoError::InvalidKeyLength {
                expected: 32,
                got: 16
            })
        );
        assert_eq!(
            encrypt(KemacCipher::AesCm128, &[0; 16], &[0; 8], 0, 0, b"x"),
            Err(CryptoError::InvalidSaltLength {
                expected: 14,
                got: 8
            })
        );
        let big = vec![0u8; AES_CM_MAX_LEN + 1];
        assert!(matches!(
            encrypt(KemacCipher::AesCm128, &[0; 16], &salt, 0, 0, &big),
            Err(CryptoError::InputTooLong { .. })
        ));
        assert!(encrypt(
            KemacCipher::AesCm128,
            &[0; 16],
            &[0xff; 14],
            u32::MAX,
            u64::MAX,
            &big[1..]
        )
        .is_ok());
    }

    #[test]
    fn null_cipher() {
        let ct = encrypt(KemacCipher::Null, &[], &[], 0, 0, b"abc").expect("null");
        assert_eq!(ct, b"abc");
        let pt = decrypt(KemacCipher::Null, &[], &[], 0, 0, &ct).expect("null");
        assert_eq!(pt.as_bytes(), b"abc");
    }

    #[test]
    fn macs() {
        // RFC 2202 test case 2 (HMAC-SHA-1) and RFC 4231 test case 2 (HMAC-SHA-256).
        let t = mac(
            MacKind::HmacSha1_160,
            b"Jefe",
            b"what do ya want for nothing?",
        );
        assert_eq!(
            t.as_bytes(),
            &unhex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")[..]
        );
        let t2 = mac(
            MacKind::HmacSha256_256,
            b"Jefe",
            b"what do ya want for nothing?",
        );
        assert_eq!(
            t2.as_bytes(),
            &unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")[..]
        );
        assert_eq!(t.len(), MacKind::HmacSha1_160.mac_len());
        assert_eq!(t2.len(), MacKind::HmacSha256_256.mac_len());
        assert!(verify_mac(
            MacKind::HmacSha1_160,
            b"Jefe",
            b"what do ya want for nothing?",
            t.as_bytes()
        ));
        assert!(!verify_mac(
            MacKind::HmacSha1_160,
            b"Jefe",
            b"what do ya want for nothing!",
            t.as_bytes()
        ));
        assert!(!verify_mac(
            MacKind::HmacSha1_160,
            b"Jefe",
            b"what do ya want for nothing?",
            &t.as_bytes()[..19]
        ));
        assert!(!verify_mac(
            MacKind::HmacSha256_256,
            b"Jefe",
            b"what do ya want for nothing?",
            t.as_bytes()
        ));
        assert!(verify_mac(MacKind::Null, b"", b"anything", &[]));
        assert!(!verify_mac(MacKind::Null, b"", b"anything", &[0]));
        assert!(mac(MacKind::Null, b"k", b"d").is_empty());
        // Parts: the same tag as over their concatenation (RFC 2202 test case 2 again).
        for kind in [MacKind::HmacSha1_160, MacKind::HmacSha256_256] {
            let whole = mac(kind, b"Jefe", b"what do ya want for nothing?");
            let parts = mac_parts(
                kind,
                b"Jefe",
                &[b"what do ", b"", b"ya want", b" for nothing?"],
            );
            assert_eq!(whole.as_bytes(), parts.as_bytes());
        }
        assert_eq!(
            mac_parts(
                MacKind::HmacSha1_160,
                b"Jefe",
                &[b"what do ya want for nothing?"]
            )
            .as_bytes(),
            &unhex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")[..]
        );
        assert!(mac_parts(MacKind::Null, b"k", &[b"d"]).is_empty());
    }

    #[test]
    fn wire_ids() {
        for c in [
            KemacCipher::Null,
            KemacCipher::AesCm128,
            KemacCipher::AesCm256,
            KemacCipher::AesKw128,
        ] {
            assert_eq!(KemacCipher::try_from(c.id()), Ok(c));
        }
        for m in [
            MacKind::Null,
            MacKind::HmacSha1_160,
            MacKind::HmacSha256_256,
        ] {
            assert_eq!(MacKind::try_from(m.id()), Ok(m));
        }
        assert!(KemacCipher::try_from(4).is_err());
        assert!(MacKind::try_from(3).is_err());
    }

    #[test]
    fn one_table_per_code() {
        use crate::wire::{EncrAlg, MacAlg};
        // Every wire value: known codes map to a cipher/MAC and back to the same value;
        // unknown ones are an error naming the value and survive as wire codes.
        for v in 0..=u8::MAX {
            let e = EncrAlg::from_wire(v);
            assert_eq!(e.to_wire(), v);
            match KemacCipher::try_from(e) {
                Ok(c) => assert_eq!((EncrAlg::from(c), c.id()), (e, v)),
                Err(err) => {
                    assert!(e.is_unknown());
                    assert!(err.to_string().contains(&v.to_string()), "{err}");
                }
            }
            let m = MacAlg::from_wire(v);
            match MacKind::try_from(m) {
                Ok(k) => {
                    assert_eq!((MacAlg::from(k), k.id()), (m, v));
                    assert_eq!(Some(k.mac_len()), m.mac_len());
                }
                Err(_) => assert!(m.is_unknown() && m.mac_len().is_none()),
            }
        }
    }
}
