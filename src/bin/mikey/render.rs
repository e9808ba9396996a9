//! Rendering decoded MIKEY messages. Every message is first turned into a small tree of
//! [`Field`]s ([`message_fields`], [`payload_item`]); the same tree is printed as text
//! ([`text`]) or as JSON ([`json`], schema in docs/decode-json.md), so both always show the
//! same fields. The functions are public within the binary so other subcommands can reuse
//! them.

use crate::out::hex;
use mikey::wire::*;
use serde_json::{json, Map, Value};
use std::fmt::Write as _;

/// A field value.
#[derive(Clone, Debug)]
pub enum V {
    /// An integer (text: decimal).
    Num(u64),
    /// An integer shown in hex in text (`0x` + `digits` hex digits, then decimal); a number in JSON.
    NumHex(u64, usize),
    /// Bytes: lowercase hex in both forms.
    Hex(Vec<u8>),
    /// A flag.
    Bool(bool),
    /// Text.
    Str(String),
    /// A registry code: `{"value": n, "name": ...}` in JSON, `Name (n)` / `Unknown (n)` in text.
    Code(u64, Option<&'static str>),
    /// Absent.
    Null,
    /// A nested object.
    Obj(Vec<Field>),
    /// A list of objects.
    Items(Vec<Item>),
}

/// A named field: `key` is the JSON key (snake_case), `label` the text label.
#[derive(Clone, Debug)]
pub struct Field {
    /// JSON key.
    pub key: &'static str,
    /// Human label.
    pub label: &'static str,
    /// Value.
    pub v: V,
    /// Shown in text output (JSON always has every field).
    pub in_text: bool,
}

/// An element of a list: `title` heads it in text; `compact` items print only the title.
#[derive(Clone, Debug)]
pub struct Item {
    /// Text heading.
    pub title: String,
    /// Print only the title in text output.
    pub compact: bool,
    /// The fields (all of them go to JSON).
    pub fields: Vec<Field>,
}

fn f(key: &'static str, label: &'static str, v: V) -> Field {
    Field {
        key,
        label,
        v,
        in_text: true,
    }
}

/// A field shown in JSON only (its information is already in the text heading).
fn fj(key: &'static str, v: V) -> Field {
    Field {
        key,
        label: key,
        v,
        in_text: false,
    }
}

macro_rules! code {
    ($c:expr) => {{
        let c = $c;
        V::Code(u64::from(c.to_wire()), c.name())
    }};
}

fn opt_hex(b: Option<&[u8]>) -> V {
    b.map_or(V::Null, |b| V::Hex(b.to_vec()))
}

fn code_text(value: u64, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("{n} ({value})"),
        None => format!("Unknown ({value})"),
    }
}

/// A short one-line rendering of a value.
pub fn value_text(v: &V) -> String {
    match v {
        V::Num(n) => n.to_string(),
        V::NumHex(n, w) => format!("0x{n:0w$x} ({n})", w = *w),
        V::Hex(b) if b.is_empty() => "(empty)".into(),
        V::Hex(b) => format!("{} ({} bytes)", hex(b), b.len()),
        V::Bool(b) => if *b { "yes" } else { "no" }.into(),
        V::Str(s) if s.chars().any(char::is_control) || s.trim() != s => format!("{s:?}"),
        V::Str(s) => s.clone(),
        V::Code(n, name) => code_text(*n, *name),
        V::Null => "-".into(),
        V::Obj(_) | V::Items(_) => String::new(),
    }
}

/// Appends fields as an indented tree.
pub fn text_fields(out: &mut String, depth: usize, fields: &[Field]) {
    for fl in fields.iter().filter(|fl| fl.in_text) {
        let pad = "  ".repeat(depth);
        match &fl.v {
            V::Obj(inner) => {
                let _ = writeln!(out, "{pad}{}:", fl.label);
                text_fields(out, depth + 1, inner);
            }
            V::Items(items) => {
                let _ = writeln!(out, "{pad}{} ({}):", fl.label, items.len());
                for it in items {
                    let _ = writeln!(out, "{pad}  {}", it.title);
                    if !it.compact {
                        text_fields(out, depth + 2, &it.fields);
                    }
                }
            }
            v => {
                let _ = writeln!(out, "{pad}{}: {}", fl.label, value_text(v));
            }
        }
    }
}

