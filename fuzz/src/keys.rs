//! What the public-key and Diffie-Hellman fuzz targets share: the stored 1024-bit RSA key
//! (as a toy key of [`crate::toy`] unless built with `--features real-crypto`; loaded once; every party of every exchange uses it, so each private operation stays
//! cheap), pinned identities, deterministic randomness, and the checks of a responder's
//! answer that turn it into a [`Verdict`].

use crate::responder::Verdict;
use crate::toy::{ToyKey, ToyProvider};
use mikey::crypto::{
    CryptoError, CryptoProvider, RsaPrivate, RsaPublic, RustCryptoProvider, SecretBytes,
    SignatureScheme,
};
use mikey::session::{Accepted, Entropy, PinnedKeys, Rejected, SessionError};
use mikey::wire::{DataType, Message, MessageView, ParseOptions};
use std::sync::{Arc, LazyLock};

/// The stored 1024-bit key (never generate RSA keys in a fuzz target: too slow).
pub const RSA1024_PEM: &str = include_str!("../../testvectors/keys/rsa1024.pem");

/// The initiator's identity.
pub const ALICE: &str = "alice@example.com";
/// The responder's identity.
pub const BOB: &str = "bob@example.com";

/// The key, parsed once: the real RSA key with `--features real-crypto`, else its
/// [`ToyKey`] (see [`crate::toy`]).
pub static KEY: LazyLock<Arc<dyn RsaPrivate>> = LazyLock::new(|| {
    let real = RustCryptoProvider
        .rsa_private_from_pem(RSA1024_PEM)
        .expect("testvectors/keys/rsa1024.pem loads");
    if cfg!(feature = "real-crypto") {
        Arc::from(real)
    } else {
        Arc::new(ToyKey::from_private(&*real))
    }
});

/// The key as the `Box<dyn RsaPrivate>` the sessions own, without parsing it again.
pub fn key() -> Box<dyn RsaPrivate> {
    Box::new(Shared(Arc::clone(&KEY)))
}

/// The public half.
pub fn public() -> Box<dyn RsaPublic> {
    KEY.public()
}

/// Both identities pinned to the key.
pub fn trust() -> PinnedKeys {
    let spki = KEY.to_spki_der();
    PinnedKeys::new()
        .with(ALICE.as_bytes(), &spki)
        .with(BOB.as_bytes(), &spki)
}

/// The crypto provider of every session: RustCrypto with `--features real-crypto`, else
/// the fast [`ToyProvider`].
pub fn provider() -> Arc<dyn CryptoProvider> {
    if cfg!(feature = "real-crypto") {
        Arc::new(RustCryptoProvider)
    } else {
        Arc::new(ToyProvider)
    }
}

#[derive(Debug)]
struct Shared(Arc<dyn RsaPrivate>);

impl RsaPublic for Shared {
    fn encrypt_pkcs1v15(&self, rng: &mut dyn Entropy, msg: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.0.encrypt_pkcs1v15(rng, msg)
    }
    fn verify(&self, scheme: SignatureScheme, msg: &[u8], sig: &[u8]) -> Result<(), CryptoError> {
        self.0.verify(scheme, msg, sig)
    }
    fn modulus_len(&self) -> usize {
        self.0.modulus_len()
    }
    fn to_spki_der(&self) -> Vec<u8> {
        self.0.to_spki_der()
    }
}

impl RsaPrivate for Shared {
    fn public(&self) -> Box<dyn RsaPublic> {
        self.0.public()
    }
    fn decrypt_pkcs1v15(&self, ciphertext: &[u8]) -> Result<SecretBytes, CryptoError> {
        self.0.decrypt_pkcs1v15(ciphertext)
    }
    fn sign(
        &self,
        rng: &mut dyn Entropy,
        scheme: SignatureScheme,
        msg: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        self.0.sign(rng, scheme, msg)
    }
    fn to_pkcs8_der(&self) -> SecretBytes {
        self.0.to_pkcs8_der()
    }
}

/// Deterministic randomness a responder can keep (an [`Entropy`]).
pub type Rng = Box<dyn FnMut(&mut [u8]) + Send>;

/// Deterministic "randomness" as a boxed [`Entropy`] a responder can keep.
pub fn rng(seed: u8) -> Rng {
    let mut n = seed;
    Box::new(move |b: &mut [u8]| {
        for x in b {
            n = n.wrapping_mul(5).wrapping_add(37);
            *x = n;
        }
    })
}

/// The bytes a responder acted upon: the message as parsed.
pub fn parsed_bytes(msg: &[u8], lenient: bool) -> Vec<u8> {
    let opts = if lenient {
        ParseOptions::LENIENT
    } else {
        ParseOptions::STRICT
    };
    MessageView::parse_with(msg, opts)
        .expect("accepted but unparsable")
        .as_bytes()
        .to_vec()
}

/// Checks a responder's answer: an accepted message has a bundle that exports, and its
/// response (mandatory when `mandatory`) has one of `resp_types`, parses and re-encodes;
/// a rejection's Error message parses, and replays get none.
pub fn verdict(
    res: Result<Accepted, Rejected>,
    msg: &[u8],
    lenient: bool,
    resp_types: &[DataType],
    mandatory: bool,
    exports: impl FnOnce(u32) -> bool,
) -> Verdict {
    match res {
        Ok(a) => {
            let authenticated = parsed_bytes(msg, lenient);
            assert!(exports(a.csb_id), "accepted bundle does not export");
            match &a.response {
                Some(resp) => {
                    let m = Message::parse(resp).expect("response parses");
                    assert!(
                        resp_types.contains(&m.header.data_type),
                        "response of data type {:?}",
                        m.header.data_type
                    );
                    assert_eq!(m.encode().unwrap(), *resp);
                }
                None => assert!(!mandatory, "accepted without the mandatory response"),
            }
            Verdict::Accepted { authenticated }
        }
        Err(rej) => {
            check_rejection(&rej.error, rej.response.as_deref());
            Verdict::Rejected
        }
    }
}

/// A rejection: a displayable error, an Error message that parses, none for replays.
pub fn check_rejection(error: &SessionError, response: Option<&[u8]>) {
    assert!(!error.to_string().is_empty());
    if let Some(resp) = response {
        let m = Message::parse(resp).expect("error message parses");
        assert_eq!(m.header.data_type, DataType::Error);
        assert!(
            !matches!(error, SessionError::Replay),
            "no answer to replays"
        );
    }
}

/// Limits with a replay cache of `capacity` entries that one peer may fill (the harnesses
/// send every message as the same peer).
pub fn limits(capacity: usize) -> mikey::session::ResponderLimits {
    mikey::session::ResponderLimits {
        replay_capacity: capacity,
        replay_per_peer: capacity,
        ..mikey::session::ResponderLimits::default()
    }
}

/// The replay cache invariant.
pub fn check_cache(c: &mikey::session::ReplayCache) {
    assert!(c.len() <= c.capacity(), "replay cache over its capacity");
}
