//! [`RustCryptoProvider`]: the default [`CryptoProvider`] on the RustCrypto `rsa` crate
//! (RFC 8017: PKCS#1 v1.5 encryption and signatures, RSASSA-PSS) and `crypto-bigint`
//! (constant-time modular exponentiation, [`super::modexp`]).

use core::fmt;

use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rsa::rand_core::{TryCryptoRng, TryRng};
use rsa::traits::PublicKeyParts;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::modexp::modexp_ct;
use super::{CryptoProvider, RsaPrivate, RsaPublic, SignatureScheme};
use crate::crypto::entropy::{Entropy, OsEntropy};
use crate::crypto::{CryptoError, SecretBytes};

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
