//! The KEMAC `Encr alg` and `MAC alg` registries (RFC 3830 §6.2; RFC 6043 §6.2 Tables 6.5,
//! 6.6): [`KemacCipher`] and [`MacKind`] with their key, salt and tag lengths.

use super::{AES_CM_SALT_LEN, AES_KW_SALT_LEN};
use crate::crypto::CryptoError;
use crate::wire::{EncrAlg, MacAlg};

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
