//! SRTP crypto suites and their parameters.
//!
//! Parameters come from RFC 3711 §8.2 (AES-CM + HMAC-SHA1 defaults),
//! RFC 4568 §6.2 (the SDES suite names, including the 32-bit-tag variants
//! whose SRTCP tag stays at 80 bits), RFC 6188 §3 and §6 (AES-192/256-CM) and
//! RFC 7714 §12 and §14 (AEAD_AES_128_GCM / AEAD_AES_256_GCM, 12-octet salt,
//! 16-octet tag).
//!
//! [`SUITES`] is the one table of what each suite is in SRTP security policy terms: the
//! length accessors of [`SrtpSuite`], [`suite_for`](super::policy::suite_for) (policy →
//! suite) and [`policy_for`](super::policy::policy_for) (suite → policy) all read it.

use crate::wire::SrtpEncrAlg;
use core::fmt;

/// One suite's SRTP security policy parameters (RFC 3830 §6.10.1; RFC 6188 §6; RFC 7714
/// §14.3): a row of [`SUITES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SuiteParams {
    /// The suite.
    pub suite: SrtpSuite,
    /// SRTP encryption algorithm (type 0): AES-CM, NULL (encryption off) or AES-GCM.
    pub encr_alg: SrtpEncrAlg,
    /// Master key length in octets: the session encryption key length (type 1) of the
    /// AES-CM and AES-GCM suites; the NULL suites keep a 128-bit key for the AES-CM PRF
    /// (RFC 3711 §4.3.3).
    pub key_len: u8,
    /// Master salt length in octets (type 4, session salt key length).
    pub salt_len: u8,
    /// SRTP authentication tag length in octets: HMAC-SHA-1 (type 11) or the AEAD tag
    /// (type 20).
    pub tag_len: u8,
}

const fn row(
    suite: SrtpSuite,
    encr_alg: SrtpEncrAlg,
    key_len: u8,
    salt_len: u8,
    tag_len: u8,
) -> SuiteParams {
    SuiteParams {
        suite,
        encr_alg,
        key_len,
        salt_len,
        tag_len,
    }
}

/// Every suite's policy parameters, in [`SrtpSuite::ALL`] order (RFC 3711 §8.2, RFC 4568
/// §6.2, RFC 6188 §6, RFC 7714 §12).
pub const SUITES: [SuiteParams; 10] = {
    use SrtpEncrAlg::{AesCm, AesGcm, Null};
    use SrtpSuite as S;
    let t = [
        row(S::AesCm128HmacSha1_80, AesCm, 16, 14, 10),
        row(S::AesCm128HmacSha1_32, AesCm, 16, 14, 4),
        row(S::AesCm192HmacSha1_80, AesCm, 24, 14, 10),
        row(S::AesCm192HmacSha1_32, AesCm, 24, 14, 4),
        row(S::AesCm256HmacSha1_80, AesCm, 32, 14, 10),
        row(S::AesCm256HmacSha1_32, AesCm, 32, 14, 4),
        row(S::NullHmacSha1_80, Null, 16, 14, 10),
        row(S::NullHmacSha1_32, Null, 16, 14, 4),
        row(S::AeadAes128Gcm, AesGcm, 16, 12, 16),
        row(S::AeadAes256Gcm, AesGcm, 32, 12, 16),
    ];
    // Row `i` is the suite of discriminant `i`: `SrtpSuite::params` indexes by it.
    let mut i = 0;
    while i < t.len() {
        assert!(t[i].suite as usize == i);
        i += 1;
    }
    t
};

