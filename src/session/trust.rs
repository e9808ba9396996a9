//! Identity and trust for the public-key modes: the caller decides whether a public key or
//! certificate belongs to the identity a peer claims. No signature is accepted without
//! asking a [`PeerVerifier`].

use super::SessionError;
use crate::crypto::{CryptoProvider, RsaPublic};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

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
///
/// Each pinned key is parsed once per provider (told apart by [`CryptoProvider::name`]) and
/// the parsed key object is kept: a message costs no DER parsing or key precomputation
/// (e.g. Montgomery parameters), only the signature verification itself. Clones share these
/// parsed keys.
#[derive(Clone, Debug, Default)]
pub struct PinnedKeys {
    keys: HashMap<Vec<u8>, Pin>,
}

/// Most providers a pinned key keeps a parsed object for; further ones parse per message.
const MAX_PARSED_PER_PIN: usize = 4;

/// Parsed objects of one pinned key, by provider name.
type ParsedKeys = Vec<(&'static str, Arc<dyn RsaPublic>)>;

/// One pinned key: its DER and the key objects parsed from it so far.
#[derive(Clone)]
struct Pin {
    spki: Vec<u8>,
    parsed: Arc<Mutex<ParsedKeys>>,
}

impl core::fmt::Debug for Pin {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pin")
            .field("spki_len", &self.spki.len())
            .finish_non_exhaustive()
    }
}

impl Pin {
    fn new(spki_der: &[u8]) -> Self {
        Pin {
            spki: spki_der.to_vec(),
            parsed: Arc::default(),
        }
    }

    /// The key as `provider` parses it, parsed on first use.
    fn key(&self, provider: &dyn CryptoProvider) -> Result<Arc<dyn RsaPublic>, SessionError> {
        let name = provider.name();
        let lock = || self.parsed.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, k)) = lock().iter().find(|(n, _)| *n == name) {
            return Ok(Arc::clone(k));
        }
        let k: Arc<dyn RsaPublic> = provider
            .rsa_public_from_der(&self.spki)
            .map_err(|_| SessionError::AuthFailure)?
            .into();
        let mut parsed = lock();
        if parsed.len() < MAX_PARSED_PER_PIN && !parsed.iter().any(|(n, _)| *n == name) {
            parsed.push((name, Arc::clone(&k)));
        }
        Ok(k)
    }
}

impl PinnedKeys {
    /// No keys.
    pub fn new() -> Self {
        Self::default()
    }

    /// Pins `spki_der` for `identity` (builder style).
    pub fn with(mut self, identity: &[u8], spki_der: &[u8]) -> Self {
        self.insert(identity, spki_der);
        self
    }

    /// Pins `spki_der` for `identity`.
    pub fn insert(&mut self, identity: &[u8], spki_der: &[u8]) {
        self.keys.insert(identity.to_vec(), Pin::new(spki_der));
    }
}

impl PeerVerifier for PinnedKeys {
    fn verify_peer(
        &self,
        claim: &PeerClaim<'_>,
        provider: &dyn CryptoProvider,
    ) -> Result<Box<dyn RsaPublic>, SessionError> {
        let pin = self
            .keys
            .get(claim.identity.unwrap_or(&[]))
            .ok_or_else(|| SessionError::AuthFailure)?;
        Ok(Box::new(pin.key(provider)?))
    }
}

/// Lets a caller keep a handle on its verifier (for example to move a [`ChainVerifier`]'s
/// clock with [`ChainVerifier::set_time`]) while an exchange owns a clone.
impl<T: PeerVerifier + ?Sized> PeerVerifier for std::sync::Arc<T> {
    fn verify_peer(
        &self,
        claim: &PeerClaim<'_>,
        provider: &dyn CryptoProvider,
    ) -> Result<Box<dyn RsaPublic>, SessionError> {
        (**self).verify_peer(claim, provider)
    }
}

/// The DER `SubjectPublicKeyInfo` of a DER X.509 certificate (RFC 5280 §4.1.2.7).
///
/// # Errors
/// [`SessionError::InvalidCert`] when the certificate does not parse.
pub fn spki_of_cert(cert_der: &[u8]) -> Result<Vec<u8>, SessionError> {
    use x509_cert::der::{Decode, Encode};
    let c = x509_cert::Certificate::from_der(cert_der)
        .map_err(|e| SessionError::InvalidCert(format!("certificate does not parse: {e}")))?;
    c.tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|e| SessionError::InvalidCert(e.to_string()))
}

