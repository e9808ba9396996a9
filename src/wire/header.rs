//! Common header payload (HDR) and the CS ID maps: RFC 3830 §6.1 (with erratum 2654: the
//! CS ID map info is of variable length), SRTP-ID map §6.1.1, Empty map RFC 4563 §5,
//! GENERIC-ID map RFC 6043 §6.1.1.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! !  version      !  data type    ! next payload  !V! PRF func    !
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! !                         CSB ID                                !
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ! #CS           ! CS ID map type! CS ID map info                ~
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use super::codes::{CsIdMapType, DataType, PayloadType, PrfFunc};
use super::encode::{code_bits, EncodeError};
use super::error::{ErrorKind, ParseError};
use super::reader::Reader;
use std::borrow::Cow;

const P: &str = "HDR";

#[path = "cs_map.rs"]
mod cs_map;
pub use cs_map::{GenericCs, GenericIdMap, SrtpCs, SrtpIdMap};

/// The HDR field layout (RFC 3830 §6.1), written once: the parser's fast path, the encoder
/// and `encoded_len` read it from here.
pub(crate) mod field {
    use core::ops::Range;
    /// Version.
    pub const VERSION: usize = 0;
    /// Data type.
    pub const DATA_TYPE: usize = 1;
    /// Next payload.
    pub const NEXT: usize = 2;
    /// V flag (top bit) and PRF func (7 bits).
    pub const V_PRF: usize = 3;
    /// CSB ID (32 bits).
    pub const CSB_ID: Range<usize> = 4..8;
    /// #CS.
    pub const N_CS: usize = 8;
    /// CS ID map type.
    pub const MAP_TYPE: usize = 9;
    /// CS ID map info from here.
    pub const MAP_INFO: usize = 10;
}

/// The MIKEY version this crate speaks (RFC 3830 §6.1).
pub const MIKEY_VERSION: u8 = 1;

/// Common header (RFC 3830 §6.1). The next payload field is not stored: the message
/// encoder derives it from the payload that follows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header<'a> {
    /// Message type.
    pub data_type: DataType,
    /// V flag: a verification message is requested.
    pub v: bool,
    /// PRF used for key derivation.
    pub prf: PrfFunc,
    /// Crypto session bundle ID.
    pub csb_id: u32,
    /// The crypto session map.
    pub cs_map: CsIdMap<'a>,
}

impl<'a> Header<'a> {
    /// A header with an empty SRTP-ID map.
    pub fn new(data_type: DataType, csb_id: u32) -> Self {
        Self {
            data_type,
            v: false,
            prf: PrfFunc::Mikey1,
            csb_id,
            cs_map: CsIdMap::SrtpId(SrtpIdMap::default()),
        }
    }

    /// Parses a header; returns it and the first payload type.
    pub fn parse(r: &mut Reader<'a>) -> Result<(Self, PayloadType), ParseError> {
        let b = r.fields(P);
        let version = b.u8(field::VERSION, "version")?;
        if version != MIKEY_VERSION {
            return Err(b.error(
                field::VERSION,
                "version",
                ErrorKind::InvalidValue {
                    value: version.into(),
                    expected: "1 (RFC 3830)",
                },
            ));
        }
        let data_type = DataType::from_wire(b.u8(field::DATA_TYPE, "data type")?);
        let next = PayloadType::from_wire(b.u8(field::NEXT, "next payload")?);
        let vp = b.u8(field::V_PRF, "V/PRF func")?;
        let csb_id = b.u32(field::CSB_ID, "CSB ID")?;
        let n_cs = b.u8(field::N_CS, "#CS")?;
        let map_type = CsIdMapType::from_wire(b.u8(field::MAP_TYPE, "CS ID map type")?);
        r.advance(field::MAP_INFO);
        let cs_map = CsIdMap::parse(map_type, n_cs, r)?;
        Ok((
            Self {
                data_type,
                v: vp & 0x80 != 0,
                prf: PrfFunc::from_wire(vp & 0x7f),
                csb_id,
                cs_map,
            },
            next,
        ))
    }

