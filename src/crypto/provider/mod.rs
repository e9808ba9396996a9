//! Pluggable public-key crypto for the MIKEY public-key, RSA-R and Diffie-Hellman modes
//! (RFC 3830 §3.2 (public-key envelope), §3.3 (DH-signature), RFC 4738 (RSA-R), RFC 4650
//! (DH-HMAC)), in the style of rustls's `CryptoProvider`.
//!
//! * [`CryptoProvider`]: RSA key loading, RSA key generation (tests/demos) and Diffie-Hellman
//!   modular exponentiation, on byte strings and opaque key handles ([`RsaPublic`],
//!   [`RsaPrivate`]).
//! * [`RustCryptoProvider`] / [`default_provider()`]: the implementation on the RustCrypto
//!   `rsa` and `crypto-bigint` crates.
//! * [`CountingProvider`]: a wrapper that counts private-key operations (RSA decryptions and
//!   signatures, DH exponentiations), for denial-of-service tests.
//!
//! Randomness for encryption padding, PSS salts and blinding comes from the caller's
//! [`Entropy`]; only [`CryptoProvider::rsa_generate`] and RSA decryption blinding use the
//! operating system's randomness.

use core::fmt;
use std::sync::Arc;

use super::entropy::Entropy;
use super::{CryptoError, SecretBytes};
use crate::wire::SignType;

mod counting;
mod modexp;
mod rustcrypto;

pub use counting::CountingProvider;
pub use rustcrypto::RustCryptoProvider;

/// Largest modulus accepted by [`CryptoProvider::modexp`]: 8192 bits, the largest MODP group
/// of RFC 3526 §7 (MIKEY itself uses OAKLEY 1, 2 and 5 of RFC 2409 §6.1, §6.2 and RFC 3526
/// §2: 768, 1024 and 1536 bits, RFC 3830 §6.4 Table 6.4). Bounds the work an input can cause.
pub const MAX_MODEXP_BITS: usize = 8192;

/// An RSA signature scheme of the SIGN payload (RFC 3830 §6.5, Table 6.5): `S type` 0 is
/// RSASSA-PKCS1-v1_5 and 1 is RSASSA-PSS (RFC 8017 §8.2, §8.1).
///
/// RFC 3830 §6.5 does not signal the hash function. SHA-256 is this crate's default
/// ([`SignatureScheme::from_s_type`]); the SHA-1 variants exist only for interoperability
/// with old peers and must be chosen explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureScheme {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (`S type` 0, RFC 3830 §6.5; RFC 8017 §8.2).
    RsaPkcs1Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-1 (`S type` 0, RFC 3830 §6.5), for old peers only.
    RsaPkcs1Sha1,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (`S type` 1, RFC 3830 §6.5;
    /// RFC 8017 §8.1). Verification accepts any salt length.
    RsaPssSha256,
    /// RSASSA-PSS with SHA-1, MGF1-SHA-1 and a 20-byte salt (`S type` 1, RFC 3830 §6.5), for
    /// old peers only. Verification accepts any salt length.
    RsaPssSha1,
}

impl SignatureScheme {
    /// The SHA-256 scheme of each `S type`: what a received SIGN is checked with by default.
    pub const DEFAULTS: [SignatureScheme; 2] = [
        SignatureScheme::RsaPkcs1Sha256,
        SignatureScheme::RsaPssSha256,
    ];

    /// The SIGN payload `S type` (RFC 3830 §6.5 Table 6.5): 0 for PKCS#1 v1.5, 1 for PSS,
    /// from [`SignType`].
    pub fn s_type(self) -> u8 {
        SignType::from(self).to_wire()
    }

    /// The default (SHA-256) scheme for a SIGN payload `S type` (RFC 3830 §6.5 Table 6.5).
    ///
    /// # Errors
    /// [`CryptoError::UnsupportedAlgorithm`] for any other `S type` (e.g. 2, ECCSI of
    /// RFC 6509).
    pub fn from_s_type(s_type: u8) -> Result<Self, CryptoError> {
        let t = SignType::from_wire(s_type);
        SignatureScheme::DEFAULTS
            .into_iter()
            .find(|s| SignType::from(*s) == t)
            .ok_or(CryptoError::UnsupportedAlgorithm {
                registry: "S type",
                value: s_type,
            })
    }
}

