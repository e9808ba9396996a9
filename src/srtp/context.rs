//! The SRTP / SRTCP packet transform (RFC 3711 §3-4, RFC 6188, RFC 7714).
//!
//! An [`SrtpContext`] holds one master key / master salt (RFC 3711 §3.2.1)
//! and the per-SSRC state of one direction: the rollover counter and highest
//! index for SRTP (§3.3.1), the SRTCP index (§3.4) and the 64-packet replay
//! windows (§3.3.2).  Session keys are derived with the AES-CM PRF
//! (§4.3.1-4.3.3; AES-192/256 PRF per RFC 6188 §3; RFC 7714 §11 for GCM).

use std::collections::HashMap;
use std::fmt;

use aes::cipher::{BlockCipherEncrypt, KeyInit};
use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes128Gcm, Aes256Gcm};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::suite::SrtpSuite;

type HmacSha1 = Hmac<Sha1>;

/// Key-derivation labels (RFC 3711 §4.3.2).
const LABEL_RTP_ENC: u8 = 0x00;
const LABEL_RTP_AUTH: u8 = 0x01;
const LABEL_RTP_SALT: u8 = 0x02;
const LABEL_RTCP_ENC: u8 = 0x03;
const LABEL_RTCP_AUTH: u8 = 0x04;
const LABEL_RTCP_SALT: u8 = 0x05;

/// Size of the replay window in packets (RFC 3711 §3.3.2 minimum).
const REPLAY_WINDOW: u64 = 64;
/// Largest SRTCP index (31 bits, RFC 3711 §3.4).
const MAX_SRTCP_INDEX: u32 = 0x7fff_ffff;
/// AES-GCM tag length used by the RFC 7714 suites.
const GCM_TAG_LEN: usize = 16;

/// Errors of the SRTP / SRTCP transform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SrtpError {
    /// The packet is too short for its header, MKI and tag.
    Truncated,
    /// The packet is not an RTP/RTCP version 2 packet.
    Malformed,
    /// The authentication tag (HMAC or AEAD tag) did not verify.
    AuthFailed,
    /// The packet index was already received or is older than the
    /// replay window (RFC 3711 §3.3.2).
    Replay,
    /// The MKI carried by the packet differs from the context's MKI
    /// (RFC 3711 §3.1).
    MkiMismatch,
    /// The master key length does not match the suite.
    BadKeyLength,
    /// The master salt length does not match the suite.
    BadSaltLength,
    /// The key derivation rate is not 0 or a power of two up to 2^24
    /// (RFC 3711 §4.3.1).
    BadKdr,
    /// The packet index would leave its range (ROC underflow/overflow,
    /// exhausted 31-bit SRTCP index): the master key must be replaced
    /// (RFC 3711 §3.3.1, §9.2).
    IndexOutOfRange,
    /// Internal cipher failure (should not happen).
    Crypto,
}

impl fmt::Display for SrtpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SrtpError::Truncated => "SRTP: packet truncated",
            SrtpError::Malformed => "SRTP: malformed RTP/RTCP packet",
            SrtpError::AuthFailed => "SRTP: authentication failed",
            SrtpError::Replay => "SRTP: replayed or too old packet",
            SrtpError::MkiMismatch => "SRTP: MKI mismatch",
            SrtpError::BadKeyLength => "SRTP: bad master key length",
            SrtpError::BadSaltLength => "SRTP: bad master salt length",
            SrtpError::BadKdr => "SRTP: bad key derivation rate",
            SrtpError::IndexOutOfRange => "SRTP: packet index out of range",
            SrtpError::Crypto => "SRTP: cipher failure",
        })
    }
}

impl std::error::Error for SrtpError {}

/// AES block cipher of any of the three key sizes.
enum AesAny {
    A128(aes::Aes128),
    A192(aes::Aes192),
    A256(aes::Aes256),
}

