//! An SRTP security policy (RFC 3830 §6.10.1, RFC 4771 §4, RFC 7714 §14.2) as the suite
//! and ROC-carrying settings of an [`SrtpContext`](super::SrtpContext): every parameter
//! is either honoured by the context or refused with an [`ExportError`], never dropped.
//! Both directions, [`suite_for`] (policy → suite) and [`policy_for`] (suite → policy),
//! read the one table of suites, [`SUITES`].

use super::context::RccMode;
use super::export::ExportError;
use super::suite::SUITES;
use super::SrtpSuite;
use crate::wire::{FecOrder, SrtpAuthAlg, SrtpEncrAlg, SrtpPolicy, SrtpPrf};

/// ROC-carrying transform settings (RFC 4771 §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RocCarrying {
    /// Integrity transform mode (RCCm1, RCCm2 or RCCm3).
    pub mode: RccMode,
    /// ROC transmission rate R (default 1, never 0).
    pub rate: u16,
}

fn bad(s: impl Into<String>) -> ExportError {
    ExportError::InvalidSpPar(s.into())
}

fn bad_rcc(s: impl Into<String>) -> ExportError {
    ExportError::RocCarrying(s.into())
}

/// Parameters no suite of this crate honours (RFC 3830 §6.10.1).
fn check_common(p: &SrtpPolicy) -> Result<(), ExportError> {
    if p.prf.is_some_and(|f| f != SrtpPrf::AesCm) {
        return Err(bad("SRTP PRF other than AES-CM"));
    }
    if p.fec_order.is_some_and(|f| f != FecOrder::FecSrtp) {
        return Err(bad("FEC order other than FEC-SRTP"));
    }
    if p.prefix_len.is_some_and(|l| l != 0) {
        return Err(bad("SRTP prefix length other than 0"));
    }
    if p.srtp_authentication == Some(false) {
        return Err(bad("SRTP without authentication"));
    }
    if !p.unknown.is_empty() {
        return Err(bad(format!(
            "unknown or malformed SRTP parameter types {:?}",
            p.unknown.iter().map(|u| u.0).collect::<Vec<_>>()
        )));
    }
    Ok(())
}

/// The RCC settings of the SRTP authentication algorithm (type 14, else type 2; RFC 4771
/// §4: the specific parameter wins), `None` for plain HMAC-SHA-1.
fn srtp_rcc(p: &SrtpPolicy, aead: bool) -> Result<Option<RocCarrying>, ExportError> {
    let alg = p.srtp_auth_alg.or(p.auth_alg);
    let mode = match alg {
        None | Some(SrtpAuthAlg::HmacSha1) => return Ok(None),
        // An AEAD suite authenticates with its own tag (RFC 7714 §12).
        Some(SrtpAuthAlg::Null) if aead => return Ok(None),
        Some(a) => RccMode::from_auth_alg(a)
            .ok_or_else(|| bad(format!("SRTP authentication algorithm {a}")))?,
    };
    let rate = p.roc_tx_rate.unwrap_or(1);
    if rate == 0 {
        return Err(bad_rcc(
            "ROC transmission rate 0 (RFC 4771 §4: R is non-zero)",
        ));
    }
    if aead && mode != RccMode::Mode3 {
        return Err(bad_rcc(format!(
            "{mode} with AES-GCM: modes 1 and 2 are HMAC-SHA1 MACs (RFC 4771 §3)"
        )));
    }
    Ok(Some(RocCarrying { mode, rate }))
}

