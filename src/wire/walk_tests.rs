//! Tests of the single-pass validator and the walk: the same result as the full parsers on
//! every vector and on synthetic messages (public API: `MessageView`).

use super::*;
use crate::wire::*;
use base64::Engine;

type Outcome<'a> = Result<(Header<'a>, PayloadType, usize, usize, Quirks), ParseError>;

/// The validator before the fast path: every payload through its full parser.
fn reference(bytes: &[u8], opts: ParseOptions) -> Outcome<'_> {
    let mut r = Reader::new(bytes);
    let (header, first) = Header::parse(&mut r)?;
    let body_start = r.offset();
    let mut ctx = ctx_for(opts, header.data_type);
    let mut next = first;
    while next != PayloadType::Last {
        next = Payload::parse(next, &mut r, &mut ctx)?.1;
    }
    let end = r.offset();
    match r.rest() {
        [] => {}
        [0] if opts.lenient => ctx.quirk(Quirk::TrailingZero),
        rest => {
            return Err(r.error(
                "message",
                "end",
                ErrorKind::TrailingBytes { count: rest.len() },
            ))
        }
    }
    Ok((header, first, body_start, end, ctx.quirks))
}

/// The payload iteration before `walk`: the full parsers without deep checks.
fn reference_payloads<'a>(bytes: &'a [u8], opts: ParseOptions) -> Vec<(usize, Payload<'a>)> {
    let (h, first, start, end, _) = reference(bytes, opts).unwrap();
    let mut r = Reader::with_base(&bytes[start..end], start);
    let mut ctx = ParseCtx {
        validate: false,
        ..ctx_for(opts, h.data_type)
    };
    let mut next = first;
    let mut out = Vec::new();
    while next != PayloadType::Last {
        let off = r.offset();
        let (p, n) = Payload::parse(next, &mut r, &mut ctx).unwrap();
        out.push((off, p));
        next = n;
    }
    out
}

/// The fast validator agrees with the reference (same result, same error); on success
/// the walk yields the same payloads, and the typed accessors the same fields.
fn check(bytes: &[u8]) -> usize {
    let mut ok = 0;
    for opts in [ParseOptions::STRICT, ParseOptions::LENIENT] {
        let fast =
            validate(bytes, opts).map(|v| (v.header, v.first, v.body_start, v.end, v.quirks));
        let slow = reference(bytes, opts);
        assert_eq!(fast, slow, "{opts:?} {bytes:02x?}");
        let Ok(v) = MessageView::parse_with(bytes, opts) else {
            continue;
        };
        ok += 1;
        let walked: Vec<_> = v
            .walk()
            .map(|p| (p.offset(), p.decode().unwrap()))
            .collect();
        assert_eq!(walked, reference_payloads(bytes, opts), "{bytes:02x?}");
        assert_eq!(v.payloads_with_offsets().collect::<Vec<_>>(), walked);
        let mut pos = slow.as_ref().unwrap().2;
        for p in v.walk() {
            assert_eq!(p.offset(), pos);
            assert_eq!(p.as_bytes(), &bytes[pos..pos + p.as_bytes().len()]);
            pos += p.as_bytes().len();
            let d = p.decode().unwrap();
            assert_eq!(d.payload_type(), p.payload_type());
            assert_eq!(d.encoded_len(), p.as_bytes().len());
            match d {
                Payload::Kemac(k) => {
                    let r = p.kemac().unwrap();
                    assert_eq!(r.to_kemac(), k);
                    assert_eq!(r.mac_offset(), p.offset() + k.mac_offset());
                }
                Payload::T(t) => assert_eq!(p.timestamp(), Some(t)),
                Payload::Rand(r) => assert_eq!(p.rand(), Some(&*r.rand)),
                Payload::Sp(sp) => {
                    let r = p.sp().unwrap();
                    assert_eq!(
                        (r.policy_no(), r.prot_type(), r.param_bytes()),
                        (sp.policy_no, sp.prot_type, sp.param_bytes())
                    );
                    assert!(r.params().eq(sp.params()));
                    assert_eq!(r.srtp(), sp.srtp());
                }
                Payload::V(ver) => {
                    assert_eq!(p.verification(), Some((ver.auth_alg, &*ver.mac)))
                }
                _ => {}
            }
        }
        assert_eq!(pos, slow.as_ref().unwrap().3);
    }
    ok
}