impl AesAny {
    fn new(key: &[u8]) -> Result<Self, SrtpError> {
        let bad = |_| SrtpError::BadKeyLength;
        Ok(match key.len() {
            16 => AesAny::A128(aes::Aes128::new_from_slice(key).map_err(bad)?),
            24 => AesAny::A192(aes::Aes192::new_from_slice(key).map_err(bad)?),
            32 => AesAny::A256(aes::Aes256::new_from_slice(key).map_err(bad)?),
            _ => return Err(SrtpError::BadKeyLength),
        })
    }

    fn encrypt_block(&self, block: &mut [u8; 16]) {
        let mut b = aes::Block::from(*block);
        match self {
            AesAny::A128(c) => c.encrypt_block(&mut b),
            AesAny::A192(c) => c.encrypt_block(&mut b),
            AesAny::A256(c) => c.encrypt_block(&mut b),
        }
        block.copy_from_slice(&b);
    }

    /// AES counter mode (RFC 3711 §4.1.1): XORs `data` with the keystream
    /// E(k, IV) || E(k, IV + 1) || ... (128-bit big-endian counter).
    fn ctr_xor(&self, iv: [u8; 16], data: &mut [u8]) {
        let ctr = u128::from_be_bytes(iv);
        for (i, chunk) in data.chunks_mut(16).enumerate() {
            let mut ks = ctr.wrapping_add(i as u128).to_be_bytes();
            self.encrypt_block(&mut ks);
            for (d, k) in chunk.iter_mut().zip(ks) {
                *d ^= k;
            }
        }
    }
}

/// The AES-CM PRF key derivation (RFC 3711 §4.3.1/§4.3.3, RFC 6188 §3):
/// x = (label || r) XOR master_salt, output = AES-CM keystream for IV = x * 2^16.
///
/// `salt14` is the 112-bit master salt (the 96-bit GCM salt is zero-padded on
/// the right, as libsrtp does for RFC 7714 §11).  `r` is the 48-bit
/// `index DIV key_derivation_rate`.
fn kdf(master: &AesAny, salt14: &[u8; 14], label: u8, r: u64, out: &mut [u8]) {
    let mut x = [0u8; 16];
    x[..14].copy_from_slice(salt14);
    // key_id = label (8 bits) || r (48 bits), right-aligned in the 112-bit salt.
    x[7] ^= label;
    let rb = r.to_be_bytes();
    for i in 0..6 {
        x[8 + i] ^= rb[2 + i];
    }
    out.fill(0);
    master.ctr_xor(x, out);
}

/// Session cipher (one instance per context and direction, so the size
/// difference between variants does not matter).
#[allow(clippy::large_enum_variant)]
enum SessionCipher {
    Null,
    Cm(AesAny),
    Gcm128(Box<Aes128Gcm>),
    Gcm256(Box<Aes256Gcm>),
}

/// One set of session keys (RFC 3711 §4.3) for either SRTP or SRTCP.
struct SessionKeys {
    /// `index DIV kdr` these keys were derived for.
    r: u64,
    cipher: SessionCipher,
    /// Session encryption key (kept for tests; zeroized on drop).
    #[cfg_attr(not(test), allow(dead_code))]
    enc_key: Zeroizing<Vec<u8>>,
    /// Session salt (14 octets for AES-CM, 12 for GCM).
    salt: Zeroizing<Vec<u8>>,
    /// Session authentication key (HMAC-SHA1 suites only).
    #[cfg_attr(not(test), allow(dead_code))]
    auth_key: Zeroizing<Vec<u8>>,
    mac: Option<HmacSha1>,
}

impl SessionKeys {
    fn derive(
        suite: SrtpSuite,
        master: &AesAny,
        salt14: &[u8; 14],
        labels: [u8; 3],
        r: u64,
    ) -> Result<Self, SrtpError> {
        let mut enc_key = Zeroizing::new(vec![0u8; suite.session_enc_key_len()]);
        let mut auth_key = Zeroizing::new(vec![0u8; suite.session_auth_key_len()]);
        let mut salt = Zeroizing::new(vec![0u8; suite.master_salt_len()]);
        kdf(master, salt14, labels[0], r, &mut enc_key);
        kdf(master, salt14, labels[1], r, &mut auth_key);
        kdf(master, salt14, labels[2], r, &mut salt);
        Self::from_parts(suite, r, enc_key, salt, auth_key)
    }

