//! The ONVIF profile of MIKEY (ONVIF Streaming, "Key management through RTSP"): the SRTP
//! policy and key layout per suite, the profile check of a message, the opt-in
//! tolerances, and the NULL-encrypted MIKEY-PSK initiator both sides use.

use super::MKI_LEN;
use crate::sdp::failure::KeyMgmtError;
use crate::session::{
    Entropy, PskConfig, PskInitiator, ResponderConfig, SessionError, TransportKey,
};
use crate::srtp::export::SrtpParams;
use crate::srtp::SrtpSuite;
use crate::wire::{
    DataType, EncrAlg, KeyDataType, MacAlg, MessageView, ParseOptions, Quirks, SrtpCs, SrtpPolicy,
};
use zeroize::Zeroizing;

/// The SRTP security policy (SP payload parameters, RFC 3830 §6.10.1; RFC 7714 §14.3 for
/// AES-GCM) that describes `suite`, spelled out as the ONVIF examples do (AES-CM, key
/// length, HMAC-SHA-1, auth key length 20, salt length, encryption and authentication
/// on, tag length): [`policy_for`](crate::srtp::export::policy_for), read from the one
/// table of suites.
pub fn onvif_policy(suite: SrtpSuite) -> SrtpPolicy {
    crate::srtp::export::policy_for(suite)
}

/// The KEMAC key for `suite` as the ONVIF profile sends it: one TEK holding master key ||
/// master salt for AES_CM_128_HMAC_SHA1_80, TEK+SALT for every other suite (AES-GCM per
/// RFC 7714), with the 4-byte MKI as SPI key validity (RFC 3830 §6.13).
pub fn onvif_transport_key(
    suite: SrtpSuite,
    master_key: &[u8],
    master_salt: &[u8],
    mki: [u8; MKI_LEN],
) -> TransportKey {
    let key = if suite == SrtpSuite::AesCm128HmacSha1_80 {
        let joined = Zeroizing::new([master_key, master_salt].concat());
        TransportKey::tek(&joined)
    } else {
        TransportKey::tek(master_key).with_salt(master_salt)
    };
    key.with_mki(&mki)
}

/// Checks a MIKEY message against the ONVIF profile before any state changes:
/// pre-shared key I_MESSAGE, NULL-encrypted KEMAC, at least one key, every key a TEK or
/// TEK+SALT with a 4-byte MKI. Returns the MKIs in key order. `lenient` parses with the
/// device quirks of [`ParseOptions::LENIENT`].
pub fn check_onvif_profile(
    message: &[u8],
    lenient: bool,
) -> Result<Vec<[u8; MKI_LEN]>, KeyMgmtError> {
    let opts = if lenient {
        ParseOptions::LENIENT
    } else {
        ParseOptions::STRICT
    };
    let view = MessageView::parse_with(message, opts)
        .map_err(|e| KeyMgmtError::Mikey(SessionError::from(e)))?;
    if view.header().data_type != DataType::PskInit {
        return Err(KeyMgmtError::Profile(
            "MIKEY-PSK only: the message is not a pre-shared key I_MESSAGE",
        ));
    }
    let (_, kemac) = view
        .kemac()
        .ok_or(KeyMgmtError::Mikey(SessionError::MissingPayload("KEMAC")))?;
    let keys = match kemac.plaintext_keys(false) {
        None => {
            return Err(KeyMgmtError::Profile(
                "the KEMAC must use NULL encryption (the keys are protected by TLS)",
            ))
        }
        Some(Err(e)) => return Err(KeyMgmtError::Mikey(SessionError::from(e))),
        Some(Ok(k)) => k,
    };
    if keys.keys.is_empty() {
        return Err(KeyMgmtError::Profile("no key in the KEMAC"));
    }
    let mut mkis = Vec::with_capacity(keys.keys.len());
    for k in &keys.keys {
        if !matches!(k.key_type, KeyDataType::Tek | KeyDataType::TekSalt) {
            return Err(KeyMgmtError::Profile("keys must be TEKs (TEK or TEK+SALT)"));
        }
        match k.kv.spi().and_then(|s| <[u8; MKI_LEN]>::try_from(s).ok()) {
            Some(mki) => mkis.push(mki),
            None => {
                return Err(KeyMgmtError::Profile(
                    "every key needs a 4-byte MKI (key validity SPI)",
                ))
            }
        }
    }
    Ok(mkis)
}

/// Opt-in tolerances for clients that break RFC 3830 (the Genetec client of the ONVIF
/// examples). Both are off in [`OnvifTolerances::STRICT`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OnvifTolerances {
    /// Accept NTP timestamps that are not the current time
    /// ([`crate::session::TimestampPolicy::accept_any_time`]).
    pub accept_any_time: bool,
    /// Accept initial messages without RAND
    /// ([`crate::session::TimestampPolicy::allow_missing_rand`]).
    pub allow_missing_rand: bool,
}

impl OnvifTolerances {
    /// RFC 3830 as written: current NTP time and RAND required.
    pub const STRICT: Self = Self {
        accept_any_time: false,
        allow_missing_rand: false,
    };

    /// What the Genetec (OmnicastRTSPClient) messages of the ONVIF examples need: any
    /// timestamp, no RAND.
    pub const GENETEC: Self = Self {
        accept_any_time: true,
        allow_missing_rand: true,
    };

    /// The responder settings: [`ResponderConfig::mikey_null`] plus these tolerances.
    pub fn responder_config(self) -> ResponderConfig {
        let mut cfg = ResponderConfig::mikey_null();
        cfg.timestamps.accept_any_time = self.accept_any_time;
        cfg.timestamps.allow_missing_rand = self.allow_missing_rand;
        cfg
    }
}

/// SRTP parameters obtained from an ONVIF key exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnvifKeys {
    /// The crypto session bundle (keep it to re-key the RTSP session).
    pub csb_id: u32,
    /// One entry per crypto session and key: suite, master key and salt, MKI, SSRC, ROC.
    pub srtp: Vec<SrtpParams>,
    /// Device quirks that lenient parsing tolerated.
    pub quirks: Quirks,
}

/// A MIKEY-NULL initiator for one stream; a key derivation rate over 32 bits cannot be
/// sent (RFC 3830 §6.10.1).
pub(super) fn null_initiator(
    suite: SrtpSuite,
    ssrc: u32,
    roc: u32,
    kdr: u64,
) -> Result<PskInitiator, SessionError> {
    let mut policy = onvif_policy(suite);
    if kdr != 0 {
        policy.kdr = Some(kdr);
    }
    Ok(PskInitiator::new(
        &[],
        PskConfig {
            encr: EncrAlg::Null,
            mac: MacAlg::Null,
            v: false,
            crypto_sessions: vec![SrtpCs {
                policy_no: 0,
                ssrc,
                roc,
            }],
            policies: vec![policy.to_payload(0)?],
            ..PskConfig::default()
        },
    ))
}

pub(super) fn fresh_key(suite: SrtpSuite, mki: u32, rng: &mut impl Entropy) -> TransportKey {
    let mut key = Zeroizing::new(vec![0u8; suite.master_key_len()]);
    let mut salt = Zeroizing::new(vec![0u8; suite.master_salt_len()]);
    rng.fill(&mut key);
    rng.fill(&mut salt);
    onvif_transport_key(suite, &key, &salt, mki.to_be_bytes())
}
