//! The initiator of the pre-shared key method (RFC 3830 §3.1).

use super::message::id_parts;
use super::{build_i_message, IMessage, Plain, PskConfig, Verified};
use crate::bundle::{CryptoSessionBundle, TransportKey};
use crate::crypto::{Entropy, MacKey, SecretBytes};
use crate::session::common::{
    check_response, cipher_of, csb_and_rand, initiator_export, mac_of, new_timestamp,
    outgoing_cs_map, prf_of, ResponseCheck,
};
use crate::session::engine::check_outgoing;
use crate::session::SessionError;
use crate::srtp::export::DecodedPolicies;
use crate::srtp::SrtpParams;
use crate::wire::{CsIdMap, DataType, MessageView, Timestamp};
use core::time::Duration;

struct Pending {
    t: Timestamp,
    id_i: Vec<u8>,
    /// The auth key of this message (RFC 3830 §4.1.4), made ready for the MAC, to check
    /// the response with.
    auth: MacKey,
}

/// The initiator of the pre-shared key method.
pub struct PskInitiator {
    psk: SecretBytes,
    cfg: PskConfig,
    bundle: Option<CryptoSessionBundle>,
    /// What `initiate` decoded of the bundle's first policy, while it holds for the
    /// bundle: exports decode it no more.
    decoded: DecodedPolicies,
    pending: Option<Pending>,
    counter: u32,
    confirmed: bool,
}

impl core::fmt::Debug for PskInitiator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PskInitiator")
            .field("cfg", &self.cfg)
            .field("bundle", &self.bundle)
            .field("confirmed", &self.confirmed)
            .finish()
    }
}

impl PskInitiator {
    /// An initiator with a pre-shared key.
    pub fn new(psk: &[u8], cfg: PskConfig) -> Self {
        Self {
            psk: SecretBytes::from_slice(psk),
            cfg,
            bundle: None,
            decoded: DecodedPolicies::default(),
            pending: None,
            counter: 0,
            confirmed: false,
        }
    }

    /// An initiator continuing an existing CSB with PSK update messages (RFC 3830 §4.5):
    /// for a CSB set up with the public-key method whose envelope key was cached (RFC 3830
    /// §3.2), `psk` is that envelope key (see [`PkInitiator::into_psk`](crate::session::PkInitiator::into_psk)).
    /// The next [`initiate`](Self::initiate) builds an update (same CSB ID, no RAND).
    pub fn from_bundle(psk: &[u8], cfg: PskConfig, bundle: CryptoSessionBundle) -> Self {
        Self {
            psk: SecretBytes::from_slice(psk),
            cfg,
            bundle: Some(bundle),
            decoded: DecodedPolicies::default(),
            pending: None,
            counter: 0,
            confirmed: true,
        }
    }

    /// Continues a COUNTER timestamp sequence (updates after a public-key exchange).
    pub(crate) fn set_counter(&mut self, counter: u32) {
        self.counter = counter;
    }

    /// The crypto session bundle, once a message was built.
    pub fn bundle(&self) -> Option<&CryptoSessionBundle> {
        self.bundle.as_ref()
    }

    /// True once the responder's verification message was checked (or none was asked for).
    pub fn is_confirmed(&self) -> bool {
        self.confirmed
    }

    /// The settings (editable between updates: policies and crypto sessions of the next
    /// update come from here).
    pub fn config_mut(&mut self) -> &mut PskConfig {
        &mut self.cfg
    }