    fn from_parts(
        suite: SrtpSuite,
        r: u64,
        enc_key: Zeroizing<Vec<u8>>,
        salt: Zeroizing<Vec<u8>>,
        auth_key: Zeroizing<Vec<u8>>,
    ) -> Result<Self, SrtpError> {
        let bad = |_| SrtpError::BadKeyLength;
        let cipher = match suite {
            SrtpSuite::NullHmacSha1_80 | SrtpSuite::NullHmacSha1_32 => SessionCipher::Null,
            SrtpSuite::AeadAes128Gcm => {
                SessionCipher::Gcm128(Box::new(Aes128Gcm::new_from_slice(&enc_key).map_err(bad)?))
            }
            SrtpSuite::AeadAes256Gcm => {
                SessionCipher::Gcm256(Box::new(Aes256Gcm::new_from_slice(&enc_key).map_err(bad)?))
            }
            _ => SessionCipher::Cm(AesAny::new(&enc_key)?),
        };
        let mac = if suite.is_aead() {
            None
        } else {
            Some(<HmacSha1 as KeyInit>::new_from_slice(&auth_key).map_err(bad)?)
        };
        Ok(SessionKeys {
            r,
            cipher,
            enc_key,
            salt,
            auth_key,
            mac,
        })
    }

    /// AES-CM IV (RFC 3711 §4.1.1):
    /// IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16).
    fn cm_iv(&self, ssrc: u32, index: u64) -> [u8; 16] {
        let mut iv = [0u8; 16];
        let n = self.salt.len().min(14);
        iv[..n].copy_from_slice(&self.salt[..n]);
        for (d, s) in iv[4..8].iter_mut().zip(ssrc.to_be_bytes()) {
            *d ^= s;
        }
        for (d, s) in iv[8..14].iter_mut().zip(&index.to_be_bytes()[2..]) {
            *d ^= s;
        }
        iv
    }

    /// AES-GCM IV: 12-octet `00 00 || SSRC || tail` XOR salt, where `tail` is
    /// ROC || SEQ for SRTP (RFC 7714 §8.1) and 00 00 || 0 || SRTCP index for
    /// SRTCP (RFC 7714 §9.1).
    fn gcm_iv(&self, ssrc: u32, tail: [u8; 6]) -> [u8; 12] {
        let mut iv = [0u8; 12];
        iv[2..6].copy_from_slice(&ssrc.to_be_bytes());
        iv[6..].copy_from_slice(&tail);
        for (d, s) in iv.iter_mut().zip(self.salt.iter()) {
            *d ^= s;
        }
        iv
    }

    /// HMAC-SHA1 over `parts` (RFC 3711 §4.2.1), full 20-octet output.
    fn hmac(&self, parts: &[&[u8]]) -> Result<[u8; 20], SrtpError> {
        let mut mac = self.mac.clone().ok_or(SrtpError::Crypto)?;
        for p in parts {
            mac.update(p);
        }
        let out = mac.finalize().into_bytes();
        let mut tag = [0u8; 20];
        tag.copy_from_slice(&out);
        Ok(tag)
    }

    /// Encrypts `buf` in place with AES-GCM, returning the 16-octet tag.
    fn gcm_seal(&self, iv: &[u8; 12], aad: &[u8], buf: &mut [u8]) -> Result<[u8; 16], SrtpError> {
        let nonce = aes_gcm::Nonce::from(*iv);
        let tag = match &self.cipher {
            SessionCipher::Gcm128(c) => c.encrypt_inout_detached(&nonce, aad, buf.into()),
            SessionCipher::Gcm256(c) => c.encrypt_inout_detached(&nonce, aad, buf.into()),
            _ => return Err(SrtpError::Crypto),
        }
        .map_err(|_| SrtpError::Crypto)?;
        let mut out = [0u8; 16];
        out.copy_from_slice(&tag);
        Ok(out)
    }