/// The JSON form of a value (schema: docs/decode-json.md).
pub fn json_value(v: &V) -> Value {
    match v {
        V::Num(n) | V::NumHex(n, _) => json!(n),
        V::Hex(b) => json!(hex(b)),
        V::Bool(b) => json!(b),
        V::Str(s) => json!(s),
        V::Code(n, name) => json!({ "value": n, "name": name }),
        V::Null => Value::Null,
        V::Obj(fs) => json_object(fs),
        V::Items(items) => Value::Array(items.iter().map(|i| json_object(&i.fields)).collect()),
    }
}

/// The JSON object of a field list.
pub fn json_object(fields: &[Field]) -> Value {
    let mut m = Map::new();
    for fl in fields {
        m.insert(fl.key.to_owned(), json_value(&fl.v));
    }
    Value::Object(m)
}

/// UTC calendar time of a duration since the Unix epoch, e.g. `2025-07-01T12:00:00.250Z`.
pub fn utc(d: core::time::Duration) -> String {
    let secs = d.as_secs();
    let days = (secs / 86_400) as i64;
    let tod = secs % 86_400;
    // Civil from days (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        tod / 3600,
        tod / 60 % 60,
        tod % 60,
        d.subsec_millis()
    )
}

fn quirk_key(q: Quirk) -> &'static str {
    match q {
        Quirk::TrailingZero => "trailing_zero",
        Quirk::SrtpAuthKeyLen10 => "srtp_auth_key_len_10",
        Quirk::NulTerminatedId => "nul_terminated_id",
        Quirk::IdrLenHighOctetZero => "idr_len_high_octet_zero",
    }
}

/// The tolerated quirks as items (`{"id", "description"}`).
pub fn quirk_items(q: Quirks) -> Vec<Item> {
    q.iter()
        .map(|q| Item {
            title: q.describe().to_owned(),
            compact: true,
            fields: vec![
                f("id", "ID", V::Str(quirk_key(q).into())),
                f("description", "Description", V::Str(q.describe().into())),
            ],
        })
        .collect()
}

/// The common header fields (RFC 3830 §6.1), with every CS of the map.
pub fn header_fields(h: &Header<'_>) -> Vec<Field> {
    let cs_items: Vec<Item> = match &h.cs_map {
        CsIdMap::SrtpId(m) => m
            .iter()
            .map(|(id, cs)| Item {
                title: format!(
                    "CS #{id}: policy no {}, SSRC 0x{:08x} ({}), ROC {}",
                    cs.policy_no, cs.ssrc, cs.ssrc, cs.roc
                ),
                compact: true,
                fields: vec![
                    f("cs_id", "CS ID", V::Num(id.into())),
                    f("policy_no", "Policy no", V::Num(cs.policy_no.into())),
                    f("ssrc", "SSRC", V::NumHex(cs.ssrc.into(), 8)),
                    f("roc", "ROC", V::Num(cs.roc.into())),
                ],
            })
            .collect(),
        CsIdMap::Empty { .. } => Vec::new(),
        CsIdMap::GenericId(m) => m
            .iter()
            .map(|cs| Item {
                title: format!("CS #{}", cs.cs_id),
                compact: false,
                fields: vec![
                    f("cs_id", "CS ID", V::Num(cs.cs_id.into())),
                    f("prot_type", "Prot type", code!(cs.prot_type)),
                    f("s", "S (session data has ROC and SEQ)", V::Bool(cs.s)),
                    f("policies", "Policy numbers", V::Hex(cs.policies.to_vec())),
                    f(
                        "session_data",
                        "Session data",
                        V::Hex(cs.session_data.to_vec()),
                    ),
                    f("spi", "SPI", V::Hex(cs.spi.to_vec())),
                    f(
                        "ssrc",
                        "SSRC",
                        cs.ssrc().map_or(V::Null, |s| V::NumHex(s.into(), 8)),
                    ),
                    f("roc", "ROC", cs.roc().map_or(V::Null, |s| V::Num(s.into()))),
                    f("seq", "SEQ", cs.seq().map_or(V::Null, |s| V::Num(s.into()))),
                ],
            })
            .collect(),
    };
    vec![
        f("version", "Version", V::Num(header::MIKEY_VERSION.into())),
        f("data_type", "Data type", code!(h.data_type)),
        f("v", "V (verification requested)", V::Bool(h.v)),
        f("prf_func", "PRF func", code!(h.prf)),
        f("csb_id", "CSB ID", V::NumHex(h.csb_id.into(), 8)),
        f("cs_count", "#CS", V::Num(h.cs_map.count().into())),
        f(
            "cs_id_map_type",
            "CS ID map type",
            code!(h.cs_map.map_type()),
        ),
        f("cs_map", "CS ID map", V::Items(cs_items)),
    ]
}

