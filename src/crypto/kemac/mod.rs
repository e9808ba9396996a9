//! KEMAC payload encryption and MAC (RFC 3830 §4.2.3, §4.2.4; RFC 6043 §6.2), including
//! AES key wrap with a caller-chosen IV (RFC 3394 §2.2).
//!
//! * [`KemacCipher`] and [`MacKind`]: the `Encr alg` and `MAC alg` registries.
//! * [`mac`], [`mac_parts`], [`verify_mac`]: the KEMAC / V payload MAC.
//! * [`encrypt`], [`decrypt`]: the KEMAC `Encr data` (AES-CM, AES-KW, NULL).
//! * [`aes_key_wrap`], [`aes_key_unwrap`]: RFC 3394 with a caller-chosen IV.

mod alg;
mod cipher;
mod keywrap;
mod mac;

pub use alg::{KemacCipher, MacKind};
pub(crate) use cipher::crypt_in_place;
pub use cipher::{decrypt, encrypt};
pub use keywrap::{aes_key_unwrap, aes_key_wrap};
pub use mac::{mac, mac_parts, verify_mac, MacKey, MacTag};

/// (RFC 3830 §4.2.3 note, SRTP AES-CM).
pub const AES_CM_MAX_LEN: usize = 1 << 20;

/// The default RFC 3394 §2.2.3.1 IV `A6A6A6A6A6A6A6A6`. MIKEY does not use it: the IV is
/// the derived 64-bit salt (RFC 3830 §4.2.3).
pub const AES_KW_DEFAULT_IV: [u8; 8] = [0xA6; 8];

/// AES-CM salt length: 112 bits (RFC 3830 §4.2.3).
const AES_CM_SALT_LEN: usize = 14;
/// AES-KW salt (= IV) length: 64 bits (RFC 3830 §4.2.3).
const AES_KW_SALT_LEN: usize = 8;

#[cfg(test)]
mod tests;
