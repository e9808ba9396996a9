//! RTSP over TCP: each direction of a connection reassembled in order (retransmissions
//! dropped, a gap ends the stream's use), then cut into RTSP messages and `$`-framed
//! interleaved RTP/RTCP (RFC 2326 §10.12, RFC 7826 §14).

use std::collections::HashMap;
use std::net::SocketAddr;

/// Most octets buffered per direction before they are dropped.
const MAX_BUFFER: usize = 1 << 20;
/// Most TCP directions followed.
const MAX_FLOWS: usize = 1024;

/// What a TCP direction carried.
pub(super) enum Item {
    /// An RTSP request or response: header text and body.
    Rtsp(String),
    /// An interleaved frame: channel and data.
    Interleaved(u8, Vec<u8>),
}

#[derive(Default)]
struct Flow {
    next_seq: Option<u32>,
    buf: Vec<u8>,
    broken: bool,
}

/// Every TCP direction, keyed by (source, destination).
#[derive(Default)]
pub(super) struct Reassembly {
    flows: HashMap<(SocketAddr, SocketAddr), Flow>,
}

impl Reassembly {
    /// Adds a segment and returns the items it completed.
    pub(super) fn push(
        &mut self,
        key: (SocketAddr, SocketAddr),
        seq: u32,
        syn: bool,
        payload: &[u8],
    ) -> Vec<Item> {
        if !self.flows.contains_key(&key) && self.flows.len() >= MAX_FLOWS {
            return Vec::new();
        }
        let flow = self.flows.entry(key).or_default();
        let start = if syn { seq.wrapping_add(1) } else { seq };
        let expected = *flow.next_seq.get_or_insert(start);
        if payload.is_empty() || flow.broken {
            return Vec::new();
        }
        let offset = start.wrapping_sub(expected);
        if offset != 0 {
            // A retransmission (behind us) is dropped; a gap ahead breaks the stream.
            if offset < 1 << 31 {
                flow.broken = true;
            }
            return Vec::new();
        }
        // Sequence numbers count modulo 2^32 (RFC 9293 §3.4); a payload is under 2^16.
        let advance = u32::try_from(payload.len()).unwrap_or(u32::MAX);
        flow.next_seq = Some(expected.wrapping_add(advance));
        if flow.buf.len() + payload.len() > MAX_BUFFER {
            flow.broken = true;
            return Vec::new();
        }
        flow.buf.extend_from_slice(payload);
        drain(&mut flow.buf)
    }
}

/// Cuts complete items off the front of `buf`.
fn drain(buf: &mut Vec<u8>) -> Vec<Item> {
    let mut out = Vec::new();
    loop {
        match buf.first() {
            None => break,
            Some(b'$') => {
                let Some(h) = buf.get(..4) else { break };
                let (channel, len) = (h[1], usize::from(u16::from_be_bytes([h[2], h[3]])));
                if buf.len() < 4 + len {
                    break;
                }
                out.push(Item::Interleaved(channel, buf[4..4 + len].to_vec()));
                buf.drain(..4 + len);
            }
            Some(b) if b.is_ascii_alphabetic() => {
                let Some(end) = find(buf, b"\r\n\r\n") else {
                    break;
                };
                let head = String::from_utf8_lossy(&buf[..end + 4]).into_owned();
                let body_len = content_length(&head);
                if buf.len() < end + 4 + body_len {
                    break;
                }
                let body = String::from_utf8_lossy(&buf[end + 4..end + 4 + body_len]);
                out.push(Item::Rtsp(format!("{head}{body}")));
                buf.drain(..end + 4 + body_len);
            }
            // Not at an item boundary: resynchronise on the next `$` or letter.
            Some(_) => {
                let skip = buf
                    .iter()
                    .position(|b| *b == b'$' || b.is_ascii_alphabetic())
                    .unwrap_or(buf.len());
                buf.drain(..skip);
            }
        }
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The Content-Length of an RTSP header block (0 when absent), at most the buffer bound.
fn content_length(head: &str) -> usize {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_BUFFER)
}
