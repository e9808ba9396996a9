//! [`CountingProvider`]: a [`CryptoProvider`] wrapper counting private-key operations, for
//! denial-of-service tests (RFC 3830 §5.3 processing order, §9.2).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::{CryptoProvider, RsaPrivate, RsaPublic, SignatureScheme};
use crate::crypto::entropy::Entropy;
use crate::crypto::{CryptoError, SecretBytes};

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
