//! A deterministic stand-in for RSA and modular exponentiation, so that the public-key and
//! Diffie-Hellman responder targets run at fuzzing speed.
//!
//! **Not cryptography.** A [`ToyProvider`] keeps the *contract* of the `CryptoProvider`
//! traits (RFC 8017 lengths and errors, the input checks of `modexp`, PKCS#1 v1.5 padding
//! structure, implicit rejection, DER key loading through the real RustCrypto parser) but
//! replaces each private-key operation and exponentiation by a few hashes:
//!
//! * a key is identified by its real DER `SubjectPublicKeyInfo`; its toy secret is
//!   SHA-256 of that DER;
//! * "encryption" is the RFC 8017 §7.2.1 encoding `00 02 PS 00 M` XORed with a keystream
//!   from the toy secret; "decryption" removes it and checks the padding, with implicit
//!   rejection (a bad padding yields a deterministic pseudo-random message) like the
//!   RustCrypto provider;
//! * a "signature" is a keystream over `scheme || SHA-256(msg)`, modulus-length long;
//! * "`base^exponent mod p`" is `base XOR exponent` (right-aligned), which commutes like
//!   exponentiation does (`(g ^ a) ^ b = (g ^ b) ^ a`), so Diffie-Hellman agreement works.
//!
//! With the real RSA-1024 and OAKLEY 1 the public-key targets ran at 260-1,100
//! executions per second; every line of *our* code (parsing, checks, replay cache, key
//! derivation, MAC, KEMAC, SRTP export) runs the same with this provider. The real
//! provider's RSA and modexp stay covered by the normal test suite (tests/hostile.rs flips
//! every bit of every public-key message through them) and can be fuzzed too: build the
//! targets with `--features real-crypto`.

use mikey::crypto::{
    CryptoError, CryptoProvider, RsaPrivate, RsaPublic, RustCryptoProvider, SecretBytes,
    SignatureScheme, MAX_MODEXP_BITS,
};
use mikey::session::Entropy;
use sha2::{Digest, Sha256};
use std::fmt;

/// The toy provider (see the module documentation).
#[derive(Debug, Clone, Copy, Default)]
pub struct ToyProvider;

/// A toy key: the real SPKI (so identities pin to it), its modulus length and toy secret.
#[derive(Clone)]
pub struct ToyKey {
    spki: Vec<u8>,
    pkcs8: Option<SecretBytes>,
    k: usize,
    secret: [u8; 32],
}

impl fmt::Debug for ToyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ToyRsaKey({} bits)", self.k * 8)
    }
}

impl ToyKey {
    fn from_real(public: &dyn RsaPublic, pkcs8: Option<SecretBytes>) -> Self {
        let spki = public.to_spki_der();
        let secret: [u8; 32] = Sha256::digest(&spki).into();
        ToyKey {
            spki,
            pkcs8,
            k: public.modulus_len(),
            secret,
        }
    }

    /// The toy private key of a real key (the real key is used only for its encodings).
    pub fn from_private(real: &dyn RsaPrivate) -> Self {
        Self::from_real(real, Some(real.to_pkcs8_der()))
    }

    /// `len` bytes of keystream for `domain`.
    fn stream(&self, domain: &[u8], len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + 32);
        let mut block = 0u32;
        while out.len() < len {
            let mut h = Sha256::new();
            h.update(self.secret);
            h.update(domain);
            h.update(block.to_be_bytes());
            out.extend_from_slice(&h.finalize());
            block += 1;
        }
        out.truncate(len);
        out
    }

    fn signature(&self, scheme: SignatureScheme, msg: &[u8]) -> Vec<u8> {
        let mut domain = vec![b's', scheme_byte(scheme)];
        domain.extend_from_slice(&Sha256::digest(msg));
        self.stream(&domain, self.k)
    }
}

fn scheme_byte(s: SignatureScheme) -> u8 {
    match s {
        SignatureScheme::RsaPkcs1Sha256 => 0,
        SignatureScheme::RsaPkcs1Sha1 => 1,
        SignatureScheme::RsaPssSha256 => 2,
        SignatureScheme::RsaPssSha1 => 3,
    }
}