/// Every truncation, every single-bit flip, and a few replacement values at every byte.
fn check_mutations(b: &[u8]) -> usize {
    let mut ok = check(b);
    for n in 0..b.len() {
        ok += check(&b[..n]);
    }
    let mut m = b.to_vec();
    for i in 0..b.len() {
        for bit in 0..8 {
            m[i] ^= 1 << bit;
            ok += check(&m);
            m[i] ^= 1 << bit;
        }
        for v in [
            0u8,
            1,
            2,
            0x14,
            0xff,
            b[i].wrapping_add(1),
            b[i].wrapping_sub(1),
        ] {
            m[i] = v;
            ok += check(&m);
        }
        m[i] = b[i];
    }
    let mut t = b.to_vec();
    t.push(0);
    ok += check(&t);
    t.push(0);
    ok += check(&t);
    ok
}

fn vectors() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testvectors");
    let mut out = Vec::new();
    for d in [dir.clone(), dir.join("nonconformant")] {
        let mut names: Vec<_> = std::fs::read_dir(&d)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| !p.to_string_lossy().contains("fragment"))
            .collect();
        names.sort();
        for p in names {
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            match p.extension().and_then(|e| e.to_str()) {
                Some("hex") => out.push(
                    (0..text.len())
                        .step_by(2)
                        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
                        .collect(),
                ),
                Some("b64") => out.push(
                    base64::engine::general_purpose::STANDARD
                        .decode(&text)
                        .unwrap(),
                ),
                _ => {}
            }
        }
    }
    out
}

/// A KEMAC plaintext of key data with salt and SPI, with an interval, and plain.
fn synthetic_keys() -> Vec<u8> {
    let mut kd = KeyDataList::default();
    kd.keys.push(KeyData {
        key_type: KeyDataType::TekSalt,
        key: vec![1; 16].into(),
        salt: Some(vec![2; 14].into()),
        kv: KeyValidity::Spi(vec![0, 0, 0, 1].into()),
    });
    kd.keys.push(KeyData {
        key_type: KeyDataType::Tgk,
        key: vec![3; 16].into(),
        salt: None,
        kv: KeyValidity::Interval {
            from: vec![0; 6].into(),
            to: vec![0xff; 6].into(),
        },
    });
    kd.keys.push(KeyData::new(KeyDataType::Tek, vec![4; 16]));
    let mut plain = Vec::new();
    kd.encode(&mut plain).unwrap();
    plain
}

/// T, RAND, the GStreamer SP quirk, SP, ID with and without a NUL, CERT, ERR, a
/// NULL-encrypted KEMAC of `plain`, V and SIGN after header `h`.
fn synthetic_fast_paths(h: Header<'static>, plain: &[u8]) -> Vec<u8> {
    let mut gst = SecurityPolicy::new(0, ProtType::Srtp);
    gst.push(2, &[1]).unwrap();
    gst.push(3, &[10]).unwrap();
    Message::new(h)
        .with(Payload::T(Timestamp::counter(7)))
        .with(Payload::Rand(Rand {
            rand: vec![9; 16].into(),
        }))
        .with(Payload::Sp(gst))
        .with(Payload::Sp(
            SrtpPolicy::aes_cm_128_hmac_sha1_80().to_payload(1).unwrap(),
        ))
        .with(Payload::Id(Id {
            id_type: IdType::Uri,
            data: b"sip:a@b\0".to_vec().into(),
        }))
        .with(Payload::Id(Id {
            id_type: IdType::Nai,
            data: b"a@b".to_vec().into(),
        }))
        .with(Payload::Cert(Cert {
            cert_type: CertType::from_wire(0),
            data: vec![0x30; 5].into(),
        }))
        .with(Payload::Err(ErrorPayload {
            error_no: ErrorNo::from_wire(5),
            reserved: 0,
        }))
        .with(Payload::Kemac(Kemac {
            encr_alg: EncrAlg::Null,
            encr_data: plain.to_vec().into(),
            mac_alg: MacAlg::HmacSha1_160,
            mac: vec![8; 20].into(),
        }))
        .with(Payload::V(Verification {
            auth_alg: MacAlg::HmacSha1_160,
            mac: vec![7; 20].into(),
        }))
        .with(Payload::Sign(Sign {
            sign_type: SignType::from_wire(0),
            signature: vec![6; 8].into(),
        }))
        .encode()
        .unwrap()
}