/// An SRTP crypto suite (cipher, authentication and key lengths).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SrtpSuite {
    /// AES-128 counter mode + HMAC-SHA1 80-bit tag (RFC 3711 §8.2, RFC 4568 §6.2.1).
    AesCm128HmacSha1_80,
    /// AES-128 counter mode + HMAC-SHA1 32-bit SRTP tag, 80-bit SRTCP tag (RFC 4568 §6.2.2).
    AesCm128HmacSha1_32,
    /// AES-192 counter mode + HMAC-SHA1 80-bit tag (RFC 6188 §6).
    AesCm192HmacSha1_80,
    /// AES-192 counter mode + HMAC-SHA1 32-bit SRTP tag, 80-bit SRTCP tag (RFC 6188 §6).
    AesCm192HmacSha1_32,
    /// AES-256 counter mode + HMAC-SHA1 80-bit tag (RFC 6188 §6).
    AesCm256HmacSha1_80,
    /// AES-256 counter mode + HMAC-SHA1 32-bit SRTP tag, 80-bit SRTCP tag (RFC 6188 §6).
    AesCm256HmacSha1_32,
    /// NULL cipher + HMAC-SHA1 80-bit tag (RFC 3711 §4.1.3, authentication only).
    NullHmacSha1_80,
    /// NULL cipher + HMAC-SHA1 32-bit SRTP tag, 80-bit SRTCP tag (RFC 3711 §4.1.3).
    NullHmacSha1_32,
    /// AES-128-GCM AEAD with a 16-octet tag (RFC 7714 §12, §14.1).
    AeadAes128Gcm,
    /// AES-256-GCM AEAD with a 16-octet tag (RFC 7714 §12, §14.1).
    AeadAes256Gcm,
}

impl SrtpSuite {
    /// Every suite, in declaration order.
    pub const ALL: [SrtpSuite; 10] = [
        SrtpSuite::AesCm128HmacSha1_80,
        SrtpSuite::AesCm128HmacSha1_32,
        SrtpSuite::AesCm192HmacSha1_80,
        SrtpSuite::AesCm192HmacSha1_32,
        SrtpSuite::AesCm256HmacSha1_80,
        SrtpSuite::AesCm256HmacSha1_32,
        SrtpSuite::NullHmacSha1_80,
        SrtpSuite::NullHmacSha1_32,
        SrtpSuite::AeadAes128Gcm,
        SrtpSuite::AeadAes256Gcm,
    ];

