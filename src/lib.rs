//! # mikey — Multimedia Internet KEYing (RFC 3830 and extensions)
//!
//! MIKEY delivers the keys that protect real-time media. Before two endpoints (or a source
//! and a group of receivers) send SRTP (RFC 3711), one of them sends a MIKEY message that
//! carries or agrees a TEK Generation Key (TGK); both derive the SRTP master keys and salts
//! from it (RFC 3830 §4.1.3). The messages travel in SIP/SDP (`a=key-mgmt`, RFC 4567), in
//! RTSP (`KeyMgmt` header; ONVIF cameras), or in 3GPP mission-critical services
//! (MIKEY-SAKKE). This crate parses and writes every MIKEY message exactly, runs both
//! ends of each key exchange without doing any I/O itself, and hands the result to an
//! SRTP stack.
//!
//! ## Modules
//!
//! | module | what it does |
//! | --- | --- |
//! | [`wire`] | bytes ⇄ messages: an exact, zero-copy codec for every registered payload (RFC 3830 §6 and extensions), strict or lenient |
//! | [`session`] | sans-IO initiators and responders for every key-exchange mode, replay protection, error messages, group keying, trust decisions |
//! | [`bundle`] | the crypto session bundle both ends hold after an exchange (keys, RAND, crypto sessions, policies) |
//! | [`srtp`] | SRTP parameters exported from a bundle (master key, salt, suite, SSRC, ROC, MKI), an SRTP/SRTCP transform (RFC 4771 ROC carrying, key intervals), and their hand-off to GStreamer, libsrtp2, SDES and webrtc-rs |
//! | [`sdp`] | `a=key-mgmt` in SDP offers and answers, the RTSP `KeyMgmt` header, ONVIF streaming (RFC 4567) |
//! | [`dissect`] | a dissector: the messages of a text or binary input, each decoded with its departures from the RFCs listed (`mikey decode`) |
//! | `capture` (feature `pcap`) | decrypt the SRTP of a pcap/pcapng capture with the MIKEY keys it carries |
//! | `mcx` (feature `sakke`) | the 3GPP TS 33.180 profile of MIKEY-SAKKE: key ids, UIDs, KMS documents, the key-parameter payload |
//! | [`crypto`] | the MIKEY PRF, key derivation, KEMAC encryption and MACs, randomness ([`crypto::Entropy`]), secrets ([`crypto::SecretBytes`]), pluggable RSA and Diffie-Hellman ([`crypto::CryptoProvider`]) |
//!
//! ## Sans-IO
//!
//! The library never opens sockets or reads clocks on its own: an initiator's
//! `initiate(..)` returns the bytes to send, a responder's `handle(bytes, now)` returns
//! what happened and the bytes to answer with. The caller passes the time (a
//! [`Duration`](core::time::Duration) since the Unix epoch; [`session::system_time`] reads
//! the clock for callers that want it) and randomness ([`crypto::Entropy`];
//! [`crypto::OsEntropy`] is the operating system's). A responder runs its checks cheapest
//! first (shape, algorithms, timestamp, replay cache, MAC or signature) and only then
//! decrypts; a rejected message never changes its state.
//!
//! ## Quick start
//!
//! Each mode below runs both ends in one process; `examples/` has the same as runnable
//! programs that also protect an RTP packet (`cargo run --example psk`).
//!
//! ### Pre-shared key (RFC 3830 §3.1)
//!
//! ```
//! use core::time::Duration;
//! use mikey::crypto::{OsEntropy, SecretBytes};
//! use mikey::session::{PskConfig, PskInitiator, PskResponder, ResponderConfig, TransportKey};
//! use mikey::wire::{SrtpCs, SrtpPolicy};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let now = Duration::from_secs(1_800_000_000);
//! let psk = [7u8; 16];
//! let cfg = PskConfig {
//!     v: true, // ask for a verification message
//!     crypto_sessions: vec![SrtpCs { policy_no: 0, ssrc: 0x1234, roc: 0 }],
//!     policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)?],
//!     ..PskConfig::default()
//! };
//! let mut alice = PskInitiator::new(&psk, cfg);
//! let tgk = TransportKey::tgk(&[9u8; 16]).with_mki(&[0, 0, 0, 1]);
//! let i_message = alice.initiate(vec![tgk], now, &mut OsEntropy)?;
//!
//! let mut bob = PskResponder::new(SecretBytes::from_slice(&psk), ResponderConfig::default());
//! let accepted = bob.handle(&i_message, now)?;
//! alice.handle_response(accepted.response.as_deref().unwrap_or_default(), now)?;
//!
//! // Master key, salt, suite, SSRC, ROC, MKI: for libsrtp, webrtc-rs, GStreamer, ...
//! let keys = bob.srtp(accepted.csb_id)?;
//! assert_eq!(keys, alice.srtp()?);
//! let mut srtp = keys[0].context()?; // or protect packets with this crate's transform
//! # let _ = srtp.protect_rtp(&[0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x12, 0x34])?;
//! # Ok(()) }
//! ```
//!
//! ### Public-key envelope (RFC 3830 §3.2)
//!
//! The initiator encrypts a fresh envelope key to the responder's RSA key and signs the
//! message; the responder trusts the initiators its [`session::PeerVerifier`] accepts
//! ([`session::PinnedKeys`], or [`session::ChainVerifier`] for X.509 chains).
//!
//! ```
//! # use core::time::Duration;
//! use mikey::crypto::{CryptoProvider, OsEntropy, RustCryptoProvider};
//! use mikey::session::{PinnedKeys, PkConfig, PkInitiator, PkResponder, ResponderConfig, TransportKey};
//! use mikey::wire::{Id, SrtpCs, SrtpPolicy};
//! use std::sync::Arc;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let now = Duration::from_secs(1_800_000_000);
//! # let (alice_pem, bob_pem) = (
//! #     include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testvectors/keys/rsa2048-a.pem")),
//! #     include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testvectors/keys/rsa2048-b.pem")));
//! let provider: Arc<dyn CryptoProvider> = Arc::new(RustCryptoProvider);
//! let alice_key = provider.rsa_private_from_pem(alice_pem)?;
//! let bob_key = provider.rsa_private_from_pem(bob_pem)?;
//! let bob_trusts = PinnedKeys::new().with(b"sip:alice@example.com", &alice_key.to_spki_der());
//!
//! let cfg = PkConfig {
//!     id_i: Some(Id::uri("sip:alice@example.com")),
//!     crypto_sessions: vec![SrtpCs { policy_no: 0, ssrc: 0x1234, roc: 0 }],
//!     policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)?],
//!     ..PkConfig::default()
//! };
//! let mut alice = PkInitiator::new(alice_key, bob_key.public(), cfg);
//! let i_message = alice.initiate(vec![TransportKey::tgk(&[9u8; 16])], now, &mut OsEntropy)?;
//!
//! let mut bob = PkResponder::new(bob_key, bob_trusts, ResponderConfig::default()).with_provider(provider);
//! let accepted = bob.handle(&i_message, now)?;
//! assert_eq!(bob.srtp(accepted.csb_id)?, alice.srtp()?);
//! # Ok(()) }
//! ```
//!
//! ### Diffie-Hellman with signatures (RFC 3830 §3.3)
//!
//! ```
//! # use core::time::Duration;
//! use mikey::crypto::{default_provider, OsEntropy};
//! use mikey::session::{DhConfig, ResponderConfig, DhSignInitiator, DhSignResponder, PinnedKeys};
//! use mikey::wire::{Id, KeyValidity, SrtpCs, SrtpPolicy};
//! use std::sync::Arc;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let now = Duration::from_secs(1_800_000_000);
//! # let (alice_pem, bob_pem) = (
//! #     include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testvectors/keys/rsa2048-a.pem")),
//! #     include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testvectors/keys/rsa2048-b.pem")));
//! let (alice, bob) = ("sip:alice@example.com", "sip:bob@example.com");
//! let alice_key = default_provider().rsa_private_from_pem(alice_pem)?;
//! let bob_key = default_provider().rsa_private_from_pem(bob_pem)?;
//! let alice_trusts = Arc::new(PinnedKeys::new().with(bob.as_bytes(), &bob_key.to_spki_der()));
//! let bob_trusts = Arc::new(PinnedKeys::new().with(alice.as_bytes(), &alice_key.to_spki_der()));
//!
//! let cfg = DhConfig {
//!     id_i: Some(Id::uri(alice)),
//!     id_r: Some(Id::uri(bob)),
//!     kv: KeyValidity::Spi(vec![0, 0, 0, 1].into()), // the TGK's MKI
//!     crypto_sessions: vec![SrtpCs { policy_no: 0, ssrc: 0x1234, roc: 0 }],
//!     policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)?],
//!     ..DhConfig::default()
//! };
//! let mut initiator = DhSignInitiator::new(cfg, alice_key, alice_trusts);
//! let i_message = initiator.initiate(now, &mut OsEntropy)?;
//!
//! let rcfg = ResponderConfig { id_r: Some(Id::uri(bob)), ..ResponderConfig::default() };
//! let mut responder = DhSignResponder::new(bob_key, bob_trusts, rcfg);
//! let accepted = responder.handle(&i_message, now)?;
//! initiator.handle_response(accepted.response.as_deref().unwrap_or_default(), now)?;
//! assert_eq!(responder.srtp(accepted.csb_id)?, initiator.srtp()?);
//! # Ok(()) }
//! ```
//!
//! ### HMAC-authenticated Diffie-Hellman, DHHMAC (RFC 4650)
//!
//! ```
//! # use core::time::Duration;
//! use mikey::crypto::{OsEntropy, SecretBytes};
//! use mikey::session::{DhConfig, DhHmacInitiator, DhHmacResponder, ResponderConfig};
//! use mikey::wire::{Id, SrtpCs, SrtpPolicy};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let now = Duration::from_secs(1_800_000_000);
//! let psk = [7u8; 16];
//! let cfg = DhConfig {
//!     id_i: Some(Id::uri("sip:alice@example.com")),
//!     id_r: Some(Id::uri("sip:bob@example.com")), // RFC 4650 §3: always sent
//!     crypto_sessions: vec![SrtpCs { policy_no: 0, ssrc: 0x1234, roc: 0 }],
//!     policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)?],
//!     ..DhConfig::default()
//! };
//! let mut initiator = DhHmacInitiator::new(&psk, cfg);
//! let i_message = initiator.initiate(now, &mut OsEntropy)?;
//!
//! let rcfg = ResponderConfig {
//!     id_r: Some(Id::uri("sip:bob@example.com")),
//!     ..ResponderConfig::default()
//! };
//! let mut responder = DhHmacResponder::new(SecretBytes::from_slice(&psk), rcfg);
//! let accepted = responder.handle(&i_message, now)?;
//! initiator.handle_response(accepted.response.as_deref().unwrap_or_default(), now)?;
//! assert_eq!(responder.srtp(accepted.csb_id)?, initiator.srtp()?);
//! # Ok(()) }
//! ```
//!
//! ### MIKEY-RSA-R (RFC 4738)
//!
//! The responder supplies the key, encrypted to the initiator's public key.
//!
//! ```
//! # use core::time::Duration;
//! use mikey::crypto::{CryptoProvider, OsEntropy, RustCryptoProvider};
//! use mikey::session::{PinnedKeys, RsaRConfig, RsaRInitiator, RsaRResponder, ResponderConfig};
//! use mikey::wire::{Id, SrtpCs, SrtpPolicy};
//! use std::sync::Arc;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let now = Duration::from_secs(1_800_000_000);
//! # let (alice_pem, bob_pem) = (
//! #     include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testvectors/keys/rsa2048-a.pem")),
//! #     include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testvectors/keys/rsa2048-b.pem")));
//! let (alice, bob) = ("sip:alice@example.com", "sip:bob@example.com");
//! let provider: Arc<dyn CryptoProvider> = Arc::new(RustCryptoProvider);
//! let alice_key = provider.rsa_private_from_pem(alice_pem)?;
//! let bob_key = provider.rsa_private_from_pem(bob_pem)?;
//! let alice_trusts = PinnedKeys::new().with(bob.as_bytes(), &bob_key.to_spki_der());
//! let bob_trusts = PinnedKeys::new().with(alice.as_bytes(), &alice_key.to_spki_der());
//!
//! let cfg = RsaRConfig {
//!     id_i: Some(Id::uri(alice)),
//!     crypto_sessions: vec![SrtpCs { policy_no: 0, ssrc: 0x1234, roc: 0 }],
//!     policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)?],
//!     ..RsaRConfig::default()
//! };
//! let mut initiator = RsaRInitiator::new(provider.clone(), alice_key, alice_trusts, cfg);
//! let i_message = initiator.initiate(now, &mut OsEntropy)?;
//!
//! let rcfg = ResponderConfig { id_r: Some(Id::uri(bob)), ..ResponderConfig::default() };
//! let mut responder = RsaRResponder::new(bob_key, bob_trusts, rcfg).with_provider(provider);
//! let accepted = responder.handle(&i_message, now)?;
//! let got = initiator.handle_response(accepted.response.as_deref().unwrap_or_default(), now)?;
//! assert_eq!(responder.srtp(got.csb_id)?, initiator.srtp()?);
//! # Ok(()) }
//! ```
//!
//! ### Group keying (RFC 3830 §8.1)
//!
//! One source keys every receiver with the same TGK; joins and leaves bring a new key
//! (with the next MKI).
//!
//! ```
//! # use core::time::Duration;
//! use mikey::crypto::{OsEntropy, SecretBytes};
//! use mikey::session::group::{Credential, GroupConfig, GroupController, MemberId};
//! use mikey::session::{PskResponder, ResponderConfig};
//! use mikey::wire::{Id, SrtpCs, SrtpPolicy};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let now = Duration::from_secs(1_800_000_000);
//! let cfg = GroupConfig {
//!     id_i: Some(Id::uri("sip:source@example.com")),
//!     crypto_sessions: vec![SrtpCs { policy_no: 0, ssrc: 0x1234, roc: 0 }],
//!     policies: vec![SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(0)?],
//!     ..GroupConfig::default()
//! };
//! let mut source = GroupController::new(cfg, &mut OsEntropy)?;
//! let psk = SecretBytes::from_slice(&[7u8; 16]);
//! source.join(MemberId::new("alice@example.com"), Credential::Psk(psk.clone()), now)?;
//! let rcfg = ResponderConfig { id_r: Some(Id::nai("alice@example.com")), ..ResponderConfig::default() };
//! let mut alice = PskResponder::new(psk, rcfg);
//!
//! for (member, message) in source.key_all(now, &mut OsEntropy)? {
//!     // Send `message` to `member`; here Alice is the only one.
//!     let accepted = alice.handle(&message, now)?;
//!     source.handle_reply_any(accepted.response.as_deref().unwrap_or_default(), now)?;
//! }
//! assert_eq!(source.current_mki(), Some(1));
//! assert_eq!(alice.srtp(source.csb_id())?, source.srtp()?);
//! # Ok(()) }
//! ```
//!
//! ### SDP, RTSP and ONVIF
//!
//! [`sdp::offer_answer`] carries the PSK exchange in an SDP offer and answer (RFC 4567
//! §4.1); [`sdp::onvif`] runs the ONVIF profile (MIKEY-PSK with NULL encryption and MAC
//! over RTSPS: "MIKEY-NULL") for cameras and clients, shown end to end in
//! `examples/rtsp_onvif.rs`.
//!
//! ### Reading any MIKEY message
//!
//! ```
//! use mikey::wire::{MessageView, ParseOptions, Payload};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let hex = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/testvectors/gortsplib-mikey-a.hex")).trim();
//! # let bytes: Vec<u8> = (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16)).collect::<Result<_, _>>()?;
//! // `bytes`: a message from a camera (gortsplib's test vector). Lenient parsing accepts
//! // and reports the quirks real devices have.
//! let view = MessageView::parse_with(&bytes, ParseOptions::LENIENT)?;
//! assert_eq!(view.header().csb_id, 0xe69d51f8);
//! assert!(view.payloads().any(|p| matches!(p, Payload::Kemac(_))));
//! # Ok(()) }
//! ```
//!
//! ### Zero copy with `bytes`
//!
//! A stack that keeps packets in [`bytes::Bytes`](https://docs.rs/bytes) needs no copy:
//! every parser reads a `&[u8]`, which a `Bytes` derefs to, and every encoder writes a
//! `Vec<u8>`, which `Bytes::from` takes over.
//!
//! ```
//! use bytes::Bytes;
//! use mikey::wire::{Header, Message, MessageView, DataType};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let message = Message { header: Header::new(DataType::PskInit, 0x1234_5678), payloads: vec![] };
//! let mut buf = Vec::with_capacity(message.encoded_len());
//! message.encode_into(&mut buf);
//! let shared = Bytes::from(buf); // the same allocation, now shared
//! let view = MessageView::parse(&shared)?; // borrows from `shared`
//! assert_eq!(view.header().csb_id, 0x1234_5678);
//! # Ok(()) }
//! ```
//!
//! ## Cargo features
//!
//! * `aws-lc`: [`crypto::CryptoProvider`] on AWS-LC (`crypto::aws_lc::AwsLcProvider`),
//!   about 7x faster RSA private operations than RustCrypto; builds AWS-LC from C sources.
//! * `cli`: the `mikey` command-line tool (`cargo run --features cli -- --help`): dissect
//!   messages from any capture form, hand their SRTP keys to SRTP stacks, decrypt captures
//!   (it turns `pcap` on), run every exchange, SDP offer/answer. Library users do not
//!   need it.
//!
//! ## Errors
//!
//! Every error type implements [`std::error::Error`] and says what failed and where: a
//! [`wire::ParseError`] names the payload, field and byte offset; a
//! [`session::SessionError`] maps onto the Error payload codes of RFC 3830 §6.12 that a
//! responder answers with.
//!
//! ```
//! fn is_error<E: std::error::Error + Send + Sync + 'static>() {}
//! is_error::<mikey::wire::ParseError>();
//! is_error::<mikey::crypto::CryptoError>();
//! is_error::<mikey::session::SessionError>();
//! is_error::<mikey::session::group::GroupError>();
//! is_error::<mikey::srtp::SrtpError>();
//! is_error::<mikey::srtp::export::ExportError>();
//! is_error::<mikey::sdp::SdpError>();
//! is_error::<mikey::sdp::failure::KeyMgmtError>();
//! is_error::<mikey::sdp::failure::KeyMgmtFailure>();
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// `ok_or_else(|| SessionError::X)` is deliberate: the error types own Strings, so the eager
// `ok_or(SessionError::X)` builds and drops an error on the success path (measured: about 1%
// of a PSK exchange). Clippy counts such a constructor as cheap.
#![allow(clippy::unnecessary_lazy_evaluations)]

pub mod bundle;
#[cfg(feature = "pcap")]
pub mod capture;
pub mod crypto;
pub mod dissect;
#[cfg(feature = "sakke")]
pub mod mcx;
pub mod sdp;
pub mod session;
pub mod srtp;
pub mod wire;

/// The README's Rust code, compiled and run as a doctest so that it cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
