//! One message per member for the current group key (RFC 3830 §8.1).

use super::*;

impl GroupController {
    /// One message per member for the current group key, creating a new key first when
    /// [`rekey_due`](Self::rekey_due). Members that do not hold the CSB yet get an initial
    /// message with the group RAND, the others an update (RFC 3830 §4.5: same CSB ID, no
    /// RAND). Members who joined after the current key get nothing until the next one.
    /// A message that cannot be built is reported as [`GroupEvent::MemberFailed`].
    pub fn key_all(
        &mut self,
        now: Duration,
        rng: &mut impl Entropy,
    ) -> Result<Vec<(MemberId, Vec<u8>)>, GroupError> {
        self.fan_out(now, rng, false)
    }

    /// Like [`key_all`](Self::key_all), but only for members that neither hold the current
    /// key nor have an exchange for it in flight (new, failed or timed-out members).
    pub fn key_outstanding(
        &mut self,
        now: Duration,
        rng: &mut impl Entropy,
    ) -> Result<Vec<(MemberId, Vec<u8>)>, GroupError> {
        self.fan_out(now, rng, true)
    }

    pub(super) fn fan_out(
        &mut self,
        now: Duration,
        rng: &mut dyn Entropy,
        outstanding_only: bool,
    ) -> Result<Vec<(MemberId, Vec<u8>)>, GroupError> {
        if self.rekey_due(now) {
            self.rotate(now, rng)?;
        }
        let key = self.current.as_ref().ok_or(GroupError::NoKey)?;
        let (mki, tk) = (key.mki, key.transport());
        // The same key data for every member (RFC 3830 §8.1: same TGK and MKI), encoded once
        // and encrypted for each member. Each member's message has its own NTP-UTC timestamp
        // (§6.6; 1 µs apart), which its reply echoes: a reply names its exchange, and the
        // controller checks one MAC per reply (`handle_reply_any`).
        let plain =
            encode_keys(std::slice::from_ref(&tk), None).map_err(|e| invalid(e.to_string()))?;
        let mut t = now.max(self.last_t + Duration::from_micros(1));
        let ctx = Ctx {
            cfg: &self.cfg,
            csb_id: self.csb_id,
            rand: &self.rand,
            signer: self.signer.as_ref(),
            cs_map: &self.cs_map,
        };
        let id_i = self.cfg.id_i.as_ref().map(|i| (i.id_type, &*i.data));
        let mut out = Vec::new();
        for (id, &slot) in &self.members {
            let Some(m) = self.slots.get_mut(slot as usize).and_then(Option::as_mut) else {
                continue;
            };
            if m.min_mki > mki {
                continue;
            }
            if outstanding_only
                && (m.held.contains(&mki)
                    || m.exchange
                        .as_ref()
                        .is_some_and(|e| e.mki == mki && e.expects_verification && !e.timed_out))
            {
                continue;
            }
            // Strictly after every earlier T: messages to a member never reuse one, so the
            // KEMAC keystream (from the PSK, CSB ID, RAND, all fixed, and T) is never reused
            // (RFC 3830 §4.2.3, §4.5 "MUST use a new timestamp").
            let at = t;
            let ts = Timestamp::ntp_utc(Timestamp::from_unix(at).value);
            self.last_t = at;
            t += Duration::from_micros(1);
            let built = match &m.credential {
                // The PSK message (RFC 3830 §3.1), built from the group's settings in place:
                // an initial message with the group RAND, or an update without (§4.5).
                Credential::Psk(psk) => build_i_message(
                    &IMessage {
                        csb_id: self.csb_id,
                        prf: self.cfg.prf,
                        encr: self.cfg.encr,
                        mac: self.cfg.mac,
                        v: self.cfg.v,
                        rand: &self.rand,
                        send_rand: !m.holds_csb,
                        id_i,
                        id_r: Some((self.cfg.member_id_type, id.as_str().as_bytes())),
                        policies: &self.cfg.policies,
                        cs_map: &self.cs_map,
                    },
                    psk.as_bytes(),
                    m.prf_key.as_ref(),
                    ts,
                    Plain::Encoded(plain.as_bytes()),
                )
                .map(|(bytes, auth)| (bytes, Some(PendingReply { t: ts, auth }))),
                Credential::PublicKey { .. } => ctx.pk_message(
                    m.public.as_ref(),
                    id,
                    m.holds_csb,
                    vec![tk.clone()],
                    at,
                    rng,
                ),
            };
            match built {
                Ok((bytes, reply)) => {
                    m.exchange = Some(Exchange {
                        mki,
                        initial: !m.holds_csb,
                        sent_at: now,
                        expects_verification: self.cfg.v,
                        timed_out: false,
                        unauth_error_reported: false,
                        reply,
                    });
                    if !self.cfg.v {
                        // No verification asked for: the member is taken to hold it.
                        m.holds_csb = true;
                        if hold(&mut m.held, mki) {
                            self.acked_current += 1;
                        }
                    }
                    out.push((id.clone(), bytes));
                }
                Err(error) => self.events.push(GroupEvent::MemberFailed {
                    member: id.clone(),
                    mki,
                    error,
                    authenticated: false,
                }),
            }
        }
        Ok(out)
    }
}
