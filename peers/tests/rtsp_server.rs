//! The ONVIF example's RTSP client (`examples/rtsp_onvif.rs`, [`play_from_server`]) against
//! GStreamer's RTSP server (gst-rtsp-server 1.22, in process on 127.0.0.1) serving a test
//! tone with the SAVP profile over TCP: the server announces its srtpenc key in a MIKEY-NULL
//! `a=key-mgmt:mikey` (DESCRIBE), accepts our `KeyMgmt` in SETUP, and sends interleaved
//! SRTP that the client decrypts with the key it read from the server's message.

#[allow(dead_code)]
#[path = "../../examples/rtsp_onvif.rs"]
mod rtsp_onvif;

use gstreamer_rtsp_server::gst_rtsp::{RTSPLowerTrans, RTSPProfile};
use gstreamer_rtsp_server::prelude::*;
use gstreamer_rtsp_server::{glib, RTSPMediaFactory, RTSPServer};
use rtsp_onvif::play_from_server;
use std::time::Duration;

/// Starts the server on a free port and returns it; the server runs on its own thread.
fn start_server() -> u16 {
    gstreamer_rtsp_server::gst::init().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let ctx = glib::MainContext::new();
        let _guard = ctx.acquire().unwrap();
        let main = glib::MainLoop::new(Some(&ctx), false);
        let server = RTSPServer::new();
        server.set_address("127.0.0.1");
        server.set_service("0");
        let factory = RTSPMediaFactory::new();
        factory.set_launch(
            "( audiotestsrc is-live=true samplesperbuffer=160 ! alawenc ! rtppcmapay name=pay0 pt=8 )",
        );
        factory.set_profiles(RTSPProfile::SAVP);
        factory.set_protocols(RTSPLowerTrans::TCP);
        server.mount_points().unwrap().add_factory("/tone", factory);
        let _id = server.attach(Some(&ctx)).unwrap();
        tx.send(u16::try_from(server.bound_port()).unwrap())
            .unwrap();
        main.run();
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("server start")
}

#[test]
fn onvif_example_client_plays_gst_rtsp_server_srtp() {
    let port = start_server();
    let url = format!("rtsp://127.0.0.1:{port}/tone");
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let now = mikey::session::system_time();
    let got = play_from_server(&mut tcp, &url, 25, now, &mut mikey::session::OsEntropy)
        .expect("the example client plays the server's SRTP");
    assert_eq!(got.rtp.len(), 25);
    assert_eq!(
        got.server_key.suite,
        mikey::srtp::SrtpSuite::AesCm128HmacSha1_80
    );
    for p in &got.rtp {
        // PCMA (payload type 8), 160 samples a packet, version 2, the announced SSRC.
        assert_eq!((p[0] >> 6, p[1] & 0x7f, p.len()), (2, 8, 12 + 160));
        if got.server_key.ssrc != 0 {
            assert_eq!(p[8..12], got.server_key.ssrc.to_be_bytes());
        }
    }
    let seqs: Vec<u16> = got
        .rtp
        .iter()
        .map(|p| u16::from_be_bytes([p[2], p[3]]))
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0].wrapping_add(1)),
        "{seqs:?}"
    );
}
