//! libsrtp2 (`srtp2/srtp.h`, 2.x): the `srtp_policy_t` fields of a stream, and the command
//! line of libsrtp's `rtp_decoder` test tool (`test/rtp_decoder.c`), which decrypts SRTP
//! from a pcap on its standard input.
//!
//! The policy: `srtp_crypto_policy_set_*` setters for `rtp` and `rtcp`, `ssrc` of type
//! `ssrc_specific`, the key ‖ salt in `key` (or in `keys[0]` with `mki_id`/`mki_size` when
//! there is an MKI), and the ROC through `srtp_set_stream_roc` after `srtp_create`.
//! `rtp_decoder` (2.x flags: `-k` hex key ‖ salt, `-e 128|256` encryption, `-a`
//! authentication, `-g` AES-GCM, `-t` SRTP tag octets, `-f` pcap filter) has no MKI or
//! ROC option and no 192-bit key.

use super::{hex, key_and_salt, refuse_unsupported, HandoffError, Supports};
use crate::crypto::SecretBytes;
use crate::srtp::{SrtpParams, SrtpSuite};

/// The libsrtp2 policy of one stream. `Debug` does not show the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LibsrtpPolicy {
    /// The setter for `policy.rtp` after `srtp_crypto_policy_set_`, e.g.
    /// `aes_cm_128_hmac_sha1_80`.
    pub rtp_setter: &'static str,
    /// The setter for `policy.rtcp` (80-bit SRTCP tag for the `_32` suites).
    pub rtcp_setter: &'static str,
    /// `policy.rtp.auth_tag_len` after the setter (differs from it for NULL_HMAC_SHA1_32).
    pub rtp_auth_tag_len: usize,
    /// `policy.ssrc.value` (type `ssrc_specific`).
    pub ssrc: u32,
    /// Master key ‖ master salt (`policy.key`, or `keys[0]->key` with an MKI).
    pub key: SecretBytes,
    /// `keys[0]->mki_id` / `mki_size`, with `num_master_keys` = 1.
    pub mki: Option<Vec<u8>>,
    /// `srtp_set_stream_roc(session, ssrc, roc)`.
    pub roc: u32,
    /// The suite, for `rtp_decoder`.
    suite: SrtpSuite,
}

/// The `srtp_crypto_policy_set_*` setters (after that prefix) for SRTP and SRTCP.
fn setters(suite: SrtpSuite) -> (&'static str, &'static str) {
    use SrtpSuite as S;
    match suite {
        S::AesCm128HmacSha1_80 => ("aes_cm_128_hmac_sha1_80", "aes_cm_128_hmac_sha1_80"),
        S::AesCm128HmacSha1_32 => ("aes_cm_128_hmac_sha1_32", "aes_cm_128_hmac_sha1_80"),
        S::AesCm192HmacSha1_80 => ("aes_cm_192_hmac_sha1_80", "aes_cm_192_hmac_sha1_80"),
        S::AesCm192HmacSha1_32 => ("aes_cm_192_hmac_sha1_32", "aes_cm_192_hmac_sha1_80"),
        S::AesCm256HmacSha1_80 => ("aes_cm_256_hmac_sha1_80", "aes_cm_256_hmac_sha1_80"),
        S::AesCm256HmacSha1_32 => ("aes_cm_256_hmac_sha1_32", "aes_cm_256_hmac_sha1_80"),
        S::NullHmacSha1_80 => ("null_cipher_hmac_sha1_80", "null_cipher_hmac_sha1_80"),
        // libsrtp has no null-cipher 32-bit setter: the 80-bit one with
        // `auth_tag_len` = 4 (see `rtp_auth_tag_len`).
        S::NullHmacSha1_32 => ("null_cipher_hmac_sha1_80", "null_cipher_hmac_sha1_80"),
        S::AeadAes128Gcm => ("aes_gcm_128_16_auth", "aes_gcm_128_16_auth"),
        S::AeadAes256Gcm => ("aes_gcm_256_16_auth", "aes_gcm_256_16_auth"),
    }
}

impl LibsrtpPolicy {
    /// The policy of `p`, or what libsrtp2 cannot take (RCC, intervals, a key
    /// derivation rate, unencrypted SRTCP).
    pub fn new(p: &SrtpParams) -> Result<Self, HandoffError> {
        refuse_unsupported(
            p,
            Supports {
                consumer: "libsrtp2",
                mki: true,
                roc: true,
                kdr: false,
                srtcp_unencrypted: false,
            },
        )?;
        let (rtp_setter, rtcp_setter) = setters(p.suite);
        Ok(Self {
            rtp_setter,
            rtcp_setter,
            rtp_auth_tag_len: p.suite.auth_tag_len(),
            ssrc: p.ssrc,
            key: key_and_salt(p),
            mki: p.mki.clone(),
            roc: p.roc,
            suite: p.suite,
        })
    }

    /// The `rtp_decoder` arguments that decrypt this stream from a pcap read on standard
    /// input (`rtp_decoder ARGS < capture.pcap`), with `filter` as its pcap filter;
    /// an error for what `rtp_decoder` cannot take (an MKI, a non-zero ROC, AES-192).
    pub fn rtp_decoder_args(&self, filter: &str) -> Result<Vec<String>, HandoffError> {
        let no = |parameter: &str| HandoffError {
            consumer: "rtp_decoder",
            parameter: parameter.into(),
        };
        if self.mki.is_some() {
            return Err(no("an MKI"));
        }
        if self.roc != 0 {
            return Err(no("a non-zero starting ROC"));
        }
        let mut args: Vec<String> = Vec::new();
        match self.suite.master_key_len() {
            _ if !self.suite.encrypts() => {}
            16 => args.extend(["-e".into(), "128".into()]),
            32 => args.extend(["-e".into(), "256".into()]),
            _ => return Err(no("AES-192")),
        }
        if self.suite.is_aead() {
            args.push("-g".into());
        } else {
            args.push("-a".into());
        }
        args.extend([
            "-t".into(),
            self.suite.auth_tag_len().to_string(),
            "-k".into(),
            hex(self.key.as_bytes()),
        ]);
        if !filter.is_empty() {
            args.extend(["-f".into(), filter.into()]);
        }
        Ok(args)
    }
}