    /// Verifies the tag, then decrypts `buf` in place (AES-GCM, RFC 7714 §5.2.2).
    fn gcm_open(
        &self,
        iv: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8],
    ) -> Result<(), SrtpError> {
        let nonce = aes_gcm::Nonce::from(*iv);
        let mut t = [0u8; GCM_TAG_LEN];
        if tag.len() != GCM_TAG_LEN {
            return Err(SrtpError::Truncated);
        }
        t.copy_from_slice(tag);
        let tag = aes_gcm::Tag::from(t);
        match &self.cipher {
            SessionCipher::Gcm128(c) => c.decrypt_inout_detached(&nonce, aad, buf.into(), &tag),
            SessionCipher::Gcm256(c) => c.decrypt_inout_detached(&nonce, aad, buf.into(), &tag),
            _ => return Err(SrtpError::Crypto),
        }
        .map_err(|_| SrtpError::AuthFailed)
    }
}

/// 64-packet sliding replay window (RFC 3711 §3.3.2); bit 0 is `highest`.
#[derive(Clone, Copy, Debug, Default)]
struct ReplayWindow {
    highest: Option<u64>,
    bitmap: u64,
}

impl ReplayWindow {
    fn check(&self, index: u64) -> Result<(), SrtpError> {
        match self.highest {
            None => Ok(()),
            Some(h) if index > h => Ok(()),
            Some(h) => {
                let d = h - index;
                if d >= REPLAY_WINDOW || self.bitmap & (1u64 << d) != 0 {
                    Err(SrtpError::Replay)
                } else {
                    Ok(())
                }
            }
        }
    }

    fn update(&mut self, index: u64) {
        match self.highest {
            None => {
                self.highest = Some(index);
                self.bitmap = 1;
            }
            Some(h) if index > h => {
                let d = index - h;
                self.bitmap = if d >= REPLAY_WINDOW {
                    0
                } else {
                    self.bitmap << d
                };
                self.bitmap |= 1;
                self.highest = Some(index);
            }
            Some(h) => {
                let d = h - index;
                if d < REPLAY_WINDOW {
                    self.bitmap |= 1u64 << d;
                }
            }
        }
    }
}

/// Per-SSRC SRTP state: ROC and highest index (RFC 3711 §3.2.1, §3.3.1).
#[derive(Clone, Copy, Debug, Default)]
struct RtpStream {
    /// ROC to use before the first packet (set by [`SrtpContext::set_roc`]).
    initial_roc: u32,
    /// Highest authenticated index (ROC || s_l) and replay window.
    window: ReplayWindow,
}

impl RtpStream {
    /// Index estimation (RFC 3711 §3.3.1 and Appendix A).
    fn estimate(&self, seq: u16) -> Result<u64, SrtpError> {
        let Some(h) = self.window.highest else {
            return Ok((u64::from(self.initial_roc) << 16) | u64::from(seq));
        };
        let roc = (h >> 16) as i64;
        let s_l = (h & 0xffff) as i64;
        let seq_i = i64::from(seq);
        let v = if s_l < 32_768 {
            if seq_i - s_l > 32_768 {
                roc - 1
            } else {
                roc
            }
        } else if s_l - 32_768 > seq_i {
            roc + 1
        } else {
            roc
        };
        if v < 0 || v > i64::from(u32::MAX) {
            return Err(SrtpError::IndexOutOfRange);
        }
        Ok(((v as u64) << 16) | u64::from(seq))
    }
}

/// Per-SSRC SRTCP state (RFC 3711 §3.4).
#[derive(Clone, Copy, Debug, Default)]
struct RtcpStream {
    /// Next SRTCP index to send (starts at 0, RFC 3711 §3.4).
    next_index: u32,
    /// Receive replay window.
    window: ReplayWindow,
}

/// An SRTP/SRTCP cryptographic context for one direction and one master key
/// (RFC 3711 §3.2).
///
/// Use one context for sending and another for receiving: the per-SSRC
/// state (ROC, highest index, SRTCP index, replay window) is shared by
/// `protect_*` and `unprotect_*`.  The sender accepts retransmissions (no
/// replay check on protect); the receiver enforces a 64-packet replay
/// window (RFC 3711 §3.3.2).
pub struct SrtpContext {
    suite: SrtpSuite,
    /// AES keyed with the master key (the PRF of RFC 3711 §4.3.3).
    master: AesAny,
    /// Master salt, zero-padded to 112 bits for the PRF.
    master_salt: Zeroizing<[u8; 14]>,
    mki: Vec<u8>,
    kdr: u64,
    rtp_keys: Option<SessionKeys>,
    rtcp_keys: Option<SessionKeys>,
    rtp_streams: HashMap<u32, RtpStream>,
    rtcp_streams: HashMap<u32, RtcpStream>,
}