    /// The suite's row of [`SUITES`]: its security policy parameters.
    pub const fn params(self) -> &'static SuiteParams {
        &SUITES[self as usize]
    }

    /// Master key length in octets (RFC 3711 §8.2, RFC 6188 §6, RFC 7714 §12).
    ///
    /// The NULL-cipher suites still use a 128-bit master key for the
    /// AES-CM PRF (RFC 3711 §4.3.3).
    pub const fn master_key_len(self) -> usize {
        self.params().key_len as usize
    }

    /// Master (and session) salt length in octets: 14 for AES-CM/NULL
    /// (RFC 3711 §8.2), 12 for AES-GCM (RFC 7714 §12).
    pub const fn master_salt_len(self) -> usize {
        self.params().salt_len as usize
    }

    /// Session encryption key length in octets (0 for the NULL cipher).
    pub const fn session_enc_key_len(self) -> usize {
        match self {
            SrtpSuite::NullHmacSha1_80 | SrtpSuite::NullHmacSha1_32 => 0,
            _ => self.master_key_len(),
        }
    }

    /// SRTP authentication tag length in octets (RFC 3711 §4.2, RFC 4568 §6.2,
    /// RFC 7714 §12: the 16-octet AEAD tag).
    pub const fn auth_tag_len(self) -> usize {
        self.params().tag_len as usize
    }

    /// SRTCP authentication tag length in octets: 10 for every HMAC-SHA1
    /// suite (the `_32` suites keep an 80-bit SRTCP tag, RFC 4568 §6.2.2,
    /// RFC 6188 §6), 16 for AES-GCM (RFC 7714 §12).
    pub const fn rtcp_auth_tag_len(self) -> usize {
        if self.is_aead() {
            16
        } else {
            10
        }
    }

    /// Session authentication key length in octets: 20 for HMAC-SHA1
    /// (RFC 3711 §8.2), 0 for AEAD suites (RFC 7714 §12).
    pub const fn session_auth_key_len(self) -> usize {
        if self.is_aead() {
            0
        } else {
            20
        }
    }

    /// Whether the suite is an AEAD (AES-GCM, RFC 7714) suite.
    pub const fn is_aead(self) -> bool {
        matches!(self.params().encr_alg, SrtpEncrAlg::AesGcm)
    }

    /// Whether the suite encrypts (false only for the NULL-cipher suites).
    pub const fn encrypts(self) -> bool {
        !matches!(self.params().encr_alg, SrtpEncrAlg::Null)
    }

    /// The suite whose row of [`SUITES`] has encryption algorithm `encr_alg`, SRTP tag
    /// length `tag_len` and, unless `key_len` is `None`, master key length `key_len`.
    pub fn find(encr_alg: SrtpEncrAlg, key_len: Option<u8>, tag_len: u8) -> Option<SrtpSuite> {
        SUITES
            .iter()
            .find(|r| {
                r.encr_alg == encr_alg
                    && r.tag_len == tag_len
                    && key_len.is_none_or(|k| k == r.key_len)
            })
            .map(|r| r.suite)
    }

    /// SDES / libsrtp style name (RFC 4568 §6.2, RFC 6188 §6, RFC 7714 §14.1).
    pub const fn name(self) -> &'static str {
        match self {
            SrtpSuite::AesCm128HmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
            SrtpSuite::AesCm128HmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
            SrtpSuite::AesCm192HmacSha1_80 => "AES_192_CM_HMAC_SHA1_80",
            SrtpSuite::AesCm192HmacSha1_32 => "AES_192_CM_HMAC_SHA1_32",
            SrtpSuite::AesCm256HmacSha1_80 => "AES_256_CM_HMAC_SHA1_80",
            SrtpSuite::AesCm256HmacSha1_32 => "AES_256_CM_HMAC_SHA1_32",
            SrtpSuite::NullHmacSha1_80 => "NULL_HMAC_SHA1_80",
            SrtpSuite::NullHmacSha1_32 => "NULL_HMAC_SHA1_32",
            SrtpSuite::AeadAes128Gcm => "AEAD_AES_128_GCM",
            SrtpSuite::AeadAes256Gcm => "AEAD_AES_256_GCM",
        }
    }

    /// Looks a suite up by its [`name`](Self::name) (exact, case-sensitive).
    pub fn from_name(name: &str) -> Option<SrtpSuite> {
        SrtpSuite::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl fmt::Display for SrtpSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in SrtpSuite::ALL {
            assert_eq!(SrtpSuite::from_name(s.name()), Some(s));
            assert_eq!(s.to_string(), s.name());
        }
        assert_eq!(SrtpSuite::from_name("nope"), None);
    }

    #[test]
    fn one_row_per_suite_in_order() {
        for (i, s) in SrtpSuite::ALL.into_iter().enumerate() {
            assert_eq!(SUITES[i].suite, s);
            assert_eq!(s.params().suite, s);
            let p = s.params();
            assert_eq!(
                SrtpSuite::find(p.encr_alg, Some(p.key_len), p.tag_len),
                Some(s)
            );
        }
    }

    #[test]
    fn lengths() {
        assert_eq!(SrtpSuite::AeadAes128Gcm.master_salt_len(), 12);
        assert_eq!(SrtpSuite::AesCm256HmacSha1_32.master_key_len(), 32);
        assert_eq!(SrtpSuite::AesCm128HmacSha1_32.auth_tag_len(), 4);
        assert_eq!(SrtpSuite::AesCm128HmacSha1_32.rtcp_auth_tag_len(), 10);
        assert_eq!(SrtpSuite::AeadAes256Gcm.session_auth_key_len(), 0);
    }
}
