//! The group's SRTP parameters.

use super::*;

impl GroupController {
    /// Sets the rollover counter sent for crypto session `cs_id` (1-based, RFC 3830 §6.1.1)
    /// in later messages, so members that join late start from the source's current ROC.
    pub fn set_roc(&mut self, cs_id: u8, roc: u32) -> Result<(), GroupError> {
        let cs = (cs_id as usize)
            .checked_sub(1)
            .and_then(|i| self.cfg.crypto_sessions.get_mut(i))
            .ok_or_else(|| invalid(format!("no crypto session {cs_id}")))?;
        cs.roc = roc;
        self.cs_map = cs_map_of(&self.cfg)?;
        Ok(())
    }

    /// SRTP parameters of the source for the previous key (if any) and the current key,
    /// each with its MKI (RFC 3830 §4.1.3, §6.10.1): receivers can hold both while the
    /// source switches to the new MKI after [`GroupEvent::AllAcknowledged`]. Each member
    /// derives the same parameters for the keys it holds.
    pub fn srtp(&self) -> Result<Vec<SrtpParams>, GroupError> {
        let keys: Vec<TransportKey> = self
            .previous
            .iter()
            .chain(self.current.iter())
            .map(GroupKey::transport)
            .collect();
        if keys.is_empty() {
            return Err(GroupError::NoKey);
        }
        self.export(keys)
    }

    /// SRTP parameters for one key (current or previous).
    pub fn srtp_for(&self, mki: u32) -> Result<Vec<SrtpParams>, GroupError> {
        let key = self
            .current
            .iter()
            .chain(self.previous.iter())
            .find(|k| k.mki == mki)
            .ok_or(GroupError::NoKey)?;
        self.export(vec![key.transport()])
    }

    pub(super) fn export(&self, keys: Vec<TransportKey>) -> Result<Vec<SrtpParams>, GroupError> {
        let ctx = Ctx {
            cfg: &self.cfg,
            csb_id: self.csb_id,
            rand: &self.rand,
            signer: None,
            cs_map: &self.cs_map,
        };
        export(&ctx.bundle(keys)).map_err(|e| invalid(e.to_string()))
    }

    pub(super) fn recount(&mut self) {
        let cur = self.current_mki();
        self.eligible_current = 0;
        self.acked_current = 0;
        if let Some(c) = cur {
            for m in self.slots.iter().flatten() {
                self.eligible_current += usize::from(m.min_mki <= c);
                self.acked_current += usize::from(m.held.contains(&c));
            }
        }
    }
}