impl fmt::Debug for SrtpContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SrtpContext")
            .field("suite", &self.suite)
            .field("master_key", &"<redacted>")
            .field("mki_len", &self.mki.len())
            .field("kdr", &self.kdr)
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

impl SrtpContext {
    /// Creates a context from a master key and master salt (RFC 3711 §3.2.1).
    ///
    /// Key lengths must match [`SrtpSuite::master_key_len`] and
    /// [`SrtpSuite::master_salt_len`] (14 octets for AES-CM, 12 for GCM).
    /// The key derivation rate defaults to 0 (derive once, RFC 3711 §4.3.1).
    pub fn new(suite: SrtpSuite, master_key: &[u8], master_salt: &[u8]) -> Result<Self, SrtpError> {
        if master_key.len() != suite.master_key_len() {
            return Err(SrtpError::BadKeyLength);
        }
        if master_salt.len() != suite.master_salt_len() {
            return Err(SrtpError::BadSaltLength);
        }
        let mut salt = Zeroizing::new([0u8; 14]);
        salt[..master_salt.len()].copy_from_slice(master_salt);
        Ok(SrtpContext {
            suite,
            master: AesAny::new(master_key)?,
            master_salt: salt,
            mki: Vec::new(),
            kdr: 0,
            rtp_keys: None,
            rtcp_keys: None,
            rtp_streams: HashMap::new(),
            rtcp_streams: HashMap::new(),
        })
    }

    /// Sets the Master Key Identifier carried in every packet (RFC 3711 §3.1,
    /// §3.4).  An empty slice means no MKI.
    ///
    /// For AES-CM the MKI sits between the encrypted portion (or the SRTCP
    /// index) and the tag; for AES-GCM it follows the AEAD tag (or the SRTCP
    /// index) as raw data (RFC 7714 §8.2, §9.2).  On unprotect the packet's
    /// MKI must equal this one, else [`SrtpError::MkiMismatch`].
    pub fn with_mki(mut self, mki: &[u8]) -> Self {
        self.mki = mki.to_vec();
        self
    }

    /// Sets the key derivation rate (RFC 3711 §4.3.1): 0 derives the session
    /// keys once; otherwise a power of two in 1..=2^24 and session keys are
    /// re-derived with r = index DIV kdr.
    pub fn with_kdr(mut self, kdr: u64) -> Result<Self, SrtpError> {
        if kdr != 0 && (!kdr.is_power_of_two() || kdr > 1 << 24) {
            return Err(SrtpError::BadKdr);
        }
        self.kdr = kdr;
        self.rtp_keys = None;
        self.rtcp_keys = None;
        Ok(self)
    }

    /// Sets the rollover counter of `ssrc` (RFC 3711 §3.3.1), e.g. from the
    /// MIKEY ROC field (RFC 3830 §6.1).  This resets that SSRC's SRTP state:
    /// the next packet's index is ROC || SEQ and the replay window is empty.
    pub fn set_roc(&mut self, ssrc: u32, roc: u32) {
        self.rtp_streams.insert(
            ssrc,
            RtpStream {
                initial_roc: roc,
                window: ReplayWindow::default(),
            },
        );
    }

    /// Current rollover counter of `ssrc` (ROC of the highest index seen),
    /// if the SSRC is known.
    pub fn roc(&self, ssrc: u32) -> Option<u32> {
        self.rtp_streams.get(&ssrc).map(|s| match s.window.highest {
            Some(h) => (h >> 16) as u32,
            None => s.initial_roc,
        })
    }

    /// The suite of this context.
    pub fn suite(&self) -> SrtpSuite {
        self.suite
    }

