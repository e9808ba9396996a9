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
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, Odd};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rsa::rand_core::{TryCryptoRng, TryRng};
use rsa::traits::PublicKeyParts;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use super::entropy::{Entropy, OsEntropy};
use super::{CryptoError, SecretBytes};
use crate::wire::SignType;

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

/// [`CryptoProvider`] on the RustCrypto `rsa` (RFC 8017) and `crypto-bigint` crates.
#[derive(Debug, Clone, Copy, Default)]
pub struct RustCryptoProvider;

impl CryptoProvider for RustCryptoProvider {
    fn name(&self) -> &'static str {
        "rustcrypto"
    }

    fn rsa_public_from_der(
        &self,
        spki_or_pkcs1_der: &[u8],
    ) -> Result<Box<dyn RsaPublic>, CryptoError> {
        let key = rsa::PublicKey::from_public_key_der(spki_or_pkcs1_der)
            .or_else(|_| rsa::PublicKey::from_pkcs1_der(spki_or_pkcs1_der))
            .map_err(|_| CryptoError::InvalidRsaKey)?;
        Ok(Box::new(RcPublic::new(key)?))
    }

    fn rsa_private_from_der(
        &self,
        pkcs8_or_pkcs1_der: &[u8],
    ) -> Result<Box<dyn RsaPrivate>, CryptoError> {
        let key = rsa::PrivateKey::from_pkcs8_der(pkcs8_or_pkcs1_der)
            .or_else(|_| rsa::PrivateKey::from_pkcs1_der(pkcs8_or_pkcs1_der))
            .map_err(|_| CryptoError::InvalidRsaKey)?;
        Ok(Box::new(RcPrivate::new(key)?))
    }

    fn rsa_generate(&self, bits: usize) -> Result<Box<dyn RsaPrivate>, CryptoError> {
        if !(rsa::PublicKey::MIN_SIZE..=rsa::PublicKey::MAX_SIZE).contains(&bits) {
            return Err(CryptoError::InvalidRsaKey);
        }
        let mut os = OsEntropy;
        let key = rsa::PrivateKey::new(&mut EntropyRng(&mut os), bits)
            .map_err(|_| CryptoError::InvalidRsaKey)?;
        Ok(Box::new(RcPrivate::new(key)?))
    }

    fn modexp(
        &self,
        base: &[u8],
        exponent: &SecretBytes,
        modulus: &[u8],
    ) -> Result<SecretBytes, CryptoError> {
        modexp_ct(base, exponent, modulus)
    }
}

/// Adapter from the caller's [`Entropy`] to the `rand_core` traits the `rsa` crate takes.
struct EntropyRng<'a>(&'a mut dyn Entropy);

impl TryRng for EntropyRng<'_> {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.0.fill(&mut b);
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.0.fill(&mut b);
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.0.fill(dst);
        Ok(())
    }
}

/// [`Entropy`] is documented as a source of cryptographic randomness.
impl TryCryptoRng for EntropyRng<'_> {}

/// RustCrypto RSA public key with its precomputed SPKI encoding.
#[derive(Clone)]
struct RcPublic {
    key: rsa::PublicKey,
    spki: Vec<u8>,
}

impl RcPublic {
    fn new(key: rsa::PublicKey) -> Result<Self, CryptoError> {
        let spki = key
            .to_public_key_der()
            .map_err(|_| CryptoError::InvalidRsaKey)?
            .into_vec();
        Ok(RcPublic { key, spki })
    }
}

impl fmt::Debug for RcPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaPublicKey({} bits)", self.key.size() * 8)
    }
}

fn rc_encrypt(
    key: &rsa::PublicKey,
    rng: &mut dyn Entropy,
    msg: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    key.pkcs1v15_encrypt_with_rng(&mut EntropyRng(rng), msg)
        .map_err(|_| CryptoError::RsaOperation)
}

fn rc_verify(
    key: &rsa::PublicKey,
    scheme: SignatureScheme,
    msg: &[u8],
    sig: &[u8],
) -> Result<(), CryptoError> {
    let r = match scheme {
        SignatureScheme::RsaPkcs1Sha256 => key.pkcs1v15_verify::<Sha256>(msg, sig),
        SignatureScheme::RsaPkcs1Sha1 => key.pkcs1v15_verify::<Sha1>(msg, sig),
        // `salt_len: None`: any salt length (RFC 8017 §9.1.2 leaves it to the application).
        SignatureScheme::RsaPssSha256 => key.verify(
            rsa::Pss {
                blinded: true,
                digest: Sha256::new(),
                salt_len: None,
            },
            &Sha256::digest(msg),
            sig,
        ),
        SignatureScheme::RsaPssSha1 => key.verify(
            rsa::Pss {
                blinded: true,
                digest: Sha1::new(),
                salt_len: None,
            },
            &Sha1::digest(msg),
            sig,
        ),
    };
    r.map_err(|_| CryptoError::BadSignature)
}