/// Messages exercising every fast path and its fallbacks: key data with salt, SPI and
/// interval, ID with and without a NUL, CERT, V, ERR, SIGN, the GStreamer SP quirk, an
/// Empty map, and payload types the fast path leaves to the full parsers.
fn synthetic() -> Vec<Vec<u8>> {
    let plain = synthetic_keys();
    let mut h = Header::new(DataType::PskInit, 0x01020304);
    h.cs_map = CsIdMap::SrtpId(
        SrtpIdMap::from_entries(&[SrtpCs {
            policy_no: 0,
            ssrc: 5,
            roc: 6,
        }])
        .unwrap(),
    );
    let a = synthetic_fast_paths(h.clone(), &plain);
    let mut e = Header::new(DataType::PkInit, 9);
    e.cs_map = CsIdMap::Empty { count: 2 };
    let mut with_id = Vec::new();
    Id {
        id_type: IdType::Nai,
        data: b"x@y".to_vec().into(),
    }
    .encode(PayloadType::KeyData, &mut with_id)
    .unwrap();
    with_id.extend_from_slice(&plain);
    let b = Message::new(e)
        .with(Payload::Tr(TimestampRole {
            role: TsRole::from_wire(0),
            ts: Timestamp::ntp_utc(1),
        }))
        .with(Payload::Kemac(Kemac {
            encr_alg: EncrAlg::Null,
            encr_data: with_id.into(),
            mac_alg: MacAlg::Null,
            mac: Vec::new().into(),
        }))
        .with(Payload::KeyData(KeyData::new(KeyDataType::Tgk, vec![1; 4])))
        .encode()
        .unwrap();
    let c = Message::new(h)
        .with(Payload::Kemac(Kemac {
            encr_alg: EncrAlg::AesCm128,
            encr_data: vec![0x55; 40].into(),
            mac_alg: MacAlg::HmacSha256_256,
            mac: vec![1; 32].into(),
        }))
        .encode()
        .unwrap();
    vec![a, b, c]
}

#[test]
fn fast_validation_matches_the_full_parsers() {
    let v = vectors();
    assert!(v.len() >= 30, "{}", v.len());
    let mut ok = 0;
    for b in v.iter().chain(synthetic().iter()) {
        ok += check_mutations(b);
    }
    // Many mutations still parse (and so are walked and compared payload by payload).
    assert!(ok > 10_000, "{ok}");
}

#[test]
fn synthetic_messages_parse_with_their_quirks() {
    let s = synthetic();
    let e = MessageView::parse(&s[0]).unwrap_err();
    assert_eq!(e.field, "Session Auth. key length");
    let v = MessageView::parse_with(&s[0], ParseOptions::LENIENT).unwrap();
    assert!(v.quirks().contains(Quirk::SrtpAuthKeyLen10));
    assert!(v.quirks().contains(Quirk::NulTerminatedId));
    assert_eq!(v.walk().count(), 11);
    for b in &s[1..] {
        let v = MessageView::parse(b).unwrap();
        assert!(v.walk().count() >= 1);
    }
}

#[test]
fn refs_do_not_show_content() {
    let s = synthetic();
    let v = MessageView::parse_with(&s[0], ParseOptions::LENIENT).unwrap();
    let k = v.walk().find_map(|p| p.kemac()).unwrap();
    assert_eq!(k.encr_alg(), EncrAlg::Null);
    let shown = format!("{k:?} {:?}", v.walk().collect::<Vec<_>>());
    assert!(!shown.contains("[1, 1"), "{shown}");
    assert!(shown.contains("encr_data_len: "));
}

#[test]
fn an_idr_length_with_its_high_octet_zeroed_is_a_lenient_quirk() {
    let uri = format!("sip:{}@example.org", "u".repeat(300));
    let idr = |role, data: &str| {
        Payload::Idr(IdRoleId {
            role,
            id: Id::uri(data),
        })
    };
    let m = Message::new(Header::new(DataType::Sakke, 7))
        .with(idr(IdRole::InitiatorKms, &uri))
        .with(idr(IdRole::ResponderKms, "kms.example.org"))
        .with(Payload::Rand(Rand {
            rand: vec![0x21; 16].into(),
        }));
    let good = m.encode().unwrap();
    let at = Header::new(DataType::Sakke, 7).encoded_len() + 3;
    assert_eq!(
        good[at..at + 2],
        u16::try_from(uri.len()).unwrap().to_be_bytes()
    );
    // Well-formed: the same in both modes, nothing reported.
    let v = MessageView::parse_with(&good, ParseOptions::LENIENT).unwrap();
    assert!(v.quirks().is_empty());
    let mut bad = good.clone();
    bad[at] = 0;
    let e = MessageView::parse(&bad).unwrap_err();
    assert_eq!(e.payload, "IDR");
    let (back, q) = Message::parse_with(&bad, ParseOptions::LENIENT).unwrap();
    assert!(q.contains(Quirk::IdrLenHighOctetZero));
    assert_eq!(back, Message::parse(&good).unwrap());
    let v = MessageView::parse_with(&bad, ParseOptions::LENIENT).unwrap();
    assert_eq!(v.walk().count(), 3);
    // A length that leaves text over, but not a multiple of 256 octets: refused.
    let mut odd = good.clone();
    odd[at] = 0;
    odd[at + 1] -= 1;
    assert!(MessageView::parse_with(&odd, ParseOptions::LENIENT).is_err());
}
