//! The exported parameters as JSON, through `serde` (a dependency of the library already;
//! no JSON crate is needed to implement [`serde::Serialize`]): byte values as lowercase
//! hex, an absent MKI as null. The same field names as `mikey decode --json` prints.

use super::hex;
use crate::srtp::SrtpParams;
use crate::wire::KeyValidity;
use serde::Serialize;

/// A JSON view of [`SrtpParams`] (`serde_json::to_string(&SrtpParamsJson::from(&p))`).
/// It holds the keys in hex; its `Debug` does not show them.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct SrtpParamsJson {
    /// Crypto session ID.
    pub cs_id: u8,
    /// Policy number.
    pub policy_no: u8,
    /// SSRC.
    pub ssrc: u32,
    /// Starting ROC.
    pub roc: u32,
    /// Suite name (RFC 4568 style).
    pub suite: &'static str,
    /// Master key, hex.
    pub master_key: String,
    /// Master salt, hex.
    pub master_salt: String,
    /// MKI, hex.
    pub mki: Option<String>,
    /// `<From, To>` interval as 48-bit indices, when the key has one.
    pub key_interval: Option<[u64; 2]>,
    /// Key derivation rate.
    pub kdr: u64,
    /// SRTP encryption on.
    pub srtp_encryption: bool,
    /// SRTCP encryption on.
    pub srtcp_encryption: bool,
    /// SRTP authentication on.
    pub srtp_authentication: bool,
    /// RFC 4771 settings: `{"mode": 2|3|4, "rate": R}`.
    pub roc_carrying: Option<RocCarryingJson>,
}

/// RFC 4771 settings in [`SrtpParamsJson`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RocCarryingJson {
    /// MIKEY SRTP auth alg code (2, 3, 4).
    pub mode: u8,
    /// ROC transmission rate R.
    pub rate: u16,
}

impl core::fmt::Debug for SrtpParamsJson {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SrtpParamsJson")
            .field("cs_id", &self.cs_id)
            .field("ssrc", &self.ssrc)
            .field("suite", &self.suite)
            .field("master_key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl From<&SrtpParams> for SrtpParamsJson {
    fn from(p: &SrtpParams) -> Self {
        let key_interval = match (&p.key_validity, p.interval()) {
            (KeyValidity::Interval { .. }, Ok(Some(i))) => Some([i.from(), i.to()]),
            _ => None,
        };
        Self {
            cs_id: p.cs_id,
            policy_no: p.policy_no,
            ssrc: p.ssrc,
            roc: p.roc,
            suite: p.suite.name(),
            master_key: hex(p.master_key.as_bytes()),
            master_salt: hex(p.master_salt.as_bytes()),
            mki: p.mki.as_deref().map(hex),
            key_interval,
            kdr: p.kdr,
            srtp_encryption: p.srtp_encryption,
            srtcp_encryption: p.srtcp_encryption,
            srtp_authentication: p.srtp_authentication,
            roc_carrying: p.rcc.map(|r| RocCarryingJson {
                mode: r.mode.to_wire(),
                rate: r.rate,
            }),
        }
    }
}
