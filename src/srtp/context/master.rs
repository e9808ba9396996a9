//! One master key of a context with its MKI, its `<From, To>` interval and the session
//! keys derived from it (RFC 3711 §3.2.1, §4.3, §8.1.1).

use zeroize::Zeroizing;

use super::cipher::{
    AesAny, SessionKeys, LABEL_RTCP_AUTH, LABEL_RTCP_ENC, LABEL_RTCP_SALT, LABEL_RTP_AUTH,
    LABEL_RTP_ENC, LABEL_RTP_SALT,
};
use super::SrtpError;
use crate::srtp::SrtpSuite;

/// The `<From, To>` lifetime of a master key (RFC 3711 §8.1.1): the 48-bit SRTP indices
/// (ROC ‖ SEQ) between which, both included, the key is valid. MIKEY carries it as key
/// validity data of type Interval with 6-octet Valid From / Valid To (RFC 3830 §6.14).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyInterval {
    from: u64,
    to: u64,
}

/// Largest SRTP packet index (48 bits, RFC 3711 §3.3.1).
const MAX_INDEX: u64 = (1 << 48) - 1;

impl KeyInterval {
    /// The interval `from..=to` of 48-bit indices; [`SrtpError::BadInterval`] when `from`
    /// lies after `to` or either exceeds 48 bits (RFC 3711 §8.1.1).
    pub fn new(from: u64, to: u64) -> Result<Self, SrtpError> {
        if from > to || to > MAX_INDEX {
            return Err(SrtpError::BadInterval);
        }
        Ok(Self { from, to })
    }

    /// The interval of MIKEY key validity data (RFC 3830 §6.14): Valid From and Valid To
    /// as 6-octet big-endian SRTP indices; `None` for any other length.
    pub fn from_mikey(valid_from: &[u8], valid_to: &[u8]) -> Option<Result<Self, SrtpError>> {
        let index = |b: &[u8]| -> Option<u64> {
            let b: [u8; 6] = b.try_into().ok()?;
            Some(b.iter().fold(0u64, |acc, x| (acc << 8) | u64::from(*x)))
        };
        Some(Self::new(index(valid_from)?, index(valid_to)?))
    }

    /// First index the key is valid for.
    pub fn from(&self) -> u64 {
        self.from
    }

    /// Last index the key is valid for.
    pub fn to(&self) -> u64 {
        self.to
    }

    /// Whether `index` lies in the interval.
    pub fn contains(&self, index: u64) -> bool {
        (self.from..=self.to).contains(&index)
    }
}

/// A master key, its MKI and validity, and its cached SRTP and SRTCP session keys.
pub(super) struct MasterKey {
    /// AES keyed with the master key (the PRF of RFC 3711 §4.3.3).
    master: AesAny,
    /// Master salt, zero-padded to 112 bits for the PRF.
    salt: Zeroizing<[u8; 14]>,
    pub(super) mki: Vec<u8>,
    pub(super) interval: Option<KeyInterval>,
    pub(super) rtp: Option<SessionKeys>,
    pub(super) rtcp: Option<SessionKeys>,
}

impl MasterKey {
    pub(super) fn new(suite: SrtpSuite, key: &[u8], salt: &[u8]) -> Result<Self, SrtpError> {
        if key.len() != suite.master_key_len() {
            return Err(SrtpError::BadKeyLength);
        }
        if salt.len() != suite.master_salt_len() {
            return Err(SrtpError::BadSaltLength);
        }
        let mut padded = Zeroizing::new([0u8; 14]);
        padded[..salt.len()].copy_from_slice(salt);
        Ok(Self {
            master: AesAny::new(key)?,
            salt: padded,
            mki: Vec::new(),
            interval: None,
            rtp: None,
            rtcp: None,
        })
    }

    /// Whether the key may protect the packet of SRTP index `index`.
    pub(super) fn valid_for(&self, index: u64) -> bool {
        self.interval.is_none_or(|i| i.contains(index))
    }

    /// SRTP (`rtcp` false) or SRTCP session keys for r = index DIV kdr, derived when
    /// not cached (RFC 3711 §4.3.1-4.3.2), and this key's MKI.
    pub(super) fn session(
        &mut self,
        suite: SrtpSuite,
        rtcp: bool,
        r: u64,
    ) -> Result<(&SessionKeys, &[u8]), SrtpError> {
        let (slot, labels) = if rtcp {
            (
                &mut self.rtcp,
                [LABEL_RTCP_ENC, LABEL_RTCP_AUTH, LABEL_RTCP_SALT],
            )
        } else {
            (
                &mut self.rtp,
                [LABEL_RTP_ENC, LABEL_RTP_AUTH, LABEL_RTP_SALT],
            )
        };
        if slot.as_ref().map(|k| k.r) != Some(r) {
            *slot = Some(SessionKeys::derive(
                suite,
                &self.master,
                &self.salt,
                labels,
                r,
            )?);
        }
        let keys = slot.as_ref().ok_or(SrtpError::Crypto)?;
        Ok((keys, &self.mki))
    }
}