    /// r = index DIV key_derivation_rate, 0 when the rate is 0 (RFC 3711 §4.3.1).
    fn r_for(&self, index: u64) -> u64 {
        index.checked_div(self.kdr).unwrap_or(0)
    }

    fn rtp_session(&mut self, index: u64) -> Result<&SessionKeys, SrtpError> {
        let r = self.r_for(index);
        if self.rtp_keys.as_ref().map(|k| k.r) != Some(r) {
            let labels = [LABEL_RTP_ENC, LABEL_RTP_AUTH, LABEL_RTP_SALT];
            self.rtp_keys = Some(SessionKeys::derive(
                self.suite,
                &self.master,
                &self.master_salt,
                labels,
                r,
            )?);
        }
        self.rtp_keys.as_ref().ok_or(SrtpError::Crypto)
    }

    /// SRTCP keys: r = (0 || SRTCP index) DIV kdr as a 48-bit value
    /// (RFC 3711 §4.3.2 with erratum 3712).
    fn rtcp_session(&mut self, index: u64) -> Result<&SessionKeys, SrtpError> {
        let r = self.r_for(index);
        if self.rtcp_keys.as_ref().map(|k| k.r) != Some(r) {
            let labels = [LABEL_RTCP_ENC, LABEL_RTCP_AUTH, LABEL_RTCP_SALT];
            self.rtcp_keys = Some(SessionKeys::derive(
                self.suite,
                &self.master,
                &self.master_salt,
                labels,
                r,
            )?);
        }
        self.rtcp_keys.as_ref().ok_or(SrtpError::Crypto)
    }

    /// Protects an RTP packet (RFC 3711 §3.3; RFC 7714 §8 for GCM).
    ///
    /// Output: header || encrypted payload || \[MKI\] || tag for AES-CM/NULL,
    /// header || ciphertext || tag || \[MKI\] for AES-GCM.
    pub fn protect_rtp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        let hlen = rtp_header_len(packet)?;
        let seq = u16::from_be_bytes([packet[2], packet[3]]);
        let ssrc = be32(packet, 8)?;
        let stream = self.rtp_streams.get(&ssrc).copied().unwrap_or_default();
        let index = stream.estimate(seq)?;
        let roc = (index >> 16) as u32;
        let suite = self.suite;
        let mki = self.mki.clone();
        let keys = self.rtp_session(index)?;