impl RsaPublic for ToyKey {
    fn encrypt_pkcs1v15(&self, rng: &mut dyn Entropy, msg: &[u8]) -> Result<Vec<u8>, CryptoError> {
        // RFC 8017 §7.2.1: EM = 0x00 || 0x02 || PS (>= 8 nonzero bytes) || 0x00 || M.
        if msg.len() + 11 > self.k {
            return Err(CryptoError::RsaOperation);
        }
        let mut em = vec![0u8; self.k];
        em[1] = 2;
        let ps = self.k - 3 - msg.len();
        rng.fill(&mut em[2..2 + ps]);
        for b in &mut em[2..2 + ps] {
            if *b == 0 {
                *b = 1;
            }
        }
        em[3 + ps..].copy_from_slice(msg);
        let ks = self.stream(b"e", self.k);
        em.iter_mut().zip(ks).for_each(|(b, s)| *b ^= s);
        Ok(em)
    }

    fn verify(&self, scheme: SignatureScheme, msg: &[u8], sig: &[u8]) -> Result<(), CryptoError> {
        if sig.len() != self.k || sig != self.signature(scheme, msg).as_slice() {
            return Err(CryptoError::BadSignature);
        }
        Ok(())
    }

    fn modulus_len(&self) -> usize {
        self.k
    }

    fn to_spki_der(&self) -> Vec<u8> {
        self.spki.clone()
    }
}

impl RsaPrivate for ToyKey {
    fn public(&self) -> Box<dyn RsaPublic> {
        Box::new(ToyKey {
            pkcs8: None,
            ..self.clone()
        })
    }

    fn decrypt_pkcs1v15(&self, ciphertext: &[u8]) -> Result<SecretBytes, CryptoError> {
        if ciphertext.len() != self.k {
            return Err(CryptoError::RsaOperation);
        }
        let ks = self.stream(b"e", self.k);
        let em: Vec<u8> = ciphertext.iter().zip(ks).map(|(c, s)| c ^ s).collect();
        // RFC 8017 §7.2.2 step 3, with implicit rejection as the RustCrypto provider does.
        let sep = em[2..].iter().position(|&b| b == 0).map(|p| p + 2);
        match sep {
            Some(sep) if em[0] == 0 && em[1] == 2 && sep >= 10 => {
                Ok(SecretBytes::from_slice(&em[sep + 1..]))
            }
            _ => {
                let mut domain = b"r".to_vec();
                domain.extend_from_slice(ciphertext);
                let r = self.stream(&domain, 33);
                let len = usize::from(r[0]) % 33;
                Ok(SecretBytes::from_slice(&r[1..1 + len]))
            }
        }
    }

    fn sign(
        &self,
        _rng: &mut dyn Entropy,
        scheme: SignatureScheme,
        msg: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        Ok(self.signature(scheme, msg))
    }

    fn to_pkcs8_der(&self) -> SecretBytes {
        self.pkcs8
            .clone()
            .unwrap_or_else(|| SecretBytes::from_slice(&[]))
    }
}

