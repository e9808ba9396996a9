//! SRTP keys for ONVIF streaming over RTSPS (ONVIF Streaming Specification, section
//! "Key management through RTSP", `xml:id="srtp-mikey"`; RFC 4567 §3.2, §4.2). No
//! transport here: these helpers turn header values and bodies into SRTP parameters and
//! back, the caller runs RTSP over TLS.
//!
//! The ONVIF profile, which every helper enforces:
//! * MIKEY-PSK only (RFC 3830 §3.1), with a NULL-encrypted KEMAC and a NULL MAC ("MIKEY
//!   NULL"): the keys travel in clear because RTSPS (TLS) protects the signalling.
//! * The client supplies the key in the `KeyMgmt` header of SETUP (RFC 4567 §3.2):
//!   [`OnvifClient::setup_header`] → [`OnvifDevice::setup`].
//! * Keys are TEKs: master key || master salt in one TEK for AES_CM_128_HMAC_SHA1_80,
//!   TEK+SALT for the other suites (AES-GCM, RFC 7714); [`onvif_transport_key`].
//! * Every key carries a 4-byte MKI (KV type SPI), also sent in every SRTP packet;
//!   [`check_onvif_profile`] rejects keys without one.
//! * Re-keying: SET_PARAMETER with the `text/parameters` body `mikey: <base64>`, applied as
//!   an update (new MKI, ROC kept): [`OnvifClient::rekey_body`] → [`OnvifDevice::rekey`].
//! * Multicast: the client asks with `GET_PARAMETER` body `mikey`
//!   ([`GET_PARAMETER_MIKEY_BODY`]); the device answers `mikey: <base64>` with the
//!   multicast key, SSRC and current ROC: [`OnvifDevice::multicast_key_body`] →
//!   [`OnvifClient::handle_multicast_key`].
//! * Failures are answered with RTSP 463 "Key Management Failure" (RFC 4567 §4.2), see
//!   [`KeyMgmtFailure`].
//!
//! The Genetec client of the ONVIF examples sends NTP timestamps that are not the current
//! time and omits RAND; a device that must accept it opts in with
//! [`OnvifTolerances::GENETEC`] (replay protection then rests on the replay cache alone).
//!
//! ```
//! use core::time::Duration;
//! use mikey::sdp::onvif::{OnvifClient, OnvifDevice, OnvifTolerances};
//! use mikey::session::OsEntropy;
//! use mikey::srtp::SrtpSuite;
//!
//! let now = Duration::from_secs(1_800_000_000);
//! let mut client = OnvifClient::new(SrtpSuite::AesCm128HmacSha1_80, 0, OnvifTolerances::STRICT);
//! let mut device = OnvifDevice::new(OnvifTolerances::STRICT);
//!
//! // SETUP rtsps://cam/track1 with "KeyMgmt: prot=mikey; uri=...; data=...".
//! let header = client.setup_header(Some("rtsps://cam/track1"), now, &mut OsEntropy).unwrap();
//! let keys = device.setup(Some(&header.to_string()), Some(0x1234_5678), now).unwrap();
//! assert_eq!(keys.srtp[0].mki.as_deref(), Some(&[0, 0, 0, 1][..]));
//! assert_eq!(keys.srtp[0].ssrc, 0x1234_5678);
//!
//! // SET_PARAMETER with "mikey: <base64>": a new key with the next MKI, the ROC kept.
//! let body = client.rekey_body(now + Duration::from_secs(60), &mut OsEntropy).unwrap();
//! assert!(body.starts_with("mikey: "));
//! let new = device.rekey(keys.csb_id, &body, Some(3), now + Duration::from_secs(60)).unwrap();
//! assert_eq!(new.srtp[0].mki.as_deref(), Some(&[0, 0, 0, 2][..]));
//! assert_eq!((new.srtp[0].ssrc, new.srtp[0].roc), (0x1234_5678, 3));
//!
//! // Data that is no MIKEY message: 463 Key Management Failure; no header at all: 403.
//! let f = device.setup(Some("prot=mikey; data=\"AQID\""), None, now).unwrap_err();
//! assert_eq!(f.rtsp_status_line(), "RTSP/1.0 463 Key Management Failure");
//! assert_eq!(device.setup(None, None, now).unwrap_err().status, 403);
//! ```