    /// Builds the I_MESSAGE carrying `keys`. The first call creates the CSB (with a fresh
    /// RAND and CSB ID); later calls build update messages (RFC 3830 §4.5: same CSB ID, new
    /// timestamp, no RAND) that add or replace keys, policies and crypto sessions.
    pub fn initiate(
        &mut self,
        keys: Vec<TransportKey>,
        now: Duration,
        rng: &mut impl Entropy,
    ) -> Result<Vec<u8>, SessionError> {
        // Unsupported algorithms are refused before any state changes.
        prf_of(self.cfg.prf)?;
        cipher_of(self.cfg.encr, true)?;
        mac_of(self.cfg.mac, true)?;
        let t = new_timestamp(self.cfg.ts_type, now, &mut self.counter)?;
        let update = self.bundle.is_some();
        let (csb_id, rand) = csb_and_rand(
            self.bundle.as_ref(),
            self.cfg.csb_id,
            self.cfg.rand.as_deref(),
            self.cfg.rand_len,
            rng,
        );
        // SSRCs learned from the responder stay in later updates.
        let cs_map = outgoing_cs_map(&self.cfg.crypto_sessions, self.bundle.as_ref())?;
        let cs_map = CsIdMap::SrtpId(cs_map);
        let policies = &self.cfg.policies;
        let decoded = check_outgoing(&rand, &keys, &cs_map, policies, self.bundle.as_ref())
            .map_err(SessionError::WeakInput)?;
        let (out, auth) = build_i_message(
            &IMessage {
                csb_id,
                prf: self.cfg.prf,
                encr: self.cfg.encr,
                mac: self.cfg.mac,
                v: self.cfg.v,
                rand: &rand,
                send_rand: !update,
                id_i: id_parts(&self.cfg.id_i),
                id_r: id_parts(&self.cfg.id_r),
                policies: &self.cfg.policies,
                cs_map: &cs_map,
            },
            self.psk.as_bytes(),
            None,
            t,
            Plain::Keys(&keys),
        )?;

        self.record(csb_id, rand, cs_map, keys);
        self.decoded = decoded;
        self.confirmed = !self.cfg.v;
        self.pending = Some(Pending {
            t,
            // The auth key checks the verification message (RFC 3830 §5.2).
            auth,
            id_i: self
                .cfg
                .id_i
                .as_ref()
                .map(|i| i.data.to_vec())
                .unwrap_or_default(),
        });
        Ok(out)
    }

    /// The bundle as sent: created, or updated with the message's map, policies and keys.
    /// Either way through [`CryptoSessionBundle::update`], as the responder builds its
    /// own: a policy number given twice means its last policy on both sides.
    fn record(
        &mut self,
        csb_id: u32,
        rand: Vec<u8>,
        cs_map: CsIdMap<'static>,
        keys: Vec<TransportKey>,
    ) {
        let policies = self.cfg.policies.clone();
        let prf = self.cfg.prf;
        self.bundle
            .get_or_insert_with(|| CryptoSessionBundle::new(csb_id, prf, rand))
            .update(Some(cs_map), policies, keys);
    }

    /// Handles the responder's answer: a verification message (checked, and SSRCs the
    /// responder filled in are taken over) or an Error message (reported as
    /// [`SessionError::PeerError`]). A message that does not verify changes nothing.
    pub fn handle_response(
        &mut self,
        bytes: &[u8],
        now: Duration,
    ) -> Result<Verified, SessionError> {
        let _ = now;
        let view = MessageView::parse(bytes)?;
        let (Some(bundle), Some(pending)) = (&self.bundle, &self.pending) else {
            return Err(SessionError::WrongState("no message awaiting a response"));
        };
        let id_r: &[u8] = self.cfg.id_r.as_ref().map_or(&[], |i| &i.data);
        let filled = check_response(
            &view,
            &ResponseCheck {
                csb_id: bundle.csb_id,
                t: pending.t,
                ver_type: DataType::PskResp,
                auth_key: &pending.auth,
                mac: self.cfg.mac,
                id_i: &pending.id_i,
                id_r,
                cs_map: &bundle.cs_map,
            },
        )?;
        let csb_id = bundle.csb_id;
        if let Some(CsIdMap::SrtpId(ours)) = self.bundle.as_mut().map(|b| &mut b.cs_map) {
            for (id, ssrc) in &filled {
                ours.set_ssrc(*id, *ssrc);
            }
        }
        self.confirmed = true;
        self.pending = None;
        Ok(Verified {
            csb_id,
            ssrcs_filled: filled,
        })
    }

    /// SRTP parameters of every crypto session and key.
    pub fn srtp(&self) -> Result<Vec<SrtpParams>, SessionError> {
        initiator_export(self.bundle.as_ref(), &self.decoded)
    }
}