fn kv_fields(kv: &KeyValidity<'_>, out: &mut Vec<Field>) {
    out.push(f("kv_type", "KV type", code!(kv.kv_type())));
    match kv {
        KeyValidity::Null => {}
        KeyValidity::Spi(s) => out.push(f("spi", "SPI/MKI", V::Hex(s.to_vec()))),
        KeyValidity::Interval { from, to } => {
            out.push(f("valid_from", "Valid from", V::Hex(from.to_vec())));
            out.push(f("valid_to", "Valid to", V::Hex(to.to_vec())));
        }
    }
}

/// A key data sub-payload's fields (RFC 3830 §6.13), key and salt in clear.
pub fn key_data_fields(k: &KeyData<'_>) -> Vec<Field> {
    let mut v = vec![
        f("key_type", "Type", code!(k.key_type)),
        f("key", "Key data", V::Hex(k.key.to_vec())),
        f("salt", "Salt", opt_hex(k.salt.as_deref())),
    ];
    kv_fields(&k.kv, &mut v);
    v
}

fn id_fields(id: &Id<'_>, out: &mut Vec<Field>) {
    out.push(f("id_type", "ID type", code!(id.id_type)));
    out.push(f("data", "ID data", V::Hex(id.data.to_vec())));
    let text = match id.id_type {
        IdType::Nai | IdType::Uri => id.text().map_or(V::Null, |t| V::Str(t.into())),
        _ => V::Null,
    };
    out.push(f("text", "ID text", text));
}

fn ts_fields(ts: &Timestamp, out: &mut Vec<Field>) {
    let digits = ts.ts_type.value_len().map_or(16, |n| n * 2);
    out.push(f("ts_type", "TS type", code!(ts.ts_type)));
    out.push(f("value", "TS value", V::NumHex(ts.value, digits)));
    out.push(f(
        "time",
        "Time (UTC)",
        ts.to_unix().map_or(V::Null, |d| V::Str(utc(d))),
    ));
}

/// The decoded value of one SRTP policy parameter (RFC 3830 §6.10.1, RFC 4771, RFC 7714).
pub fn srtp_param_value(t: SrtpParamType, p: &PolicyParam<'_>) -> V {
    let Some(u) = p.as_uint() else {
        return V::Null;
    };
    let byte = u8::try_from(u).ok();
    use SrtpParamType as T;
    match t {
        T::EncrAlg => byte.map_or(V::Null, |b| code!(SrtpEncrAlg::from_wire(b))),
        T::AuthAlg | T::SrtpAuthAlg | T::SrtcpAuthAlg => {
            byte.map_or(V::Null, |b| code!(SrtpAuthAlg::from_wire(b)))
        }
        T::Prf => byte.map_or(V::Null, |b| code!(SrtpPrf::from_wire(b))),
        T::FecOrder => byte.map_or(V::Null, |b| code!(FecOrder::from_wire(b))),
        T::SrtpEncryption | T::SrtcpEncryption | T::SrtpAuthentication => match u {
            0 => V::Bool(false),
            1 => V::Bool(true),
            _ => V::Null,
        },
        T::Unknown(_) => V::Null,
        _ => V::Num(u),
    }
}

fn sp_fields(sp: &SecurityPolicy<'_>, out: &mut Vec<Field>) {
    out.push(f("policy_no", "Policy no", V::Num(sp.policy_no.into())));
    out.push(f("prot_type", "Prot type", code!(sp.prot_type)));
    let items = sp
        .params()
        .map(|p| {
            let (tcode, decoded) = if sp.prot_type == ProtType::Srtp {
                let t = SrtpParamType::from_wire(p.param_type);
                (code!(t), srtp_param_value(t, &p))
            } else {
                (V::Code(p.param_type.into(), None), V::Null)
            };
            let shown = match &decoded {
                V::Null => format!("0x{}", hex(p.value)),
                V::Bool(b) => if *b { "on" } else { "off" }.to_owned(),
                d => value_text(d),
            };
            Item {
                title: format!("{}: {shown}", value_text(&tcode)),
                compact: true,
                fields: vec![
                    f("type", "Type", tcode),
                    f("length", "Length", V::Num(p.value.len() as u64)),
                    f("value", "Value", V::Hex(p.value.to_vec())),
                    f("decoded", "Decoded", decoded),
                ],
            }
        })
        .collect();
    out.push(f("params", "Policy params", V::Items(items)));
}