use super::failure::{KeyMgmtError, KeyMgmtFailure};
use super::{decode_base64, encode_base64, KeyMgmtHeader};
use crate::session::{
    Entropy, PskConfig, PskInitiator, PskResponder, ResponderConfig, SessionError, TransportKey,
};
use crate::srtp::export::SrtpParams;
use crate::srtp::SrtpSuite;
use crate::wire::{
    DataType, EncrAlg, KeyDataType, MacAlg, MessageView, ParseOptions, Quirks, SrtpCs, SrtpEncrAlg,
    SrtpPolicy,
};
use core::time::Duration;
use std::collections::HashMap;
use zeroize::Zeroizing;

/// Length of the MKI every ONVIF key carries (ONVIF Streaming, "Key management through
/// RTSP": the MKI is mandatory and 4 bytes long).
pub const MKI_LEN: usize = 4;

/// Name of the `text/parameters` parameter carrying a MIKEY message in SET_PARAMETER and
/// GET_PARAMETER (ONVIF Streaming, re-keying and multicast key retrieval).
pub const MIKEY_PARAMETER: &str = "mikey";

/// The body of the client's `GET_PARAMETER` asking for the multicast key and ROC (ONVIF
/// Streaming, `Content-Type: text/parameters`, RFC 2326 §10.8).
pub const GET_PARAMETER_MIKEY_BODY: &str = "mikey\r\n";

/// The SRTP security policy (SP payload parameters, RFC 3830 §6.10.1; RFC 7714 §14.3 for
/// AES-GCM) that describes `suite`, spelled out as the ONVIF examples do (AES-CM, key
/// length, HMAC-SHA-1, auth key length 20, salt length, encryption and authentication
/// on, tag length).
pub fn onvif_policy(suite: SrtpSuite) -> SrtpPolicy {
    use SrtpSuite as S;
    let base = SrtpPolicy::aes_cm_128_hmac_sha1_80();
    let len = |n: usize| Some(u8::try_from(n).unwrap_or(u8::MAX));
    match suite {
        S::AeadAes128Gcm | S::AeadAes256Gcm => SrtpPolicy {
            encr_alg: Some(SrtpEncrAlg::AesGcm),
            encr_key_len: len(suite.master_key_len()),
            salt_key_len: len(suite.master_salt_len()),
            srtp_encryption: Some(true),
            srtcp_encryption: Some(true),
            aead_auth_tag_len: len(suite.auth_tag_len()),
            ..SrtpPolicy::default()
        },
        S::NullHmacSha1_80 | S::NullHmacSha1_32 => SrtpPolicy {
            encr_alg: Some(SrtpEncrAlg::Null),
            srtp_encryption: Some(false),
            srtcp_encryption: Some(false),
            auth_tag_len: len(suite.auth_tag_len()),
            ..base
        },
        _ => SrtpPolicy {
            encr_key_len: len(suite.master_key_len()),
            auth_tag_len: len(suite.auth_tag_len()),
            ..base
        },
    }
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

/// The `text/parameters` body line `mikey: <base64>` of SET_PARAMETER (client re-key) and
/// of the device's answer to GET_PARAMETER (ONVIF Streaming; RFC 2326 §10.8, §10.9).
pub fn format_mikey_parameter(message: &[u8]) -> String {
    format!("{MIKEY_PARAMETER}: {}\r\n", encode_base64(message))
}

/// The MIKEY message of a `text/parameters` body: the first line `mikey: <base64>`
/// (name case-insensitive, optional whitespace around the value, strict padded base64).
/// Errors: no such line ([`KeyMgmtError::NoMikeyParameter`]) or bad base64 (offset from
/// the start of `body`).
pub fn parse_mikey_parameter(body: &str) -> Result<Vec<u8>, KeyMgmtError> {
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\r', '\n']);
        let Some(colon) = content.find(':') else {
            continue;
        };
        if !content[..colon]
            .trim()
            .eq_ignore_ascii_case(MIKEY_PARAMETER)
        {
            continue;
        }
        let raw = &content[colon + 1..];
        let value = raw.trim_start_matches([' ', '\t']);
        let value_off = start + colon + 1 + (raw.len() - value.len());
        let value = value.trim_end_matches([' ', '\t']);
        return decode_base64(value, value_off).map_err(KeyMgmtError::Sdp);
    }
    Err(KeyMgmtError::NoMikeyParameter)
}