/// The one table between the signature schemes and their SIGN `S type` codes (RFC 3830
/// §6.5 Table 6.5; the hash is not signalled).
impl From<SignatureScheme> for SignType {
    fn from(s: SignatureScheme) -> SignType {
        match s {
            SignatureScheme::RsaPkcs1Sha256 | SignatureScheme::RsaPkcs1Sha1 => SignType::RsaPkcs1,
            SignatureScheme::RsaPssSha256 | SignatureScheme::RsaPssSha1 => SignType::RsaPss,
        }
    }
}

/// An RSA public key handle (the responder's key in the public-key mode, RFC 3830 §3.2; a
/// signer's key for SIGN payloads, RFC 3830 §5.2, §6.5).
pub trait RsaPublic: Send + Sync + fmt::Debug {
    /// RSAES-PKCS1-v1_5 encryption of `msg` (RFC 8017 §7.2.1), as used for the envelope key
    /// of the PKE payload (RFC 3830 §3.2, §6.8). Padding randomness comes from `rng`.
    ///
    /// # Errors
    /// [`CryptoError::RsaOperation`] if `msg` is longer than the modulus length minus 11.
    fn encrypt_pkcs1v15(&self, rng: &mut dyn Entropy, msg: &[u8]) -> Result<Vec<u8>, CryptoError>;

    /// Verifies `sig` over `msg` with `scheme` (SIGN payload, RFC 3830 §5.2, §6.5).
    ///
    /// # Errors
    /// [`CryptoError::BadSignature`] if the signature does not verify.
    fn verify(&self, scheme: SignatureScheme, msg: &[u8], sig: &[u8]) -> Result<(), CryptoError>;

    /// The modulus length in bytes (the length of ciphertexts and signatures, RFC 8017 §5).
    fn modulus_len(&self) -> usize;

    /// The key as a DER `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7, RFC 3279 §2.3.1).
    fn to_spki_der(&self) -> Vec<u8>;
}

/// An RSA private key handle (the responder's key in the public-key mode, RFC 3830 §3.2; the
/// signer's key for SIGN payloads, RFC 3830 §5.2, §6.5; the RSA-R initiator, RFC 4738).
///
/// `Debug` shows only the modulus size; the key is zeroized on drop.
pub trait RsaPrivate: RsaPublic {
    /// The public half as its own handle.
    fn public(&self) -> Box<dyn RsaPublic>;

    /// RSAES-PKCS1-v1_5 decryption (RFC 8017 §7.2.2) of a PKE payload's envelope
    /// (RFC 3830 §3.2, §6.8).
    ///
    /// The [`RustCryptoProvider`] uses *implicit rejection*: a ciphertext with invalid padding
    /// decrypts to a deterministic pseudo-random message rather than an error, so that the
    /// result gives no padding oracle. The caller must authenticate the result (in MIKEY the
    /// KEMAC MAC keyed from the envelope key does this, RFC 3830 §3.2, §5.2).
    ///
    /// # Errors
    /// [`CryptoError::RsaOperation`] if the ciphertext has the wrong length or is not smaller
    /// than the modulus.
    fn decrypt_pkcs1v15(&self, ciphertext: &[u8]) -> Result<SecretBytes, CryptoError>;

    /// Signs `msg` with `scheme` (SIGN payload, RFC 3830 §5.2, §6.5). The PSS salt and
    /// blinding factors come from `rng`.
    ///
    /// # Errors
    /// [`CryptoError::RsaOperation`] if the key is too small for the scheme.
    fn sign(
        &self,
        rng: &mut dyn Entropy,
        scheme: SignatureScheme,
        msg: &[u8],
    ) -> Result<Vec<u8>, CryptoError>;

    /// The key as DER PKCS#8 `PrivateKeyInfo` (RFC 5208 §5), zeroized on drop.
    fn to_pkcs8_der(&self) -> SecretBytes;
}

