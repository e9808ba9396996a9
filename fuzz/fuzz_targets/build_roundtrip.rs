//! Structure-aware (issue 14): builds a message from typed parts read off the input with
//! `arbitrary` (any codes, lengths short or at and just past their fields' maxima, any
//! payload order), then encodes it. What the encoder accepts is exactly `encoded_len`
//! bytes and parses back (lenient: device quirks such as a NUL-terminated NAI are values
//! too) to the same message; what it refuses is a typed error, with nothing written.
#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use mikey::wire::*;
use std::borrow::Cow;

/// A length: short, or at or one past a field maximum (255, 4095, 16383, 65535).
fn len(u: &mut Unstructured<'_>) -> Result<usize> {
    Ok(match u.int_in_range(0u8..=9)? {
        0 => 255,
        1 => 256,
        2 => 4095,
        3 => 4096,
        4 => 16_383,
        5 => 16_384,
        6 => 65_535,
        7 => 65_536,
        _ => u.int_in_range(0usize..=40)?,
    })
}

/// `len` bytes: from the input while it lasts (so NUL terminators and text occur), then a
/// filler.
fn data(u: &mut Unstructured<'_>) -> Result<Cow<'static, [u8]>> {
    let n = len(u)?;
    let take = n.min(u.len()).min(64);
    let mut v = u.bytes(take)?.to_vec();
    v.resize(n, 0x5a);
    Ok(Cow::Owned(v))
}

fn kv(u: &mut Unstructured<'_>) -> Result<KeyValidity<'static>> {
    Ok(match u.int_in_range(0u8..=2)? {
        0 => KeyValidity::Null,
        1 => KeyValidity::Spi(data(u)?),
        _ => KeyValidity::Interval {
            from: data(u)?,
            to: data(u)?,
        },
    })
}

fn key_data(u: &mut Unstructured<'_>) -> Result<KeyData<'static>> {
    let key_type = KeyDataType::from_wire(u.int_in_range(0u8..=17)?);
    let salt = match u.arbitrary::<bool>()? {
        true => Some(data(u)?),
        false => None,
    };
    Ok(KeyData {
        key_type,
        key: data(u)?,
        salt,
        kv: kv(u)?,
    })
}

/// A KEMAC: encrypted (any data) or NULL (a key data chain built here, or raw bytes).
fn kemac(u: &mut Unstructured<'_>) -> Result<Kemac<'static>> {
    let mac_alg = MacAlg::from_wire(u.int_in_range(0u8..=3)?);
    let mac_len = match u.arbitrary::<bool>()? {
        true => mac_alg.mac_len().unwrap_or(20),
        false => u.int_in_range(0usize..=33)?,
    };
    let (encr_alg, encr_data) = match u.int_in_range(0u8..=2)? {
        0 => {
            let n = u.int_in_range(0usize..=3)?;
            let keys = (0..n).map(|_| key_data(u)).collect::<Result<Vec<_>>>()?;
            let id = match u.arbitrary::<bool>()? {
                true => Some(Id {
                    id_type: IdType::from_wire(u.arbitrary()?),
                    data: data(u)?,
                }),
                false => None,
            };
            let mut plain = Vec::new();
            // A chain that does not encode stays empty: the KEMAC is then built empty.
            let _ = KeyDataList { id, keys }.encode(&mut plain);
            (EncrAlg::Null, Cow::Owned(plain))
        }
        1 => (EncrAlg::Null, data(u)?),
        _ => (EncrAlg::from_wire(u.int_in_range(1u8..=5)?), data(u)?),
    };
    Ok(Kemac {
        encr_alg,
        encr_data,
        mac_alg,
        mac: Cow::Owned(vec![0xab; mac_len]),
    })
}

fn ticket(u: &mut Unstructured<'_>) -> Result<TicketPayload<'static>> {
    let opt = |u: &mut Unstructured<'_>| -> Result<Option<Cow<'static, [u8]>>> {
        Ok(match u.arbitrary::<bool>()? {
            true => Some(data(u)?),
            false => None,
        })
    };
    Ok(TicketPayload {
        ticket_type: TicketType::from_wire(u.arbitrary()?),
        subtype: u.arbitrary()?,
        version: u.arbitrary()?,
        prf: PrfFunc::from_wire(u.arbitrary()?),
        flags: u.int_in_range(0u32..=0x3_ffff)?,
        tp_data: data(u)?,
        ticket_data: opt(u)?,
        initiator_data: opt(u)?,
    })
}

fn payload(u: &mut Unstructured<'_>) -> Result<Payload<'static>> {
    Ok(match u.int_in_range(0u8..=19)? {
        0 => Payload::Kemac(kemac(u)?),
        1 => Payload::Pke(Pke {
            cache: CacheType::from_wire(u.int_in_range(0u8..=4)?),
            data: data(u)?,
        }),
        2 => {
            let group = DhGroup::from_wire(u.int_in_range(0u8..=3)?);
            let n = match u.arbitrary::<bool>()? {
                true => group.value_len().unwrap_or(1),
                false => u.int_in_range(0usize..=200)?,
            };
            Payload::Dh(Dh {
                group,
                value: Cow::Owned(vec![7; n]),
                reserved: u.int_in_range(0u8..=16)?,
                kv: kv(u)?,
            })
        }
        3 => Payload::Sign(Sign {
            sign_type: SignType::from_wire(u.int_in_range(0u8..=16)?),
            signature: data(u)?,
        }),
        4 => Payload::T(Timestamp {
            ts_type: TsType::from_wire(u.int_in_range(0u8..=4)?),
            value: u.arbitrary()?,
        }),
        5 => Payload::Id(Id {
            id_type: IdType::from_wire(u.arbitrary()?),
            data: data(u)?,
        }),
        6 => Payload::Cert(Cert {
            cert_type: CertType::from_wire(u.arbitrary()?),
            data: data(u)?,
        }),
        7 => {
            let hash_func = HashFunc::from_wire(u.int_in_range(0u8..=3)?);
            let n = hash_func.hash_len().unwrap_or(u.int_in_range(0usize..=40)?);
            Payload::Chash(Chash {
                hash_func,
                hash: Cow::Owned(vec![3; n]),
            })
        }
        8 => {
            let auth_alg = MacAlg::from_wire(u.int_in_range(0u8..=3)?);
            let n = auth_alg.mac_len().unwrap_or(u.int_in_range(0usize..=40)?);
            Payload::V(Verification {
                auth_alg,
                mac: Cow::Owned(vec![9; n]),
            })
        }
        9 => {
            let mut sp = SecurityPolicy::new(u.arbitrary()?, ProtType::from_wire(u.arbitrary()?));
            for _ in 0..u.int_in_range(0u8..=6)? {
                // Refused parameters are not added (tested in tests/wire_limits.rs).
                let _ = sp.push(u.arbitrary()?, &data(u)?);
            }
            Payload::Sp(sp)
        }
        10 => Payload::Rand(Rand { rand: data(u)? }),
        11 => Payload::Err(ErrorPayload {
            error_no: ErrorNo::from_wire(u.arbitrary()?),
            reserved: u.arbitrary()?,
        }),
        12 => Payload::KeyData(key_data(u)?),
        13 => Payload::GenExt(GeneralExtension {
            ext_type: GenExtType::from_wire(u.arbitrary()?),
            data: data(u)?,
        }),
        14 => Payload::Tr(TimestampRole {
            role: TsRole::from_wire(u.arbitrary()?),
            ts: Timestamp {
                ts_type: TsType::from_wire(u.int_in_range(0u8..=4)?),
                value: u.arbitrary()?,
            },
        }),
        15 => Payload::Idr(IdRoleId {
            role: IdRole::from_wire(u.arbitrary()?),
            id: Id {
                id_type: IdType::from_wire(u.arbitrary()?),
                data: data(u)?,
            },
        }),
        16 => Payload::Randr(RandRoleRand {
            role: RandRole::from_wire(u.arbitrary()?),
            rand: data(u)?,
        }),
        17 => Payload::Tp(TicketPolicy(ticket(u)?)),
        18 => Payload::Ticket(Ticket(ticket(u)?)),
        _ => Payload::Sakke(SakkePayload {
            params: SakkeParams::from_wire(u.arbitrary()?),
            id_scheme: SakkeIdScheme::from_wire(u.arbitrary()?),
            data: data(u)?,
        }),
    })
}

fn header(u: &mut Unstructured<'_>) -> Result<Header<'static>> {
    let mut h = Header::new(DataType::from_wire(u.arbitrary()?), u.arbitrary()?);
    h.v = u.arbitrary()?;
    h.prf = PrfFunc::from_wire(u.arbitrary()?);
    h.cs_map = match u.int_in_range(0u8..=2)? {
        0 => {
            let n = match u.arbitrary::<bool>()? {
                true => u.int_in_range(254usize..=256)?,
                false => u.int_in_range(0usize..=4)?,
            };
            let cs: Vec<SrtpCs> = (0..n)
                .map(|i| SrtpCs {
                    policy_no: i as u8,
                    ssrc: i as u32,
                    roc: 0,
                })
                .collect();
            match SrtpIdMap::from_entries(&cs) {
                Ok(m) => CsIdMap::SrtpId(m),
                Err(e) => {
                    assert!(n > 255 && e.field == "#CS", "{n} sessions: {e}");
                    CsIdMap::Empty { count: 0 }
                }
            }
        }
        1 => CsIdMap::Empty {
            count: u.arbitrary()?,
        },
        _ => {
            let mut g = GenericIdMap::default();
            for i in 0..u.int_in_range(0u8..=3)? {
                let ps = vec![0; u.int_in_range(0usize..=128)?];
                let before = g.len();
                let r = g.push(i, ProtType::Srtp, u.arbitrary()?, &ps, &data(u)?, &data(u)?);
                let added = g.len() - before;
                assert_eq!(
                    added,
                    usize::from(r.is_ok()),
                    "refused sessions are not added"
                );
            }
            CsIdMap::GenericId(g)
        }
    };
    Ok(h)
}

fn message(u: &mut Unstructured<'_>) -> Result<Message<'static>> {
    let header = header(u)?;
    let n = u.int_in_range(0u8..=8)?;
    let payloads = (0..n).map(|_| payload(u)).collect::<Result<Vec<_>>>()?;
    Ok(Message { header, payloads })
}

fuzz_target!(|input: &[u8]| {
    let mut u = Unstructured::new(input);
    let Ok(m) = message(&mut u) else {
        return;
    };
    let mut out = vec![0xee];
    match m.encode_into(&mut out) {
        Ok(()) => {
            let b = &out[1..];
            assert_eq!(b.len(), m.encoded_len(), "encoded_len is exact");
            let (back, _) = Message::parse_with(b, ParseOptions::LENIENT)
                .unwrap_or_else(|e| panic!("the encoder emitted a broken message: {e}"));
            assert_eq!(back, m, "parse(encode(m)) != m");
        }
        Err(e) => {
            assert_eq!(out, [0xee], "nothing written on error");
            assert_eq!(m.encode(), Err(e));
            if let EncodeErrorKind::TooLong { len, max } = e.kind {
                assert!(len > max, "{e}");
            }
            let _ = e.to_string();
        }
    }
});