/// Whether a `GET_PARAMETER` body asks for the `mikey` parameter (one parameter name per
/// line, RFC 2326 §10.8; name case-insensitive).
pub fn is_mikey_get_parameter(body: &str) -> bool {
    body.lines()
        .any(|l| l.trim().eq_ignore_ascii_case(MIKEY_PARAMETER))
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
fn null_initiator(
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

fn fresh_key(suite: SrtpSuite, mki: u32, rng: &mut impl Entropy) -> TransportKey {
    let mut key = Zeroizing::new(vec![0u8; suite.master_key_len()]);
    let mut salt = Zeroizing::new(vec![0u8; suite.master_salt_len()]);
    rng.fill(&mut key);
    rng.fill(&mut salt);
    onvif_transport_key(suite, &key, &salt, mki.to_be_bytes())
}

/// The client side: creates the SRTP key (the ONVIF client supplies it), re-keys, and
/// reads multicast keys from the device.
pub struct OnvifClient {
    suite: SrtpSuite,
    ssrc: u32,
    initiator: Option<PskInitiator>,
    mki: u32,
    receiver: PskResponder,
    lenient: bool,
}

impl core::fmt::Debug for OnvifClient {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OnvifClient")
            .field("suite", &self.suite)
            .field("ssrc", &self.ssrc)
            .field("mki", &self.mki)
            .field("initiator", &self.initiator)
            .finish()
    }
}

impl OnvifClient {
    /// A client keying `suite`. `ssrc` goes into the crypto session (0 lets the device
    /// fill in the SSRC of its stream). `tolerances` apply to multicast key messages the
    /// device sends ([`OnvifClient::handle_multicast_key`]).
    pub fn new(suite: SrtpSuite, ssrc: u32, tolerances: OnvifTolerances) -> Self {
        let cfg = tolerances.responder_config();
        let lenient = cfg.lenient;
        Self {
            suite,
            ssrc,
            initiator: None,
            mki: 0,
            receiver: PskResponder::new(crate::crypto::SecretBytes::from_slice(&[]), cfg),
            lenient,
        }
    }

    /// The SRTP suite.
    pub fn suite(&self) -> SrtpSuite {
        self.suite
    }

    /// The MKI of the newest key (0 before [`OnvifClient::setup_header`]).
    pub fn mki(&self) -> [u8; MKI_LEN] {
        self.mki.to_be_bytes()
    }

    /// The `KeyMgmt` header of SETUP (RFC 4567 §3.2) with a fresh key: a new crypto
    /// session bundle (random CSB ID and RAND), NULL/NULL KEMAC carrying a TEK for the
    /// suite with MKI 1, an SP payload with the suite's parameters, no verification
    /// requested. `uri` is the RTSP URL the key applies to (`None`: the request URL).
    /// Calling it again starts a new bundle.
    pub fn setup_header(
        &mut self,
        uri: Option<&str>,
        now: Duration,
        rng: &mut impl Entropy,
    ) -> Result<KeyMgmtHeader, SessionError> {
        let mut initiator = null_initiator(self.suite, self.ssrc, 0, 0)?;
        let key = fresh_key(self.suite, 1, rng);
        let msg = initiator.initiate(vec![key], now, rng)?;
        self.initiator = Some(initiator);
        self.mki = 1;
        Ok(KeyMgmtHeader::for_mikey(uri.map(str::to_owned), msg))
    }

    /// The SET_PARAMETER body `mikey: <base64>\r\n` re-keying the bundle of the last
    /// [`OnvifClient::setup_header`]: a MIKEY update (RFC 3830 §4.5: same CSB ID, no RAND)
    /// with a fresh key under the next MKI.
    pub fn rekey_body(
        &mut self,
        now: Duration,
        rng: &mut impl Entropy,
    ) -> Result<String, SessionError> {
        let initiator = self
            .initiator
            .as_mut()
            .ok_or_else(|| SessionError::WrongState("re-keying before SETUP"))?;
        let mki = self.mki.wrapping_add(1).max(1);
        let key = fresh_key(self.suite, mki, rng);
        let msg = initiator.initiate(vec![key], now, rng)?;
        self.mki = mki;
        Ok(format_mikey_parameter(&msg))
    }

    /// SRTP parameters of every key sent so far (the receiver picks the key by the MKI of
    /// each packet).
    pub fn srtp(&self) -> Result<Vec<SrtpParams>, SessionError> {
        self.initiator
            .as_ref()
            .ok_or_else(|| SessionError::WrongState("no key yet"))?
            .srtp()
    }

    /// SRTP parameters of the newest key.
    pub fn current_srtp(&self) -> Result<Vec<SrtpParams>, SessionError> {
        let mki = self.mki();
        Ok(self
            .srtp()?
            .into_iter()
            .filter(|p| p.mki.as_deref() == Some(&mki[..]))
            .collect())
    }

    /// Reads the device's answer to `GET_PARAMETER mikey` (multicast key retrieval): the
    /// `mikey: <base64>` body carrying the multicast key, its MKI, the stream's SSRC and
    /// current ROC; see [`OnvifClient::handle_device_message`].
    pub fn handle_multicast_key(
        &mut self,
        body: &str,
        now: Duration,
    ) -> Result<OnvifKeys, KeyMgmtError> {
        let data = parse_mikey_parameter(body)?;
        self.handle_device_message(&data, now)
    }

    /// Reads a MIKEY message the device sent (the `GET_PARAMETER` answer, or an
    /// `a=key-mgmt:mikey` of its DESCRIBE SDP, RFC 4567 §4.2): it must follow the ONVIF
    /// profile and pass the MIKEY-NULL responder checks (timestamp within the tolerances,
    /// no replay).
    pub fn handle_device_message(
        &mut self,
        data: &[u8],
        now: Duration,
    ) -> Result<OnvifKeys, KeyMgmtError> {
        check_onvif_profile(data, self.lenient)?;
        let a = self
            .receiver
            .handle(data, now)
            .map_err(|r| KeyMgmtError::Mikey(r.error))?;
        let srtp = self.receiver.srtp(a.csb_id);
        // Each message is complete in itself: keep only the replay cache entry.
        self.receiver.remove_bundle(a.csb_id);
        Ok(OnvifKeys {
            csb_id: a.csb_id,
            srtp: srtp?,
            quirks: a.quirks,
        })
    }
}

/// One keyed stream of an RTSP session: crypto session ID, SSRC, ROC.
type Stream = (u8, u32, u32);

/// The device side: accepts the client's keys from SETUP and SET_PARAMETER, and sends
/// multicast keys. One `OnvifDevice` serves every RTSP session of a device (one replay
/// cache); sessions are told apart by their CSB ID.
pub struct OnvifDevice {
    responder: PskResponder,
    lenient: bool,
    streams: HashMap<u32, Vec<Stream>>,
}

impl core::fmt::Debug for OnvifDevice {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OnvifDevice")
            .field("responder", &self.responder)
            .field("sessions", &self.streams.len())
            .finish()
    }
}