    /// The common case of [`Header::parse`] without its error paths: a header at the start
    /// of `b` with an SRTP-ID or Empty map. Returns the header, the first payload type and
    /// the header's length; `None` whenever [`Header::parse`] must decide (any error, or a
    /// GENERIC-ID or unknown map), so the result is always what [`Header::parse`] returns.
    #[inline]
    pub(crate) fn parse_fast(b: &'a [u8]) -> Option<(Self, PayloadType, usize)> {
        let head: [u8; field::MAP_INFO] = b.get(..field::MAP_INFO)?.try_into().ok()?;
        if head[field::VERSION] != MIKEY_VERSION {
            return None;
        }
        let n_cs = head[field::N_CS];
        let (cs_map, len) = match CsIdMapType::from_wire(head[field::MAP_TYPE]) {
            CsIdMapType::SrtpId => {
                let len = field::MAP_INFO + cs_map::srtp_field::LEN * n_cs as usize;
                let raw = b.get(field::MAP_INFO..len)?;
                (
                    CsIdMap::SrtpId(SrtpIdMap {
                        raw: Cow::Borrowed(raw),
                    }),
                    len,
                )
            }
            CsIdMapType::Empty => (CsIdMap::Empty { count: n_cs }, field::MAP_INFO),
            _ => return None,
        };
        let vp = head[field::V_PRF];
        let mut csb = [0u8; 4];
        csb.copy_from_slice(&head[field::CSB_ID]);
        Some((
            Self {
                data_type: DataType::from_wire(head[field::DATA_TYPE]),
                v: vp & 0x80 != 0,
                prf: PrfFunc::from_wire(vp & 0x7f),
                csb_id: u32::from_be_bytes(csb),
                cs_map,
            },
            PayloadType::from_wire(head[field::NEXT]),
            len,
        ))
    }

    /// Encoded length in bytes.
    pub fn encoded_len(&self) -> usize {
        field::MAP_INFO + self.cs_map.info_len()
    }

    /// Appends the header with `next` as its next payload field. The PRF func must fit its
    /// 7 bits; on error nothing is written.
    pub fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let prf = code_bits(P, "PRF func", self.prf.to_wire().into(), 7)? as u8;
        // One write for the ten fixed bytes.
        let mut head = [0u8; field::MAP_INFO];
        head[field::VERSION] = MIKEY_VERSION;
        head[field::DATA_TYPE] = self.data_type.to_wire();
        head[field::NEXT] = next.to_wire();
        head[field::V_PRF] = (u8::from(self.v) << 7) | prf;
        head[field::CSB_ID].copy_from_slice(&self.csb_id.to_be_bytes());
        head[field::N_CS] = self.cs_map.count();
        head[field::MAP_TYPE] = self.cs_map.map_type().to_wire();
        out.extend_from_slice(&head);
        self.cs_map.encode_info(out);
        Ok(())
    }

    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> Header<'static> {
        Header {
            cs_map: self.cs_map.into_owned(),
            ..self
        }
    }
}

