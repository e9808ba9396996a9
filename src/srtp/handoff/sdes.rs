//! An SDES `a=crypto` attribute (RFC 4568 §9.1): `a=crypto:<tag> <suite>
//! inline:<base64 key ‖ salt>[|<MKI value>:<MKI length>] [<session params>]`.
//!
//! Suite names are those of RFC 4568 §6.2, RFC 6188 §6 and RFC 7714 §14.1; the NULL-cipher
//! suites, which SDES does not register, are the AES-CM suite of the same key length with
//! `UNENCRYPTED_SRTP UNENCRYPTED_SRTCP` (RFC 4568 §6.3.5-6.3.6). A key derivation rate is
//! `KDR=<n>` for 2^n (§6.3.1); unencrypted SRTCP is `UNENCRYPTED_SRTCP`. SDES has no
//! starting ROC (a non-zero one is refused), and the MKI value is a decimal integer, so an
//! MKI whose value exceeds 64 bits is refused.

use super::{key_and_salt, refuse_unsupported, HandoffError, Supports};
use crate::srtp::{SrtpParams, SrtpSuite};
use base64::Engine as _;

/// The `a=crypto` line of `p` with crypto tag `tag` (RFC 4568 §9.1), without a lifetime
/// (the default of the suite applies), or what SDES cannot take.
///
/// ```
/// # use mikey::srtp::{export::SrtpParams, SrtpSuite, handoff::sdes::crypto_attribute};
/// # use mikey::crypto::SecretBytes;
/// # use mikey::wire::KeyValidity;
/// let p = SrtpParams {
///     cs_id: 1, policy_no: 0, ssrc: 0, roc: 0, suite: SrtpSuite::AesCm128HmacSha1_80,
///     master_key: SecretBytes::from_slice(&[0; 16]),
///     master_salt: SecretBytes::from_slice(&[0; 14]),
///     mki: Some(vec![0, 1]), key_validity: KeyValidity::Null, kdr: 0,
///     srtp_encryption: true, srtcp_encryption: true, srtp_authentication: true, rcc: None,
/// };
/// assert_eq!(
///     crypto_attribute(&p, 1).unwrap(),
///     "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA|1:2"
/// );
/// ```
pub fn crypto_attribute(p: &SrtpParams, tag: u32) -> Result<String, HandoffError> {
    let consumer = "SDES";
    refuse_unsupported(
        p,
        Supports {
            consumer,
            mki: true,
            roc: false,
            kdr: true,
            srtcp_unencrypted: true,
        },
    )?;
    use SrtpSuite as S;
    let (name, null_cipher) = match p.suite {
        S::NullHmacSha1_80 => (S::AesCm128HmacSha1_80.name(), true),
        S::NullHmacSha1_32 => (S::AesCm128HmacSha1_32.name(), true),
        s => (s.name(), false),
    };
    let key = base64::engine::general_purpose::STANDARD.encode(key_and_salt(p).as_bytes());
    let mut line = format!("a=crypto:{tag} {name} inline:{key}");
    if let Some(mki) = &p.mki {
        let (value, len) = mki_value(mki).ok_or_else(|| HandoffError {
            consumer,
            parameter: format!("an MKI of {} octets over 64 bits", mki.len()),
        })?;
        line.push_str(&format!("|{value}:{len}"));
    }
    if p.kdr != 0 {
        line.push_str(&format!(" KDR={}", p.kdr.trailing_zeros()));
    }
    if null_cipher {
        line.push_str(" UNENCRYPTED_SRTP");
    }
    if null_cipher || !p.srtcp_encryption {
        line.push_str(" UNENCRYPTED_SRTCP");
    }
    Ok(line)
}

/// The MKI as (decimal value, length in octets) when the value fits 64 bits and the
/// length is 1-128 (RFC 4568 §9.1, §6.1).
fn mki_value(mki: &[u8]) -> Option<(u64, usize)> {
    if mki.is_empty() || mki.len() > 128 {
        return None;
    }
    let significant = &mki[mki.iter().position(|b| *b != 0).unwrap_or(mki.len())..];
    if significant.len() > 8 {
        return None;
    }
    let value = significant
        .iter()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    Some((value, mki.len()))
}