impl OnvifDevice {
    /// A device whose responder uses [`ResponderConfig::mikey_null`] plus `tolerances`.
    pub fn new(tolerances: OnvifTolerances) -> Self {
        Self::with_config(tolerances.responder_config())
    }

    /// A device with its own responder settings (they should allow NULL encryption and
    /// MAC, see [`ResponderConfig::mikey_null`]).
    pub fn with_config(cfg: ResponderConfig) -> Self {
        let lenient = cfg.lenient;
        Self {
            responder: PskResponder::new(crate::crypto::SecretBytes::from_slice(&[]), cfg),
            lenient,
            streams: HashMap::new(),
        }
    }

    /// The MIKEY responder (bundles, replay cache).
    pub fn responder(&self) -> &PskResponder {
        &self.responder
    }

    fn accept(
        &mut self,
        data: &[u8],
        local_ssrcs: Vec<u32>,
        now: Duration,
    ) -> Result<(crate::session::Accepted, Vec<[u8; MKI_LEN]>), KeyMgmtFailure> {
        let mkis =
            check_onvif_profile(data, self.lenient).map_err(|e| KeyMgmtFailure::rtsp(e, None))?;
        self.responder.set_local_ssrcs(local_ssrcs);
        let r = self.responder.handle(data, now);
        self.responder.set_local_ssrcs(Vec::new());
        let a = r.map_err(|r| KeyMgmtFailure::rtsp(KeyMgmtError::Mikey(r.error), r.response))?;
        Ok((a, mkis))
    }