impl CryptoProvider for ToyProvider {
    fn name(&self) -> &'static str {
        "toy (fuzzing only)"
    }

    /// Parses with the real RustCrypto parser (same acceptance and errors), then keys a toy.
    fn rsa_public_from_der(
        &self,
        spki_or_pkcs1_der: &[u8],
    ) -> Result<Box<dyn RsaPublic>, CryptoError> {
        let real = RustCryptoProvider.rsa_public_from_der(spki_or_pkcs1_der)?;
        Ok(Box::new(ToyKey::from_real(&*real, None)))
    }

    fn rsa_private_from_der(
        &self,
        pkcs8_or_pkcs1_der: &[u8],
    ) -> Result<Box<dyn RsaPrivate>, CryptoError> {
        let real = RustCryptoProvider.rsa_private_from_der(pkcs8_or_pkcs1_der)?;
        Ok(Box::new(ToyKey::from_private(&*real)))
    }

    fn rsa_generate(&self, bits: usize) -> Result<Box<dyn RsaPrivate>, CryptoError> {
        let real = RustCryptoProvider.rsa_generate(bits)?;
        Ok(Box::new(ToyKey::from_private(&*real)))
    }

    /// `base XOR exponent` with the input checks of the real `modexp` (odd modulus of 3 up
    /// to `MAX_MODEXP_BITS` bits, base below the modulus, exponent not longer than it);
    /// a result not below the modulus is reported as an invalid input.
    fn modexp(
        &self,
        base: &[u8],
        exponent: &SecretBytes,
        modulus: &[u8],
    ) -> Result<SecretBytes, CryptoError> {
        let m = strip(modulus);
        let b = strip(base);
        let e = exponent.as_bytes();
        let bad = m.is_empty()
            || m.last().is_some_and(|x| x & 1 == 0)
            || (m.len() == 1 && m[0] < 3)
            || m.len() * 8 > MAX_MODEXP_BITS
            || !less(b, m)
            || e.len() > m.len();
        if bad {
            return Err(CryptoError::InvalidModExpInput);
        }
        let mut out = vec![0u8; m.len()];
        let n = out.len();
        out[n - b.len()..].copy_from_slice(b);
        for (o, x) in out[n - e.len()..].iter_mut().zip(e) {
            *o ^= x;
        }
        if !less(strip(&out), m) {
            return Err(CryptoError::InvalidModExpInput);
        }
        Ok(SecretBytes::from(out))
    }
}

fn strip(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|&&x| x == 0).count();
    &b[n..]
}

/// `a < m` for big-endian integers without leading zeros.
fn less(a: &[u8], m: &[u8]) -> bool {
    a.len() < m.len() || (a.len() == m.len() && a < m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ToyKey {
        let real = RustCryptoProvider
            .rsa_private_from_pem(crate::keys::RSA1024_PEM)
            .unwrap();
        ToyKey::from_private(&*real)
    }

    #[test]
    fn envelope_round_trip_and_rejection() {
        let k = key();
        let mut rng = crate::keys::rng(9);
        let c = k.encrypt_pkcs1v15(&mut rng, b"envelope key 16b").unwrap();
        assert_eq!(c.len(), 128);
        assert_eq!(
            k.decrypt_pkcs1v15(&c).unwrap().as_bytes(),
            b"envelope key 16b"
        );
        let mut bad = c.clone();
        bad[0] ^= 1;
        assert_ne!(
            k.decrypt_pkcs1v15(&bad).unwrap().as_bytes(),
            b"envelope key 16b"
        );
        assert!(k.decrypt_pkcs1v15(&c[1..]).is_err());
        assert!(k.encrypt_pkcs1v15(&mut rng, &[0; 118]).is_err());
    }

    #[test]
    fn signatures_bind_scheme_and_message() {
        let k = key();
        let p = k.public();
        let mut rng = crate::keys::rng(9);
        let s = k
            .sign(&mut rng, SignatureScheme::RsaPkcs1Sha256, b"m")
            .unwrap();
        p.verify(SignatureScheme::RsaPkcs1Sha256, b"m", &s).unwrap();
        assert!(p.verify(SignatureScheme::RsaPssSha256, b"m", &s).is_err());
        assert!(p.verify(SignatureScheme::RsaPkcs1Sha256, b"n", &s).is_err());
    }

    #[test]
    fn toy_exponentiation_commutes() {
        let p = mikey::crypto::dh::group(mikey::wire::DhGroup::Oakley1)
            .unwrap()
            .prime;
        let (a, b) = (
            SecretBytes::from_slice(&[7; 20]),
            SecretBytes::from_slice(&[9; 20]),
        );
        let t = ToyProvider;
        let ga = t.modexp(&[2], &a, p).unwrap();
        let gb = t.modexp(&[2], &b, p).unwrap();
        let k1 = t.modexp(ga.as_bytes(), &b, p).unwrap();
        let k2 = t.modexp(gb.as_bytes(), &a, p).unwrap();
        assert_eq!(k1.as_bytes(), k2.as_bytes());
        assert!(t.modexp(&[2], &a, &[4]).is_err());
    }
}