/// AES-GCM (RFC 7714 §12, §14.2), with or without RCCm3.
fn aead_suite(p: &SrtpPolicy) -> Result<(SrtpSuite, Option<RocCarrying>), ExportError> {
    let tag = p.aead_auth_tag_len.unwrap_or(16);
    if tag != 16 {
        return Err(bad(format!("AEAD tag length {tag} (only 16 is supported)")));
    }
    if !p.srtp_encryption.unwrap_or(true) {
        return Err(bad("AES-GCM with SRTP encryption off"));
    }
    let key_len = p.encr_key_len.unwrap_or(DEFAULT_KEY_LEN);
    let Some(suite) = SrtpSuite::find(SrtpEncrAlg::AesGcm, Some(key_len), tag) else {
        return Err(bad(format!("AES-GCM key length {key_len}")));
    };
    let salt = suite.params().salt_len;
    if p.salt_key_len.is_some_and(|l| l != salt) {
        return Err(bad(format!("AES-GCM salt length other than {salt}")));
    }
    let rcc = srtp_rcc(p, true)?;
    // The HMAC parameters describe nothing an AEAD suite does, except the RCCm3 tag,
    // which holds the ROC alone (RFC 4771 §5 case 5).
    let rcc_tag = p.srtp_auth_tag_len.or(p.auth_tag_len);
    if rcc.is_some() && rcc_tag.is_some_and(|t| t != 4) {
        return Err(bad_rcc(format!(
            "RCCm3 tag length {rcc_tag:?}, 4 is required"
        )));
    }
    Ok((suite, rcc))
}

/// HMAC-SHA1 key lengths (types 3, 16, 17): 20 octets, or GStreamer's 10 where 20 is
/// meant when `gstreamer` allows it.
fn check_auth_key_len(len: Option<u8>, gstreamer: bool, what: &str) -> Result<(), ExportError> {
    match len {
        None | Some(20) => Ok(()),
        Some(10) if gstreamer => Ok(()),
        Some(l) => Err(bad(format!(
            "{what} auth key length {l} (HMAC-SHA-1 uses 20)"
        ))),
    }
}

/// SRTCP authentication (types 15, 17, 19): HMAC-SHA-1 with the suite's 80-bit tag
/// (RFC 3711 §4.2, RFC 4568 §6.2); RCC never applies to SRTCP (RFC 4771 §2).
fn check_srtcp_auth(p: &SrtpPolicy, gstreamer: bool) -> Result<(), ExportError> {
    if let Some(a) = p.srtcp_auth_alg.filter(|a| *a != SrtpAuthAlg::HmacSha1) {
        return Err(bad(format!("SRTCP authentication algorithm {a}")));
    }
    if let Some(t) = p.srtcp_auth_tag_len.filter(|t| *t != 10) {
        return Err(bad(format!(
            "SRTCP authentication tag length {t} (10 is used)"
        )));
    }
    check_auth_key_len(p.srtcp_auth_key_len, gstreamer, "SRTCP session")
}

/// Maps an SRTP policy onto a suite and RCC settings. Absent parameters take the defaults
/// of RFC 3711 §8.2 (AES-CM 128, HMAC-SHA-1, 80-bit tag, 112-bit salt) and RFC 4771 §4
/// (R = 1; a tag of 14 octets in modes 1 and 2, 4 in mode 3); a policy this crate's SRTP
/// cannot honour is an [`ExportError`], never a silent default.
pub fn suite_for(
    p: &SrtpPolicy,
    gstreamer_auth_key_len: bool,
) -> Result<(SrtpSuite, Option<RocCarrying>), ExportError> {
    check_common(p)?;
    let encr = p.encr_alg.unwrap_or(SrtpEncrAlg::AesCm);
    if encr == SrtpEncrAlg::AesGcm {
        return aead_suite(p);
    }
    let srtp_encr = p.srtp_encryption.unwrap_or(true) && encr != SrtpEncrAlg::Null;
    if !srtp_encr && p.srtcp_encryption == Some(true) {
        return Err(bad("SRTCP encryption with SRTP encryption off"));
    }
    let rcc = srtp_rcc(p, false)?;
    let key_len = p.srtp_auth_key_len.or(p.auth_key_len);
    check_auth_key_len(key_len, gstreamer_auth_key_len, "SRTP session")?;
    check_srtcp_auth(p, gstreamer_auth_key_len)?;
    // The HMAC-SHA-1 MAC: 80 bits, or 32 for the `_32` suites (RFC 4568 §6.2).
    let tag = if srtp_short_tag(p, rcc)? { 4 } else { 10 };
    // With encryption off the suite is a NULL one; its key length is the PRF's.
    let (encr, key_len) = if !srtp_encr {
        (SrtpEncrAlg::Null, None)
    } else {
        (encr, Some(p.encr_key_len.unwrap_or(DEFAULT_KEY_LEN)))
    };
    let suite = SrtpSuite::find(encr, key_len, tag);
    // Every HMAC-SHA-1 suite has the same salt length (RFC 3711 §8.2).
    let salt = SUITES[0].salt_len;
    if p.salt_key_len.is_some_and(|l| l != salt) {
        return Err(bad(format!("salt length other than {salt}")));
    }
    match (suite, key_len) {
        (Some(s), _) => Ok((s, rcc)),
        (None, Some(l)) if encr == SrtpEncrAlg::AesCm => Err(bad(format!("AES-CM key length {l}"))),
        _ => Err(bad(format!("SRTP encryption algorithm {encr}"))),
    }
}