fn ticket_fields(t: &TicketPayload<'_>, out: &mut Vec<Field>) {
    out.push(f("ticket_type", "Ticket type", code!(t.ticket_type)));
    out.push(f("subtype", "Subtype", V::Num(t.subtype.into())));
    out.push(f("version", "Version", V::Num(t.version.into())));
    out.push(f("prf_func", "PRF func", code!(t.prf)));
    out.push(f(
        "flags",
        "Flags (D..O, Res)",
        V::NumHex(t.flags.into(), 5),
    ));
    out.push(f("tp_data", "TP data", V::Hex(t.tp_data.to_vec())));
    out.push(f(
        "ticket_data",
        "Ticket data",
        opt_hex(t.ticket_data.as_deref()),
    ));
    out.push(f(
        "initiator_data",
        "Initiator data",
        opt_hex(t.initiator_data.as_deref()),
    ));
}

/// One payload as an item (RFC 3830 §6 field names); `kemac_with_id` tells whether a
/// NULL-encrypted KEMAC plaintext starts with an ID payload (PK-INIT, RSA-R response).
pub fn payload_item(offset: usize, p: &Payload<'_>, kemac_with_id: bool) -> Item {
    let pt = p.payload_type();
    let mut v = vec![
        fj("type", code!(pt)),
        fj("offset", V::Num(offset as u64)),
        fj("length", V::Num(p.encoded_len() as u64)),
    ];
    match p {
        Payload::Kemac(k) => kemac_fields(k, kemac_with_id, &mut v),
        Payload::Pke(x) => {
            v.push(f("cache", "C (cache)", code!(x.cache)));
            v.push(f("data", "Data", V::Hex(x.data.to_vec())));
        }
        Payload::Dh(x) => {
            v.push(f("group", "DH-Group", code!(x.group)));
            v.push(f("value", "DH-value", V::Hex(x.value.to_vec())));
            v.push(f("reserved", "Reserved", V::Num(x.reserved.into())));
            kv_fields(&x.kv, &mut v);
        }
        Payload::Sign(x) => {
            v.push(f("sign_type", "S type", code!(x.sign_type)));
            v.push(f("signature", "Signature", V::Hex(x.signature.to_vec())));
        }
        Payload::T(t) => ts_fields(t, &mut v),
        Payload::Id(id) => id_fields(id, &mut v),
        Payload::Cert(c) => {
            v.push(f("cert_type", "Cert type", code!(c.cert_type)));
            v.push(f("data", "Certificate", V::Hex(c.data.to_vec())));
        }
        Payload::Chash(c) => {
            v.push(f("hash_func", "Hash func", code!(c.hash_func)));
            v.push(f("hash", "Hash", V::Hex(c.hash.to_vec())));
        }
        Payload::V(x) => {
            v.push(f("auth_alg", "Auth alg", code!(x.auth_alg)));
            v.push(f("mac", "Ver data (MAC)", V::Hex(x.mac.to_vec())));
        }
        Payload::Sp(sp) => sp_fields(sp, &mut v),
        Payload::Rand(r) => v.push(f("rand", "RAND", V::Hex(r.rand.to_vec()))),
        Payload::Err(e) => {
            v.push(f("error_no", "Error no", code!(e.error_no)));
            v.push(f("reserved", "Reserved", V::Num(e.reserved.into())));
        }
        Payload::KeyData(k) => v.extend(key_data_fields(k)),
        Payload::GenExt(g) => gen_ext_fields(g, &mut v),
        Payload::Tr(t) => {
            v.push(f("role", "TS role", code!(t.role)));
            ts_fields(&t.ts, &mut v);
        }
        Payload::Idr(x) => {
            v.push(f("role", "ID role", code!(x.role)));
            id_fields(&x.id, &mut v);
        }
        Payload::Randr(x) => {
            v.push(f("role", "RAND role", code!(x.role)));
            v.push(f("rand", "RAND", V::Hex(x.rand.to_vec())));
        }
        Payload::Tp(t) => ticket_fields(&t.0, &mut v),
        Payload::Ticket(t) => ticket_fields(&t.0, &mut v),
        Payload::Sakke(s) => {
            v.push(f("params", "SAKKE params", code!(s.params)));
            v.push(f("id_scheme", "ID scheme", code!(s.id_scheme)));
            v.push(f("data", "SAKKE data", V::Hex(s.data.to_vec())));
        }
        _ => {}
    }
    Item {
        title: format!(
            "{} (offset {offset}, {} bytes)",
            code_text(pt.to_wire().into(), pt.name()),
            p.encoded_len()
        ),
        compact: false,
        fields: v,
    }
}

