//! Decrypting a capture (feature `pcap`): read a pcap or pcapng file, find the MIKEY
//! messages it carries (RTSP `KeyMgmt` headers, SDP `a=key-mgmt:mikey` in RTSP bodies or in
//! SIP/other text over UDP, ONVIF `mikey:` parameter bodies; RFC 4567), derive their SRTP
//! keys (MIKEY-NULL, or with a pre-shared key), decrypt the SRTP/SRTCP it carries over UDP
//! and RTSP interleaved (`$` framing, RFC 2326 §10.12), and write the clear RTP/RTCP to a
//! new pcap; with a per-stream report (packets decrypted, failed authentication, ROC
//! changes).
//!
//! Sans-IO: bytes in, bytes out; the capture's own timestamps are the time.
//!
//! ```no_run
//! let input = std::fs::read("camera.pcapng")?;
//! let out = mikey::capture::decrypt(&input, &mikey::capture::Keying::default())?;
//! std::fs::write("camera-clear.pcap", &out.pcap)?;
//! for s in &out.streams {
//!     println!("SSRC {:#010x}: {} decrypted, {} failed authentication", s.ssrc, s.decrypted, s.auth_failed);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod keys;
mod net;
mod read;
mod signalling;
mod tcp;
mod write;

pub use write::interleaved_port;

use crate::srtp::SrtpError;
use keys::{KeyStore, Outcome};
use net::Proto;
use std::collections::BTreeMap;
use std::net::SocketAddr;

/// How the capture's MIKEY messages are read.
#[derive(Clone, Default)]
pub struct Keying {
    /// The pre-shared key of PSK messages; `None` reads MIKEY-NULL messages only
    /// (RTSP/ONVIF over TLS).
    pub psk: Option<Vec<u8>>,
}

impl core::fmt::Debug for Keying {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Keying")
            .field("psk", &self.psk.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Why a capture could not be decrypted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CaptureError {
    /// The input is not a pcap or pcapng file this module reads.
    NotACapture(String),
    /// The output could not be written.
    Write(String),
}

impl core::fmt::Display for CaptureError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NotACapture(s) => write!(f, "not a capture: {s}"),
            Self::Write(s) => write!(f, "cannot write the capture: {s}"),
        }
    }
}

impl std::error::Error for CaptureError {}

/// What happened to the packets of one SSRC (SRTP and SRTCP together).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamReport {
    /// The SSRC.
    pub ssrc: u32,
    /// SRTP packets seen.
    pub rtp_packets: u64,
    /// SRTCP packets seen.
    pub rtcp_packets: u64,
    /// Packets decrypted (and authenticated, where the suite authenticates).
    pub decrypted: u64,
    /// Packets whose tag did not verify.
    pub auth_failed: u64,
    /// Packets refused as replays.
    pub replayed: u64,
    /// Packets no key of the capture was for.
    pub no_key: u64,
    /// Packets refused for another reason (truncated, MKI unknown, ...).
    pub other_errors: u64,
    /// Times the rollover counter moved on.
    pub roc_changes: u64,
}

/// The decrypted capture and its report.
#[derive(Clone, Debug)]
pub struct Decrypted {
    /// The clear RTP/RTCP as a pcap (Ethernet, UDP).
    pub pcap: Vec<u8>,
    /// One report per SSRC, by SSRC.
    pub streams: Vec<StreamReport>,
    /// MIKEY messages whose keys were taken.
    pub mikey_accepted: usize,
    /// MIKEY messages refused, with why (verification messages, wrong PSK, ...).
    pub mikey_rejected: Vec<String>,
    /// Frames of a link type this module does not read.
    pub frames_skipped: usize,
}

/// Whether a datagram looks like RTP or RTCP (version 2, long enough), and if RTCP
/// (payload type 200-204, RFC 5761 §4).
fn rtp_kind(p: &[u8]) -> Option<bool> {
    if p.len() < 12 || p[0] >> 6 != 2 {
        return None;
    }
    Some((200..=204).contains(&p[1]))
}

fn ssrc_of(p: &[u8], rtcp: bool) -> Option<u32> {
    let at = if rtcp { 4 } else { 8 };
    let b = p.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// The state of one run.
struct Run {
    keys: KeyStore,
    out: write::Output,
    streams: BTreeMap<u32, StreamReport>,
}

impl Run {
    fn media(
        &mut self,
        ts: core::time::Duration,
        (src, dst): (SocketAddr, SocketAddr),
        data: &[u8],
    ) -> Result<(), CaptureError> {
        let Some(rtcp) = rtp_kind(data) else {
            return Ok(());
        };
        let Some(ssrc) = ssrc_of(data, rtcp) else {
            return Ok(());
        };
        let outcome = self.keys.decrypt(ssrc, rtcp, data);
        let r = self.streams.entry(ssrc).or_insert_with(|| StreamReport {
            ssrc,
            ..StreamReport::default()
        });
        if rtcp {
            r.rtcp_packets += 1;
        } else {
            r.rtp_packets += 1;
        }
        match outcome {
            Outcome::Clear(clear, roc_moved) => {
                r.decrypted += 1;
                r.roc_changes += u64::from(roc_moved);
                self.out.udp(ts, src, dst, &clear)?;
            }
            Outcome::NoKey => r.no_key += 1,
            Outcome::Failed(SrtpError::AuthFailed) => r.auth_failed += 1,
            Outcome::Failed(SrtpError::Replay) => r.replayed += 1,
            Outcome::Failed(_) => r.other_errors += 1,
        }
        Ok(())
    }
}

/// Decrypts the SRTP and SRTCP of a capture with the MIKEY keys it carries.
pub fn decrypt(input: &[u8], keying: &Keying) -> Result<Decrypted, CaptureError> {
    let (frames, frames_skipped) = read::frames(input)?;
    let mut run = Run {
        keys: KeyStore::new(keying.psk.as_deref()),
        out: write::Output::new()?,
        streams: BTreeMap::new(),
    };
    let mut tcp = tcp::Reassembly::default();
    for frame in &frames {
        let Some(p) = net::packet(frame) else {
            continue;
        };
        match p.proto {
            Proto::Udp if signalling::may_carry_mikey(p.payload) => {
                let text = String::from_utf8_lossy(p.payload);
                for m in signalling::mikey_messages(&text) {
                    run.keys.add_message(&m, frame.ts);
                }
            }
            Proto::Udp => run.media(frame.ts, (p.src, p.dst), p.payload)?,
            Proto::Tcp { seq, syn } => {
                for item in tcp.push((p.src, p.dst), seq, syn, p.payload) {
                    match item {
                        tcp::Item::Rtsp(text) => {
                            for m in signalling::mikey_messages(&text) {
                                run.keys.add_message(&m, frame.ts);
                            }
                        }
                        tcp::Item::Interleaved(ch, data) => {
                            let port = interleaved_port(ch);
                            let addrs = (
                                SocketAddr::new(p.src.ip(), port),
                                SocketAddr::new(p.dst.ip(), port),
                            );
                            run.media(frame.ts, addrs, &data)?;
                        }
                    }
                }
            }
        }
    }
    Ok(Decrypted {
        pcap: run.out.finish(),
        streams: run.streams.into_values().collect(),
        mikey_accepted: run.keys.accepted,
        mikey_rejected: run.keys.rejected,
        frames_skipped,
    })
}

#[cfg(test)]
mod tests;