    /// Processes the `KeyMgmt` header value of a SETUP (RFC 4567 §4.2): `None` when the
    /// request has no such header (403 Forbidden, RFC 4567 §4.2). The first MIKEY entry is
    /// used. `device_ssrc` fills the crypto session when the client sent SSRC 0. Returns
    /// the SRTP parameters, or the RTSP failure to answer (463 Key Management Failure).
    pub fn setup(
        &mut self,
        key_mgmt: Option<&str>,
        device_ssrc: Option<u32>,
        now: Duration,
    ) -> Result<OnvifKeys, KeyMgmtFailure> {
        let value = key_mgmt.ok_or_else(|| KeyMgmtFailure::rtsp(KeyMgmtError::Missing, None))?;
        let header = KeyMgmtHeader::parse(value)
            .map_err(|e| KeyMgmtFailure::rtsp(KeyMgmtError::Sdp(e), None))?;
        let data = header
            .mikey()
            .ok_or_else(|| KeyMgmtFailure::rtsp(KeyMgmtError::NotMikey, None))?;
        let (a, _) = self.accept(data, device_ssrc.into_iter().collect(), now)?;
        let srtp = self
            .responder
            .srtp(a.csb_id)
            .map_err(|e| KeyMgmtFailure::rtsp(KeyMgmtError::Mikey(e), None))?;
        let mut streams: Vec<Stream> = Vec::new();
        for p in &srtp {
            if !streams.iter().any(|s| s.0 == p.cs_id) {
                streams.push((p.cs_id, p.ssrc, p.roc));
            }
        }
        self.streams.insert(a.csb_id, streams);
        Ok(OnvifKeys {
            csb_id: a.csb_id,
            srtp,
            quirks: a.quirks,
        })
    }

