//! The decrypted capture: classic pcap, Ethernet link type, each clear RTP/RTCP packet in a
//! UDP datagram between the addresses it was seen with (interleaved packets: the RTSP
//! connection's addresses, UDP port 50000 + channel on both sides).

use super::CaptureError;
use core::time::Duration;
use etherparse::PacketBuilder;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::DataLink;
use std::net::{IpAddr, SocketAddr};

/// The UDP port interleaved channel `channel` is written on.
pub fn interleaved_port(channel: u8) -> u16 {
    50_000 + u16::from(channel)
}

/// A pcap being written in memory.
pub(super) struct Output {
    w: PcapWriter<Vec<u8>>,
}

fn err(e: impl core::fmt::Display) -> CaptureError {
    CaptureError::Write(e.to_string())
}

impl Output {
    pub(super) fn new() -> Result<Self, CaptureError> {
        let header = PcapHeader {
            datalink: DataLink::ETHERNET,
            ..PcapHeader::default()
        };
        Ok(Self {
            w: PcapWriter::with_header(Vec::new(), header).map_err(err)?,
        })
    }

    /// Writes `payload` as one UDP datagram from `src` to `dst` (both of one IP version,
    /// as the addresses of one flow are).
    pub(super) fn udp(
        &mut self,
        ts: Duration,
        src: SocketAddr,
        dst: SocketAddr,
        payload: &[u8],
    ) -> Result<(), CaptureError> {
        let eth = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]);
        let mut frame = Vec::with_capacity(payload.len() + 62);
        match (src.ip(), dst.ip()) {
            (IpAddr::V4(s), IpAddr::V4(d)) => eth
                .ipv4(s.octets(), d.octets(), 64)
                .udp(src.port(), dst.port())
                .write(&mut frame, payload)
                .map_err(err)?,
            (IpAddr::V6(s), IpAddr::V6(d)) => eth
                .ipv6(s.octets(), d.octets(), 64)
                .udp(src.port(), dst.port())
                .write(&mut frame, payload)
                .map_err(err)?,
            _ => return Err(CaptureError::Write("IPv4 and IPv6 in one flow".into())),
        }
        let len = u32::try_from(frame.len()).map_err(err)?;
        self.w
            .write_packet(&PcapPacket::new(ts, len, &frame))
            .map_err(err)?;
        Ok(())
    }

    pub(super) fn finish(self) -> Vec<u8> {
        self.w.into_writer()
    }
}
