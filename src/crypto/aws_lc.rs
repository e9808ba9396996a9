//! A [`CryptoProvider`] on AWS-LC (`aws-lc-rs`), cargo feature `aws-lc`: RSA PKCS#1 v1.5
//! encryption and decryption (RFC 8017 §7.2; the PKE envelope of RFC 3830 §3.2, RFC 4738
//! §3.6) and RSASSA-PKCS1-v1_5 / RSASSA-PSS signatures with SHA-256 (RFC 8017 §8; the SIGN
//! payload of RFC 3830 §6.5) run in AWS-LC.
//!
//! What AWS-LC does not offer falls back to the RustCrypto implementation
//! ([`RustCryptoProvider`]), with identical results on the wire:
//! * key loading and encoding (both providers load the same DER/PEM formats), key
//!   generation, and the Diffie-Hellman [`modexp`](CryptoProvider::modexp);
//! * keys smaller than 2048 bits for encryption, decryption and signing (AWS-LC's RSA
//!   encryption and signing keys are 2048-8192 bits; verification uses AWS-LC's legacy
//!   1024-8192 bit parameters);
//! * SHA-1 signatures (PKCS#1 v1.5 and PSS) and verification of PSS signatures whose salt is
//!   not the digest length (AWS-LC verifies PSS with a salt as long as the digest; a
//!   signature it rejects is checked again by RustCrypto, which accepts any salt length).
//!
//! Differences: AWS-LC draws padding randomness, PSS salts and blinding from its own
//! generator, not from the caller's [`Entropy`]; and its PKCS#1 v1.5 decryption reports
//! invalid padding as an error instead of RustCrypto's implicit rejection. MIKEY decrypts
//! PKE only after the signature over the message verified, and the KEMAC MAC keyed from the
//! envelope key checks the result either way.
//!
//! Building needs only a C compiler (AWS-LC is compiled from C sources by `aws-lc-sys`
//! with `cc`; no cmake, clang, Go or NASM on x86_64 Linux). The build includes AWS-LC's
//! assembly, AVX-512 IFMA RSA included (not with `AWS_LC_SYS_SMALL` or opt-level `s`/`z`):
//! an RSA-2048 private operation costs what `openssl speed rsa2048` reports for the system
//! OpenSSL on the same machine (`benches/modes.rs` prints both in one run).
//!
//! ```
//! use mikey::crypto::{aws_lc::AwsLcProvider, CryptoProvider, SignatureScheme};
//! let p = AwsLcProvider;
//! let key = p.rsa_private_from_pem(include_str!("../../testvectors/keys/rsa2048-a.pem")).unwrap();
//! let sig = key.sign(&mut mikey::crypto::OsEntropy, SignatureScheme::RsaPkcs1Sha256, b"msg").unwrap();
//! let public = mikey::crypto::default_provider().rsa_public_from_der(&key.to_spki_der()).unwrap();
//! public.verify(SignatureScheme::RsaPkcs1Sha256, b"msg", &sig).unwrap();
//! ```

use core::fmt;
use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{
    KeyPair, Pkcs1PrivateDecryptingKey, Pkcs1PublicEncryptingKey, PrivateDecryptingKey,
    PublicEncryptingKey,
};
use aws_lc_rs::signature::{self, UnparsedPublicKey};

use super::entropy::Entropy;
use super::provider::{CryptoProvider, RsaPrivate, RsaPublic, RustCryptoProvider, SignatureScheme};
use super::{CryptoError, SecretBytes};

/// The AWS-LC provider (see the [module documentation](self)).
#[derive(Debug, Clone, Copy, Default)]
pub struct AwsLcProvider;

impl CryptoProvider for AwsLcProvider {
    fn name(&self) -> &'static str {
        "aws-lc"
    }

    fn rsa_public_from_der(
        &self,
        spki_or_pkcs1_der: &[u8],
    ) -> Result<Box<dyn RsaPublic>, CryptoError> {
        let rc = RustCryptoProvider.rsa_public_from_der(spki_or_pkcs1_der)?;
        Ok(Box::new(AwsPublic::new(rc)?))
    }

    fn rsa_private_from_der(
        &self,
        pkcs8_or_pkcs1_der: &[u8],
    ) -> Result<Box<dyn RsaPrivate>, CryptoError> {
        let rc = RustCryptoProvider.rsa_private_from_der(pkcs8_or_pkcs1_der)?;
        Ok(Box::new(AwsPrivate::new(rc)?))
    }

    fn rsa_generate(&self, bits: usize) -> Result<Box<dyn RsaPrivate>, CryptoError> {
        let rc = RustCryptoProvider.rsa_generate(bits)?;
        Ok(Box::new(AwsPrivate::new(rc)?))
    }

    fn modexp(
        &self,
        base: &[u8],
        exponent: &SecretBytes,
        modulus: &[u8],
    ) -> Result<SecretBytes, CryptoError> {
        RustCryptoProvider.modexp(base, exponent, modulus)
    }
}

