//! Frames of a pcap (libpcap format) or pcapng file, borrowed from the input (the
//! slice parsers of `pcap-file`: nothing is allocated by the lengths the file claims).

use super::CaptureError;
use core::time::Duration;
use pcap_file::pcap::PcapParser;
use pcap_file::pcapng::{Block, PcapNgParser};
use pcap_file::DataLink;

/// How a frame starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Link {
    /// Ethernet II (DLT_EN10MB).
    Ethernet,
    /// Linux cooked capture (DLT_LINUX_SLL, `any` interface).
    LinuxSll,
    /// BSD loopback: a 4-octet address family, then IP (DLT_NULL).
    Null,
    /// IPv4 or IPv6 directly (DLT_RAW, LINKTYPE_IPV4/IPV6).
    Ip,
}

impl Link {
    fn of(d: DataLink) -> Option<Self> {
        match d {
            DataLink::ETHERNET => Some(Self::Ethernet),
            DataLink::LINUX_SLL => Some(Self::LinuxSll),
            DataLink::NULL | DataLink::LOOP => Some(Self::Null),
            DataLink::RAW | DataLink::IPV4 | DataLink::IPV6 => Some(Self::Ip),
            _ => None,
        }
    }
}

/// One captured frame.
pub(super) struct Frame<'a> {
    pub(super) ts: Duration,
    pub(super) link: Link,
    pub(super) data: &'a [u8],
}

/// Every frame of a link type this module reads, in file order; frames of other link
/// types are counted in the second value.
pub(super) fn frames(input: &[u8]) -> Result<(Vec<Frame<'_>>, usize), CaptureError> {
    match input.get(..4) {
        Some([0x0a, 0x0d, 0x0d, 0x0a]) => pcapng_frames(input),
        Some(_) => pcap_frames(input),
        None => Err(CaptureError::NotACapture(
            "shorter than a file header".into(),
        )),
    }
}

fn pcap_frames(input: &[u8]) -> Result<(Vec<Frame<'_>>, usize), CaptureError> {
    let bad = |e: pcap_file::PcapError| CaptureError::NotACapture(e.to_string());
    let (mut rest, parser) = PcapParser::new(input).map_err(bad)?;
    let link = Link::of(parser.header().datalink);
    let (mut out, mut skipped) = (Vec::new(), 0);
    while !rest.is_empty() {
        let (next, p) = parser.next_packet(rest).map_err(bad)?;
        rest = next;
        let pcap_file::pcap::PcapPacket {
            timestamp, data, ..
        } = p;
        match (link, data) {
            (Some(link), std::borrow::Cow::Borrowed(data)) => out.push(Frame {
                ts: timestamp,
                link,
                data,
            }),
            _ => skipped += 1,
        }
    }
    Ok((out, skipped))
}

fn pcapng_frames(input: &[u8]) -> Result<(Vec<Frame<'_>>, usize), CaptureError> {
    let bad = |e: pcap_file::PcapError| CaptureError::NotACapture(e.to_string());
    let (mut rest, mut parser) = PcapNgParser::new(input).map_err(bad)?;
    let (mut out, mut skipped) = (Vec::new(), 0);
    while !rest.is_empty() {
        let (next, block) = parser.next_block(rest).map_err(bad)?;
        rest = next;
        let Block::EnhancedPacket(p) = block else {
            continue;
        };
        let link = parser
            .packet_interface(&p)
            .and_then(|i| Link::of(i.linktype));
        match (link, p.data) {
            (Some(link), std::borrow::Cow::Borrowed(data)) => out.push(Frame {
                ts: p.timestamp,
                link,
                data,
            }),
            _ => skipped += 1,
        }
    }
    Ok((out, skipped))
}
