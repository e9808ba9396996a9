//! [`OnvifClient`]: the ONVIF client side (supplies the SRTP key in SETUP, re-keys with
//! SET_PARAMETER, reads multicast keys from GET_PARAMETER answers).

use super::profile::{fresh_key, null_initiator};
use super::{
    check_onvif_profile, format_mikey_parameter, parse_mikey_parameter, OnvifKeys, OnvifTolerances,
    MKI_LEN,
};
use crate::sdp::failure::KeyMgmtError;
use crate::sdp::KeyMgmtHeader;
use crate::session::{Entropy, PskInitiator, PskResponder, SessionError};
use crate::srtp::export::SrtpParams;
use crate::srtp::SrtpSuite;
use core::time::Duration;

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
