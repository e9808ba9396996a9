//! The keys a capture carries: every MIKEY message goes to one responder (MIKEY-NULL, or
//! a PSK), whose crypto sessions become receive contexts, one per SSRC, holding every key
//! of their crypto session (the MKI picks one, RFC 3711 §3.2.1).

use crate::crypto::SecretBytes;
use crate::session::{PskResponder, ResponderConfig, TimestampPolicy};
use crate::srtp::export::stream_context;
use crate::srtp::{SrtpContext, SrtpError, SrtpParams};
use core::time::Duration;
use std::collections::HashMap;

/// Most SSRCs given a context.
const MAX_STREAMS: usize = 1024;

/// A receive context and the crypto session it came from.
struct Bound {
    csb_id: u32,
    cs_id: u8,
    ctx: SrtpContext,
}

/// The outcome of one SRTP or SRTCP packet.
pub(super) enum Outcome {
    /// Decrypted; for SRTP, whether the ROC moved on.
    Clear(Vec<u8>, bool),
    /// No key for its SSRC.
    NoKey,
    /// Refused by the transform.
    Failed(SrtpError),
}

pub(super) struct KeyStore {
    responder: PskResponder,
    /// Exported parameters by CSB ID.
    bundles: Vec<(u32, Vec<SrtpParams>)>,
    streams: HashMap<u32, Bound>,
    pub(super) accepted: usize,
    pub(super) rejected: Vec<String>,
}

impl KeyStore {
    /// A store reading MIKEY-NULL messages, or PSK-protected ones with `psk`. Capture
    /// times are not checked against MIKEY timestamps (a capture is decrypted later).
    pub(super) fn new(psk: Option<&[u8]>) -> Self {
        let mut cfg = ResponderConfig::mikey_null();
        cfg.timestamps = TimestampPolicy {
            accept_any_time: true,
            ..cfg.timestamps
        };
        cfg.send_errors = false;
        let psk = SecretBytes::from_slice(psk.unwrap_or_default());
        Self {
            responder: PskResponder::new(psk, cfg),
            bundles: Vec::new(),
            streams: HashMap::new(),
            accepted: 0,
            rejected: Vec::new(),
        }
    }

    /// Reads one MIKEY message seen at `ts`; new keys of a known crypto session join the
    /// contexts already made for it.
    pub(super) fn add_message(&mut self, msg: &[u8], ts: Duration) {
        let accepted = match self.responder.handle(msg, ts) {
            Ok(a) => a,
            Err(r) => {
                self.rejected.push(r.error.to_string());
                return;
            }
        };
        let Ok(params) = self.responder.srtp(accepted.csb_id) else {
            return;
        };
        self.accepted += 1;
        for b in self
            .streams
            .values_mut()
            .filter(|b| b.csb_id == accepted.csb_id)
        {
            for p in params.iter().filter(|p| p.cs_id == b.cs_id) {
                let mki = p.mki.as_deref().unwrap_or_default();
                // An MKI already held is the same key: BadMki is expected there.
                let _ = b.ctx.add_master_key(
                    p.master_key.as_bytes(),
                    p.master_salt.as_bytes(),
                    mki,
                    p.interval().ok().flatten(),
                );
            }
        }
        self.bundles.retain(|(id, _)| *id != accepted.csb_id);
        self.bundles.push((accepted.csb_id, params));
    }

    /// Decrypts one SRTP (`rtcp` false) or SRTCP packet of `ssrc`.
    pub(super) fn decrypt(&mut self, ssrc: u32, rtcp: bool, packet: &[u8]) -> Outcome {
        if !self.streams.contains_key(&ssrc) {
            match self.bind(ssrc, rtcp, packet) {
                Some(out) => return out,
                None => return Outcome::NoKey,
            }
        }
        let Some(b) = self.streams.get_mut(&ssrc) else {
            return Outcome::NoKey;
        };
        run(&mut b.ctx, ssrc, rtcp, packet)
    }

    /// Finds the crypto session of a new SSRC: one naming it, else one with SSRC 0 whose
    /// keys decrypt the packet; keeps the context that did.
    fn bind(&mut self, ssrc: u32, rtcp: bool, packet: &[u8]) -> Option<Outcome> {
        if self.streams.len() >= MAX_STREAMS {
            return None;
        }
        let mut candidates: Vec<(u32, &SrtpParams)> = Vec::new();
        for (csb, ps) in &self.bundles {
            candidates.extend(ps.iter().filter(|p| p.ssrc == ssrc).map(|p| (*csb, p)));
        }
        let named = !candidates.is_empty();
        if !named {
            for (csb, ps) in &self.bundles {
                candidates.extend(ps.iter().filter(|p| p.ssrc == 0).map(|p| (*csb, p)));
            }
        }
        let mut last = None;
        for (csb_id, p) in candidates {
            let all = &self.bundles.iter().find(|(id, _)| *id == csb_id)?.1;
            let Ok(mut ctx) = stream_context(all, p.cs_id) else {
                continue;
            };
            if p.ssrc == 0 {
                ctx.set_roc(ssrc, p.roc);
            }
            let out = run(&mut ctx, ssrc, rtcp, packet);
            let keep = named || matches!(out, Outcome::Clear(..));
            if keep {
                let cs_id = p.cs_id;
                self.streams.insert(ssrc, Bound { csb_id, cs_id, ctx });
                return Some(out);
            }
            last = Some(out);
        }
        last
    }
}

fn run(ctx: &mut SrtpContext, ssrc: u32, rtcp: bool, packet: &[u8]) -> Outcome {
    if rtcp {
        return match ctx.unprotect_rtcp(packet) {
            Ok(p) => Outcome::Clear(p, false),
            Err(e) => Outcome::Failed(e),
        };
    }
    let before = ctx.roc(ssrc);
    match ctx.unprotect_rtp(packet) {
        Ok(p) => {
            let moved = before.is_some() && ctx.roc(ssrc) != before;
            Outcome::Clear(p, moved)
        }
        Err(e) => Outcome::Failed(e),
    }
}