/// The PKCS#1 `RSAPublicKey` inside a DER SPKI (RFC 5280 §4.1.2.7, RFC 3279 §2.3.1).
fn pkcs1_of_spki(spki: &[u8]) -> Result<Vec<u8>, CryptoError> {
    use x509_cert::der::Decode;
    let info = x509_cert::spki::SubjectPublicKeyInfoRef::from_der(spki)
        .map_err(|_| CryptoError::InvalidRsaKey)?;
    info.subject_public_key
        .as_bytes()
        .map(<[u8]>::to_vec)
        .ok_or(CryptoError::InvalidRsaKey)
}

struct AwsPublic {
    rc: Box<dyn RsaPublic>,
    pkcs1: Vec<u8>,
    enc: Option<Pkcs1PublicEncryptingKey>,
}

impl AwsPublic {
    fn new(rc: Box<dyn RsaPublic>) -> Result<Self, CryptoError> {
        let spki = rc.to_spki_der();
        let pkcs1 = pkcs1_of_spki(&spki)?;
        let enc = PublicEncryptingKey::from_der(&spki)
            .ok()
            .and_then(|k| Pkcs1PublicEncryptingKey::new(k).ok());
        Ok(Self { rc, pkcs1, enc })
    }
}

impl fmt::Debug for AwsPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AwsLcRsaPublicKey({} bits)", self.rc.modulus_len() * 8)
    }
}

fn aws_verify(
    pkcs1: &[u8],
    rc: &dyn RsaPublic,
    scheme: SignatureScheme,
    msg: &[u8],
    sig: &[u8],
) -> Result<(), CryptoError> {
    let params: &'static signature::RsaParameters = match scheme {
        SignatureScheme::RsaPkcs1Sha256 => {
            &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY
        }
        SignatureScheme::RsaPkcs1Sha1 => &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
        SignatureScheme::RsaPssSha256 => &signature::RSA_PSS_2048_8192_SHA256,
        SignatureScheme::RsaPssSha1 => return rc.verify(scheme, msg, sig),
    };
    match UnparsedPublicKey::new(params, pkcs1).verify(msg, sig) {
        Ok(()) => Ok(()),
        // Other PSS salt lengths and key sizes: RustCrypto decides.
        Err(_) if scheme == SignatureScheme::RsaPssSha256 => rc.verify(scheme, msg, sig),
        Err(_) => Err(CryptoError::BadSignature),
    }
}

fn aws_encrypt(
    enc: Option<&Pkcs1PublicEncryptingKey>,
    rc: &dyn RsaPublic,
    rng: &mut dyn Entropy,
    msg: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    match enc {
        Some(k) => {
            if msg.len() > k.max_plaintext_size() {
                return Err(CryptoError::RsaOperation);
            }
            let mut out = vec![0u8; k.ciphertext_size()];
            let n = k
                .encrypt(msg, &mut out)
                .map_err(|_| CryptoError::RsaOperation)?
                .len();
            out.truncate(n);
            Ok(out)
        }
        None => rc.encrypt_pkcs1v15(rng, msg),
    }
}

impl RsaPublic for AwsPublic {
    fn encrypt_pkcs1v15(&self, rng: &mut dyn Entropy, msg: &[u8]) -> Result<Vec<u8>, CryptoError> {
        aws_encrypt(self.enc.as_ref(), self.rc.as_ref(), rng, msg)
    }

    fn verify(&self, scheme: SignatureScheme, msg: &[u8], sig: &[u8]) -> Result<(), CryptoError> {
        aws_verify(&self.pkcs1, self.rc.as_ref(), scheme, msg, sig)
    }

    fn modulus_len(&self) -> usize {
        self.rc.modulus_len()
    }

    fn to_spki_der(&self) -> Vec<u8> {
        self.rc.to_spki_der()
    }
}

struct AwsPrivate {
    rc: Box<dyn RsaPrivate>,
    /// Built once: [`RsaPrivate::public`] hands out this key, not a fresh parse.
    public: Arc<AwsPublic>,
    dec: Option<Pkcs1PrivateDecryptingKey>,
    sign: Option<KeyPair>,
}

impl AwsPrivate {
    fn new(rc: Box<dyn RsaPrivate>) -> Result<Self, CryptoError> {
        let public = Arc::new(AwsPublic::new(rc.public())?);
        let pkcs8 = rc.to_pkcs8_der();
        let dec = PrivateDecryptingKey::from_pkcs8(pkcs8.as_bytes())
            .ok()
            .and_then(|k| Pkcs1PrivateDecryptingKey::new(k).ok());
        let sign = KeyPair::from_pkcs8(pkcs8.as_bytes()).ok();
        Ok(Self {
            rc,
            public,
            dec,
            sign,
        })
    }
}