/// KEMAC fields (RFC 3830 §6.2); the key data decoded when it is in clear (NULL
/// encryption).
fn kemac_fields(k: &Kemac<'_>, kemac_with_id: bool, v: &mut Vec<Field>) {
    v.push(f("encr_alg", "Encr alg", code!(k.encr_alg)));
    v.push(f("encr_data", "Encr data", V::Hex(k.encr_data.to_vec())));
    v.push(f("mac_alg", "MAC alg", code!(k.mac_alg)));
    v.push(f("mac", "MAC", V::Hex(k.mac.to_vec())));
    let kd = match k.plaintext_keys(kemac_with_id) {
        Some(Ok(list)) => {
            let mut o = Vec::new();
            o.push(f(
                "id",
                "ID",
                list.id.as_ref().map_or(V::Null, |id| {
                    let mut x = Vec::new();
                    id_fields(id, &mut x);
                    V::Obj(x)
                }),
            ));
            let keys = list
                .keys
                .iter()
                .enumerate()
                .map(|(i, k)| Item {
                    title: format!("Key data #{}", i + 1),
                    compact: false,
                    fields: key_data_fields(k),
                })
                .collect();
            o.push(f("keys", "Keys", V::Items(keys)));
            V::Obj(o)
        }
        _ => V::Null,
    };
    let label = if kd.is_null() {
        "Key data (encrypted: not decoded)"
    } else {
        "Key data (NULL encryption, in clear)"
    };
    v.push(f("key_data", label, kd));
}

/// General extension fields (RFC 3830 §6.15), with the CSB ID and key IDs of the 3GPP
/// MIKEY-SAKKE extensions when present.
fn gen_ext_fields(g: &GeneralExtension<'_>, v: &mut Vec<Field>) {
    v.push(f("ext_type", "Type", code!(g.ext_type)));
    v.push(f("data", "Data", V::Hex(g.data.to_vec())));
    if let Some(id) = g.as_csb_id() {
        v.push(f("csb_id", "CSB ID", V::NumHex(id.into(), 8)));
    }
    if let Some(ids) = g.as_key_ids() {
        let items = ids
            .map(|(t, id)| Item {
                title: format!("{}: {}", code_text(t.to_wire().into(), t.name()), hex(id)),
                compact: true,
                fields: vec![
                    f("type", "Type", code!(t)),
                    f("id", "ID", V::Hex(id.to_vec())),
                ],
            })
            .collect();
        v.push(f("key_ids", "Key IDs", V::Items(items)));
    }
}

impl V {
    fn is_null(&self) -> bool {
        matches!(self, V::Null)
    }
}

/// A decoded message: where it came from, its length, and the parsed view.
pub struct Decoded<'a> {
    /// Where the message was found.
    pub source: &'a str,
    /// The parsed message.
    pub view: MessageView<'a>,
    /// Length of the input bytes (including a tolerated trailing byte).
    pub len: usize,
}

/// The top-level fields of one message: source, bytes, quirks, header, payloads.
pub fn message_fields(d: &Decoded<'_>) -> Vec<Field> {
    let h = d.view.header();
    let with_id = matches!(h.data_type, DataType::PkInit | DataType::RsaRResp);
    let payloads = d
        .view
        .payloads_with_offsets()
        .map(|(o, p)| payload_item(o, &p, with_id))
        .collect();
    vec![
        fj("source", V::Str(d.source.to_owned())),
        fj("bytes", V::Num(d.len as u64)),
        f(
            "quirks",
            "Quirks tolerated (lenient mode)",
            V::Items(quirk_items(d.view.quirks())),
        ),
        f("header", "HDR (offset 0)", V::Obj(header_fields(h))),
        f("payloads", "Payloads", V::Items(payloads)),
    ]
}
