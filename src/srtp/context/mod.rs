//! The SRTP / SRTCP packet transform (RFC 3711 §3-4, RFC 6188, RFC 7714), with the
//! ROC-carrying transform of RFC 4771 and several master keys chosen by MKI or
//! `<From, To>` (RFC 3711 §8.1.1).
//!
//! An [`SrtpContext`] is the cryptographic context of one direction (RFC 3711 §3.2): its
//! master keys (each with its MKI and optional [`KeyInterval`]), and the per-SSRC state:
//! the rollover counter and highest index for SRTP (§3.3.1), the SRTCP index (§3.4) and
//! the 64-packet replay windows (§3.3.2). Session keys are derived with the AES-CM PRF
//! (§4.3.1-4.3.3; AES-192/256 PRF per RFC 6188 §3; RFC 7714 §11 for GCM).

mod cipher;
mod error;
mod master;
pub mod rcc;
mod rtcp;
mod rtp;
mod stream;

use std::collections::HashMap;
use std::fmt;

pub use error::SrtpError;
pub use master::KeyInterval;
pub use rcc::RccMode;

use master::MasterKey;
use rcc::Rcc;
use stream::{RtcpStream, RtpStream};

use super::suite::SrtpSuite;

/// Most master keys one context holds (one per MKI value of a crypto session).
pub const MAX_MASTER_KEYS: usize = 256;
/// Most SSRCs one context tracks, for SRTP and for SRTCP each: packets of further
/// SSRCs are refused with [`SrtpError::TooManyStreams`].
pub const MAX_STREAMS: usize = 4096;

/// An SRTP/SRTCP cryptographic context for one direction (RFC 3711 §3.2).
///
/// Use one context for sending and another for receiving: the per-SSRC state (ROC,
/// highest index, SRTCP index, replay window) is shared by `protect_*` and
/// `unprotect_*`. The sender accepts retransmissions (no replay check on protect); the
/// receiver enforces a 64-packet replay window (RFC 3711 §3.3.2) on every packet that is
/// authenticated.
///
/// ```
/// use mikey::srtp::{SrtpContext, SrtpSuite};
/// let (key, salt) = ([1u8; 16], [2u8; 14]);
/// let mut tx = SrtpContext::new(SrtpSuite::AesCm128HmacSha1_80, &key, &salt).unwrap();
/// let mut rx = SrtpContext::new(SrtpSuite::AesCm128HmacSha1_80, &key, &salt).unwrap();
/// let rtp = [0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0xde, 0xad];
/// let srtp = tx.protect_rtp(&rtp).unwrap();
/// assert_eq!(rx.unprotect_rtp(&srtp).unwrap(), rtp);
/// ```
pub struct SrtpContext {
    suite: SrtpSuite,
    /// The master keys; never empty. All MKIs have the same length (RFC 3711 §3.2.1).
    keys: Vec<MasterKey>,
    /// The key the sender uses when no `<From, To>` interval decides.
    active: usize,
    kdr: u64,
    rcc: Option<Rcc>,
    srtcp_encryption: bool,
    rtp_streams: HashMap<u32, RtpStream>,
    rtcp_streams: HashMap<u32, RtcpStream>,
}

impl fmt::Debug for SrtpContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SrtpContext")
            .field("suite", &self.suite)
            .field("master_key", &"<redacted>")
            .field("master_keys", &self.keys.len())
            .field("mki_len", &self.mki_len())
            .field("kdr", &self.kdr)
            .field("rcc", &self.rcc)
            .field("srtcp_encryption", &self.srtcp_encryption)
            .field("rtp_streams", &self.rtp_streams.len())
            .field("rtcp_streams", &self.rtcp_streams.len())
            .finish()
    }
}

/// Length of the RTP header including CSRCs and header extension
/// (RFC 3550 §5.1, §5.3.1).
fn rtp_header_len(p: &[u8]) -> Result<usize, SrtpError> {
    if p.len() < 12 {
        return Err(SrtpError::Truncated);
    }
    if p[0] >> 6 != 2 {
        return Err(SrtpError::Malformed);
    }
    let mut len = 12 + 4 * usize::from(p[0] & 0x0f);
    if p[0] & 0x10 != 0 {
        let ext = p.get(len..len + 4).ok_or(SrtpError::Truncated)?;
        len += 4 + 4 * usize::from(u16::from_be_bytes([ext[2], ext[3]]));
    }
    if p.len() < len {
        return Err(SrtpError::Truncated);
    }
    Ok(len)
}