impl RsaPublic for RcPublic {
    fn encrypt_pkcs1v15(&self, rng: &mut dyn Entropy, msg: &[u8]) -> Result<Vec<u8>, CryptoError> {
        rc_encrypt(&self.key, rng, msg)
    }

    fn verify(&self, scheme: SignatureScheme, msg: &[u8], sig: &[u8]) -> Result<(), CryptoError> {
        rc_verify(&self.key, scheme, msg, sig)
    }

    fn modulus_len(&self) -> usize {
        self.key.size()
    }

    fn to_spki_der(&self) -> Vec<u8> {
        self.spki.clone()
    }
}

/// RustCrypto RSA private key (zeroized on drop by `rsa`) with its precomputed encodings.
struct RcPrivate {
    key: rsa::PrivateKey,
    public: RcPublic,
    pkcs8: SecretBytes,
}

impl RcPrivate {
    fn new(key: rsa::PrivateKey) -> Result<Self, CryptoError> {
        let public = RcPublic::new(key.to_public_key())?;
        let doc = key.to_pkcs8_der().map_err(|_| CryptoError::InvalidRsaKey)?;
        let pkcs8 = SecretBytes::from_slice(doc.as_bytes());
        Ok(RcPrivate { key, public, pkcs8 })
    }
}

impl fmt::Debug for RcPrivate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaPrivateKey({} bits)", self.public.modulus_len() * 8)
    }
}

impl RsaPublic for RcPrivate {
    fn encrypt_pkcs1v15(&self, rng: &mut dyn Entropy, msg: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.public.encrypt_pkcs1v15(rng, msg)
    }

    fn verify(&self, scheme: SignatureScheme, msg: &[u8], sig: &[u8]) -> Result<(), CryptoError> {
        self.public.verify(scheme, msg, sig)
    }

    fn modulus_len(&self) -> usize {
        self.public.modulus_len()
    }

    fn to_spki_der(&self) -> Vec<u8> {
        self.public.to_spki_der()
    }
}

impl RsaPrivate for RcPrivate {
    fn public(&self) -> Box<dyn RsaPublic> {
        Box::new(self.public.clone())
    }

    fn decrypt_pkcs1v15(&self, ciphertext: &[u8]) -> Result<SecretBytes, CryptoError> {
        let mut os = OsEntropy;
        self.key
            .pkcs1v15_decrypt_with_rng(&mut EntropyRng(&mut os), ciphertext)
            .map(SecretBytes::from)
            .map_err(|_| CryptoError::RsaOperation)
    }

    fn sign(
        &self,
        rng: &mut dyn Entropy,
        scheme: SignatureScheme,
        msg: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let mut rng = EntropyRng(rng);
        let r = match scheme {
            SignatureScheme::RsaPkcs1Sha256 => {
                self.key.pkcs1v15_sign_with_rng::<Sha256, _>(&mut rng, msg)
            }
            SignatureScheme::RsaPkcs1Sha1 => {
                self.key.pkcs1v15_sign_with_rng::<Sha1, _>(&mut rng, msg)
            }
            SignatureScheme::RsaPssSha256 => self.key.pss_sign_with_rng::<Sha256, _>(&mut rng, msg),
            SignatureScheme::RsaPssSha1 => self.key.pss_sign_with_rng::<Sha1, _>(&mut rng, msg),
        };
        r.map_err(|_| CryptoError::RsaOperation)
    }

    fn to_pkcs8_der(&self) -> SecretBytes {
        self.pkcs8.clone()
    }
}

fn strip_leading_zeros(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|&&x| x == 0).count();
    &b[n..]
}

