//! The dissector of `mikey decode` (`mikey::dissect`): any input split into messages (raw
//! binary, hex or base64 lines, SDP, RTSP, ONVIF bodies), each message dissected. Never
//! panics; the messages found are never larger in total than the input (no allocation
//! beyond it); every deviation's offset is inside its message; a message the strict parser
//! accepts has no strict error and no quirk.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mikey::dissect::{dissect, split};
use mikey::wire::MessageView;

fuzz_target!(|data: &[u8]| {
    let chunks = split(data);
    let total: usize = chunks
        .iter()
        .map(|c| c.data.as_ref().map_or(0, Vec::len))
        .sum();
    assert!(total <= data.len(), "{total} bytes found in {}", data.len());
    for c in &chunks {
        assert!(!c.source.is_empty());
        let Ok(bytes) = &c.data else { continue };
        let Ok(d) = dissect(bytes) else {
            assert!(MessageView::parse(bytes).is_err());
            continue;
        };
        for dv in &d.deviations {
            assert!(!dv.text.is_empty() && !dv.rule.is_empty());
            if let Some(o) = dv.offset {
                assert!(o < bytes.len(), "{} at {o} of {}", dv.id, bytes.len());
            }
        }
        if MessageView::parse(bytes).is_ok() {
            assert!(d.strict_error.is_none());
            assert!(d.view.quirks().is_empty());
        }
    }
});
