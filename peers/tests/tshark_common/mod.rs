//! What the tshark tests share: running tshark on MIKEY messages (one UDP datagram to port
//! 2269 each) and comparing every payload and field Wireshark shows (offset and bytes) with
//! what our codec encoded. Used by `tshark.rs` and `tshark_sakke.rs`.
#![allow(dead_code)]

use mikey::wire::{
    CsIdMap, DataType, EncrAlg, KeyDataList, KeyValidity, MessageView, ParseOptions, Payload,
    TsType,
};
use mikey_peers::{pcap, tshark};
use serde_json::Value;

/// Ethernet (14) + IPv4 (20) + UDP (8): where the MIKEY message starts in each frame.
pub const BASE: usize = pcap::HEADERS_LEN;

// ---------------------------------------------------------------------------------------------
// Running tshark and reading its JSON

/// The MIKEY port Wireshark dissects.
pub const MIKEY_PORT: u16 = 2269;

/// Runs tshark on `messages`, one UDP datagram to port 2269 each, and returns the `layers`
/// object of each frame.
pub fn dissect(messages: &[Vec<u8>], tag: &str) -> Vec<Value> {
    let lo = [127, 0, 0, 1];
    let frames: Vec<Vec<u8>> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| pcap::udp_frame(m, i as u16 + 1, MIKEY_PORT, lo, lo))
        .collect();
    tshark::dissect(&pcap::write(&frames), tag, messages.len())
}

/// One field of tshark's output: name, shown value, and (for `_raw`) bytes and position.
#[derive(Debug, Default)]
pub struct Fields {
    /// `(name, hex, position, length)` of every `_raw` entry.
    raw: Vec<(String, String, i64, i64)>,
    /// `(name, value)` of every displayed leaf.
    shown: Vec<(String, String)>,
}

fn collect(key: &str, v: &Value, out: &mut Fields) {
    if let Some(name) = key.strip_suffix("_raw") {
        let mut push = |a: &[Value]| {
            if let (Some(h), Some(p), Some(l)) = (a[0].as_str(), a[1].as_i64(), a[2].as_i64()) {
                out.raw.push((name.to_owned(), h.to_owned(), p, l));
            }
        };
        match v {
            Value::Array(a) if a.first().is_some_and(|x| x.is_array()) => {
                for x in a {
                    push(x.as_array().unwrap());
                }
            }
            Value::Array(a) if a.len() >= 3 => push(a),
            _ => {}
        }
        return;
    }
    match v {
        Value::String(s) => out.shown.push((key.to_owned(), s.clone())),
        Value::Array(a) => {
            for x in a {
                collect(key, x, out);
            }
        }
        Value::Object(o) => {
            for (k, x) in o {
                collect(k, x, out);
            }
        }
        _ => {}
    }
}

