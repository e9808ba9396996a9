//! MIKEY cryptographic primitives (RFC 3830 §4.1-§4.2, RFC 6043 §6.1-§6.2).
//!
//! * [`prf()`]: the MIKEY PRF of RFC 3830 §4.1.2 (PRF func 0, HMAC-SHA-1) and its
//!   HMAC-SHA-256 variant of RFC 6043 §6.1 (PRF func 1).
//! * [`derive`](mod@derive): key derivation labels and constants of RFC 3830 §4.1.3 (from a TGK) and
//!   §4.1.4 (from a pre-shared or envelope key), plus [`MessageKeys`] for the KEMAC keys.
//! * [`kemac`](mod@kemac): KEMAC encryption (AES-CM-128 / AES-CM-256 / AES-KW-128, RFC 3830 §4.2.3,
//!   RFC 6043 §6.2) and MAC (HMAC-SHA-1-160 / HMAC-SHA-256-256, RFC 3830 §4.2.4,
//!   RFC 6043 §6.2).
//! * [`Entropy`]: where randomness comes from ([`OsEntropy`] by default; callers pass it in).
//! * [`SecretBytes`]: owned key material, zeroized on drop, never printed.
//! * [`ct_eq()`]: constant-time comparison of MACs, tags and keys, a word at a time.
//! * [`provider`](mod@provider): the pluggable [`CryptoProvider`] for the public-key, RSA-R and
//!   Diffie-Hellman modes (RSA PKCS#1 v1.5 and PSS, MODP exponentiation; RFC 3830 §3.2, §3.3,
//!   §6.5), with [`RustCryptoProvider`] as [`default_provider()`].
//! * [`dh`](mod@dh): the OAKLEY 1, 2 and 5 MODP groups and Diffie-Hellman key pairs with short
//!   exponents and peer value checks (RFC 3830 §3.3, §6.4; RFC 4650 §3).
//! * `aws_lc` (cargo feature `aws-lc`): a faster [`CryptoProvider`] on AWS-LC.
//! * `eccsi` and `sakke` (cargo feature `sakke`): ECCSI signatures (RFC 6507) and SAKKE key
//!   encapsulation with parameter set 1 (RFC 6508, RFC 6509 Appendix A) for MIKEY-SAKKE.

use core::fmt;

#[cfg(feature = "aws-lc")]
pub mod aws_lc;
pub mod ct;
pub mod derive;
pub mod dh;
#[cfg(feature = "sakke")]
pub mod eccsi;
pub mod entropy;
pub mod kemac;
pub mod prf;
pub mod provider;
#[cfg(feature = "sakke")]
pub mod sakke;
pub mod secret;

pub use ct::ct_eq;
pub use derive::{
    derive_from_psk, derive_from_tgk, derive_keyed, derive_tgk_keyed, psk_label, tgk_label,
    MessageKeys, PSK_CONST_AUTH, PSK_CONST_ENCR, PSK_CONST_SALT, TGK_CONST_AUTH, TGK_CONST_ENCR,
    TGK_CONST_SALT, TGK_CONST_TEK,
};
pub use entropy::{Entropy, OsEntropy};
pub use kemac::{
    aes_key_unwrap, aes_key_wrap, decrypt, encrypt, mac, mac_parts, verify_mac, KemacCipher,
    MacKey, MacKind, MacTag, AES_CM_MAX_LEN, AES_KW_DEFAULT_IV,
};
pub use prf::{prf, Prf, PrfKey};
pub use provider::{
    default_provider, CountingProvider, CryptoProvider, RsaPrivate, RsaPublic, RustCryptoProvider,
    SignatureScheme, MAX_MODEXP_BITS,
};
pub use secret::SecretBytes;
pub(crate) use secret::StackSecret;

/// Errors from the MIKEY crypto primitives.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CryptoError {
    /// A key had the wrong length for the selected algorithm.
    InvalidKeyLength {
        /// Required length in bytes.
        expected: usize,
        /// Length supplied.
        got: usize,
    },
    /// A salt had the wrong length for the selected algorithm
    /// (112 bits for AES-CM, RFC 3830 §4.2.3; 64 bits for AES-KW).
    InvalidSaltLength {
        /// Required length in bytes.
        expected: usize,
        /// Length supplied.
        got: usize,
    },
    /// AES key wrap input is not a multiple of 8 bytes or too short
    /// (RFC 3394 §2: at least two 64-bit blocks to wrap, three to unwrap).
    KeyWrapLength {
        /// Length supplied.
        got: usize,
    },
    /// AES key unwrap integrity check failed (RFC 3394 §2.2.3: recovered IV differs).
    KeyWrapIntegrity,
    /// Input too long for the algorithm (AES-CM with a 16-bit block counter can
    /// encrypt at most 2^23 bits, RFC 3830 §4.2.3).
    InputTooLong {
        /// Maximum length in bytes.
        max: usize,
        /// Length supplied.
        got: usize,
    },
    /// An algorithm identifier that this implementation does not support.
    UnsupportedAlgorithm {
        /// Which registry the identifier belongs to ("PRF func", "Encr alg", "MAC alg").
        registry: &'static str,
        /// The wire value.
        value: u8,
    },
    /// An RSA key could not be decoded (not DER SPKI, PKCS#1 or PKCS#8, or PEM of one of them)
    /// or is unacceptable (inconsistent, or modulus outside 1024-8192 bits; RFC 8017 §3).
    InvalidRsaKey,
    /// An RSA operation failed: message too long to encrypt (RFC 8017 §7.2.1), ciphertext of
    /// the wrong length (RFC 8017 §7.2.2), or key too small for the signature scheme.
    RsaOperation,
    /// A signature did not verify (SIGN payload, RFC 3830 §5.2, §6.5).
    BadSignature,
    /// A modular exponentiation input is out of range (Diffie-Hellman, RFC 3830 §3.3): even
    /// modulus, modulus below 3 or above 8192 bits, base not below the modulus, or exponent
    /// longer than the modulus.
    InvalidModExpInput,
    /// A peer's Diffie-Hellman public value is outside `1 < y < p - 1` (RFC 2631 §2.1.5;
    /// RFC 3830 §3.3, §6.4).
    InvalidDhValue,
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CryptoError::InvalidKeyLength { expected, got } => {
                write!(
                    f,
                    "invalid key length: expected {expected} bytes, got {got}"
                )
            }
            CryptoError::InvalidSaltLength { expected, got } => {
                write!(
                    f,
                    "invalid salt length: expected {expected} bytes, got {got}"
                )
            }
            CryptoError::KeyWrapLength { got } => write!(
                f,
                "AES key wrap input of {got} bytes is not a multiple of 8 bytes or too short"
            ),
            CryptoError::KeyWrapIntegrity => f.write_str("AES key unwrap integrity check failed"),
            CryptoError::InputTooLong { max, got } => {
                write!(f, "input too long: {got} bytes, maximum {max}")
            }
            CryptoError::UnsupportedAlgorithm { registry, value } => {
                write!(f, "unsupported {registry} value {value}")
            }
            CryptoError::InvalidRsaKey => f.write_str("invalid or unacceptable RSA key"),
            CryptoError::RsaOperation => f.write_str("RSA operation failed"),
            CryptoError::BadSignature => f.write_str("signature verification failed"),
            CryptoError::InvalidModExpInput => {
                f.write_str("modular exponentiation input out of range")
            }
            CryptoError::InvalidDhValue => {
                f.write_str("Diffie-Hellman public value outside 1 < y < p - 1")
            }
        }
    }
}

impl std::error::Error for CryptoError {}