/// A source of the public-key operations of the MIKEY modes: RSA for the public-key envelope
/// (RFC 3830 §3.2), SIGN payloads (RFC 3830 §5.2, §6.5) and RSA-R (RFC 4738), and modular
/// exponentiation for the Diffie-Hellman modes (RFC 3830 §3.3, RFC 4650).
pub trait CryptoProvider: Send + Sync + fmt::Debug {
    /// A short name for logs and tests.
    fn name(&self) -> &'static str;

    /// Loads an RSA public key from DER `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7) or
    /// PKCS#1 `RSAPublicKey` (RFC 8017 §A.1.1).
    ///
    /// # Errors
    /// [`CryptoError::InvalidRsaKey`] if the input is neither, or the modulus is outside
    /// 1024-8192 bits.
    fn rsa_public_from_der(
        &self,
        spki_or_pkcs1_der: &[u8],
    ) -> Result<Box<dyn RsaPublic>, CryptoError>;

    /// Loads an RSA private key from DER PKCS#8 `PrivateKeyInfo` (RFC 5208 §5) or PKCS#1
    /// `RSAPrivateKey` (RFC 8017 §A.1.2).
    ///
    /// # Errors
    /// [`CryptoError::InvalidRsaKey`] if the input is neither, the key is inconsistent, or
    /// the modulus is outside 1024-8192 bits.
    fn rsa_private_from_der(
        &self,
        pkcs8_or_pkcs1_der: &[u8],
    ) -> Result<Box<dyn RsaPrivate>, CryptoError>;

    /// Generates an RSA key pair with a `bits`-bit modulus and public exponent 65537 (RFC 8017
    /// §3), from the operating system's randomness. For tests and demos: deployments load
    /// their keys.
    ///
    /// # Errors
    /// [`CryptoError::InvalidRsaKey`] if `bits` is outside 1024-8192.
    fn rsa_generate(&self, bits: usize) -> Result<Box<dyn RsaPrivate>, CryptoError>;

    /// `base^exponent mod modulus`, the Diffie-Hellman operation of RFC 3830 §3.3 (`g^x`
    /// and `g^(xy)` in the OAKLEY MODP groups of RFC 3830 §6.4). Constant time with respect to
    /// the exponent's value (its length is public). `base` and `modulus` are public.
    ///
    /// The result is left-padded with zeros to the length of `modulus` without its leading
    /// zero bytes (the DH value length of RFC 3830 §6.4).
    ///
    /// # Errors
    /// [`CryptoError::InvalidModExpInput`] if the modulus is even, smaller than 3 or longer
    /// than [`MAX_MODEXP_BITS`], the base is not smaller than the modulus, or the exponent is
    /// longer (in bytes) than the modulus.
    fn modexp(
        &self,
        base: &[u8],
        exponent: &SecretBytes,
        modulus: &[u8],
    ) -> Result<SecretBytes, CryptoError>;

    /// Loads an RSA public key from PEM (RFC 7468 §13 `PUBLIC KEY`, or `RSA PUBLIC KEY`)
    /// through [`rsa_public_from_der`](Self::rsa_public_from_der).
    ///
    /// # Errors
    /// [`CryptoError::InvalidRsaKey`] if the PEM is malformed, has another label, or the key
    /// is rejected.
    fn rsa_public_from_pem(&self, pem: &str) -> Result<Box<dyn RsaPublic>, CryptoError> {
        let der = pem_decode(pem, &["PUBLIC KEY", "RSA PUBLIC KEY"])?;
        self.rsa_public_from_der(der.as_bytes())
    }

    /// Loads an RSA private key from PEM (RFC 7468 §10 `PRIVATE KEY`, or `RSA PRIVATE KEY`)
    /// through [`rsa_private_from_der`](Self::rsa_private_from_der). Encrypted keys are not
    /// supported.
    ///
    /// # Errors
    /// [`CryptoError::InvalidRsaKey`] if the PEM is malformed, has another label, or the key
    /// is rejected.
    fn rsa_private_from_pem(&self, pem: &str) -> Result<Box<dyn RsaPrivate>, CryptoError> {
        let der = pem_decode(pem, &["PRIVATE KEY", "RSA PRIVATE KEY"])?;
        self.rsa_private_from_der(der.as_bytes())
    }
}