pub fn fields(layers: &Value) -> Fields {
    let mut f = Fields::default();
    collect("", layers, &mut f);
    f
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// What Wireshark must show for a message

pub struct Expect {
    /// `(field, offset in the message, bytes)`.
    pub raw: Vec<(&'static str, usize, Vec<u8>)>,
    /// `(field, shown value)`.
    pub shown: Vec<(&'static str, String)>,
    /// Wireshark 4.0 cannot go past this (GENERIC-ID map).
    pub generic_id: bool,
    /// Wireshark 4.0 stops at a CHASH payload: offset of the CHASH.
    pub chash_at: Option<usize>,
}

impl Expect {
    /// How many fields were compared with Wireshark's (only the header's raw fields for a
    /// GENERIC-ID map).
    pub fn checked(&self) -> usize {
        match self.generic_id {
            true => self.raw.len(),
            false => self.raw.len() + self.shown.len(),
        }
    }

    /// The offsets of the whole-payload items `field` (e.g. `mikey.idr`) that were compared.
    pub fn payloads(&self, field: &str) -> Vec<usize> {
        self.raw
            .iter()
            .filter(|(f, ..)| *f == field)
            .map(|(_, o, _)| *o)
            .collect()
    }

    fn raw(&mut self, f: &'static str, off: usize, b: &[u8]) {
        self.raw.push((f, off, b.to_vec()));
    }
    fn shown(&mut self, f: &'static str, v: impl ToString) {
        self.shown.push((f, v.to_string()));
    }
}

/// Wireshark's field for SRTP policy parameter types 0..=12 (RFC 3830 §6.10.1).
const SP_FIELDS: [&str; 13] = [
    "mikey.sp.encr_alg",
    "mikey.sp.encr_len",
    "mikey.sp.auth_alg",
    "mikey.sp.auth_key_len",
    "mikey.sp.salt_len",
    "mikey.sp.prf",
    "mikey.sp.kd_rate",
    "mikey.sp.srtp_encr",
    "mikey.sp.srtcp_encr",
    "mikey.sp.fec",
    "mikey.sp.srtp_auth",
    "mikey.sp.auth_tag_len",
    "mikey.sp.srtp_prefix",
];

/// Key data sub-payloads of a NULL KEMAC starting at `off`. Wireshark 4.0 shows the whole
/// Key data list as one `mikey.key` item and dissects only the first sub-payload in it.
fn expect_key_data(e: &mut Expect, bytes: &[u8], list: &KeyDataList<'_>, off: usize, len: usize) {
    e.raw("mikey.key", off, &bytes[off..off + len]);
    let Some(k) = list.keys.first() else { return };
    e.shown("mikey.key.type", k.key_type.to_wire());
    e.shown("mikey.key.kv", k.kv.kv_type().to_wire());
    e.raw("mikey.key.data.len", off + 2, &bytes[off + 2..off + 4]);
    e.raw("mikey.key.data", off + 4, &k.key);
    let mut o = off + 4 + k.key.len();
    if let Some(s) = &k.salt {
        if !s.is_empty() {
            e.raw("mikey.key.salt.len", o, &bytes[o..o + 2]);
            e.raw("mikey.key.salt", o + 2, s);
        }
        o += 2 + s.len();
    }
    match &k.kv {
        KeyValidity::Null => {}
        KeyValidity::Spi(s) => {
            e.raw("mikey.key.kv.spi.len", o, &[s.len() as u8]);
            if !s.is_empty() {
                e.raw("mikey.key.kv.spi", o + 1, s);
            }
        }
        KeyValidity::Interval { from, to } => {
            e.raw("mikey.key.kv.from.len", o, &[from.len() as u8]);
            e.raw("mikey.key.kv.from", o + 1, from);
            let o2 = o + 1 + from.len();
            e.raw("mikey.key.kv.to.len", o2, &[to.len() as u8]);
            e.raw("mikey.key.kv.to", o2 + 1, to);
        }
    }
}

pub fn expect(bytes: &[u8], opts: ParseOptions) -> Expect {
    let v = MessageView::parse_with(bytes, opts).unwrap();
    let h = v.header();
    let mut e = Expect {
        raw: vec![],
        shown: vec![],
        generic_id: false,
        chash_at: None,
    };
    let first = v
        .payloads_with_offsets()
        .next()
        .map_or(v.as_bytes().len(), |(o, _)| o);
    if matches!(h.cs_map, CsIdMap::GenericId(_)) {
        // Wireshark 4.0 does not know the GENERIC-ID map (RFC 6043): it reads a 10-byte
        // header and goes on from there, so nothing after it can be compared.
        e.raw("mikey.hdr", 0, &bytes[..10]);
        e.shown("mikey.cs_id_map_type", 2);
        e.generic_id = true;
        return e;
    }
    e.raw("mikey.hdr", 0, &bytes[..first]);
    e.shown("mikey.version", 1);
    e.shown("mikey.type", h.data_type.to_wire());
    e.shown("mikey.v.set", u8::from(h.v));
    e.shown("mikey.prf_func", h.prf.to_wire());
    e.raw("mikey.csb_id", 4, &h.csb_id.to_be_bytes());
    e.shown("mikey.csb_id", format!("0x{:08x}", h.csb_id));
    e.shown("mikey.cs_count", h.cs_map.count());
    e.shown("mikey.cs_id_map_type", h.cs_map.map_type().to_wire());
    if let CsIdMap::SrtpId(m) = &h.cs_map {
        for (i, c) in m.iter() {
            let o = 10 + 9 * (i as usize - 1);
            e.raw("mikey.srtp_id", o, &bytes[o..o + 9]);
            e.raw("mikey.srtp_id.policy_no", o, &[c.policy_no]);
            e.raw("mikey.srtp_id.ssrc", o + 1, &c.ssrc.to_be_bytes());
            e.raw("mikey.srtp_id.roc", o + 5, &c.roc.to_be_bytes());
        }
    }
    let offs: Vec<(usize, Payload<'_>)> = v.payloads_with_offsets().collect();
    for (i, (o, p)) in offs.iter().enumerate() {
        let o = *o;
        let end = offs.get(i + 1).map_or(v.as_bytes().len(), |n| n.0);
        let b = &bytes[o..end];
        if let Payload::Chash(_) = p {
            // Wireshark 4.0 has no dissector for CHASH: it shows the payload header and
            // stops dissecting the message there (without an error).
            e.chash_at = Some(o);
            break;
        }
        let name = match p {
            Payload::Kemac(_) => "mikey.kemac",
            Payload::Pke(_) => "mikey.pke",
            Payload::Dh(_) => "mikey.dh",
            Payload::Sign(_) => "mikey.sign",
            Payload::T(_) => "mikey.t",
            Payload::Id(_) => "mikey.id",
            Payload::Cert(_) => "mikey.cert",
            Payload::V(_) => "mikey.v",
            Payload::Sp(_) => "mikey.sp",
            Payload::Rand(_) => "mikey.rand",
            Payload::Err(_) => "mikey.err",
            Payload::GenExt(_) => "mikey.ext",
            Payload::Idr(_) => "mikey.idr",
            Payload::Sakke(_) => "mikey.sakke",
            other => panic!("Wireshark 4.0 does not know {other:?}"),
        };
        e.raw(name, o, b);
        match p {
            Payload::T(t) => {
                e.shown("mikey.t.ts_type", t.ts_type.to_wire());
                if matches!(t.ts_type, TsType::NtpUtc | TsType::Ntp) {
                    e.raw("mikey.t.ntp", o + 2, &t.value.to_be_bytes());
                }
            }
            Payload::Rand(r) => {
                e.raw("mikey.rand.len", o + 1, &[r.rand.len() as u8]);
                e.raw("mikey.rand.data", o + 2, &r.rand);
            }
            Payload::Sp(sp) => {
                e.raw("mikey.sp.no", o + 1, &[sp.policy_no]);
                e.raw("mikey.sp.proto_type", o + 2, &[sp.prot_type.to_wire()]);
                e.raw("mikey.sp.param_len", o + 3, &b[3..5]);
                let mut po = o + 5;
                for prm in sp.params() {
                    e.raw("mikey.sp.param.type", po, &[prm.param_type]);
                    e.raw("mikey.sp.param.len", po + 1, &[prm.value.len() as u8]);
                    e.raw("mikey.sp.patam.value", po + 2, prm.value); // sic: Wireshark's name
                    if let Some(f) = SP_FIELDS.get(prm.param_type as usize) {
                        e.raw(f, po + 2, prm.value);
                    }
                    po += 2 + prm.value.len();
                }
            }
            Payload::Kemac(k) => {
                e.raw("mikey.kemac.encr_alg", o + 1, &[k.encr_alg.to_wire()]);
                e.raw("mikey.kemac.key_data_len", o + 2, &b[2..4]);
                let n = k.encr_data.len();
                if k.encr_alg == EncrAlg::Null && h.data_type == DataType::PskInit {
                    let list = k.plaintext_keys(false).unwrap().unwrap();
                    expect_key_data(&mut e, bytes, &list, o + 4, n);
                } else {
                    e.raw("mikey.kemac.key_data", o + 4, &k.encr_data);
                }
                e.raw("mikey.kemac.mac_alg", o + 4 + n, &[k.mac_alg.to_wire()]);
                if !k.mac.is_empty() {
                    e.raw("mikey.kemac.mac", o + 5 + n, &k.mac);
                }
            }
            Payload::Id(id) => {
                e.raw("mikey.id.type", o + 1, &[id.id_type.to_wire()]);
                e.raw("mikey.id.len", o + 2, &(id.data.len() as u16).to_be_bytes());
                e.raw("mikey.id.data", o + 4, &id.data);
            }
            Payload::Idr(idr) => {
                e.raw("mikey.id.role", o + 1, &[idr.role.to_wire()]);
                e.raw("mikey.id.type", o + 2, &[idr.id.id_type.to_wire()]);
                e.raw(
                    "mikey.id.len",
                    o + 3,
                    &(idr.id.data.len() as u16).to_be_bytes(),
                );
                e.raw("mikey.id.data", o + 5, &idr.id.data);
            }
            Payload::Cert(c) => {
                e.raw("mikey.cert.type", o + 1, &[c.cert_type.to_wire()]);
            }
            Payload::Pke(p) => {
                e.raw("mikey.pke.data", o + 3, &p.data);
            }
            Payload::Dh(d) => {
                e.raw("mikey.dh.group", o + 1, &[d.group.to_wire()]);
                e.raw("mikey.dh.value", o + 2, &d.value);
            }
            Payload::Sign(s) => {
                e.raw("mikey.sign.data", o + 2, &s.signature);
            }
            Payload::V(vp) => {
                e.raw("mikey.v.auth_alg", o + 1, &[vp.auth_alg.to_wire()]);
                if !vp.mac.is_empty() {
                    e.raw("mikey.v.ver_data", o + 2, &vp.mac);
                }
            }
            Payload::Err(er) => {
                e.raw("mikey.err.no", o + 1, &[er.error_no.to_wire()]);
                e.raw("mikey.err.reserved", o + 2, &er.reserved.to_be_bytes());
            }
            Payload::GenExt(x) => {
                e.raw("mikey.ext.type", o + 1, &[x.ext_type.to_wire()]);
                e.raw("mikey.ext.len", o + 2, &(x.data.len() as u16).to_be_bytes());
            }
            Payload::Sakke(s) => {
                e.raw("mikey.sakke.params", o + 1, &[s.params.to_wire()]);
                e.raw("mikey.sakke.idscheme", o + 2, &[s.id_scheme.to_wire()]);
                e.raw(
                    "mikey.sakke.len",
                    o + 3,
                    &(s.data.len() as u16).to_be_bytes(),
                );
                e.raw("mikey.sakke.data", o + 5, &s.data);
            }
            _ => {}
        }
    }
    e
}

/// Checks one dissected frame against what we encoded; returns what was checked.
pub fn check_frame(name: &str, layers: &Value, bytes: &[u8], opts: ParseOptions) -> Expect {
    let f = fields(layers);
    let e = expect(bytes, opts);
    if e.generic_id {
        // Wireshark 4.0 reads a GENERIC-ID header as if it had no map info and then reads
        // map bytes as payloads, so "malformed" is expected there: check the header only.
        for (field, off, b) in &e.raw {
            assert!(
                f.raw
                    .iter()
                    .any(|(k, h, p, _)| k == field && *h == hex(b) && *p == (BASE + off) as i64),
                "{name}: {field}"
            );
        }
        return e;
    }
    // Nothing malformed, no expert item of error severity.
    let bad: Vec<_> = f
        .shown
        .iter()
        .filter(|(k, _)| k.starts_with("_ws.malformed"))
        .collect();
    assert!(bad.is_empty(), "{name}: Wireshark says malformed: {bad:?}");
    let errors: Vec<_> = f
        .shown
        .iter()
        .filter(|(k, v)| k == "_ws.expert.severity" && v.parse::<u64>().unwrap_or(0) >= 0x0080_0000)
        .collect();
    let msgs: Vec<_> = f
        .shown
        .iter()
        .filter(|(k, _)| k == "_ws.expert.message")
        .collect();
    assert!(
        errors.is_empty(),
        "{name}: expert items of error severity: {msgs:?}"
    );
    assert!(
        f.shown.iter().any(|(k, _)| k == "mikey.version"),
        "{name}: not dissected as MIKEY"
    );
    for (field, off, b) in &e.raw {
        let want = (hex(b), (BASE + off) as i64, b.len() as i64);
        let found = f
            .raw
            .iter()
            .any(|(k, h, p, l)| k == field && (h, *p, *l) == (&want.0, want.1, want.2));
        assert!(
            found,
            "{name}: Wireshark has no {field} = {} at offset {off} (len {}); it has {:?}",
            want.0,
            b.len(),
            f.raw
                .iter()
                .filter(|(k, ..)| k == field)
                .map(|(_, h, p, l)| (h.clone(), *p - BASE as i64, *l))
                .collect::<Vec<_>>()
        );
    }
    for (field, v) in &e.shown {
        assert!(
            f.shown.iter().any(|(k, x)| k == field && x == v),
            "{name}: Wireshark shows no {field} = {v}; it shows {:?}",
            f.shown
                .iter()
                .filter(|(k, _)| k == field)
                .collect::<Vec<_>>()
        );
    }
    if let Some(o) = e.chash_at {
        assert!(
            f.raw
                .iter()
                .any(|(k, _, p, _)| k == "mikey.chash" && *p == (BASE + o) as i64),
            "{name}: Wireshark shows no CHASH at offset {o}"
        );
        assert!(
            !f.raw
                .iter()
                .any(|(k, _, p, _)| k == "mikey.sign" && *p > (BASE + o) as i64),
            "{name}: Wireshark 4.0 now dissects past CHASH: extend this test"
        );
    }
    e
}