/// The CS ID map: which crypto sessions the bundle holds (RFC 3830 §6.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CsIdMap<'a> {
    /// SRTP-ID map (RFC 3830 §6.1.1).
    SrtpId(SrtpIdMap<'a>),
    /// Empty map (RFC 4563 §5): the policy is conveyed outside MIKEY. `count` is the #CS
    /// field, kept for an exact round trip.
    Empty {
        /// The #CS field.
        count: u8,
    },
    /// GENERIC-ID map (RFC 6043 §6.1.1).
    GenericId(GenericIdMap<'a>),
}

impl<'a> CsIdMap<'a> {
    fn parse(map_type: CsIdMapType, n: u8, r: &mut Reader<'a>) -> Result<Self, ParseError> {
        match map_type {
            CsIdMapType::SrtpId => {
                let raw = r.take(
                    cs_map::srtp_field::LEN * n as usize,
                    P,
                    "CS ID map info (SRTP-ID)",
                )?;
                Ok(Self::SrtpId(SrtpIdMap {
                    raw: Cow::Borrowed(raw),
                }))
            }
            CsIdMapType::Empty => Ok(Self::Empty { count: n }),
            CsIdMapType::GenericId => {
                let start = r.rest();
                let before = r.remaining();
                for _ in 0..n {
                    GenericCs::read(r)?;
                }
                let used = before - r.remaining();
                Ok(Self::GenericId(GenericIdMap {
                    count: n,
                    raw: Cow::Borrowed(&start[..used]),
                }))
            }
            CsIdMapType::Unknown(v) => Err(r.error_back(
                1,
                P,
                "CS ID map type",
                ErrorKind::UnknownLayout { value: v.into() },
            )),
        }
    }

    /// The map type code.
    pub fn map_type(&self) -> CsIdMapType {
        match self {
            Self::SrtpId(_) => CsIdMapType::SrtpId,
            Self::Empty { .. } => CsIdMapType::Empty,
            Self::GenericId(_) => CsIdMapType::GenericId,
        }
    }

    /// The #CS field.
    pub fn count(&self) -> u8 {
        match self {
            // At most 255 entries: `SrtpIdMap::push` refuses more, a parsed map has #CS.
            Self::SrtpId(m) => m.len().min(255) as u8,
            Self::Empty { count } => *count,
            Self::GenericId(m) => m.count,
        }
    }

    fn info_len(&self) -> usize {
        match self {
            Self::SrtpId(m) => m.raw.len(),
            Self::Empty { .. } => 0,
            Self::GenericId(m) => m.raw.len(),
        }
    }

    fn encode_info(&self, out: &mut Vec<u8>) {
        match self {
            Self::SrtpId(m) => out.extend_from_slice(&m.raw),
            Self::Empty { .. } => {}
            Self::GenericId(m) => out.extend_from_slice(&m.raw),
        }
    }

    /// A copy borrowing this map's bytes (no allocation), e.g. to put an owned map into a
    /// message header.
    pub fn borrowed(&self) -> CsIdMap<'_> {
        match self {
            Self::SrtpId(m) => CsIdMap::SrtpId(SrtpIdMap {
                raw: Cow::Borrowed(&m.raw),
            }),
            Self::Empty { count } => CsIdMap::Empty { count: *count },
            Self::GenericId(m) => CsIdMap::GenericId(GenericIdMap {
                count: m.count,
                raw: Cow::Borrowed(&m.raw),
            }),
        }
    }

    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> CsIdMap<'static> {
        match self {
            Self::SrtpId(m) => CsIdMap::SrtpId(SrtpIdMap {
                raw: Cow::Owned(m.raw.into_owned()),
            }),
            Self::Empty { count } => CsIdMap::Empty { count },
            Self::GenericId(m) => CsIdMap::GenericId(GenericIdMap {
                count: m.count,
                raw: Cow::Owned(m.raw.into_owned()),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::codes::ProtType;

    #[test]
    fn gstreamer_create_common_bytes() {
        // gst-mikey-test-create-common-hdr-nocs.hex and the 2-CS fragment (GStreamer tests).
        let nocs = [0x01, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00];
        let (h, next) = Header::parse(&mut Reader::new(&nocs)).unwrap();
        assert_eq!(next, PayloadType::Last);
        assert_eq!(h.csb_id, 0x12345678);
        assert_eq!(h.cs_map.count(), 0);
        let mut out = Vec::new();
        h.encode(next, &mut out).unwrap();
        assert_eq!(out, nocs);

        let mut h2 = Header::new(DataType::PskInit, 0x12345678);
        h2.cs_map = CsIdMap::SrtpId(
            SrtpIdMap::from_entries(&[
                SrtpCs {
                    policy_no: 1,
                    ssrc: 0x12345678,
                    roc: 0,
                },
                SrtpCs {
                    policy_no: 2,
                    ssrc: 0x23456789,
                    roc: 1,
                },
            ])
            .unwrap(),
        );
        let mut out = Vec::new();
        h2.encode(PayloadType::Last, &mut out).unwrap();
        let frag = [
            0x01, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00, 0x02, 0x23, 0x45, 0x67, 0x89,
            0x00, 0x00, 0x00, 0x01,
        ];
        assert_eq!(&out[10..], &frag);
        assert_eq!(out[8], 2);
    }

    #[test]
    fn unknown_map_type_is_an_error_with_offset() {
        let b = [0x01, 0x00, 0x00, 0x00, 0, 0, 0, 1, 0x01, 0x09];
        let e = Header::parse(&mut Reader::new(&b)).unwrap_err();
        assert_eq!(e.offset, 9);
        assert_eq!(e.field, "CS ID map type");
    }

    #[test]
    fn generic_id_map_round_trip() {
        let mut m = GenericIdMap::default();
        m.push(
            4,
            ProtType::Srtp,
            true,
            &[0],
            &[0, 0, 0, 9, 0, 0, 0, 1, 0, 7],
            &[1, 2, 3, 4],
        )
        .unwrap();
        let mut h = Header::new(DataType::Sakke, 7);
        h.cs_map = CsIdMap::GenericId(m);
        let mut out = Vec::new();
        h.encode(PayloadType::Last, &mut out).unwrap();
        let (h2, _) = Header::parse(&mut Reader::new(&out)).unwrap();
        assert_eq!(h2, h);
        let CsIdMap::GenericId(m2) = &h2.cs_map else {
            panic!()
        };
        let cs = m2.iter().next().unwrap();
        assert_eq!((cs.ssrc(), cs.roc(), cs.seq()), (Some(9), Some(1), Some(7)));
        assert_eq!(cs.spi, &[1, 2, 3, 4]);
    }
}