        let mut out = Vec::with_capacity(packet.len() + mki.len() + suite.auth_tag_len());
        out.extend_from_slice(packet);
        match &keys.cipher {
            SessionCipher::Gcm128(_) | SessionCipher::Gcm256(_) => {
                let mut tail = [0u8; 6];
                tail[..4].copy_from_slice(&roc.to_be_bytes());
                tail[4..].copy_from_slice(&seq.to_be_bytes());
                let iv = keys.gcm_iv(ssrc, tail);
                let (hdr, payload) = out.split_at_mut(hlen);
                let tag = keys.gcm_seal(&iv, hdr, payload)?;
                out.extend_from_slice(&tag);
                out.extend_from_slice(&mki);
            }
            cipher => {
                if let SessionCipher::Cm(aes) = cipher {
                    aes.ctr_xor(keys.cm_iv(ssrc, index), &mut out[hlen..]);
                }
                let tag = keys.hmac(&[&out, &roc.to_be_bytes()])?;
                out.extend_from_slice(&mki);
                out.extend_from_slice(&tag[..suite.auth_tag_len()]);
            }
        }
        let mut stream = stream;
        stream.window.update(index);
        self.rtp_streams.insert(ssrc, stream);
        Ok(out)
    }

    fn check_mki(&self, got: &[u8]) -> Result<(), SrtpError> {
        if bool::from(got.ct_eq(&self.mki)) {
            Ok(())
        } else {
            Err(SrtpError::MkiMismatch)
        }
    }

    /// Verifies and decrypts an SRTP packet (RFC 3711 §3.3, §3.3.1-3.3.2;
    /// RFC 7714 §8).
    ///
    /// Order: parse, MKI check, index estimation, replay check, tag check
    /// (constant time, before any decryption), decryption, then the ROC /
    /// highest index / replay window are updated.  The output is the plain
    /// RTP packet (MKI and tag removed).
    pub fn unprotect_rtp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        let hlen = rtp_header_len(packet)?;
        let seq = u16::from_be_bytes([packet[2], packet[3]]);
        let ssrc = be32(packet, 8)?;
        let suite = self.suite;
        let tag_len = suite.auth_tag_len();
        let mki_len = self.mki.len();
        if packet.len() < hlen + tag_len + mki_len {
            return Err(SrtpError::Truncated);
        }
        let len = packet.len();
        let mki = if suite.is_aead() {
            &packet[len - mki_len..]
        } else {
            &packet[len - tag_len - mki_len..len - tag_len]
        };
        self.check_mki(mki)?;

        let stream = self.rtp_streams.get(&ssrc).copied().unwrap_or_default();
        let index = stream.estimate(seq)?;
        stream.window.check(index)?;
        let roc = (index >> 16) as u32;
        let keys = self.rtp_session(index)?;

        let out = if suite.is_aead() {
            let ct_end = len - mki_len;
            let tag_at = ct_end - GCM_TAG_LEN;
            let mut out = packet[..tag_at].to_vec();
            let mut tail = [0u8; 6];
            tail[..4].copy_from_slice(&roc.to_be_bytes());
            tail[4..].copy_from_slice(&seq.to_be_bytes());
            let iv = keys.gcm_iv(ssrc, tail);
            let (hdr, payload) = out.split_at_mut(hlen);
            keys.gcm_open(&iv, hdr, payload, &packet[tag_at..ct_end])?;
            out
        } else {
            let auth_end = len - tag_len - mki_len;
            let expected = keys.hmac(&[&packet[..auth_end], &roc.to_be_bytes()])?;
            if !bool::from(expected[..tag_len].ct_eq(&packet[len - tag_len..])) {
                return Err(SrtpError::AuthFailed);
            }
            let mut out = packet[..auth_end].to_vec();
            if let SessionCipher::Cm(aes) = &keys.cipher {
                aes.ctr_xor(keys.cm_iv(ssrc, index), &mut out[hlen..]);
            }
            out
        };
        let mut stream = stream;
        stream.window.update(index);
        self.rtp_streams.insert(ssrc, stream);
        Ok(out)
    }

    /// Protects an RTCP compound packet (RFC 3711 §3.4; RFC 7714 §9 for GCM).
    ///
    /// The SRTCP index starts at 0 per SSRC and the E flag is set whenever
    /// the suite encrypts.  Output: header(8) || encrypted part || E||index
    /// || \[MKI\] || tag for AES-CM/NULL, header(8) || ciphertext || tag ||
    /// E||index || \[MKI\] for AES-GCM.
    pub fn protect_rtcp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        let ssrc = rtcp_ssrc(packet)?;
        let mut stream = self.rtcp_streams.get(&ssrc).copied().unwrap_or_default();
        let index = stream.next_index;
        if index > MAX_SRTCP_INDEX {
            return Err(SrtpError::IndexOutOfRange);
        }
        let suite = self.suite;
        let mki = self.mki.clone();
        let keys = self.rtcp_session(u64::from(index))?;
        let e_word = if suite.encrypts() {
            index | 0x8000_0000
        } else {
            index
        };

        let mut out = Vec::with_capacity(packet.len() + 4 + mki.len() + suite.rtcp_auth_tag_len());
        out.extend_from_slice(packet);
        match &keys.cipher {
            SessionCipher::Gcm128(_) | SessionCipher::Gcm256(_) => {
                let mut tail = [0u8; 6];
                tail[2..].copy_from_slice(&index.to_be_bytes());
                let iv = keys.gcm_iv(ssrc, tail);
                let mut aad = [0u8; 12];
                aad[..8].copy_from_slice(&packet[..8]);
                aad[8..].copy_from_slice(&e_word.to_be_bytes());
                let tag = keys.gcm_seal(&iv, &aad, &mut out[8..])?;
                out.extend_from_slice(&tag);
                out.extend_from_slice(&e_word.to_be_bytes());
                out.extend_from_slice(&mki);
            }
            cipher => {
                if let SessionCipher::Cm(aes) = cipher {
                    aes.ctr_xor(keys.cm_iv(ssrc, u64::from(index)), &mut out[8..]);
                }
                out.extend_from_slice(&e_word.to_be_bytes());
                let tag = keys.hmac(&[&out])?;
                out.extend_from_slice(&mki);
                out.extend_from_slice(&tag[..suite.rtcp_auth_tag_len()]);
            }
        }
        stream.next_index = index + 1;
        self.rtcp_streams.insert(ssrc, stream);
        Ok(out)
    }

    /// Verifies and decrypts an SRTCP packet (RFC 3711 §3.4; RFC 7714 §9).
    ///
    /// The tag is checked (constant time) before decryption; packets with
    /// E = 0 are authenticated only.  Replay protection uses a 64-entry
    /// window over the SRTCP index.
    pub fn unprotect_rtcp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        let ssrc = rtcp_ssrc(packet)?;
        let suite = self.suite;
        let mki_len = self.mki.len();
        let len = packet.len();
        let (tag_len, trailer) = if suite.is_aead() {
            (GCM_TAG_LEN, 4 + mki_len)
        } else {
            let t = suite.rtcp_auth_tag_len();
            (t, 4 + mki_len + t)
        };
        if len < 8 + tag_len + 4 + mki_len {
            return Err(SrtpError::Truncated);
        }
        // Position of the E||SRTCP index word.
        let e_at = len - trailer;
        let mki = &packet[e_at + 4..e_at + 4 + mki_len];
        self.check_mki(mki)?;
        let e_word = be32(packet, e_at)?;
        let encrypted = e_word & 0x8000_0000 != 0;
        let index = e_word & MAX_SRTCP_INDEX;

        let stream = self.rtcp_streams.get(&ssrc).copied().unwrap_or_default();
        stream.window.check(u64::from(index))?;
        let keys = self.rtcp_session(u64::from(index))?;

        let out = if suite.is_aead() {
            let tag_at = e_at - GCM_TAG_LEN;
            let tag = &packet[tag_at..e_at];
            let mut tail = [0u8; 6];
            tail[2..].copy_from_slice(&index.to_be_bytes());
            let iv = keys.gcm_iv(ssrc, tail);
            if encrypted {
                let mut aad = [0u8; 12];
                aad[..8].copy_from_slice(&packet[..8]);
                aad[8..].copy_from_slice(&e_word.to_be_bytes());
                let mut out = packet[..tag_at].to_vec();
                keys.gcm_open(&iv, &aad, &mut out[8..], tag)?;
                out
            } else {
                // RFC 7714 §9.3: everything is AAD, the cipher is only the tag.
                let mut aad = packet[..tag_at].to_vec();
                aad.extend_from_slice(&e_word.to_be_bytes());
                keys.gcm_open(&iv, &aad, &mut [], tag)?;
                packet[..tag_at].to_vec()
            }
        } else {
            let expected = keys.hmac(&[&packet[..e_at + 4]])?;
            if !bool::from(expected[..tag_len].ct_eq(&packet[len - tag_len..])) {
                return Err(SrtpError::AuthFailed);
            }
            let mut out = packet[..e_at].to_vec();
            if encrypted {
                if let SessionCipher::Cm(aes) = &keys.cipher {
                    aes.ctr_xor(keys.cm_iv(ssrc, u64::from(index)), &mut out[8..]);
                }
            }
            out
        };
        let mut stream = stream;
        stream.window.update(u64::from(index));
        self.rtcp_streams.insert(ssrc, stream);
        Ok(out)
    }
}

/// Validates the first RTCP header and returns the sender SSRC (RFC 3550 §6.4).
fn rtcp_ssrc(p: &[u8]) -> Result<u32, SrtpError> {
    if p.len() < 8 {
        return Err(SrtpError::Truncated);
    }
    if p[0] >> 6 != 2 {
        return Err(SrtpError::Malformed);
    }
    be32(p, 4)
}

#[cfg(test)]
mod tests;