/// Longest chain [`ChainVerifier`] follows (leaf, intermediates, root).
pub const MAX_CHAIN_LEN: usize = 8;

/// Trusts certificate chains that lead to one of the given root certificates (RFC 5280
/// §6.1, reduced to what MIKEY needs; RFC 3830 §4.3, §6.7: the peer sends its chain in CERT
/// payloads, leaf first).
///
/// Checks, for a [`PeerClaim`]:
/// * each certificate is signed by its issuer (the next certificate of the chain whose
///   subject is the issuer name, or a root with that subject) with RSA PKCS#1 v1.5 and
///   SHA-256 (`sha256WithRSAEncryption`) or SHA-1 (`sha1WithRSAEncryption`, RFC 4055 §5,
///   RFC 3279 §2.2.1), verified through the [`CryptoProvider`]; intermediates must be CAs
///   (basicConstraints cA, RFC 5280 §4.2.1.9); a chain certificate equal to a root is
///   trusted as is;
/// * every certificate on the path, roots included, is valid (notBefore ≤ t ≤ notAfter,
///   RFC 5280 §4.1.2.5) at the time the caller set ([`new`](Self::new),
///   [`set_time`](Self::set_time));
/// * the claimed identity (ID data of IDi/IDr) names the leaf: it equals, ignoring ASCII
///   case, the subject common name, an rfc822Name, a dNSName or a URI of subjectAltName
///   (RFC 5280 §4.2.1.6). URI schemes are stripped on both sides before comparing: `sip:`,
///   `sips:`, `tel:`, `mailto:` or any other `scheme:` prefix, along with URI parameters and
///   headers (`;...`, `?...`), so ID `sip:alice@example.com;transport=tcp` matches CN
///   `alice@example.com` and SAN `URI:sip:alice@example.com`. A claim without identity
///   accepts the leaf's own identity (the caller then learns who it is by other means).
///
/// Not checked: revocation (CRL/OCSP), name constraints, policies, key usage. Errors are
/// [`SessionError::InvalidCert`] (Error no 8, RFC 3830 §6.12).
#[derive(Debug)]
pub struct ChainVerifier {
    roots: Vec<Vec<u8>>,
    at_secs: std::sync::atomic::AtomicU64,
}

impl ChainVerifier {
    /// Trusts chains to any of `roots` (DER certificates), judging validity at `at` (time
    /// since the Unix epoch).
    ///
    /// # Errors
    /// [`SessionError::InvalidCert`] when a root does not parse.
    pub fn new(
        roots: impl IntoIterator<Item = Vec<u8>>,
        at: core::time::Duration,
    ) -> Result<Self, SessionError> {
        let roots: Vec<Vec<u8>> = roots.into_iter().collect();
        for r in &roots {
            parse_cert(r)?;
        }
        Ok(Self {
            roots,
            at_secs: std::sync::atomic::AtomicU64::new(at.as_secs()),
        })
    }

    /// Sets the time validity periods are checked against (time since the Unix epoch).
    pub fn set_time(&self, at: core::time::Duration) {
        self.at_secs
            .store(at.as_secs(), std::sync::atomic::Ordering::SeqCst);
    }

