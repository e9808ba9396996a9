//! Parse and encode of the 112-byte gortsplib message: this crate next to GStreamer's MIKEY
//! code (through gstreamer-sdp's C API), in the same run.

use criterion::{criterion_group, criterion_main, Criterion};
use gstreamer_sdp::ffi as sdp;
use gstreamer_sdp::glib::ffi as gffi;
use gstreamer_sdp::gst;
use mikey::wire::{Message, MessageView, ParseOptions};
use std::hint::black_box;
use walk::hex;

#[path = "../../benches/common/walk.rs"]
mod walk;

fn gst_parse(b: &[u8]) -> *mut sdp::GstMIKEYMessage {
    // SAFETY: a valid buffer and length; GStreamer copies what it keeps.
    unsafe {
        sdp::gst_mikey_message_new_from_data(
            b.as_ptr() as *const _,
            b.len(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    }
}

fn gst_free(m: *mut sdp::GstMIKEYMessage) {
    // SAFETY: `m` is a message returned by GStreamer and not used afterwards.
    unsafe { gst::ffi::gst_mini_object_unref(m as *mut gst::ffi::GstMiniObject) }
}

fn bench(c: &mut Criterion) {
    gst::init().unwrap();
    let b = hex(include_str!("../../testvectors/gortsplib-mikey-a.hex"));
    let mut g = c.benchmark_group("gortsplib-a-112B");
    // Validate, then read every payload's typed content in place (benches/common/walk.rs).
    g.bench_function("mikey/view_walk", |x| {
        x.iter(|| {
            let v = MessageView::parse_with(black_box(&b), ParseOptions::LENIENT).unwrap();
            walk::walk(&v);
        })
    });
    // Validate, then decode every payload into the `Payload` enum.
    g.bench_function("mikey/view_payloads", |x| {
        x.iter(|| {
            MessageView::parse_with(black_box(&b), ParseOptions::LENIENT)
                .unwrap()
                .payloads()
                .count()
        })
    });
    g.bench_function("mikey/message_parse", |x| {
        x.iter(|| {
            Message::parse_with(black_box(&b), ParseOptions::LENIENT)
                .unwrap()
                .0
                .payloads
                .len()
        })
    });
    g.bench_function("gstreamer/parse", |x| {
        x.iter(|| {
            let m = gst_parse(black_box(&b));
            assert!(!m.is_null());
            gst_free(m);
        })
    });
    let msg = Message::parse_with(&b, ParseOptions::LENIENT).unwrap().0;
    let mut out = Vec::with_capacity(b.len());
    g.bench_function("mikey/encode", |x| {
        x.iter(|| {
            out.clear();
            black_box(&msg).encode_into(&mut out).unwrap();
            out.len()
        })
    });
    let gm = gst_parse(&b);
    g.bench_function("gstreamer/encode", |x| {
        x.iter(|| {
            // SAFETY: `gm` is a valid message; the returned GBytes is released here.
            unsafe {
                let bytes =
                    sdp::gst_mikey_message_to_bytes(gm, std::ptr::null_mut(), std::ptr::null_mut());
                assert!(!bytes.is_null());
                gffi::g_bytes_unref(bytes);
            }
        })
    });
    gst_free(gm);
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