    /// Applies the SET_PARAMETER body `mikey: <base64>` to the RTSP session keyed by
    /// `csb_id` (ONVIF re-keying). The message is an update of that bundle (RFC 3830 §4.5)
    /// or, as the Genetec client sends it, a message for a new bundle that then replaces
    /// the old one. Returns the parameters of the new key(s) only: their MKI is the new
    /// one, the SSRC stays, and the ROC is kept (RFC 3711 §3.3.1: re-keying does not reset
    /// the rollover counter): `current_roc` when given (the sender's
    /// [`crate::srtp::SrtpContext::roc`]), else the ROC known for the stream. Failures:
    /// 451 when the body has no `mikey` parameter, else 463; the session keeps its keys.
    pub fn rekey(
        &mut self,
        csb_id: u32,
        body: &str,
        current_roc: Option<u32>,
        now: Duration,
    ) -> Result<OnvifKeys, KeyMgmtFailure> {
        let data = parse_mikey_parameter(body).map_err(|e| KeyMgmtFailure::rtsp(e, None))?;
        let old = self
            .streams
            .get(&csb_id)
            .cloned()
            .ok_or_else(|| KeyMgmtFailure::rtsp(KeyMgmtError::UnknownSession(csb_id), None))?;
        let target = MessageView::parse_with(&data, ParseOptions::LENIENT)
            .map(|v| v.header().csb_id)
            .ok();
        if target.is_some_and(|t| t != csb_id && self.streams.contains_key(&t)) {
            return Err(KeyMgmtFailure::rtsp(
                KeyMgmtError::Profile("the message re-keys another RTSP session"),
                None,
            ));
        }
        let (a, mkis) = self.accept(&data, old.iter().map(|s| s.1).collect(), now)?;
        let all = match self.responder.srtp(a.csb_id) {
            Ok(all) => all,
            Err(e) => return Err(KeyMgmtFailure::rtsp(KeyMgmtError::Mikey(e), None)),
        };
        let mut srtp: Vec<SrtpParams> = all
            .into_iter()
            .filter(|p| {
                p.mki
                    .as_deref()
                    .is_some_and(|m| mkis.iter().any(|n| n[..] == *m))
            })
            .collect();
        for p in &mut srtp {
            match old.iter().find(|s| s.0 == p.cs_id) {
                Some(&(_, ssrc, roc)) => {
                    if p.ssrc == 0 {
                        p.ssrc = ssrc;
                    }
                    p.roc = current_roc.unwrap_or(roc);
                }
                None => {
                    if let Some(r) = current_roc {
                        p.roc = r;
                    }
                }
            }
        }
        if a.csb_id != csb_id {
            self.responder.remove_bundle(csb_id);
            self.streams.remove(&csb_id);
        }
        let mut streams: Vec<Stream> = Vec::new();
        for p in &srtp {
            if !streams.iter().any(|s| s.0 == p.cs_id) {
                streams.push((p.cs_id, p.ssrc, p.roc));
            }
        }
        self.streams.insert(a.csb_id, streams);
        Ok(OnvifKeys {
            csb_id: a.csb_id,
            srtp,
            quirks: a.quirks,
        })
    }

    /// Forgets the keys of an RTSP session (TEARDOWN). Returns whether it was known.
    pub fn teardown(&mut self, csb_id: u32) -> bool {
        let known = self.streams.remove(&csb_id).is_some();
        self.responder.remove_bundle(csb_id) || known
    }

    /// The body of the 200 OK answering `GET_PARAMETER mikey` (multicast key retrieval):
    /// `mikey: <base64>\r\n` with the message of [`OnvifDevice::device_key_message`].
    pub fn multicast_key_body(
        params: &SrtpParams,
        now: Duration,
        rng: &mut impl Entropy,
    ) -> Result<String, SessionError> {
        Ok(format_mikey_parameter(&Self::device_key_message(
            params, now, rng,
        )?))
    }

    /// A MIKEY-NULL message from the device carrying the key of `params` (TEK per
    /// [`onvif_transport_key`], its 4-byte MKI), the stream's SSRC and current ROC
    /// (`params.roc`: set it from the sender's [`crate::srtp::SrtpContext::roc`]), a
    /// fresh CSB ID and RAND, and an SP with the suite's parameters: for the multicast
    /// key retrieval, or for an `a=key-mgmt:mikey` of the DESCRIBE SDP (RFC 4567 §4.2).
    /// Fails when `params` has no 4-byte MKI.
    pub fn device_key_message(
        params: &SrtpParams,
        now: Duration,
        rng: &mut impl Entropy,
    ) -> Result<Vec<u8>, SessionError> {
        let mki = params
            .mki
            .as_deref()
            .and_then(|m| <[u8; MKI_LEN]>::try_from(m).ok())
            .ok_or_else(|| SessionError::InvalidKeyData("ONVIF keys need a 4-byte MKI".into()))?;
        let key = onvif_transport_key(
            params.suite,
            params.master_key.as_bytes(),
            params.master_salt.as_bytes(),
            mki,
        );
        let mut initiator = null_initiator(params.suite, params.ssrc, params.roc, params.kdr)?;
        initiator.initiate(vec![key], now, rng)
    }