    /// Verifies `chain` (leaf first) for `identity` and returns the leaf's public key.
    ///
    /// # Errors
    /// [`SessionError::InvalidCert`] for any failed check.
    pub fn verify_chain(
        &self,
        chain: &[&[u8]],
        identity: Option<&[u8]>,
        provider: &dyn CryptoProvider,
    ) -> Result<Box<dyn RsaPublic>, SessionError> {
        let at = self.at_secs.load(std::sync::atomic::Ordering::SeqCst);
        let leaf_der = *chain
            .first()
            .ok_or_else(|| SessionError::InvalidCert("no certificate".into()))?;
        if chain.len() > MAX_CHAIN_LEN {
            return Err(SessionError::InvalidCert("chain too long".into()));
        }
        let parsed: Vec<x509_cert::Certificate> = chain
            .iter()
            .map(|c| parse_cert(c))
            .collect::<Result<_, _>>()?;
        let roots: Vec<x509_cert::Certificate> = self
            .roots
            .iter()
            .map(|c| parse_cert(c))
            .collect::<Result<_, _>>()?;
        let leaf = &parsed[0];
        if let Some(id) = identity {
            if !names_match(leaf, id) {
                return Err(SessionError::InvalidCert(
                    "certificate is not for the claimed identity".into(),
                ));
            }
        }
        let mut cur = 0usize;
        for _ in 0..=MAX_CHAIN_LEN {
            let cert = &parsed[cur];
            check_validity(cert, at)?;
            if self.roots.iter().any(|r| r.as_slice() == chain[cur]) {
                return leaf_key(leaf_der, provider);
            }
            let issuer = cert.tbs_certificate().issuer();
            // A trusted root that issued it.
            for (i, root) in roots.iter().enumerate() {
                if root.tbs_certificate().subject() == issuer
                    && check_signature(chain[cur], cert, root, provider).is_ok()
                {
                    check_validity(root, at)?;
                    let _ = i;
                    return leaf_key(leaf_der, provider);
                }
            }
            // The next certificate of the chain that issued it.
            let next = parsed
                .iter()
                .enumerate()
                .skip(cur + 1)
                .find(|(_, c)| c.tbs_certificate().subject() == issuer)
                .map(|(i, _)| i)
                .ok_or_else(|| SessionError::InvalidCert("no path to a trusted root".into()))?;
            if !is_ca(&parsed[next]) {
                return Err(SessionError::InvalidCert(
                    "issuer certificate is not a CA".into(),
                ));
            }
            check_signature(chain[cur], cert, &parsed[next], provider)?;
            cur = next;
        }
        Err(SessionError::InvalidCert("chain too long".into()))
    }
}

impl PeerVerifier for ChainVerifier {
    fn verify_peer(
        &self,
        claim: &PeerClaim<'_>,
        provider: &dyn CryptoProvider,
    ) -> Result<Box<dyn RsaPublic>, SessionError> {
        self.verify_chain(claim.certs, claim.identity, provider)
    }
}

fn parse_cert(der: &[u8]) -> Result<x509_cert::Certificate, SessionError> {
    use x509_cert::der::Decode;
    x509_cert::Certificate::from_der(der)
        .map_err(|e| SessionError::InvalidCert(format!("certificate does not parse: {e}")))
}

fn leaf_key(
    leaf_der: &[u8],
    provider: &dyn CryptoProvider,
) -> Result<Box<dyn RsaPublic>, SessionError> {
    provider
        .rsa_public_from_der(&spki_of_cert(leaf_der)?)
        .map_err(|e| SessionError::InvalidCert(format!("leaf key: {e}")))
}

fn check_validity(c: &x509_cert::Certificate, at: u64) -> Result<(), SessionError> {
    let v = c.tbs_certificate().validity();
    let from = v.not_before.to_unix_duration().as_secs();
    let to = v.not_after.to_unix_duration().as_secs();
    if at < from || at > to {
        return Err(SessionError::InvalidCert(format!(
            "certificate \"{}\" not valid at that time",
            c.tbs_certificate().subject()
        )));
    }
    Ok(())
}

fn is_ca(c: &x509_cert::Certificate) -> bool {
    matches!(
        c.tbs_certificate()
            .get_extension::<x509_cert::ext::pkix::BasicConstraints>(),
        Ok(Some((_, bc))) if bc.ca
    )
}

/// The bytes of the DER `tbsCertificate` inside a certificate (the signed part, RFC 5280
/// §4.1.1.1), taken from the input rather than re-encoded.
fn tbs_bytes(cert_der: &[u8]) -> Option<&[u8]> {
    fn header(b: &[u8]) -> Option<(usize, usize)> {
        let (&tag, rest) = b.split_first()?;
        if tag != 0x30 {
            return None;
        }
        let (&l0, rest) = rest.split_first()?;
        if l0 < 0x80 {
            return Some((2, l0 as usize));
        }
        let n = (l0 & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |a, &x| (a << 8) | x as usize);
        Some((2 + n, len))
    }
    let (outer_hdr, _) = header(cert_der)?;
    let inner = cert_der.get(outer_hdr..)?;
    let (h, len) = header(inner)?;
    inner.get(..h.checked_add(len)?)
}

const SHA256_WITH_RSA: x509_cert::spki::ObjectIdentifier =
    x509_cert::spki::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA1_WITH_RSA: x509_cert::spki::ObjectIdentifier =
    x509_cert::spki::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5");

