//! Session errors, each mapped onto the MIKEY Error payload code a responder answers with
//! (RFC 3830 §6.12).

use crate::wire::{EncodeError, ErrorNo, ParseError};
use core::fmt;

/// Why a message was rejected or could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionError {
    /// The bytes are not a well-formed MIKEY message.
    Parse(ParseError),
    /// The data type is not the one expected here (RFC 3830 §6.12 "Invalid DT").
    UnexpectedDataType(u8),
    /// A payload the exchange requires is missing, or one is out of place.
    MissingPayload(&'static str),
    /// The timestamp is outside the allowed clock skew or not newer than the last counter.
    InvalidTimestamp,
    /// The message was already accepted once (RFC 3830 §5.4).
    Replay,
    /// The replay cache is full: messages are refused until entries expire (RFC 3830 §5.4).
    ReplayCacheFull,
    /// The MAC or verification message does not verify, or no key is known for the peer.
    AuthFailure,
    /// PRF not supported.
    InvalidPrf(u8),
    /// KEMAC encryption algorithm not supported (or NULL where not allowed).
    InvalidEncryption(u8),
    /// MAC algorithm not supported (or NULL where not allowed).
    InvalidMac(u8),
    /// Diffie-Hellman group not supported (or not allowed), or a peer's DH value outside
    /// `1 < y < p - 1` (RFC 3830 §6.12 "Invalid DH"; §3.3, §6.4; RFC 4650 §3).
    InvalidDh(String),
    /// Security protocol not supported.
    InvalidSp(u8),
    /// Security policy parameters that cannot be honoured.
    InvalidSpPar(String),
    /// Key data that cannot be used (bad length, unknown type, undecryptable).
    InvalidKeyData(String),
    /// The message refers to a crypto session bundle this side does not have (an update
    /// without RAND for an unknown CSB ID, or a response to nothing).
    UnknownCsb(u32),
    /// The call does not fit the state of the exchange.
    WrongState(&'static str),
    /// The peer reported errors in an Error message.
    PeerError(Vec<ErrorNo>),
    /// A certificate (chain) that is malformed, expired, not issued by a trusted root or
    /// not for the claimed identity (RFC 3830 §6.12 "Invalid Cert").
    InvalidCert(String),
    /// A MIKEY-SAKKE I_MESSAGE names a KMS (IDRkmsi) whose certificate is not trusted
    /// (TS 33.180 5.2.4; answered as "Invalid Cert", RFC 3830 §6.12).
    UntrustedKms(String),
    /// An RSA-R message that cannot be parsed (RFC 4738 §3.5, §3.9.2: "Unsupported message
    /// type", Error no 13).
    UnsupportedMessageType(String),
    /// A limit of [`ResponderLimits`](crate::session::ResponderLimits) refused the message.
    LimitReached(crate::session::Limit),
    /// An input too weak to key anything with (RFC 3830 §6.11 RAND, short TGK, empty PSK,
    /// duplicate MKI).
    WeakInput(crate::session::Weakness),
    /// A message this side was to send does not fit the MIKEY fields (a RAND over 255
    /// bytes, an ID of 64 KiB or more, more than 255 crypto sessions, ...): nothing was
    /// sent ([`EncodeError`] names payload, field, length and maximum).
    Encode(EncodeError),
    /// Anything else.
    Unspecified(String),
}

impl SessionError {
    /// The Error payload code that reports this error to the peer (RFC 3830 §6.12).
    pub fn error_no(&self) -> ErrorNo {
        match self {
            Self::Parse(_) | Self::MissingPayload(_) | Self::WrongState(_) | Self::PeerError(_) => {
                ErrorNo::Unspecified
            }
            Self::Unspecified(_)
            | Self::Encode(_)
            | Self::UnknownCsb(_)
            | Self::ReplayCacheFull
            | Self::InvalidKeyData(_)
            | Self::LimitReached(_)
            | Self::WeakInput(_) => ErrorNo::Unspecified,
            Self::UnexpectedDataType(_) => ErrorNo::InvalidDt,
            Self::InvalidTimestamp | Self::Replay => ErrorNo::InvalidTs,
            Self::AuthFailure => ErrorNo::AuthFailure,
            Self::InvalidPrf(_) => ErrorNo::InvalidPrf,
            Self::InvalidEncryption(_) => ErrorNo::InvalidEa,
            Self::InvalidMac(_) => ErrorNo::InvalidMac,
            Self::InvalidDh(_) => ErrorNo::InvalidDh,
            Self::InvalidSp(_) => ErrorNo::InvalidSp,
            Self::InvalidSpPar(_) => ErrorNo::InvalidSpPar,
            Self::InvalidCert(_) | Self::UntrustedKms(_) => ErrorNo::InvalidCert,
            Self::UnsupportedMessageType(_) => ErrorNo::UnsupportedMessageType,
        }
    }
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Parse(e) => write!(f, "malformed message: {e}"),
            Self::UnexpectedDataType(t) => write!(f, "unexpected data type {t}"),
            Self::MissingPayload(p) => write!(f, "missing or misplaced {p} payload"),
            Self::InvalidTimestamp => write!(f, "timestamp outside the allowed clock skew"),
            Self::Replay => write!(f, "replayed message"),
            Self::ReplayCacheFull => write!(
                f,
                "replay cache full: refusing messages until entries expire"
            ),
            Self::AuthFailure => write!(f, "authentication failure"),
            Self::InvalidPrf(v) => write!(f, "PRF func {v} not supported"),
            Self::InvalidEncryption(v) => {
                write!(f, "KEMAC encryption algorithm {v} not supported here")
            }
            Self::InvalidMac(v) => write!(f, "MAC algorithm {v} not supported here"),
            Self::InvalidDh(s) => write!(f, "Diffie-Hellman: {s}"),
            Self::InvalidSp(v) => write!(f, "security protocol {v} not supported"),
            Self::InvalidSpPar(s) => write!(f, "security policy not supported: {s}"),
            Self::InvalidKeyData(s) => write!(f, "invalid key data: {s}"),
            Self::UnknownCsb(c) => write!(f, "unknown crypto session bundle {c:#010x}"),
            Self::WrongState(s) => write!(f, "wrong state: {s}"),
            Self::PeerError(v) => {
                write!(f, "peer reported")?;
                for e in v {
                    write!(f, " {e}")?;
                }
                Ok(())
            }
            Self::InvalidCert(s) => write!(f, "certificate not accepted: {s}"),
            Self::UntrustedKms(s) => write!(f, "KMS {s:?} is not trusted"),
            Self::UnsupportedMessageType(s) => write!(f, "unsupported message: {s}"),
            Self::LimitReached(l) => write!(f, "limit reached: {l}"),
            Self::WeakInput(w) => write!(f, "weak input refused: {w}"),
            Self::Encode(e) => write!(f, "message not sent: {e}"),
            Self::Unspecified(s) => write!(f, "{s}"),
        }
    }
}

impl std::error::Error for SessionError {}

impl From<crate::srtp::ExportError> for SessionError {
    fn from(e: crate::srtp::ExportError) -> Self {
        use crate::srtp::ExportError as E;
        match e {
            E::InvalidPrf(v) => Self::InvalidPrf(v),
            E::InvalidSp(v) => Self::InvalidSp(v),
            E::InvalidSpPar(s) => Self::InvalidSpPar(s),
            E::InvalidKeyData(s) => Self::InvalidKeyData(s),
            E::RocCarrying(s) => Self::InvalidSpPar(s),
            E::KeyValidity(s) => Self::InvalidKeyData(s),
        }
    }
}

impl From<EncodeError> for SessionError {
    fn from(e: EncodeError) -> Self {
        Self::Encode(e)
    }
}

impl From<ParseError> for SessionError {
    fn from(e: ParseError) -> Self {
        Self::Parse(e)
    }
}
