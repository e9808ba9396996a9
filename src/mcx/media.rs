//! SRTP master keys for the media of TS 33.180 7.4: the distributed key is the MIKEY TGK,
//! its identifier the CSB ID, the I_MESSAGE's RAND the RAND, and the key derivation of
//! RFC 3830 §4.1.3 with PRF-HMAC-SHA-256 (RFC 6043 §6.1) gives the master key and salt for
//! the CS-ID of the stream (Table E.1.3-1, the caller's choice of service and role).
//!
//! * Private calls (7.4.1): TGK = PCK, CSB ID = PCK-ID, MKI = the 32-bit PCK-ID (7.4.1:
//!   "The MKI shall be the 32-bit PCK-ID which has a purpose tag of '1'").
//! * Group calls (7.4.2): TGK = GMK, CSB ID = the GUK-ID of the sending member (F.1.3,
//!   7.4.2: "the (derived) GUK-ID shall be used as the MIKEY CSB ID"), MKI = GMK-ID ||
//!   GUK-ID (64 bits). That MKI layout is inferred, not read: the copy of 7.4.2 we could
//!   consult stops before its MKI sentence, and the layout is that of the SPI of the
//!   GENERIC-ID map in the Streamwide reference GMK message (`tests/mcx_messages.rs`
//!   checks it against that message). A member derives its own sending keys with its own
//!   URI and the keys of another member's media with that member's URI.
//!
//! Both clauses take the CS-ID from TS 33.180 Table E.1.3-1, which we have not been able to
//! read: it stays the caller's (`cs_id`). The one value we have seen quoted is 6 for a CSK
//! within MCPTT (E.4.2, as TS 36.579-1 Table 5.5.9.1-1 cites it).
//!
//! The default profile is AEAD_AES_128_GCM (RFC 7714: 16-octet key, 12-octet salt, no
//! KDR); group media carry the ROC in every packet (RFC 4771 RCCm3, rate 1).
//!
//! ```
//! use mikey::mcx::media::{group_srtp, private_srtp};
//! use mikey::mcx::KeyId;
//! let gmk = [7u8; 16];
//! let rand = [1u8; 16];
//! let p = group_srtp(&gmk, KeyId::new(0x0df9bc39), b"sip:alice@example.org", &rand, 0).unwrap();
//! assert_eq!(p.mki.as_ref().unwrap().len(), 8);
//! assert!(p.rcc.is_some());
//! let q = private_srtp(&gmk, KeyId::new(0x16992638), &rand, 0).unwrap();
//! assert_eq!(q.mki.as_deref(), Some(&[0x16, 0x99, 0x26, 0x38][..]));
//! ```

use super::derive::guk_id;
use super::error::McxError;
use super::key_id::KeyId;
use crate::crypto::derive::{derive_tgk_keyed, TGK_CONST_SALT, TGK_CONST_TEK};
use crate::crypto::prf::{Prf, PrfKey};
use crate::srtp::{RccMode, RocCarrying, SrtpParams, SrtpSuite};

/// The media profile of TS 33.180 (RFC 7714 AES-GCM with a 128-bit key).
pub const MEDIA_SUITE: SrtpSuite = SrtpSuite::AeadAes128Gcm;

/// SRTP parameters for `suite` from TGK `tgk`, CSB ID `csb_id`, `rand` and `cs_id`
/// (RFC 3830 §4.1.3, PRF-HMAC-SHA-256), with `mki`.
///
/// # Errors
/// [`McxError::Invalid`] when the suite's lengths cannot be met (never for
/// [`MEDIA_SUITE`]).
pub fn srtp_from_tgk(
    suite: SrtpSuite,
    tgk: &[u8],
    csb_id: KeyId,
    rand: &[u8],
    cs_id: u8,
    mki: Vec<u8>,
) -> Result<SrtpParams, McxError> {
    // Keyed once for the TEK and the salt.
    let tgk = PrfKey::new(Prf::HmacSha256, tgk);
    let d = |c, n| derive_tgk_keyed(&tgk, c, cs_id, csb_id.value(), rand, n);
    let key = d(TGK_CONST_TEK, suite.master_key_len());
    let salt = d(TGK_CONST_SALT, suite.master_salt_len());
    let p = SrtpParams::from_keys(suite, key.as_bytes(), salt.as_bytes()).map_err(|_| {
        McxError::Invalid {
            what: "SRTP",
            field: "suite",
            expected: "a suite with master key and salt",
        }
    })?;
    Ok(SrtpParams {
        cs_id,
        mki: Some(mki),
        ..p
    })
}

/// The SRTP parameters of a private call (7.4.1): TGK = PCK, CSB ID = PCK-ID,
/// MKI = PCK-ID, AES-GCM without RCC.
///
/// # Errors
/// As [`srtp_from_tgk`].
pub fn private_srtp(
    pck: &[u8],
    pck_id: KeyId,
    rand: &[u8],
    cs_id: u8,
) -> Result<SrtpParams, McxError> {
    srtp_from_tgk(
        MEDIA_SUITE,
        pck,
        pck_id,
        rand,
        cs_id,
        pck_id.to_bytes().to_vec(),
    )
}

/// The SRTP parameters of the group media sent by the member `sender_uri` (7.4.2):
/// TGK = GMK, CSB ID = that member's GUK-ID, MKI = GMK-ID || GUK-ID, AES-GCM with RCCm3
/// (the ROC in every packet).
///
/// # Errors
/// As [`srtp_from_tgk`], or when the GUK-ID cannot be derived.
pub fn group_srtp(
    gmk: &[u8],
    gmk_id: KeyId,
    sender_uri: &[u8],
    rand: &[u8],
    cs_id: u8,
) -> Result<SrtpParams, McxError> {
    let guk = guk_id(gmk, gmk_id, sender_uri)?;
    let mut mki = gmk_id.to_bytes().to_vec();
    mki.extend_from_slice(&guk.to_bytes());
    let p = srtp_from_tgk(MEDIA_SUITE, gmk, guk, rand, cs_id, mki)?;
    Ok(SrtpParams {
        rcc: Some(RocCarrying {
            mode: RccMode::Mode3,
            rate: 1,
        }),
        ..p
    })
}
