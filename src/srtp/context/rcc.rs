//! The Roll-over Counter Carrying transform (RFC 4771): which packets carry the ROC in
//! their authentication tag, and how long their MAC is.
//!
//! With AES-CM or the NULL cipher (RFC 4771 §2-3, §5 cases 1-5), for a tag length `n`
//! that includes the 4-octet ROC (`n` = the suite's tag + 4 in modes 1 and 2, 4 in mode 3):
//!
//! | mode | SEQ ≡ 0 mod R | other packets |
//! | --- | --- | --- |
//! | RCCm1 | ROC ‖ MAC_tr (n − 4 octets) | no tag, not authenticated |
//! | RCCm2 | ROC ‖ MAC_tr (n − 4 octets) | MAC (n octets) |
//! | RCCm3 | ROC (4 octets), no MAC | no tag |
//!
//! The MAC is HMAC-SHA1(auth key, authenticated portion ‖ ROC_sender), as the default
//! transform computes it (RFC 3711 §4.2), so the receiver's check uses the carried ROC.
//!
//! **RCCm3 with an AEAD suite** (the 3GPP MCPTT group-call profile: AES-GCM, RCCm3,
//! R = 1; TS 33.180 §7.4, TS 33.179 Annex E.2): the packet is the RFC 7714 §8.2 packet
//! (header ‖ ciphertext ‖ AEAD tag ‖ \[MKI\]) followed, when SEQ ≡ 0 mod R, by the 4-octet
//! ROC in the place of the RFC 3711 §3.1 authentication tag (RFC 4771 §2: TAG = ROC ‖
//! MAC_tr with an empty MAC_tr, the tag length 4 of §5 case 5). The receiver forms the
//! GCM IV from the carried ROC (RFC 7714 §8.1: the IV holds ROC ‖ SEQ), so a modified
//! ROC fails the AEAD check: with AES-GCM the carried ROC is authenticated, unlike RCCm3
//! with AES-CM. Modes 1 and 2 are defined as HMAC-SHA1 MACs (RFC 4771 §3: "Modes 1 and 2
//! MUST compute the MAC in the same way as the pre-defined authentication transform")
//! and have no meaning with an AEAD suite: they are refused ([`SrtpError::BadRcc`]).
//!
//! RCC applies to SRTP only, never to SRTCP (RFC 4771 §2).

use super::SrtpError;
use crate::srtp::SrtpSuite;
use crate::wire::SrtpAuthAlg;

/// An RFC 4771 §3 integrity transform mode (MIKEY SRTP auth alg 2, 3, 4, RFC 4771 §4
/// Table 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RccMode {
    /// RCCm1: only the packets that carry the ROC are integrity protected.
    Mode1,
    /// RCCm2: every packet is integrity protected; the ROC-carrying ones with a MAC four
    /// octets shorter.
    Mode2,
    /// RCCm3: no MAC (with AES-CM); the ROC is carried in a 4-octet tag.
    Mode3,
}

impl RccMode {
    /// The mode a MIKEY SRTP authentication algorithm names (RFC 4771 §4, Table 1), if
    /// it names one.
    pub fn from_auth_alg(alg: SrtpAuthAlg) -> Option<Self> {
        match alg {
            SrtpAuthAlg::RccM1 => Some(Self::Mode1),
            SrtpAuthAlg::RccM2 => Some(Self::Mode2),
            SrtpAuthAlg::RccM3 => Some(Self::Mode3),
            _ => None,
        }
    }

    /// The MIKEY SRTP authentication algorithm of this mode (RFC 4771 §4, Table 1).
    pub fn auth_alg(self) -> SrtpAuthAlg {
        match self {
            Self::Mode1 => SrtpAuthAlg::RccM1,
            Self::Mode2 => SrtpAuthAlg::RccM2,
            Self::Mode3 => SrtpAuthAlg::RccM3,
        }
    }

    /// Its MIKEY code (2, 3 or 4, RFC 4771 §4 Table 1).
    pub fn to_wire(self) -> u8 {
        self.auth_alg().to_wire()
    }
}

/// The RFC 4771 name and MIKEY code, as [`SrtpAuthAlg`] shows it: `RCCm3 (4)`.
impl core::fmt::Display for RccMode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(&self.auth_alg(), f)
    }
}

/// Mode and ROC transmission rate R of a context (R ≥ 1, RFC 4771 §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Rcc {
    pub(super) mode: RccMode,
    pub(super) rate: u16,
}

impl Rcc {
    /// Checks the settings against the suite (RFC 4771 §3-4).
    pub(super) fn new(suite: SrtpSuite, mode: RccMode, rate: u16) -> Result<Self, SrtpError> {
        if rate == 0 || (suite.is_aead() && mode != RccMode::Mode3) {
            return Err(SrtpError::BadRcc);
        }
        Ok(Self { mode, rate })
    }
}

/// What follows the payload of one SRTP packet (after the MKI): whether the 4-octet ROC
/// is carried, and how many MAC octets follow it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Trailer {
    pub(super) roc: bool,
    pub(super) mac: usize,
}

impl Trailer {
    /// Octets of ROC and MAC.
    pub(super) fn len(self) -> usize {
        if self.roc {
            4 + self.mac
        } else {
            self.mac
        }
    }
}

/// The trailer of the SRTP packet with sequence number `seq` (RFC 4771 §2-3, §5).
pub(super) fn trailer(suite: SrtpSuite, rcc: Option<Rcc>, seq: u16) -> Trailer {
    let tag = if suite.is_aead() {
        0
    } else {
        suite.auth_tag_len()
    };
    let Some(rcc) = rcc else {
        return Trailer {
            roc: false,
            mac: tag,
        };
    };
    let carries = seq.is_multiple_of(rcc.rate);
    let mac = match (rcc.mode, carries) {
        (RccMode::Mode3, _) | (RccMode::Mode1, false) => 0,
        (_, true) => tag,
        // Mode 2, no ROC: the whole n-octet tag is MAC (RFC 4771 §5 case 4).
        (RccMode::Mode2, false) => tag + 4,
    };
    Trailer { roc: carries, mac }
}