/// The master key length a policy without "Session Encr. key length" (type 1) means:
/// 128 bits (RFC 3711 §8.2, RFC 7714 §14.2).
const DEFAULT_KEY_LEN: u8 = 16;

/// The SRTP security policy that describes `suite` (SP payload parameters, RFC 3830
/// §6.10.1; RFC 7714 §14.3 for AES-GCM), from its row of [`SUITES`], spelled out:
/// encryption algorithm, key and salt lengths, encryption on (off for NULL), and for the
/// HMAC-SHA-1 suites the authentication algorithm, auth key length 20, AES-CM PRF,
/// authentication on and the tag length; for AES-GCM the AEAD tag length.
/// [`suite_for`] maps it back to `suite` (a test checks every row).
///
/// ```
/// # use mikey::srtp::{export::{policy_for, suite_for}, SrtpSuite};
/// let p = policy_for(SrtpSuite::AesCm256HmacSha1_32);
/// assert_eq!((p.encr_key_len, p.auth_tag_len), (Some(32), Some(4)));
/// assert_eq!(suite_for(&p, false).unwrap().0, SrtpSuite::AesCm256HmacSha1_32);
/// ```
pub fn policy_for(suite: SrtpSuite) -> SrtpPolicy {
    let r = suite.params();
    let on = r.encr_alg != SrtpEncrAlg::Null;
    let common = SrtpPolicy {
        encr_alg: Some(r.encr_alg),
        encr_key_len: Some(r.key_len),
        salt_key_len: Some(r.salt_len),
        srtp_encryption: Some(on),
        srtcp_encryption: Some(on),
        ..SrtpPolicy::default()
    };
    if suite.is_aead() {
        return SrtpPolicy {
            aead_auth_tag_len: Some(r.tag_len),
            ..common
        };
    }
    SrtpPolicy {
        auth_alg: Some(SrtpAuthAlg::HmacSha1),
        auth_key_len: u8::try_from(suite.session_auth_key_len()).ok(),
        prf: Some(SrtpPrf::AesCm),
        srtp_authentication: Some(true),
        auth_tag_len: Some(r.tag_len),
        ..common
    }
}

/// Whether the SRTP MAC is 32 bits (`_32` suites) rather than 80: the tag length (type
/// 18, else 11) less the 4 octets of ROC that RCC tags include (RFC 4771 §4-5).
fn srtp_short_tag(p: &SrtpPolicy, rcc: Option<RocCarrying>) -> Result<bool, ExportError> {
    let tag = p.srtp_auth_tag_len.or(p.auth_tag_len);
    match rcc.map(|r| r.mode) {
        Some(RccMode::Mode3) => match tag {
            // No MAC: the `_80` suite only sets the SRTCP tag (80 bits).
            None | Some(4) => Ok(false),
            Some(t) => Err(bad_rcc(format!("RCCm3 tag length {t}, 4 is required"))),
        },
        Some(_) => match tag.unwrap_or(14) {
            14 => Ok(false),
            8 => Ok(true),
            t => Err(bad_rcc(format!(
                "RCC tag length {t} (ROC + 10 or 4 octets)"
            ))),
        },
        None => match tag.unwrap_or(10) {
            10 => Ok(false),
            4 => Ok(true),
            t => Err(bad(format!("authentication tag length {t}"))),
        },
    }
}

#[cfg(test)]
mod tests;