    /// SRTP parameters for a key the device generates itself (e.g. the multicast key):
    /// random master key and salt for `suite`, the given MKI, SSRC and ROC, as
    /// [`OnvifDevice::device_key_message`] will send them.
    pub fn generate_key(
        suite: SrtpSuite,
        mki: [u8; MKI_LEN],
        ssrc: u32,
        roc: u32,
        now: Duration,
        rng: &mut impl Entropy,
    ) -> Result<SrtpParams, SessionError> {
        let key = fresh_key(suite, u32::from_be_bytes(mki), rng);
        let mut initiator = null_initiator(suite, ssrc, roc, 0)?;
        initiator.initiate(vec![key], now, rng)?;
        initiator
            .srtp()?
            .into_iter()
            .next()
            .ok_or_else(|| SessionError::WrongState("no SRTP parameters"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::srtp::export::suite_for;

    #[test]
    fn policies_describe_their_suites() {
        for s in SrtpSuite::ALL {
            let p = onvif_policy(s);
            assert_eq!(suite_for(&p, false).unwrap().0, s, "{s:?}");
            let k = onvif_transport_key(
                s,
                &vec![1; s.master_key_len()],
                &vec![2; s.master_salt_len()],
                [0, 0, 0, 7],
            );
            assert_eq!(k.mki(), Some(&[0, 0, 0, 7][..]));
            let expect = if s == SrtpSuite::AesCm128HmacSha1_80 {
                KeyDataType::Tek
            } else {
                KeyDataType::TekSalt
            };
            assert_eq!(k.key_type, expect);
        }
    }

    #[test]
    fn parameter_bodies() {
        assert_eq!(format_mikey_parameter(&[1, 2, 3]), "mikey: AQID\r\n");
        assert_eq!(parse_mikey_parameter("mikey: AQID\r\n").unwrap(), [1, 2, 3]);
        assert_eq!(
            parse_mikey_parameter("foo: bar\r\nMIKEY:AQID").unwrap(),
            [1, 2, 3]
        );
        assert_eq!(
            parse_mikey_parameter(" Mikey :\tAQID \r\n").unwrap(),
            [1, 2, 3]
        );
        assert_eq!(
            parse_mikey_parameter("volume: 1\r\n"),
            Err(KeyMgmtError::NoMikeyParameter)
        );
        assert_eq!(
            parse_mikey_parameter(""),
            Err(KeyMgmtError::NoMikeyParameter)
        );
        assert!(matches!(
            parse_mikey_parameter("x: y\r\nmikey: AQ*D\r\n"),
            Err(KeyMgmtError::Sdp(crate::sdp::SdpError::Base64 {
                offset: 15,
                ..
            }))
        ));
        assert!(matches!(
            parse_mikey_parameter("mikey:\r\n"),
            Err(KeyMgmtError::Sdp(_))
        ));
        assert!(is_mikey_get_parameter(GET_PARAMETER_MIKEY_BODY));
        assert!(is_mikey_get_parameter("position\r\nMikey\r\n"));
        assert!(!is_mikey_get_parameter("mikey: AQID\r\n"));
        for s in [
            "é:",
            ":",
            "mikey",
            "mikey:é",
            "\u{0}mikey: AA==",
            "mikey: =\r\n",
        ] {
            let _ = parse_mikey_parameter(s);
        }
    }
}
