//! Identity and trust for the public-key modes: the caller decides whether a public key or
//! certificate belongs to the identity a peer claims. No signature is accepted without
//! asking a [`PeerVerifier`].

use super::SessionError;
use crate::crypto::{CryptoProvider, RsaPublic};
use std::collections::HashMap;

/// What a peer presented: its claimed identity and its certificates.
#[derive(Clone, Copy, Debug)]
pub struct PeerClaim<'m> {
    /// ID data of the peer's ID payload (or IDR), when present.
    pub identity: Option<&'m [u8]>,
    /// DER certificates of its CERT payloads, leaf first (RFC 3830 §6.7).
    pub certs: &'m [&'m [u8]],
}

/// Decides whether a peer's key belongs to the identity it claims, and returns the public
/// key its signatures must verify with.
pub trait PeerVerifier: Send + Sync + core::fmt::Debug {
    /// The peer's signature/encryption public key, or `AuthFailure` (or `InvalidCert`-like
    /// errors mapped to [`SessionError::AuthFailure`]) when it cannot be trusted.
    fn verify_peer(
        &self,
        claim: &PeerClaim<'_>,
        provider: &dyn CryptoProvider,
    ) -> Result<Box<dyn RsaPublic>, SessionError>;
}

/// Trusts exactly the configured public keys (SubjectPublicKeyInfo DER), by identity; a
/// key registered under the empty identity is used for peers that send no ID. Certificates
/// the peer sends are ignored: the pinned key decides.
#[derive(Clone, Debug, Default)]
pub struct PinnedKeys {
    keys: HashMap<Vec<u8>, Vec<u8>>,
}

impl PinnedKeys {
    /// No keys.
    pub fn new() -> Self {
        Self::default()
    }

    /// Pins `spki_der` for `identity` (builder style).
    pub fn with(mut self, identity: &[u8], spki_der: &[u8]) -> Self {
        self.keys.insert(identity.to_vec(), spki_der.to_vec());
        self
    }

    /// Pins `spki_der` for `identity`.
    pub fn insert(&mut self, identity: &[u8], spki_der: &[u8]) {
        self.keys.insert(identity.to_vec(), spki_der.to_vec());
    }
}

impl PeerVerifier for PinnedKeys {
    fn verify_peer(
        &self,
        claim: &PeerClaim<'_>,
        provider: &dyn CryptoProvider,
    ) -> Result<Box<dyn RsaPublic>, SessionError> {
        let der = self
            .keys
            .get(claim.identity.unwrap_or(&[]))
            .ok_or(SessionError::AuthFailure)?;
        provider
            .rsa_public_from_der(der)
            .map_err(|_| SessionError::AuthFailure)
    }
}
