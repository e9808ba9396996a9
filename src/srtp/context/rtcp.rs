//! SRTCP packets (RFC 3711 §3.4; RFC 7714 §9).
//!
//! Layout: header(8) ‖ \[encrypted\] rest ‖ E‖index ‖ \[MKI\] ‖ tag for AES-CM and NULL,
//! header(8) ‖ \[encrypted\] rest ‖ tag ‖ E‖index ‖ \[MKI\] for AES-GCM. The ROC-carrying
//! transform never applies to SRTCP (RFC 4771 §2).

use super::cipher::{SessionCipher, SessionKeys, GCM_TAG_LEN};
use super::{be32, insert_bounded, SrtpContext, SrtpError};

/// Largest SRTCP index (31 bits, RFC 3711 §3.4).
const MAX_SRTCP_INDEX: u32 = 0x7fff_ffff;
/// The E flag of the E‖SRTCP index word.
const E_FLAG: u32 = 0x8000_0000;

/// Validates the first RTCP header and returns the sender SSRC (RFC 3550 §6.4).
fn rtcp_ssrc(p: &[u8]) -> Result<u32, SrtpError> {
    if p.len() < 8 {
        return Err(SrtpError::Truncated);
    }
    if p[0] >> 6 != 2 {
        return Err(SrtpError::Malformed);
    }
    be32(p, 4)
}

/// The tail of the SRTCP GCM IV: 00 00 ‖ 0 ‖ SRTCP index (RFC 7714 §9.1).
fn gcm_tail(index: u32) -> [u8; 6] {
    let mut tail = [0u8; 6];
    tail[2..].copy_from_slice(&index.to_be_bytes());
    tail
}

/// AES-GCM associated data (RFC 7714 §9.2-9.3): the 8-octet header and the E‖index word
/// when the rest is encrypted, else the whole packet and that word.
fn gcm_aad(plain: &[u8], e_word: u32, encrypted: bool) -> Vec<u8> {
    let covered = if encrypted { &plain[..8] } else { plain };
    let mut aad = Vec::with_capacity(covered.len() + 4);
    aad.extend_from_slice(covered);
    aad.extend_from_slice(&e_word.to_be_bytes());
    aad
}

impl SrtpContext {
    /// Protects an RTCP compound packet (RFC 3711 §3.4; RFC 7714 §9 for GCM).
    ///
    /// The SRTCP index starts at 0 per SSRC; the E flag is set when the suite encrypts
    /// and SRTCP encryption is on ([`with_srtcp_encryption`](Self::with_srtcp_encryption)).
    /// The master key is the one valid for the latest SRTP index of the same SSRC
    /// (RFC 3711 §8.1.1).
    pub fn protect_rtcp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        let ssrc = rtcp_ssrc(packet)?;
        let mut stream = self.rtcp_streams.get(&ssrc).copied().unwrap_or_default();
        let index = stream.next_index;
        if index > MAX_SRTCP_INDEX {
            return Err(SrtpError::IndexOutOfRange);
        }
        let suite = self.suite;
        let encrypt = self.srtcp_encryption && suite.encrypts();
        let e_word = if encrypt { index | E_FLAG } else { index };
        let k = self.key_for_index(self.srtp_index_of(ssrc))?;
        let r = self.r_for(u64::from(index));
        let key = self.keys.get_mut(k).ok_or(SrtpError::Crypto)?;
        let (keys, mki) = key.session(suite, true, r)?;

