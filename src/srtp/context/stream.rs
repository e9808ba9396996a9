//! Per-SSRC state: the 64-packet replay window, the SRTP rollover counter and index
//! estimation (RFC 3711 §3.3.1-3.3.2, Appendix A), the SRTCP index (§3.4).

use super::SrtpError;

/// Size of the replay window in packets (RFC 3711 §3.3.2 minimum).
pub(super) const REPLAY_WINDOW: u64 = 64;

/// 64-packet sliding replay window (RFC 3711 §3.3.2); bit 0 is `highest`.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct ReplayWindow {
    pub(super) highest: Option<u64>,
    pub(super) bitmap: u64,
}

impl ReplayWindow {
    /// A window whose highest index is `index` (a resynchronised ROC, RFC 4771 §2).
    pub(super) fn starting_at(index: u64) -> Self {
        Self {
            highest: Some(index),
            bitmap: 1,
        }
    }

    pub(super) fn check(&self, index: u64) -> Result<(), SrtpError> {
        match self.highest {
            None => Ok(()),
            Some(h) if index > h => Ok(()),
            Some(h) => {
                let d = h - index;
                if d >= REPLAY_WINDOW || self.bitmap & (1u64 << d) != 0 {
                    Err(SrtpError::Replay)
                } else {
                    Ok(())
                }
            }
        }
    }

    pub(super) fn update(&mut self, index: u64) {
        match self.highest {
            None => {
                self.highest = Some(index);
                self.bitmap = 1;
            }
            Some(h) if index > h => {
                let d = index - h;
                self.bitmap = if d >= REPLAY_WINDOW {
                    0
                } else {
                    self.bitmap << d
                };
                self.bitmap |= 1;
                self.highest = Some(index);
            }
            Some(h) => {
                let d = h - index;
                if d < REPLAY_WINDOW {
                    self.bitmap |= 1u64 << d;
                }
            }
        }
    }
}

/// Per-SSRC SRTP state: ROC and highest index (RFC 3711 §3.2.1, §3.3.1).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct RtpStream {
    /// ROC to use before the first packet (set by [`SrtpContext::set_roc`]).
    pub(super) initial_roc: u32,
    /// Highest authenticated index (ROC || s_l) and replay window.
    pub(super) window: ReplayWindow,
}

impl RtpStream {
    /// The highest index seen, or ROC || 0 before the first packet.
    pub(super) fn current_index(&self) -> u64 {
        self.window
            .highest
            .unwrap_or(u64::from(self.initial_roc) << 16)
    }

    /// Index estimation (RFC 3711 §3.3.1 and Appendix A).
    pub(super) fn estimate(&self, seq: u16) -> Result<u64, SrtpError> {
        let Some(h) = self.window.highest else {
            return Ok((u64::from(self.initial_roc) << 16) | u64::from(seq));
        };
        let roc = (h >> 16) as i64;
        let s_l = (h & 0xffff) as i64;
        let seq_i = i64::from(seq);
        let v = if s_l < 32_768 {
            if seq_i - s_l > 32_768 {
                roc - 1
            } else {
                roc
            }
        } else if s_l - 32_768 > seq_i {
            roc + 1
        } else {
            roc
        };
        if v < 0 || v > i64::from(u32::MAX) {
            return Err(SrtpError::IndexOutOfRange);
        }
        Ok(((v as u64) << 16) | u64::from(seq))
    }
}

/// Per-SSRC SRTCP state (RFC 3711 §3.4).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct RtcpStream {
    /// Next SRTCP index to send (starts at 0, RFC 3711 §3.4).
    pub(super) next_index: u32,
    /// Receive replay window.
    pub(super) window: ReplayWindow,
}
