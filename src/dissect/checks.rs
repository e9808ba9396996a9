//! The checks of [`dissect`](super::dissect): payloads required by the data type,
//! timestamps, SRTP policy parameters.

use super::Deviation;
use crate::wire::{
    DataType, MessageView, Payload, PayloadType, ProtType, SrtpParamType, Timestamp, TsType,
};

/// Seconds from 1970 to 2000-01-01 and to 2036-01-01 (UTC).
const UNIX_2000: u64 = 946_684_800;
const UNIX_2036: u64 = 2_082_758_400;
/// Seconds from 1601-01-01 (the Windows FILETIME epoch) to 1970-01-01.
const FILETIME_UNIX: u64 = 11_644_473_600;

/// A required payload: its type, how many at least, and how the RFC names it.
type Need = (PayloadType, usize, &'static str);

/// The payloads each data type requires, and the rule (only the exchanges whose figures
/// this table copies; other data types are not checked). RAND is left out of the
/// PSK and public-key I_MESSAGEs: an update message has none (RFC 3830 §4.5).
fn required(t: DataType) -> Option<(&'static [Need], &'static str)> {
    use PayloadType as P;
    Some(match t {
        DataType::PskInit => (&[(P::T, 1, "T"), (P::Kemac, 1, "KEMAC")], "RFC 3830 §3.1"),
        DataType::PskResp => (&[(P::T, 1, "T"), (P::V, 1, "V")], "RFC 3830 §3.1"),
        DataType::PkInit => (
            &[
                (P::T, 1, "T"),
                (P::Kemac, 1, "KEMAC"),
                (P::Pke, 1, "PKE"),
                (P::Sign, 1, "SIGNi"),
            ],
            "RFC 3830 §3.2",
        ),
        DataType::PkResp => (&[(P::T, 1, "T"), (P::V, 1, "V")], "RFC 3830 §3.2"),
        DataType::DhInit => (
            &[
                (P::T, 1, "T"),
                (P::Rand, 1, "RAND"),
                (P::Dh, 1, "DHi"),
                (P::Sign, 1, "SIGNi"),
            ],
            "RFC 3830 §3.3",
        ),
        DataType::DhResp => (
            &[
                (P::T, 1, "T"),
                (P::Dh, 2, "DHr and DHi"),
                (P::Sign, 1, "SIGNr"),
            ],
            "RFC 3830 §3.3",
        ),
        DataType::Error => (&[(P::T, 1, "T"), (P::Err, 1, "ERR")], "RFC 3830 §5.1.2"),
        DataType::DhHmacInit => (
            &[
                (P::T, 1, "T"),
                (P::Rand, 1, "RAND"),
                (P::Id, 1, "IDr"),
                (P::Dh, 1, "DHi"),
                (P::Kemac, 1, "KEMAC"),
            ],
            "RFC 4650 §3",
        ),
        DataType::DhHmacResp => (
            &[
                (P::T, 1, "T"),
                (P::Id, 1, "IDi"),
                (P::Dh, 2, "DHr and DHi"),
                (P::Kemac, 1, "KEMAC"),
            ],
            "RFC 4650 §3",
        ),
        DataType::Sakke => (
            &[
                (P::T, 1, "T"),
                (P::Rand, 1, "RAND"),
                (P::Sakke, 1, "SAKKE"),
                (P::Sign, 1, "SIGN"),
            ],
            "RFC 6509 §2.1",
        ),
        _ => return None,
    })
}

/// Missing required payloads (deviations); a PSK or public-key I_MESSAGE without RAND
/// (a note: an update message, RFC 3830 §4.5).
pub(super) fn structure(view: &MessageView<'_>, out: &mut Vec<Deviation>, notes: &mut Vec<String>) {
    let t = view.header().data_type;
    let count = |want: PayloadType| {
        view.payloads()
            .filter(|p| {
                let pt = p.payload_type();
                // IDR (RFC 6043) stands in for ID, TR for T.
                pt == want
                    || (want == PayloadType::Id && pt == PayloadType::Idr)
                    || (want == PayloadType::T && pt == PayloadType::Tr)
            })
            .count()
    };
    if let Some((needs, rule)) = required(t) {
        for &(pt, n, name) in needs {
            let have = count(pt);
            if have < n {
                let text = if n == 1 {
                    format!("no {name} payload: a {t} message requires one")
                } else {
                    format!("{have} {pt} payload(s) where a {t} message requires {name}")
                };
                out.push(Deviation {
                    id: "missing_payload",
                    offset: None,
                    rule,
                    text,
                });
            }
        }
    }
    if matches!(t, DataType::PskInit | DataType::PkInit) && count(PayloadType::Rand) == 0 {
        notes.push(
            "no RAND payload: an update message (RFC 3830 §4.5), valid only after an initial \
             exchange with the same CSB ID"
                .to_owned(),
        );
    }
}

/// The calendar year of a time since the Unix epoch, for the messages.
fn year(unix: u64) -> u64 {
    // Good to a day either side of New Year, which the texts do not need to be exact on.
    1970 + unix * 4 / (1461 * 86_400)
}

/// NTP timestamps outside 2000..2036 (deviation), with a hint at what clock it may be.
pub(super) fn timestamps(view: &MessageView<'_>, out: &mut Vec<Deviation>) {
    for (offset, p) in view.payloads_with_offsets() {
        let ts: &Timestamp = match &p {
            Payload::T(t) => t,
            Payload::Tr(t) => &t.ts,
            _ => continue,
        };
        if !matches!(ts.ts_type, TsType::NtpUtc | TsType::Ntp | TsType::NtpUtc32) {
            continue;
        }
        let Some(unix) = ts.to_unix().map(|d| d.as_secs()) else {
            continue;
        };
        if (UNIX_2000..UNIX_2036).contains(&unix) {
            continue;
        }
        let mut text = format!(
            "{} value {:#018x} reads as the year {}: not a plausible NTP time (a client \
             sending another clock?)",
            ts.ts_type,
            ts.value,
            year(unix)
        );
        let filetime = (ts.value / 10_000_000).checked_sub(FILETIME_UNIX);
        if let Some(ft) = filetime.filter(|s| (UNIX_2000..UNIX_2036).contains(s)) {
            text.push_str(&format!(
                "; as a Windows FILETIME it reads as the year {}",
                year(ft)
            ));
        }
        out.push(Deviation {
            id: "odd_timestamp",
            offset: Some(offset),
            rule: "RFC 3830 §6.6",
            text,
        });
    }
}

/// SRTP policy parameters whose value breaks their definition: the RFC 4771 ROC
/// transmission rate must be a non-zero 16-bit integer.
pub(super) fn policies(view: &MessageView<'_>, out: &mut Vec<Deviation>) {
    for (offset, p) in view.payloads_with_offsets() {
        let Payload::Sp(sp) = p else { continue };
        if sp.prot_type != ProtType::Srtp {
            continue;
        }
        // Next payload, policy no, prot type, params length: then the TLVs.
        let mut at = offset + 5;
        for param in sp.params() {
            let t = SrtpParamType::from_wire(param.param_type);
            if t == SrtpParamType::RocTxRate
                && (param.value.len() != 2 || param.as_uint() == Some(0))
            {
                out.push(Deviation {
                    id: "roc_tx_rate",
                    offset: Some(at),
                    rule: "RFC 4771 §5",
                    text: format!(
                        "ROC transmission rate of {} byte(s) ({:02x?}): RFC 4771 defines a \
                         non-zero 16-bit integer",
                        param.value.len(),
                        param.value
                    ),
                });
            }
            at += 2 + param.value.len();
        }
    }
}