fn check_signature(
    cert_der: &[u8],
    cert: &x509_cert::Certificate,
    issuer: &x509_cert::Certificate,
    provider: &dyn CryptoProvider,
) -> Result<(), SessionError> {
    use crate::crypto::SignatureScheme;
    use x509_cert::der::Encode;
    let scheme = match cert.signature_algorithm().oid {
        o if o == SHA256_WITH_RSA => SignatureScheme::RsaPkcs1Sha256,
        o if o == SHA1_WITH_RSA => SignatureScheme::RsaPkcs1Sha1,
        o => {
            return Err(SessionError::InvalidCert(format!(
                "unsupported certificate signature algorithm {o}"
            )))
        }
    };
    let spki = issuer
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|e| SessionError::InvalidCert(e.to_string()))?;
    let key = provider
        .rsa_public_from_der(&spki)
        .map_err(|e| SessionError::InvalidCert(format!("issuer key: {e}")))?;
    let tbs = tbs_bytes(cert_der)
        .ok_or_else(|| SessionError::InvalidCert("malformed certificate".into()))?;
    let sig = cert
        .signature()
        .as_bytes()
        .ok_or_else(|| SessionError::InvalidCert("malformed signature".into()))?;
    key.verify(scheme, tbs, sig)
        .map_err(|_| SessionError::InvalidCert("certificate signature does not verify".into()))
}

/// An identity without URI scheme, parameters and headers, as compared by [`ChainVerifier`]:
/// `sip:alice@example.com;transport=tcp` → `alice@example.com`. Text without a scheme
/// (a NAI such as `alice@example.com`) is returned as is; a trailing NUL is dropped.
pub fn normalize_identity(id: &str) -> &str {
    let id = id.strip_suffix('\0').unwrap_or(id);
    let rest = match id.split_once(':') {
        Some((scheme, rest))
            if !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !rest.starts_with("//") =>
        {
            rest
        }
        Some((_, rest)) if rest.starts_with("//") => &rest[2..],
        _ => id,
    };
    let end = rest.find([';', '?']).unwrap_or(rest.len());
    &rest[..end]
}

