//! Session ciphers and the AES-CM key derivation (RFC 3711 §4.1.1, §4.3; RFC 6188 §3;
//! RFC 7714 §8-11): everything that holds session key material.

use aes::cipher::{BlockCipherEncrypt, KeyInit};
use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes128Gcm, Aes256Gcm};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use zeroize::Zeroizing;

use super::SrtpError;
use crate::srtp::SrtpSuite;

type HmacSha1 = Hmac<Sha1>;

/// Key-derivation labels (RFC 3711 §4.3.2).
pub(super) const LABEL_RTP_ENC: u8 = 0x00;
pub(super) const LABEL_RTP_AUTH: u8 = 0x01;
pub(super) const LABEL_RTP_SALT: u8 = 0x02;
pub(super) const LABEL_RTCP_ENC: u8 = 0x03;
pub(super) const LABEL_RTCP_AUTH: u8 = 0x04;
pub(super) const LABEL_RTCP_SALT: u8 = 0x05;

/// AES-GCM tag length used by the RFC 7714 suites.
pub(super) const GCM_TAG_LEN: usize = 16;

/// AES block cipher of any of the three key sizes.
pub(super) enum AesAny {
    A128(aes::Aes128),
    A192(aes::Aes192),
    A256(aes::Aes256),
}

impl AesAny {
    pub(super) fn new(key: &[u8]) -> Result<Self, SrtpError> {
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
    pub(super) fn ctr_xor(&self, iv: [u8; 16], data: &mut [u8]) {
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
pub(super) fn kdf(master: &AesAny, salt14: &[u8; 14], label: u8, r: u64, out: &mut [u8]) {
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
pub(super) enum SessionCipher {
    Null,
    Cm(AesAny),
    Gcm128(Box<Aes128Gcm>),
    Gcm256(Box<Aes256Gcm>),
}

/// One set of session keys (RFC 3711 §4.3) for either SRTP or SRTCP.
pub(super) struct SessionKeys {
    /// `index DIV kdr` these keys were derived for.
    pub(super) r: u64,
    pub(super) cipher: SessionCipher,
    /// Session encryption key (kept for tests; zeroized on drop).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) enc_key: Zeroizing<Vec<u8>>,
    /// Session salt (14 octets for AES-CM, 12 for GCM).
    pub(super) salt: Zeroizing<Vec<u8>>,
    /// Session authentication key (HMAC-SHA1 suites only).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) auth_key: Zeroizing<Vec<u8>>,
    mac: Option<HmacSha1>,
}

impl SessionKeys {
    pub(super) fn derive(
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

    pub(super) fn from_parts(
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
    pub(super) fn cm_iv(&self, ssrc: u32, index: u64) -> [u8; 16] {
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
    pub(super) fn gcm_iv(&self, ssrc: u32, tail: [u8; 6]) -> [u8; 12] {
        let mut iv = [0u8; 12];
        iv[2..6].copy_from_slice(&ssrc.to_be_bytes());
        iv[6..].copy_from_slice(&tail);
        for (d, s) in iv.iter_mut().zip(self.salt.iter()) {
            *d ^= s;
        }
        iv
    }

    /// HMAC-SHA1 over `parts` (RFC 3711 §4.2.1), full 20-octet output.
    pub(super) fn hmac(&self, parts: &[&[u8]]) -> Result<[u8; 20], SrtpError> {
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
    pub(super) fn gcm_seal(
        &self,
        iv: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; 16], SrtpError> {
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
    pub(super) fn gcm_open(
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
