//! SRTP packets (RFC 3711 §3.1, §3.3; RFC 7714 §8; RFC 4771 §2-3).
//!
//! Layout: header ‖ encrypted payload ‖ \[MKI\] ‖ \[ROC\] ‖ \[MAC\] for AES-CM and NULL,
//! header ‖ ciphertext ‖ AEAD tag ‖ \[MKI\] ‖ \[ROC\] for AES-GCM; the ROC and the MAC
//! length as [`rcc`](super::rcc) decides.

use super::cipher::{SessionCipher, SessionKeys, GCM_TAG_LEN};
use super::rcc::{trailer, Trailer};
use super::stream::ReplayWindow;
use super::{be32, insert_bounded, rtp_header_len, SrtpContext, SrtpError};

/// The tail of the SRTP GCM IV: ROC || SEQ (RFC 7714 §8.1), the 48-bit index.
fn gcm_tail(index: u64) -> [u8; 6] {
    let b = index.to_be_bytes();
    [b[2], b[3], b[4], b[5], b[6], b[7]]
}

/// Header fields the transform reads: header length, SEQ, SSRC.
fn rtp_fields(packet: &[u8]) -> Result<(usize, u16, u32), SrtpError> {
    let hlen = rtp_header_len(packet)?;
    let seq = u16::from_be_bytes([packet[2], packet[3]]);
    Ok((hlen, seq, be32(packet, 8)?))
}

impl SrtpContext {
    /// Protects an RTP packet (RFC 3711 §3.3; RFC 7714 §8 for GCM; RFC 4771 §2 with
    /// [`with_rcc`](Self::with_rcc)).
    ///
    /// Output: header || encrypted payload || \[MKI\] || \[ROC\] || tag for AES-CM/NULL,
    /// header || ciphertext || tag || \[MKI\] || \[ROC\] for AES-GCM.
    pub fn protect_rtp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        let (hlen, seq, ssrc) = rtp_fields(packet)?;
        let mut stream = self.rtp_streams.get(&ssrc).copied().unwrap_or_default();
        let index = stream.estimate(seq)?;
        let roc = (index >> 16) as u32;
        let t = trailer(self.suite, self.rcc, seq);
        let k = self.key_for_index(index)?;
        let (suite, r) = (self.suite, self.r_for(index));
        let key = self.keys.get_mut(k).ok_or(SrtpError::Crypto)?;
        let (keys, mki) = key.session(suite, false, r)?;

        let mut out = Vec::with_capacity(packet.len() + mki.len() + GCM_TAG_LEN + t.len());
        out.extend_from_slice(packet);
        let roc_bytes = roc.to_be_bytes();
        if suite.is_aead() {
            let iv = keys.gcm_iv(ssrc, gcm_tail(index));
            let (hdr, payload) = out.split_at_mut(hlen);
            let tag = keys.gcm_seal(&iv, hdr, payload)?;
            out.extend_from_slice(&tag);
            out.extend_from_slice(mki);
        } else {
            if let SessionCipher::Cm(aes) = &keys.cipher {
                aes.ctr_xor(keys.cm_iv(ssrc, index), &mut out[hlen..]);
            }
            let mac = match t.mac {
                0 => None,
                _ => Some(keys.hmac(&[&out, &roc_bytes])?),
            };
            out.extend_from_slice(mki);
            if t.roc {
                out.extend_from_slice(&roc_bytes);
            }
            if let Some(mac) = mac {
                out.extend_from_slice(&mac[..t.mac]);
            }
        }
        if suite.is_aead() && t.roc {
            out.extend_from_slice(&roc_bytes);
        }
        stream.window.update(index);
        insert_bounded(&mut self.rtp_streams, ssrc, stream)?;
        Ok(out)
    }

    /// Verifies and decrypts an SRTP packet (RFC 3711 §3.3, §3.3.1-3.3.2;
    /// RFC 7714 §8; RFC 4771 §2).
    ///
    /// Order: parse, key lookup by MKI, index (from the carried ROC when the packet
    /// carries one, else estimated), replay check, key validity, tag check (constant
    /// time, before any decryption), decryption, then the ROC / highest index / replay
    /// window are updated. The output is the plain RTP packet (MKI, ROC and tag
    /// removed).
    ///
    /// Packets that no MAC or AEAD tag protects (RCCm1 packets without the ROC, RCCm3
    /// with AES-CM) skip the replay check, which only integrity makes possible
    /// (RFC 3711 §3.3.2); an RCCm3 ROC is taken as carried (RFC 4771 §3, §5).
    pub fn unprotect_rtp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        let (hlen, seq, ssrc) = rtp_fields(packet)?;
        let suite = self.suite;
        let t = trailer(suite, self.rcc, seq);
        let aead_tag = if suite.is_aead() { GCM_TAG_LEN } else { 0 };
        let mki_len = self.mki_len();
        if packet.len() < hlen + aead_tag + mki_len + t.len() {
            return Err(SrtpError::Truncated);
        }
        let body_end = packet.len() - mki_len - t.len();
        let mki = &packet[body_end..body_end + mki_len];
        let carried = match t.roc {
            true => Some(be32(packet, body_end + mki_len)?),
            false => None,
        };
        let stream = self.rtp_streams.get(&ssrc).copied().unwrap_or_default();
        let index = match carried {
            Some(roc) => (u64::from(roc) << 16) | u64::from(seq),
            None => stream.estimate(seq)?,
        };
        let authenticated = suite.is_aead() || t.mac > 0;
        if authenticated {
            stream.window.check(index)?;
        }
        let k = self.receive_key(mki, index)?;
        let r = self.r_for(index);
        let key = self.keys.get_mut(k).ok_or(SrtpError::Crypto)?;
        let (keys, _) = key.session(suite, false, r)?;
        let out = open(keys, packet, hlen, body_end, t, ssrc, index)?;
        let mut stream = stream;
        if carried.is_some() && !authenticated {
            stream.window = ReplayWindow::starting_at(index);
        } else {
            stream.window.update(index);
        }
        insert_bounded(&mut self.rtp_streams, ssrc, stream)?;
        Ok(out)
    }
}

/// Checks the AEAD tag or the MAC of `packet` and decrypts its payload: `body_end` is
/// where the MKI starts (RFC 3711 §3.3 steps 4-6, RFC 7714 §8.2).
fn open(
    keys: &SessionKeys,
    packet: &[u8],
    hlen: usize,
    body_end: usize,
    t: Trailer,
    ssrc: u32,
    index: u64,
) -> Result<Vec<u8>, SrtpError> {
    let roc = (index >> 16) as u32;
    if let SessionCipher::Gcm128(_) | SessionCipher::Gcm256(_) = keys.cipher {
        let tag_at = body_end - GCM_TAG_LEN;
        let mut out = packet[..tag_at].to_vec();
        let iv = keys.gcm_iv(ssrc, gcm_tail(index));
        let (hdr, payload) = out.split_at_mut(hlen);
        keys.gcm_open(&iv, hdr, payload, &packet[tag_at..body_end])?;
        return Ok(out);
    }
    if t.mac > 0 {
        let expected = keys.hmac(&[&packet[..body_end], &roc.to_be_bytes()])?;
        let got = &packet[packet.len() - t.mac..];
        if !crate::crypto::ct_eq(&expected[..t.mac], got) {
            return Err(SrtpError::AuthFailed);
        }
    }
    let mut out = packet[..body_end].to_vec();
    if let SessionCipher::Cm(aes) = &keys.cipher {
        aes.ctr_xor(keys.cm_iv(ssrc, index), &mut out[hlen..]);
    }
    Ok(out)
}