fn names_match(leaf: &x509_cert::Certificate, identity: &[u8]) -> bool {
    let Ok(id) = core::str::from_utf8(identity) else {
        return false;
    };
    let id = normalize_identity(id);
    if id.is_empty() {
        return false;
    }
    let tbs = leaf.tbs_certificate();
    if let Ok(Some(cn)) = tbs.subject().common_name() {
        if normalize_identity(&cn.value()).eq_ignore_ascii_case(id) {
            return true;
        }
    }
    if let Ok(Some((_, san))) = tbs.get_extension::<x509_cert::ext::pkix::SubjectAltName>() {
        use x509_cert::ext::pkix::name::GeneralName;
        for n in &san.0 {
            let s = match n {
                GeneralName::Rfc822Name(s)
                | GeneralName::DnsName(s)
                | GeneralName::UniformResourceIdentifier(s) => s.to_string(),
                _ => continue,
            };
            if normalize_identity(&s).eq_ignore_ascii_case(id) {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_normalized() {
        assert_eq!(
            normalize_identity("sip:alice@example.com"),
            "alice@example.com"
        );
        assert_eq!(
            normalize_identity("sips:alice@example.com;transport=tls?x=y"),
            "alice@example.com"
        );
        assert_eq!(normalize_identity("tel:+1-555-0100"), "+1-555-0100");
        assert_eq!(normalize_identity("alice@example.com"), "alice@example.com");
        assert_eq!(
            normalize_identity("alice@example.com\0"),
            "alice@example.com"
        );
        assert_eq!(normalize_identity("https://example.com/x"), "example.com/x");
    }

    /// RustCrypto, counting public-key parses, under a name of its own.
    #[derive(Debug, Default)]
    struct ParseCounter(std::sync::atomic::AtomicUsize, &'static str);

    impl CryptoProvider for ParseCounter {
        fn name(&self) -> &'static str {
            self.1
        }
        fn rsa_public_from_der(
            &self,
            der: &[u8],
        ) -> Result<Box<dyn RsaPublic>, crate::crypto::CryptoError> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            crate::crypto::RustCryptoProvider.rsa_public_from_der(der)
        }
        fn rsa_private_from_der(
            &self,
            der: &[u8],
        ) -> Result<Box<dyn crate::crypto::RsaPrivate>, crate::crypto::CryptoError> {
            crate::crypto::RustCryptoProvider.rsa_private_from_der(der)
        }
        fn rsa_generate(
            &self,
            bits: usize,
        ) -> Result<Box<dyn crate::crypto::RsaPrivate>, crate::crypto::CryptoError> {
            crate::crypto::RustCryptoProvider.rsa_generate(bits)
        }
        fn modexp(
            &self,
            base: &[u8],
            exponent: &crate::crypto::SecretBytes,
            modulus: &[u8],
        ) -> Result<crate::crypto::SecretBytes, crate::crypto::CryptoError> {
            crate::crypto::RustCryptoProvider.modexp(base, exponent, modulus)
        }
    }

    fn parses(p: &ParseCounter) -> usize {
        p.0.load(std::sync::atomic::Ordering::SeqCst)
    }

    #[test]
    fn pinned_keys_are_parsed_once_per_provider() {
        use crate::crypto::SignatureScheme;
        let rc = crate::crypto::RustCryptoProvider;
        let a = rc
            .rsa_private_from_pem(include_str!("../../testvectors/keys/rsa2048-a.pem"))
            .unwrap();
        let b = rc
            .rsa_private_from_pem(include_str!("../../testvectors/keys/rsa2048-b.pem"))
            .unwrap();
        let sig = a
            .sign(
                &mut crate::session::OsEntropy,
                SignatureScheme::RsaPkcs1Sha256,
                b"m",
            )
            .unwrap();
        let mut pins = PinnedKeys::new().with(b"alice", &a.to_spki_der());
        let claim = |id: &'static [u8]| PeerClaim {
            identity: Some(id),
            certs: &[],
        };
        let p1 = ParseCounter(Default::default(), "one");
        let p2 = ParseCounter(Default::default(), "two");
        for _ in 0..3 {
            let k = pins.verify_peer(&claim(b"alice"), &p1).unwrap();
            k.verify(SignatureScheme::RsaPkcs1Sha256, b"m", &sig)
                .unwrap();
            assert!(k
                .verify(SignatureScheme::RsaPkcs1Sha256, b"n", &sig)
                .is_err());
            assert_eq!(k.to_spki_der(), a.to_spki_der());
        }
        assert_eq!(parses(&p1), 1);
        // Another provider gets its own parse; a clone shares what was parsed.
        let copy = pins.clone();
        copy.verify_peer(&claim(b"alice"), &p2).unwrap();
        pins.verify_peer(&claim(b"alice"), &p2).unwrap();
        assert_eq!((parses(&p1), parses(&p2)), (1, 1));
        // Unknown identities and missing IDs are still refused.
        assert!(matches!(
            pins.verify_peer(&claim(b"bob"), &p1),
            Err(SessionError::AuthFailure)
        ));
        assert!(matches!(
            pins.verify_peer(
                &PeerClaim {
                    identity: None,
                    certs: &[]
                },
                &p1
            ),
            Err(SessionError::AuthFailure)
        ));
        // Re-pinning replaces the parsed key too.
        pins.insert(b"alice", &b.to_spki_der());
        let k = pins.verify_peer(&claim(b"alice"), &p1).unwrap();
        assert_eq!(k.to_spki_der(), b.to_spki_der());
        assert!(k
            .verify(SignatureScheme::RsaPkcs1Sha256, b"m", &sig)
            .is_err());
        assert_eq!(parses(&p1), 2);
        // The old clone keeps its own pin.
        let k = copy.verify_peer(&claim(b"alice"), &p1).unwrap();
        assert_eq!(k.to_spki_der(), a.to_spki_der());
        assert_eq!(parses(&p1), 2);
        // A key that does not parse fails every time, and nothing is kept for it.
        let bad = PinnedKeys::new().with(b"x", b"not a key");
        for _ in 0..2 {
            assert!(bad.verify_peer(&claim(b"x"), &p1).is_err());
        }
        assert_eq!(parses(&p1), 4);
    }

    #[test]
    fn tbs_is_sliced_from_the_input() {
        let der = include_bytes!("../../testvectors/keys/alice.cert.der");
        let tbs = tbs_bytes(der).unwrap();
        assert_eq!(tbs[0], 0x30);
        assert!(tbs.len() < der.len());
        assert!(tbs_bytes(&[0x30, 0x81]).is_none());
        assert!(tbs_bytes(&[]).is_none());
    }
}