/// A shared provider is a provider (so a [`CountingProvider`] can wrap an
/// `Arc<dyn CryptoProvider>` chosen at run time).
impl<T: CryptoProvider + ?Sized> CryptoProvider for Arc<T> {
    fn name(&self) -> &'static str {
        (**self).name()
    }

    fn rsa_public_from_der(
        &self,
        spki_or_pkcs1_der: &[u8],
    ) -> Result<Box<dyn RsaPublic>, CryptoError> {
        (**self).rsa_public_from_der(spki_or_pkcs1_der)
    }

    fn rsa_private_from_der(
        &self,
        pkcs8_or_pkcs1_der: &[u8],
    ) -> Result<Box<dyn RsaPrivate>, CryptoError> {
        (**self).rsa_private_from_der(pkcs8_or_pkcs1_der)
    }

    fn rsa_generate(&self, bits: usize) -> Result<Box<dyn RsaPrivate>, CryptoError> {
        (**self).rsa_generate(bits)
    }

    fn modexp(
        &self,
        base: &[u8],
        exponent: &SecretBytes,
        modulus: &[u8],
    ) -> Result<SecretBytes, CryptoError> {
        (**self).modexp(base, exponent, modulus)
    }
}

/// A shared public key is a public key (one parsed key object used by many exchanges, e.g.
/// `Box::new(Arc::clone(&key))` where an exchange takes a `Box<dyn RsaPublic>`).
impl<T: RsaPublic + ?Sized> RsaPublic for Arc<T> {
    fn encrypt_pkcs1v15(&self, rng: &mut dyn Entropy, msg: &[u8]) -> Result<Vec<u8>, CryptoError> {
        (**self).encrypt_pkcs1v15(rng, msg)
    }

    fn verify(&self, scheme: SignatureScheme, msg: &[u8], sig: &[u8]) -> Result<(), CryptoError> {
        (**self).verify(scheme, msg, sig)
    }

    fn modulus_len(&self) -> usize {
        (**self).modulus_len()
    }

    fn to_spki_der(&self) -> Vec<u8> {
        (**self).to_spki_der()
    }
}

/// A shared private key is a private key (one loaded key used by many exchanges, e.g.
/// `Box::new(Arc::clone(&key))` where an exchange takes a `Box<dyn RsaPrivate>`).
impl<T: RsaPrivate + ?Sized> RsaPrivate for Arc<T> {
    fn public(&self) -> Box<dyn RsaPublic> {
        (**self).public()
    }

    fn decrypt_pkcs1v15(&self, ciphertext: &[u8]) -> Result<SecretBytes, CryptoError> {
        (**self).decrypt_pkcs1v15(ciphertext)
    }

    fn sign(
        &self,
        rng: &mut dyn Entropy,
        scheme: SignatureScheme,
        msg: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        (**self).sign(rng, scheme, msg)
    }

    fn to_pkcs8_der(&self) -> SecretBytes {
        (**self).to_pkcs8_der()
    }
}

/// Decodes an RFC 7468 PEM document with one of `labels` into zeroized-on-drop DER.
fn pem_decode(pem: &str, labels: &[&str]) -> Result<SecretBytes, CryptoError> {
    let (label, der) =
        rsa::pkcs8::der::pem::decode_vec(pem.as_bytes()).map_err(|_| CryptoError::InvalidRsaKey)?;
    let der = SecretBytes::from(der);
    if labels.contains(&label) {
        Ok(der)
    } else {
        Err(CryptoError::InvalidRsaKey)
    }
}

/// The default provider: [`RustCryptoProvider`].
pub fn default_provider() -> &'static dyn CryptoProvider {
    static DEFAULT: RustCryptoProvider = RustCryptoProvider;
    &DEFAULT
}

/// The default provider as the shared handle responders and initiators hold: one
/// allocation for the process, cloned (a reference count) by every new session.
pub(crate) fn default_provider_arc() -> std::sync::Arc<dyn CryptoProvider> {
    static DEFAULT: std::sync::OnceLock<std::sync::Arc<dyn CryptoProvider>> =
        std::sync::OnceLock::new();
    DEFAULT
        .get_or_init(|| std::sync::Arc::new(RustCryptoProvider))
        .clone()
}

#[cfg(test)]
mod tests;