impl fmt::Debug for AwsPrivate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AwsLcRsaPrivateKey({} bits)", self.rc.modulus_len() * 8)
    }
}

impl RsaPublic for AwsPrivate {
    fn encrypt_pkcs1v15(&self, rng: &mut dyn Entropy, msg: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.public.encrypt_pkcs1v15(rng, msg)
    }

    fn verify(&self, scheme: SignatureScheme, msg: &[u8], sig: &[u8]) -> Result<(), CryptoError> {
        self.public.verify(scheme, msg, sig)
    }

    fn modulus_len(&self) -> usize {
        self.rc.modulus_len()
    }

    fn to_spki_der(&self) -> Vec<u8> {
        self.rc.to_spki_der()
    }
}

impl RsaPrivate for AwsPrivate {
    fn public(&self) -> Box<dyn RsaPublic> {
        Box::new(Arc::clone(&self.public))
    }

    fn decrypt_pkcs1v15(&self, ciphertext: &[u8]) -> Result<SecretBytes, CryptoError> {
        match &self.dec {
            Some(k) => {
                if ciphertext.len() != k.key_size_bytes() {
                    return Err(CryptoError::RsaOperation);
                }
                let mut out = SecretBytes::zeroed(k.min_output_size());
                let n = k
                    .decrypt(ciphertext, out.as_mut_bytes())
                    .map_err(|_| CryptoError::RsaOperation)?
                    .len();
                Ok(SecretBytes::from_slice(&out.as_bytes()[..n]))
            }
            None => self.rc.decrypt_pkcs1v15(ciphertext),
        }
    }

    fn sign(
        &self,
        rng: &mut dyn Entropy,
        scheme: SignatureScheme,
        msg: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let enc: &'static dyn signature::RsaEncoding = match scheme {
            SignatureScheme::RsaPkcs1Sha256 => &signature::RSA_PKCS1_SHA256,
            SignatureScheme::RsaPssSha256 => &signature::RSA_PSS_SHA256,
            SignatureScheme::RsaPkcs1Sha1 | SignatureScheme::RsaPssSha1 => {
                return self.rc.sign(rng, scheme, msg)
            }
        };
        match &self.sign {
            Some(k) => {
                let mut sig = vec![0u8; k.public_modulus_len()];
                k.sign(enc, &SystemRandom::new(), msg, &mut sig)
                    .map_err(|_| CryptoError::RsaOperation)?;
                Ok(sig)
            }
            None => self.rc.sign(rng, scheme, msg),
        }
    }

    fn to_pkcs8_der(&self) -> SecretBytes {
        self.rc.to_pkcs8_der()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::default_provider;
    use crate::crypto::OsEntropy;

    const A: &str = include_str!("../../testvectors/keys/rsa2048-a.pem");
    const SMALL: &str = include_str!("../../testvectors/keys/rsa1024.pem");

    #[test]
    fn interoperates_with_rustcrypto_both_ways() {
        for pem in [A, SMALL] {
            let aws = AwsLcProvider.rsa_private_from_pem(pem).unwrap();
            let rc = default_provider().rsa_private_from_pem(pem).unwrap();
            for scheme in [
                SignatureScheme::RsaPkcs1Sha256,
                SignatureScheme::RsaPkcs1Sha1,
                SignatureScheme::RsaPssSha256,
                SignatureScheme::RsaPssSha1,
            ] {
                let s = aws.sign(&mut OsEntropy, scheme, b"message").unwrap();
                rc.verify(scheme, b"message", &s).unwrap();
                let s = rc.sign(&mut OsEntropy, scheme, b"message").unwrap();
                aws.verify(scheme, b"message", &s).unwrap();
                assert_eq!(
                    aws.verify(scheme, b"massage", &s),
                    Err(CryptoError::BadSignature)
                );
            }
            let ct = aws.encrypt_pkcs1v15(&mut OsEntropy, &[7; 16]).unwrap();
            assert_eq!(rc.decrypt_pkcs1v15(&ct).unwrap().as_bytes(), &[7; 16]);
            let ct = rc.encrypt_pkcs1v15(&mut OsEntropy, &[9; 32]).unwrap();
            assert_eq!(aws.decrypt_pkcs1v15(&ct).unwrap().as_bytes(), &[9; 32]);
            assert!(aws.decrypt_pkcs1v15(&ct[1..]).is_err());
            assert_eq!(aws.to_spki_der(), rc.to_spki_der());
            assert!(format!("{aws:?}").starts_with("AwsLcRsaPrivateKey("));
        }
    }
}