        let mut out = Vec::with_capacity(packet.len() + 4 + mki.len() + GCM_TAG_LEN);
        out.extend_from_slice(packet);
        if suite.is_aead() {
            let iv = keys.gcm_iv(ssrc, gcm_tail(index));
            let aad = gcm_aad(packet, e_word, encrypt);
            let body = if encrypt { &mut out[8..] } else { &mut [][..] };
            let tag = keys.gcm_seal(&iv, &aad, body)?;
            out.extend_from_slice(&tag);
            out.extend_from_slice(&e_word.to_be_bytes());
            out.extend_from_slice(mki);
        } else {
            if let (true, SessionCipher::Cm(aes)) = (encrypt, &keys.cipher) {
                aes.ctr_xor(keys.cm_iv(ssrc, u64::from(index)), &mut out[8..]);
            }
            out.extend_from_slice(&e_word.to_be_bytes());
            let tag = keys.hmac(&[&out])?;
            out.extend_from_slice(mki);
            out.extend_from_slice(&tag[..suite.rtcp_auth_tag_len()]);
        }
        stream.next_index = index + 1;
        insert_bounded(&mut self.rtcp_streams, ssrc, stream)?;
        Ok(out)
    }

    /// Verifies and decrypts an SRTCP packet (RFC 3711 §3.4; RFC 7714 §9).
    ///
    /// The tag is checked (constant time) before decryption; packets with
    /// E = 0 are authenticated only. Replay protection uses a 64-entry
    /// window over the SRTCP index.
    pub fn unprotect_rtcp(&mut self, packet: &[u8]) -> Result<Vec<u8>, SrtpError> {
        let ssrc = rtcp_ssrc(packet)?;
        let suite = self.suite;
        let mki_len = self.mki_len();
        let (tag_len, trailer) = if suite.is_aead() {
            (GCM_TAG_LEN, 4 + mki_len)
        } else {
            let t = suite.rtcp_auth_tag_len();
            (t, 4 + mki_len + t)
        };
        if packet.len() < 8 + tag_len + 4 + mki_len {
            return Err(SrtpError::Truncated);
        }
        // Position of the E||SRTCP index word.
        let e_at = packet.len() - trailer;
        let mki = &packet[e_at + 4..e_at + 4 + mki_len];
        let e_word = be32(packet, e_at)?;
        let index = e_word & MAX_SRTCP_INDEX;
        let k = self.receive_key(mki, self.srtp_index_of(ssrc))?;
        let mut stream = self.rtcp_streams.get(&ssrc).copied().unwrap_or_default();
        stream.window.check(u64::from(index))?;
        let r = self.r_for(u64::from(index));
        let key = self.keys.get_mut(k).ok_or(SrtpError::Crypto)?;
        let (keys, _) = key.session(suite, true, r)?;
        let out = open(keys, packet, (e_at, tag_len), ssrc, e_word)?;
        stream.window.update(u64::from(index));
        insert_bounded(&mut self.rtcp_streams, ssrc, stream)?;
        Ok(out)
    }
}

/// Checks the tag (the last `tag_len` octets, or the AEAD tag before the E‖index word)
/// of an SRTCP packet whose E‖index word sits at `e_at`, then decrypts it when its E flag
/// is set (RFC 3711 §3.4, RFC 7714 §9.2-9.3).
fn open(
    keys: &SessionKeys,
    packet: &[u8],
    (e_at, tag_len): (usize, usize),
    ssrc: u32,
    e_word: u32,
) -> Result<Vec<u8>, SrtpError> {
    let encrypted = e_word & E_FLAG != 0;
    let index = e_word & MAX_SRTCP_INDEX;
    if let SessionCipher::Gcm128(_) | SessionCipher::Gcm256(_) = keys.cipher {
        let tag_at = e_at - GCM_TAG_LEN;
        let mut out = packet[..tag_at].to_vec();
        let iv = keys.gcm_iv(ssrc, gcm_tail(index));
        let aad = gcm_aad(&out, e_word, encrypted);
        let body = if encrypted {
            &mut out[8..]
        } else {
            &mut [][..]
        };
        keys.gcm_open(&iv, &aad, body, &packet[tag_at..e_at])?;
        return Ok(out);
    }
    let expected = keys.hmac(&[&packet[..e_at + 4]])?;
    if !crate::crypto::ct_eq(&expected[..tag_len], &packet[packet.len() - tag_len..]) {
        return Err(SrtpError::AuthFailed);
    }
    let mut out = packet[..e_at].to_vec();
    if let (true, SessionCipher::Cm(aes)) = (encrypted, &keys.cipher) {
        aes.ctr_xor(keys.cm_iv(ssrc, u64::from(index)), &mut out[8..]);
    }
    Ok(out)
}
