//! [`OnvifDevice`]: the ONVIF device side (accepts the client's keys from SETUP and
//! SET_PARAMETER, answers GET_PARAMETER with the multicast key).

use super::profile::{fresh_key, null_initiator};
use super::{
    check_onvif_profile, format_mikey_parameter, onvif_transport_key, parse_mikey_parameter,
    OnvifKeys, OnvifTolerances, MKI_LEN,
};
use crate::sdp::failure::{KeyMgmtError, KeyMgmtFailure};
use crate::sdp::KeyMgmtHeader;
use crate::session::{Entropy, PskResponder, ResponderConfig, SessionError};
use crate::srtp::export::SrtpParams;
use crate::srtp::SrtpSuite;
use crate::wire::{MessageView, ParseOptions};
use core::time::Duration;
use std::collections::HashMap;

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
