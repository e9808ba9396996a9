//! The UDP or TCP payload of a frame, with its addresses (etherparse's slicing: Ethernet,
//! Linux cooked, loopback and raw IP; VLAN tags; IPv4 and IPv6).

use super::read::{Frame, Link};
use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use std::net::{IpAddr, SocketAddr};

/// The transport of a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Proto {
    /// UDP.
    Udp,
    /// TCP, with the sequence number of the first payload octet and the SYN flag.
    Tcp { seq: u32, syn: bool },
}

/// One transport-layer packet.
pub(super) struct Packet<'a> {
    pub(super) src: SocketAddr,
    pub(super) dst: SocketAddr,
    pub(super) proto: Proto,
    pub(super) payload: &'a [u8],
}

/// The UDP or TCP packet a frame carries, if any (fragments and other protocols: none).
pub(super) fn packet<'a>(frame: &Frame<'a>) -> Option<Packet<'a>> {
    let sliced = match frame.link {
        Link::Ethernet => SlicedPacket::from_ethernet(frame.data),
        Link::LinuxSll => SlicedPacket::from_linux_sll(frame.data),
        Link::Null => SlicedPacket::from_ip(frame.data.get(4..)?),
        Link::Ip => SlicedPacket::from_ip(frame.data),
    }
    .ok()?;
    let (src_ip, dst_ip): (IpAddr, IpAddr) = match sliced.net.as_ref()? {
        NetSlice::Ipv4(ip) => {
            let h = ip.header();
            (h.source_addr().into(), h.destination_addr().into())
        }
        NetSlice::Ipv6(ip) => {
            let h = ip.header();
            (h.source_addr().into(), h.destination_addr().into())
        }
        NetSlice::Arp(_) => return None,
    };
    let (sp, dp, proto, payload) = match sliced.transport.as_ref()? {
        TransportSlice::Udp(u) => (
            u.source_port(),
            u.destination_port(),
            Proto::Udp,
            u.payload(),
        ),
        TransportSlice::Tcp(t) => (
            t.source_port(),
            t.destination_port(),
            Proto::Tcp {
                seq: t.sequence_number(),
                syn: t.syn(),
            },
            t.payload(),
        ),
        _ => return None,
    };
    Some(Packet {
        src: SocketAddr::new(src_ip, sp),
        dst: SocketAddr::new(dst_ip, dp),
        proto,
        payload,
    })
}