/// Constant-time (in the exponent's value) `base^exponent mod modulus` with a fixed-window
/// Montgomery ladder over exactly `8 * exponent.len()` exponent bits, so a 256-bit exponent
/// modulo a 1536-bit prime costs about 256 squarings.
fn modexp_ct(
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

/// A [`CryptoProvider`] wrapper that counts private-key operations: RSA decryptions
/// ([`RsaPrivate::decrypt_pkcs1v15`]) and signatures ([`RsaPrivate::sign`]) on keys loaded or
/// generated through it, and Diffie-Hellman exponentiations ([`CryptoProvider::modexp`]).
///
/// For denial-of-service tests: a responder should do no private-key operation before cheap
/// checks pass (RFC 3830 §5.3 processing order, §9.2 denial of service). Every call counts,
/// successful or not.
#[derive(Debug, Default)]
pub struct CountingProvider<P> {
    inner: P,
    private_ops: Arc<AtomicUsize>,
}

impl<P: CryptoProvider> CountingProvider<P> {
    /// Wraps `inner` with a count of zero.
    pub fn new(inner: P) -> Self {
        CountingProvider {
            inner,
            private_ops: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Private-key operations so far, through this provider and the private keys it made.
    pub fn private_ops(&self) -> usize {
        self.private_ops.load(Ordering::SeqCst)
    }

    /// The wrapped provider.
    pub fn inner(&self) -> &P {
        &self.inner
    }

    fn wrap(&self, key: Box<dyn RsaPrivate>) -> Box<dyn RsaPrivate> {
        Box::new(CountingPrivate {
            inner: key,
            private_ops: Arc::clone(&self.private_ops),
        })
    }
}

impl<P: CryptoProvider> CryptoProvider for CountingProvider<P> {
    fn name(&self) -> &'static str {
        "counting"
    }

    fn rsa_public_from_der(
        &self,
        spki_or_pkcs1_der: &[u8],
    ) -> Result<Box<dyn RsaPublic>, CryptoError> {
        self.inner.rsa_public_from_der(spki_or_pkcs1_der)
    }

    fn rsa_private_from_der(
        &self,
        pkcs8_or_pkcs1_der: &[u8],
    ) -> Result<Box<dyn RsaPrivate>, CryptoError> {
        Ok(self.wrap(self.inner.rsa_private_from_der(pkcs8_or_pkcs1_der)?))
    }

    fn rsa_generate(&self, bits: usize) -> Result<Box<dyn RsaPrivate>, CryptoError> {
        Ok(self.wrap(self.inner.rsa_generate(bits)?))
    }

    fn modexp(
        &self,
        base: &[u8],
        exponent: &SecretBytes,
        modulus: &[u8],
    ) -> Result<SecretBytes, CryptoError> {
        self.private_ops.fetch_add(1, Ordering::SeqCst);
        self.inner.modexp(base, exponent, modulus)
    }
}

/// A private key made by a [`CountingProvider`]; counts into the provider's counter.
#[derive(Debug)]
struct CountingPrivate {
    inner: Box<dyn RsaPrivate>,
    private_ops: Arc<AtomicUsize>,
}

impl RsaPublic for CountingPrivate {
    fn encrypt_pkcs1v15(&self, rng: &mut dyn Entropy, msg: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.inner.encrypt_pkcs1v15(rng, msg)
    }

    fn verify(&self, scheme: SignatureScheme, msg: &[u8], sig: &[u8]) -> Result<(), CryptoError> {
        self.inner.verify(scheme, msg, sig)
    }

    fn modulus_len(&self) -> usize {
        self.inner.modulus_len()
    }

    fn to_spki_der(&self) -> Vec<u8> {
        self.inner.to_spki_der()
    }
}

impl RsaPrivate for CountingPrivate {
    fn public(&self) -> Box<dyn RsaPublic> {
        self.inner.public()
    }

    fn decrypt_pkcs1v15(&self, ciphertext: &[u8]) -> Result<SecretBytes, CryptoError> {
        self.private_ops.fetch_add(1, Ordering::SeqCst);
        self.inner.decrypt_pkcs1v15(ciphertext)
    }

    fn sign(
        &self,
        rng: &mut dyn Entropy,
        scheme: SignatureScheme,
        msg: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        self.private_ops.fetch_add(1, Ordering::SeqCst);
        self.inner.sign(rng, scheme, msg)
    }

    fn to_pkcs8_der(&self) -> SecretBytes {
        self.inner.to_pkcs8_der()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::NonZero;
    use proptest::prelude::*;

    /// OAKLEY group 5 prime: the 1536-bit MODP group of RFC 3526 §2 (RFC 3830 §6.4 DH-Group
    /// 0), generator 2.
    const OAKLEY5_P: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74\
        020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245\
        E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE6\
        49286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD96\
        1C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF";

    /// A 256-bit exponent and `2^A mod p` for OAKLEY 5, computed independently with `bc`
    /// (square-and-multiply on arbitrary-precision integers).
    const KAT_A: &str = "7A3C1E5F2B8D4C6E9F0A1B2C3D4E5F60718293A4B5C6D7E8F901122334455667";
    const KAT_2_POW_A: &str = "534C5459D93DD699FCDFEB613806B03232CC032569761C39C36A470804308A08\
        91E11BE54766E1E967DC308E39BDA42C715F1316F33A011B96C5E7E414D118CD60FC4CDF39693826BF551D5D\
        3A0E580AF546CBB27444C3049C6159195E30D4FB1F9BC91374FB6AB838DBF258662F4A15844058FF73A43971\
        723422074BB1A2DCE1B3BE0CD8713506B753F1439071E74A9DEC1A181652B6A706D900EC58C55303AA5C75B2\
        C107AE443E5CBC261F9D23AB53E43957DE12B83FF085716493D06C3F";

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        let s = if s.len() % 2 == 1 { format!("0{s}") } else { s };
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn left_pad(v: &[u8], len: usize) -> Vec<u8> {
        let mut out = vec![0; len - v.len()];
        out.extend_from_slice(v);
        out
    }

    fn modexp(base: &[u8], exp: &[u8], modulus: &[u8]) -> Result<SecretBytes, CryptoError> {
        default_provider().modexp(base, &SecretBytes::from_slice(exp), modulus)
    }

    /// Square-and-multiply on `u128`, the naive reference for moduli below 2^64.
    fn naive_u64(base: u64, exp: &[u8], m: u64) -> u64 {
        let m = u128::from(m);
        let mut r: u128 = 1 % m;
        let b = u128::from(base) % m;
        for byte in exp {
            for i in (0..8).rev() {
                r = r * r % m;
                if byte >> i & 1 == 1 {
                    r = r * b % m;
                }
            }
        }
        r as u64
    }

    /// Left-to-right square-and-multiply with `BoxedUint::mul_mod`, the naive reference for
    /// large moduli (independent of the windowed Montgomery code under test).
    fn naive_big(base: &[u8], exp: &[u8], modulus: &[u8]) -> Vec<u8> {
        let n = BoxedUint::from_be_slice_vartime(modulus);
        let prec = n.bits_precision();
        let n = NonZero::new(n).unwrap();
        let b = BoxedUint::from_be_slice(base, prec).unwrap();
        let mut r = BoxedUint::one_with_precision(prec);
        for byte in exp {
            for i in (0..8).rev() {
                r = r.mul_mod(&r, &n);
                if byte >> i & 1 == 1 {
                    r = r.mul_mod(&b, &n);
                }
            }
        }
        let bytes = r.to_be_bytes();
        bytes[bytes.len() - modulus.len()..].to_vec()
    }

    #[test]
    fn small_known_answers() {
        // 3^17 = 129140163 = 0x07B285C3; mod 2^31-1 (prime) it is unchanged.
        let m = 0x7FFF_FFFFu32.to_be_bytes();
        let r = modexp(&[3], &[17], &m).unwrap();
        assert_eq!(r.as_bytes(), &[0x07, 0xB2, 0x85, 0xC3]);
        // 4^13 mod 497 = 445 (textbook example).
        let r = modexp(&[4], &[13], &[0x01, 0xF1]).unwrap();
        assert_eq!(r.as_bytes(), &[0x01, 0xBD]);
        // Left padding to the modulus length, leading zero bytes of the inputs ignored.
        let r = modexp(&[0, 0, 2], &[0, 1], &[0, 0, 1, 0, 1]).unwrap();
        assert_eq!(r.as_bytes(), &[0, 0, 2]);
        // x^0 = 1, including an empty exponent.
        assert_eq!(modexp(&[5], &[0], &[7]).unwrap().as_bytes(), &[1]);
        assert_eq!(modexp(&[5], &[], &[7]).unwrap().as_bytes(), &[1]);
        // 0^e = 0.
        assert_eq!(modexp(&[], &[9], &[7]).unwrap().as_bytes(), &[0]);
    }

    #[test]
    fn oakley5_known_answer_from_bc() {
        let p = hex(OAKLEY5_P);
        assert_eq!(p.len(), 192);
        let r = modexp(&[2], &hex(KAT_A), &p).unwrap();
        assert_eq!(r.len(), 192);
        assert_eq!(r.as_bytes(), left_pad(&hex(KAT_2_POW_A), 192).as_slice());
        assert_eq!(r.as_bytes(), naive_big(&[2], &hex(KAT_A), &p).as_slice());
    }

    #[test]
    fn oakley5_exponent_laws_and_dh_agreement() {
        let p = hex(OAKLEY5_P);
        let n = NonZero::new(BoxedUint::from_be_slice_vartime(&p)).unwrap();
        let prec = n.bits_precision();
        let a = hex(KAT_A);
        let b = hex("0C0FFEE0DDBA11FACADE5EEDBEEFCAFE1234567890ABCDEF0FEDCBA987654321");
        // a + b as a 33-byte exponent.
        let sum = BoxedUint::from_be_slice(&a, 264)
            .unwrap()
            .wrapping_add(BoxedUint::from_be_slice(&b, 264).unwrap());
        let sum = sum.to_be_bytes();
        let sum = &sum[sum.len() - 33..];

        let ga = modexp(&[2], &a, &p).unwrap();
        let gb = modexp(&[2], &b, &p).unwrap();
        let gab_sum = modexp(&[2], sum, &p).unwrap();
        let prod = BoxedUint::from_be_slice(ga.as_bytes(), prec)
            .unwrap()
            .mul_mod(&BoxedUint::from_be_slice(gb.as_bytes(), prec).unwrap(), &n);
        let prod = prod.to_be_bytes();
        assert_eq!(&prod[prod.len() - 192..], gab_sum.as_bytes());

        // Diffie-Hellman: (g^a)^b = (g^b)^a (RFC 3830 §3.3).
        let k1 = modexp(ga.as_bytes(), &b, &p).unwrap();
        let k2 = modexp(gb.as_bytes(), &a, &p).unwrap();
        assert_eq!(k1, k2);
        assert_eq!(k1.as_bytes(), naive_big(ga.as_bytes(), &b, &p).as_slice());
        // A full-width exponent (192 bytes) agrees with the naive reference too.
        let long: Vec<u8> = (0..192u8).map(|i| i.wrapping_mul(37) ^ 0x5A).collect();
        assert_eq!(
            modexp(gb.as_bytes(), &long, &p).unwrap().as_bytes(),
            naive_big(gb.as_bytes(), &long, &p).as_slice()
        );
    }

    #[test]
    fn rejects_out_of_range_inputs() {
        let bad = Err(CryptoError::InvalidModExpInput);
        assert_eq!(modexp(&[2], &[1], &[]), bad);
        assert_eq!(modexp(&[2], &[1], &[0, 0]), bad);
        assert_eq!(modexp(&[0], &[1], &[1]), bad);
        assert_eq!(modexp(&[2], &[1], &[8]), bad); // even
        assert_eq!(modexp(&[2], &[1], &[1, 0]), bad); // even
        assert_eq!(modexp(&[7], &[1], &[7]), bad); // base = modulus
        assert_eq!(modexp(&[1, 0], &[1], &[0xFF]), bad); // base > modulus
        assert_eq!(modexp(&[2], &[1, 1], &[0xFF]), bad); // exponent longer than modulus
        let mut huge = vec![0xFF; MAX_MODEXP_BITS / 8 + 1];
        assert_eq!(modexp(&[2], &[1], &huge), bad);
        huge.pop();
        assert!(modexp(&[2], &[3], &huge).is_ok());
    }

    #[test]
    fn debug_of_secret_result_hides_value() {
        let r = modexp(&[4], &[13], &[0x01, 0xF1]).unwrap();
        assert_eq!(format!("{r:?}"), "SecretBytes(2 bytes)");
    }

    proptest! {
        #[test]
        fn matches_naive_reference(
            m in 3u64..,
            base in any::<u64>(),
            exp in proptest::collection::vec(any::<u8>(), 0..=8),
        ) {
            let m = m | 1;
            let base = base % m;
            let k = m.to_be_bytes();
            let k = strip_leading_zeros(&k);
            let exp = &exp[..exp.len().min(k.len())];
            let r = modexp(&base.to_be_bytes(), exp, k).unwrap();
            let want = naive_u64(base, exp, m).to_be_bytes();
            prop_assert_eq!(r.as_bytes(), &want[8 - k.len()..]);
        }

        #[test]
        fn never_panics(
            base in proptest::collection::vec(any::<u8>(), 0..40),
            exp in proptest::collection::vec(any::<u8>(), 0..40),
            m in proptest::collection::vec(any::<u8>(), 0..40),
        ) {
            let _ = modexp(&base, &exp, &m);
        }
    }
}