fn be32(p: &[u8], at: usize) -> Result<u32, SrtpError> {
    let b = p.get(at..at + 4).ok_or(SrtpError::Truncated)?;
    Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// Inserts per-SSRC state, refusing a new SSRC beyond [`MAX_STREAMS`].
fn insert_bounded<S>(map: &mut HashMap<u32, S>, ssrc: u32, state: S) -> Result<(), SrtpError> {
    if map.len() >= MAX_STREAMS && !map.contains_key(&ssrc) {
        return Err(SrtpError::TooManyStreams);
    }
    map.insert(ssrc, state);
    Ok(())
}

impl SrtpContext {
    /// Creates a context from a master key and master salt (RFC 3711 §3.2.1).
    ///
    /// Key lengths must match [`SrtpSuite::master_key_len`] and
    /// [`SrtpSuite::master_salt_len`] (14 octets for AES-CM, 12 for GCM).
    /// The key derivation rate defaults to 0 (derive once, RFC 3711 §4.3.1); SRTCP
    /// is encrypted whenever the suite encrypts.
    pub fn new(suite: SrtpSuite, master_key: &[u8], master_salt: &[u8]) -> Result<Self, SrtpError> {
        Ok(SrtpContext {
            suite,
            keys: vec![MasterKey::new(suite, master_key, master_salt)?],
            active: 0,
            kdr: 0,
            rcc: None,
            srtcp_encryption: true,
            rtp_streams: HashMap::new(),
            rtcp_streams: HashMap::new(),
        })
    }

    /// Sets the Master Key Identifier of the first master key (RFC 3711 §3.1, §3.4).
    /// An empty slice means no MKI.
    ///
    /// For AES-CM the MKI sits between the encrypted portion (or the SRTCP
    /// index) and the tag; for AES-GCM it follows the AEAD tag (or the SRTCP
    /// index) as raw data (RFC 7714 §8.2, §9.2). On unprotect the packet's
    /// MKI must name a key of the context, else [`SrtpError::MkiMismatch`].
    pub fn with_mki(mut self, mki: &[u8]) -> Self {
        if let Some(k) = self.keys.first_mut() {
            k.mki = mki.to_vec();
        }
        self
    }

    /// Limits the first master key to the SRTP indices of `interval` (RFC 3711 §8.1.1).
    pub fn with_interval(mut self, interval: KeyInterval) -> Self {
        if let Some(k) = self.keys.first_mut() {
            k.interval = Some(interval);
        }
        self
    }

    /// Adds a further master key with its MKI and optional `<From, To>` interval
    /// (RFC 3711 §3.2.1, §8.1.1). The MKI must have the length of the other keys' MKIs
    /// and differ from theirs, else [`SrtpError::BadMki`]; at most
    /// [`MAX_MASTER_KEYS`] keys.
    ///
    /// A receiver picks the key by the packet's MKI; without MKIs, by the interval that
    /// holds the packet's index. A sender uses the key whose interval holds the index,
    /// else the key chosen with [`select_mki`](Self::select_mki) (the first by default).
    pub fn add_master_key(
        &mut self,
        master_key: &[u8],
        master_salt: &[u8],
        mki: &[u8],
        interval: Option<KeyInterval>,
    ) -> Result<(), SrtpError> {
        let same_len = mki.len() == self.mki_len();
        let taken = self.keys.iter().any(|k| k.mki == mki);
        if !same_len || (taken && !mki.is_empty()) || self.keys.len() >= MAX_MASTER_KEYS {
            return Err(SrtpError::BadMki);
        }
        let mut key = MasterKey::new(self.suite, master_key, master_salt)?;
        key.mki = mki.to_vec();
        key.interval = interval;
        self.keys.push(key);
        Ok(())
    }

    /// Makes the key with this MKI the sender's key where no interval decides
    /// (RFC 3711 §8.1.1: the MKI "can be useful to signal at the sender side at which
    /// point in time an MKI is to be made active").
    pub fn select_mki(&mut self, mki: &[u8]) -> Result<(), SrtpError> {
        self.active = self.key_by_mki(mki)?;
        Ok(())
    }

    /// Removes the key with this MKI (a re-keyed or expired master key); the last key
    /// stays ([`SrtpError::NoValidKey`]).
    pub fn remove_master_key(&mut self, mki: &[u8]) -> Result<(), SrtpError> {
        let i = self.key_by_mki(mki)?;
        if self.keys.len() == 1 {
            return Err(SrtpError::NoValidKey);
        }
        self.keys.remove(i);
        if self.active >= i && self.active > 0 {
            self.active -= 1;
        }
        Ok(())
    }

    /// Sets the key derivation rate (RFC 3711 §4.3.1): 0 derives the session
    /// keys once; otherwise a power of two in 1..=2^24 and session keys are
    /// re-derived with r = index DIV kdr.
    pub fn with_kdr(mut self, kdr: u64) -> Result<Self, SrtpError> {
        if kdr != 0 && (!kdr.is_power_of_two() || kdr > 1 << 24) {
            return Err(SrtpError::BadKdr);
        }
        self.kdr = kdr;
        for k in &mut self.keys {
            k.rtp = None;
            k.rtcp = None;
        }
        Ok(self)
    }

    /// Uses the ROC-carrying transform of RFC 4771 for SRTP with ROC transmission rate
    /// `rate` (R ≥ 1): see [`rcc`] for the packet layouts. Refused with
    /// [`SrtpError::BadRcc`] for R = 0 and for modes 1 and 2 with an AEAD suite.
    pub fn with_rcc(mut self, mode: RccMode, rate: u16) -> Result<Self, SrtpError> {
        self.rcc = Some(Rcc::new(self.suite, mode, rate)?);
        Ok(self)
    }

    /// Switches SRTCP encryption off (`false`: E flag 0, payload in the clear but
    /// authenticated; RFC 3711 §3.4, RFC 7714 §9.3) or on (the default when the suite
    /// encrypts). MIKEY's "SRTCP encryption" policy parameter (RFC 3830 §6.10.1).
    pub fn with_srtcp_encryption(mut self, on: bool) -> Self {
        self.srtcp_encryption = on;
        self
    }

    /// Sets the rollover counter of `ssrc` (RFC 3711 §3.3.1), e.g. from the
    /// MIKEY ROC field (RFC 3830 §6.1). This resets that SSRC's SRTP state:
    /// the next packet's index is ROC || SEQ and the replay window is empty.
    pub fn set_roc(&mut self, ssrc: u32, roc: u32) {
        self.rtp_streams.insert(
            ssrc,
            RtpStream {
                initial_roc: roc,
                ..RtpStream::default()
            },
        );
    }

    /// Current rollover counter of `ssrc` (ROC of the highest index seen),
    /// if the SSRC is known.
    pub fn roc(&self, ssrc: u32) -> Option<u32> {
        self.rtp_streams
            .get(&ssrc)
            .map(|s| (s.current_index() >> 16) as u32)
    }

    /// The suite of this context.
    pub fn suite(&self) -> SrtpSuite {
        self.suite
    }

    /// MKI length of the context's keys (0: no MKI in packets).
    pub fn mki_len(&self) -> usize {
        self.keys.first().map_or(0, |k| k.mki.len())
    }

    /// r = index DIV key_derivation_rate, 0 when the rate is 0 (RFC 3711 §4.3.1).
    fn r_for(&self, index: u64) -> u64 {
        index.checked_div(self.kdr).unwrap_or(0)
    }

    /// The key with this MKI (compared in constant time per key).
    fn key_by_mki(&self, mki: &[u8]) -> Result<usize, SrtpError> {
        self.keys
            .iter()
            .position(|k| crate::crypto::ct_eq(&k.mki, mki))
            .ok_or(SrtpError::MkiMismatch)
    }

    /// The key for SRTP index `index` without an MKI (RFC 3711 §8.1.1): the first key
    /// whose interval holds it, else the selected key if it has no interval, else the
    /// first key without one.
    fn key_for_index(&self, index: u64) -> Result<usize, SrtpError> {
        let by_interval = self
            .keys
            .iter()
            .position(|k| k.interval.is_some_and(|i| i.contains(index)));
        if let Some(i) = by_interval {
            return Ok(i);
        }
        match self.keys.get(self.active) {
            Some(k) if k.interval.is_none() => Ok(self.active),
            _ => self
                .keys
                .iter()
                .position(|k| k.interval.is_none())
                .ok_or(SrtpError::NoValidKey),
        }
    }

    /// The receiver's key: named by the packet's MKI when the context uses MKIs, and
    /// valid for `index` (RFC 3711 §3.3 step 1, §8.1.1).
    fn receive_key(&self, mki: &[u8], index: u64) -> Result<usize, SrtpError> {
        if self.mki_len() == 0 {
            return self.key_for_index(index);
        }
        let i = self.key_by_mki(mki)?;
        if !self.keys[i].valid_for(index) {
            return Err(SrtpError::NoValidKey);
        }
        Ok(i)
    }

    /// The SRTP index SRTCP of `ssrc` uses to pick a key by interval: the most recent
    /// one of the SRTP stream of the same SSRC (RFC 3711 §8.1.1).
    fn srtp_index_of(&self, ssrc: u32) -> u64 {
        self.rtp_streams
            .get(&ssrc)
            .map_or(0, RtpStream::current_index)
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_keys;
#[cfg(test)]
mod tests_rcc;
