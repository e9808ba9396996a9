//! Security policy payload (SP), RFC 3830 §6.10, with the SRTP policy parameters of
//! §6.10.1, RFC 4771 §4 (types 13-19) and RFC 7714 §14.3 (type 20).
//!
//! ```text
//! ! Next payload  ! Policy no     ! Prot type     ! Policy param  ~
//! ~ length (cont) ! Policy param                                  ~
//! each param:  ! Type          ! Length        ! Value                         ~
//! ```
//! Parameters are kept as the TLV bytes they arrived as, so unknown types and unusual value
//! lengths round-trip exactly; [`SrtpPolicy`] gives them typed meaning.

use super::codes::{
    FecOrder, PayloadType, ProtType, SrtpAuthAlg, SrtpEncrAlg, SrtpParamType, SrtpPrf,
};
use super::ctx::{ParseCtx, PayloadBody, Quirk};
use super::encode::{fit, len_u16, len_u8, EncodeError};
use super::error::{ErrorKind, ParseError};
use super::reader::Reader;
use super::{own, Data};
use std::borrow::Cow;

const P: &str = "SP";

/// The field layout (RFC 3830 §6.10), written once: the parser, the encoder, the fast walk
/// ([`walk`](super::walk)) and [`SpRef`](super::SpRef) all read it from here.
pub(crate) mod field {
    use core::ops::Range;
    /// Next payload.
    pub const NEXT: usize = 0;
    /// Policy no.
    pub const POLICY_NO: usize = 1;
    /// Prot type.
    pub const PROT_TYPE: usize = 2;
    /// Policy param length (16 bits).
    pub const PARAM_LEN: Range<usize> = 3..5;
    /// Policy param: the (type, length, value) parameters from here.
    pub const PARAMS: usize = 5;
}

/// The layout of one policy parameter in "Policy param" (RFC 3830 §6.10), from its first
/// byte.
pub(crate) mod param_field {
    /// Type.
    pub const TYPE: usize = 0;
    /// Length (8 bits).
    pub const LEN: usize = 1;
    /// Value: `Length` bytes from here.
    pub const VALUE: usize = 2;
}

/// One policy parameter (type, value), borrowed from the payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PolicyParam<'p> {
    /// Parameter type (for SRTP see [`SrtpParamType`]).
    pub param_type: u8,
    /// Parameter value.
    pub value: &'p [u8],
}

impl PolicyParam<'_> {
    /// The value as a big-endian unsigned integer, if it has 1 to 8 bytes.
    pub fn as_uint(&self) -> Option<u64> {
        if self.value.is_empty() || self.value.len() > 8 {
            return None;
        }
        Some(self.value.iter().fold(0u64, |a, b| (a << 8) | *b as u64))
    }
}

/// The (type, length, value) parameters of an SP payload's "Policy param" field (RFC 3830
/// §6.10), in order; stops at a truncated one.
#[inline]
pub(crate) fn params(mut rest: &[u8]) -> impl Iterator<Item = PolicyParam<'_>> + '_ {
    core::iter::from_fn(move || {
        use param_field as f;
        let (t, l) = (*rest.get(f::TYPE)?, *rest.get(f::LEN)? as usize);
        let (param, r) = rest.split_at_checked(f::VALUE + l)?;
        let value = param.get(f::VALUE..)?;
        rest = r;
        Some(PolicyParam {
            param_type: t,
            value,
        })
    })
}

/// The error of the policy parameter that `rest` (at absolute offset `at`) cuts short: its
/// Length or its Value (RFC 3830 §6.10). Out of line: a well-formed SP never builds it.
#[cold]
#[inline(never)]
fn param_error(rest: &[u8], at: usize) -> ParseError {
    use param_field as f;
    let b = Reader::with_base(rest, at).fields(P);
    let read = b
        .u8(f::TYPE, "param Type")
        .and_then(|_| b.u8(f::LEN, "param Length"))
        .and_then(|l| b.bytes(f::VALUE, usize::from(l), "param Value"));
    match read {
        Err(e) => e,
        // Not reached: the caller found this parameter incomplete.
        Ok(_) => b.error(
            f::VALUE,
            "param Value",
            ErrorKind::TrailingBytes { count: 0 },
        ),
    }
}

/// Security policy payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityPolicy<'a> {
    /// Policy number, referenced from the CS ID map.
    pub policy_no: u8,
    /// Security protocol.
    pub prot_type: ProtType,
    params: Data<'a>,
}

impl<'a> SecurityPolicy<'a> {
    /// An empty policy.
    pub fn new(policy_no: u8, prot_type: ProtType) -> SecurityPolicy<'static> {
        SecurityPolicy {
            policy_no,
            prot_type,
            params: Cow::Owned(Vec::new()),
        }
    }

    /// A policy over the raw parameter bytes (TLVs) of a validated SP payload.
    pub(crate) fn from_param_bytes(policy_no: u8, prot_type: ProtType, params: &'a [u8]) -> Self {
        SecurityPolicy {
            policy_no,
            prot_type,
            params: Cow::Borrowed(params),
        }
    }

    /// Appends a parameter (RFC 3830 §6.10). A value over 255 bytes (its 8-bit Length
    /// field), or one that would take the parameters past 65,535 bytes (the 16-bit Policy
    /// param length), is an error and nothing is added.
    pub fn push(&mut self, param_type: u8, value: &[u8]) -> Result<(), EncodeError> {
        let n = len_u8(P, "param Length", value.len())?;
        let total = self
            .params
            .len()
            .saturating_add(param_field::VALUE + value.len());
        fit(P, "Policy param length", total, u16::MAX.into())?;
        let mut head = [0u8; param_field::VALUE];
        head[param_field::TYPE] = param_type;
        head[param_field::LEN] = n;
        let v = self.params.to_mut();
        v.extend_from_slice(&head);
        v.extend_from_slice(value);
        Ok(())
    }

    /// The parameters in order.
    pub fn params(&self) -> impl Iterator<Item = PolicyParam<'_>> + '_ {
        params(&self.params)
    }

    /// The raw parameter bytes (TLVs).
    pub fn param_bytes(&self) -> &[u8] {
        &self.params
    }

    /// The SRTP meaning of the parameters (for prot type SRTP).
    pub fn srtp(&self) -> SrtpPolicy {
        SrtpPolicy::from_params(self.params())
    }

    /// A copy borrowing this policy's parameter bytes (no allocation).
    pub fn borrowed(&self) -> SecurityPolicy<'_> {
        SecurityPolicy {
            policy_no: self.policy_no,
            prot_type: self.prot_type,
            params: Cow::Borrowed(&self.params),
        }
    }

    /// Converts borrowed data into owned data.
    pub fn into_owned(self) -> SecurityPolicy<'static> {
        SecurityPolicy {
            policy_no: self.policy_no,
            prot_type: self.prot_type,
            params: own(self.params),
        }
    }
}

impl<'a> PayloadBody<'a> for SecurityPolicy<'a> {
    const TYPE: PayloadType = PayloadType::Sp;

    #[inline]
    fn parse(r: &mut Reader<'a>, ctx: &mut ParseCtx) -> Result<(Self, PayloadType), ParseError> {
        let b = r.fields(P);
        let next = PayloadType::from_wire(b.u8(field::NEXT, "next payload")?);
        let policy_no = b.u8(field::POLICY_NO, "Policy no")?;
        let prot_type = ProtType::from_wire(b.u8(field::PROT_TYPE, "Prot type")?);
        let n = b.u16(field::PARAM_LEN, "Policy param length")? as usize;
        let base = r.offset() + field::PARAMS;
        let params = b.bytes(field::PARAMS, n, "Policy param")?;
        r.advance(field::PARAMS + n);
        let (mut auth_hmac, mut key_len_10) = (false, false);
        let mut rest = params;
        while ctx.validate && !rest.is_empty() {
            use param_field as f;
            let l = rest.get(f::LEN).map(|l| f::VALUE + usize::from(*l));
            let Some((param, next)) = l.and_then(|l| rest.split_at_checked(l)) else {
                return Err(param_error(rest, base + params.len() - rest.len()));
            };
            if prot_type == ProtType::Srtp {
                let v = &param[f::VALUE..];
                match SrtpParamType::from_wire(param[f::TYPE]) {
                    SrtpParamType::AuthAlg => auth_hmac = v == [1],
                    SrtpParamType::AuthKeyLen => key_len_10 = v == [10],
                    _ => {}
                }
            }
            rest = next;
        }
        if auth_hmac && key_len_10 {
            // GStreamer writes the 80-bit tag length into "Session Auth. key length".
            if !ctx.lenient {
                return Err(ParseError::new(
                    P,
                    "Session Auth. key length",
                    base,
                    ErrorKind::InvalidValue { value: 10, expected: "20 for HMAC-SHA-1 (10 is GStreamer's tag length; lenient mode accepts it)" },
                ));
            }
            ctx.quirk(Quirk::SrtpAuthKeyLen10);
        }
        Ok((
            Self {
                policy_no,
                prot_type,
                params: Cow::Borrowed(params),
            },
            next,
        ))
    }

    fn encoded_len(&self) -> usize {
        field::PARAMS + self.params.len()
    }

    #[inline]
    fn encode(&self, next: PayloadType, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        // Built by `push` or parsed: whole TLVs, at most 65,535 bytes.
        let n = len_u16(P, "Policy param length", self.params.len())?.to_be_bytes();
        let mut head = [0u8; field::PARAMS];
        head[field::NEXT] = next.to_wire();
        head[field::POLICY_NO] = self.policy_no;
        head[field::PROT_TYPE] = self.prot_type.to_wire();
        head[field::PARAM_LEN].copy_from_slice(&n);
        out.extend_from_slice(&head);
        out.extend_from_slice(&self.params);
        Ok(())
    }
}

/// Typed SRTP policy (RFC 3830 §6.10.1; RFC 4771; RFC 7714). `None` means the parameter was
/// absent (the SRTP default applies). Parameters of unknown types, or whose values do not
/// decode, are listed in `unknown`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SrtpPolicy {
    /// Type 0.
    pub encr_alg: Option<SrtpEncrAlg>,
    /// Type 1, bytes.
    pub encr_key_len: Option<u8>,
    /// Type 2.
    pub auth_alg: Option<SrtpAuthAlg>,
    /// Type 3, bytes.
    pub auth_key_len: Option<u8>,
    /// Type 4, bytes.
    pub salt_key_len: Option<u8>,
    /// Type 5.
    pub prf: Option<SrtpPrf>,
    /// Type 6: key derivation rate (RFC 3711 §4.3.1; 0 = derive once).
    pub kdr: Option<u64>,
    /// Type 7.
    pub srtp_encryption: Option<bool>,
    /// Type 8.
    pub srtcp_encryption: Option<bool>,
    /// Type 9.
    pub fec_order: Option<FecOrder>,
    /// Type 10.
    pub srtp_authentication: Option<bool>,
    /// Type 11, bytes.
    pub auth_tag_len: Option<u8>,
    /// Type 12, bytes.
    pub prefix_len: Option<u8>,
    /// Type 13 (RFC 4771): ROC transmission rate.
    pub roc_tx_rate: Option<u16>,
    /// Type 14 (RFC 4771).
    pub srtp_auth_alg: Option<SrtpAuthAlg>,
    /// Type 15 (RFC 4771).
    pub srtcp_auth_alg: Option<SrtpAuthAlg>,
    /// Type 16 (RFC 4771), bytes.
    pub srtp_auth_key_len: Option<u8>,
    /// Type 17 (RFC 4771), bytes.
    pub srtcp_auth_key_len: Option<u8>,
    /// Type 18 (RFC 4771), bytes.
    pub srtp_auth_tag_len: Option<u8>,
    /// Type 19 (RFC 4771), bytes.
    pub srtcp_auth_tag_len: Option<u8>,
    /// Type 20 (RFC 7714), bytes.
    pub aead_auth_tag_len: Option<u8>,
    /// Parameters not understood: (type, value).
    pub unknown: Vec<(u8, Vec<u8>)>,
}

/// The SRTP parameter types [`SrtpPolicy::from_params`] knows: 0 to 20 (RFC 3830 §6.10.1,
/// RFC 4771, RFC 7714), one slot each.
const SLOTS: usize = SrtpParamType::AeadAuthTagLen.to_wire() as usize + 1;
/// The key derivation rate: up to 8 bytes, not a one-byte slot.
const KDR: usize = SrtpParamType::KeyDerivationRate.to_wire() as usize;
/// The ROC transmission rate (RFC 4771): 16 bits, not a one-byte slot.
const ROC_TX_RATE: usize = SrtpParamType::RocTxRate.to_wire() as usize;
/// The flags (0 or 1), one bit each.
const BOOLEANS: u32 = 1 << SrtpParamType::SrtpEncryption.to_wire()
    | 1 << SrtpParamType::SrtcpEncryption.to_wire()
    | 1 << SrtpParamType::SrtpAuthentication.to_wire();

impl SrtpPolicy {
    /// Decodes SRTP parameters; later duplicates win.
    pub fn from_params<'p>(params: impl Iterator<Item = PolicyParam<'p>>) -> Self {
        // Each one-byte parameter lands in its type's slot and the fields are filled from
        // the slots at the end: no branch on the type per parameter (a jump over 21 types
        // mispredicts on nearly every parameter of a policy decoded once per exchange).
        let mut slot = [None::<u8>; SLOTS];
        let (mut kdr, mut roc_tx_rate, mut unknown) = (None, None, Vec::new());
        for p in params {
            let t = usize::from(p.param_type);
            // Nearly every value is one byte: read it without the general integer decoding.
            let (u, u8v) = match *p.value {
                [x] => (Some(u64::from(x)), Some(x)),
                _ => {
                    let u = p.as_uint();
                    (u, u.and_then(|v| u8::try_from(v).ok()))
                }
            };
            let ok = match t {
                KDR => u.map(|v| kdr = Some(v)),
                // RFC 4771 says 16 bits; ALEA sends one byte: accept both.
                ROC_TX_RATE => u
                    .and_then(|v| u16::try_from(v).ok())
                    .map(|v| roc_tx_rate = Some(v)),
                t if t < SLOTS => u8v
                    .filter(|v| (BOOLEANS >> t) & 1 == 0 || *v <= 1)
                    .map(|v| slot[t] = Some(v)),
                _ => None,
            };
            if ok.is_none() {
                unknown.push((p.param_type, p.value.to_vec()));
            }
        }
        use SrtpParamType as T;
        let at = |t: T| slot.get(usize::from(t.to_wire())).copied().flatten();
        let flag = |t: T| at(t).map(|v| v == 1);
        let auth_alg = |t: T| at(t).map(SrtpAuthAlg::from_wire);
        SrtpPolicy {
            encr_alg: at(T::EncrAlg).map(SrtpEncrAlg::from_wire),
            encr_key_len: at(T::EncrKeyLen),
            auth_alg: auth_alg(T::AuthAlg),
            auth_key_len: at(T::AuthKeyLen),
            salt_key_len: at(T::SaltKeyLen),
            prf: at(T::Prf).map(SrtpPrf::from_wire),
            kdr,
            srtp_encryption: flag(T::SrtpEncryption),
            srtcp_encryption: flag(T::SrtcpEncryption),
            fec_order: at(T::FecOrder).map(FecOrder::from_wire),
            srtp_authentication: flag(T::SrtpAuthentication),
            auth_tag_len: at(T::AuthTagLen),
            prefix_len: at(T::PrefixLen),
            roc_tx_rate,
            srtp_auth_alg: auth_alg(T::SrtpAuthAlg),
            srtcp_auth_alg: auth_alg(T::SrtcpAuthAlg),
            srtp_auth_key_len: at(T::SrtpAuthKeyLen),
            srtcp_auth_key_len: at(T::SrtcpAuthKeyLen),
            srtp_auth_tag_len: at(T::SrtpAuthTagLen),
            srtcp_auth_tag_len: at(T::SrtcpAuthTagLen),
            aead_auth_tag_len: at(T::AeadAuthTagLen),
            unknown,
        }
    }

    /// Builds an SP payload carrying exactly the parameters that are set, in type order
    /// (RFC 3830 §6.10.1). The key derivation rate is sent in 4 bytes as RFC 3830 defines
    /// it; a larger one (RFC 3711 §4.3.1 allows at most 2^24), an unknown parameter over
    /// 255 bytes or parameters over 65,535 bytes in all are an error.
    pub fn to_payload(&self, policy_no: u8) -> Result<SecurityPolicy<'static>, EncodeError> {
        use SrtpParamType as T;
        // Written straight into one buffer sized first: at most 21 known parameters of up
        // to 6 bytes each, then the unknown ones.
        let unknown_len: usize = self.unknown.iter().map(|(_, v)| 2 + v.len().min(255)).sum();
        let mut v = Vec::with_capacity((21 * 6 + unknown_len).min(u16::MAX as usize));
        fn one(v: &mut Vec<u8>, t: T, x: Option<u8>) {
            if let Some(x) = x {
                v.extend_from_slice(&[t.to_wire(), 1, x]);
            }
        }
        let b = |x: Option<bool>| x.map(u8::from);
        one(&mut v, T::EncrAlg, self.encr_alg.map(|x| x.to_wire()));
        one(&mut v, T::EncrKeyLen, self.encr_key_len);
        one(&mut v, T::AuthAlg, self.auth_alg.map(|x| x.to_wire()));
        one(&mut v, T::AuthKeyLen, self.auth_key_len);
        one(&mut v, T::SaltKeyLen, self.salt_key_len);
        one(&mut v, T::Prf, self.prf.map(|x| x.to_wire()));
        if let Some(kdr) = self.kdr {
            let kdr = u32::try_from(kdr).map_err(|_| {
                let kind = super::EncodeErrorKind::TooLong { len: 8, max: 4 };
                EncodeError::new(P, "Key derivation rate", kind)
            })?;
            v.extend_from_slice(&[T::KeyDerivationRate.to_wire(), 4]);
            v.extend_from_slice(&kdr.to_be_bytes());
        }
        one(&mut v, T::SrtpEncryption, b(self.srtp_encryption));
        one(&mut v, T::SrtcpEncryption, b(self.srtcp_encryption));
        one(&mut v, T::FecOrder, self.fec_order.map(|x| x.to_wire()));
        one(&mut v, T::SrtpAuthentication, b(self.srtp_authentication));
        one(&mut v, T::AuthTagLen, self.auth_tag_len);
        one(&mut v, T::PrefixLen, self.prefix_len);
        if let Some(rate) = self.roc_tx_rate {
            let [x, y] = rate.to_be_bytes();
            v.extend_from_slice(&[T::RocTxRate.to_wire(), 2, x, y]);
        }
        one(
            &mut v,
            T::SrtpAuthAlg,
            self.srtp_auth_alg.map(|x| x.to_wire()),
        );
        one(
            &mut v,
            T::SrtcpAuthAlg,
            self.srtcp_auth_alg.map(|x| x.to_wire()),
        );
        one(&mut v, T::SrtpAuthKeyLen, self.srtp_auth_key_len);
        one(&mut v, T::SrtcpAuthKeyLen, self.srtcp_auth_key_len);
        one(&mut v, T::SrtpAuthTagLen, self.srtp_auth_tag_len);
        one(&mut v, T::SrtcpAuthTagLen, self.srtcp_auth_tag_len);
        one(&mut v, T::AeadAuthTagLen, self.aead_auth_tag_len);
        let mut sp = SecurityPolicy {
            policy_no,
            prot_type: ProtType::Srtp,
            params: Cow::Owned(v),
        };
        for (t, v) in &self.unknown {
            sp.push(*t, v)?;
        }
        Ok(sp)
    }

    /// The policy of AES_CM_128_HMAC_SHA1_80 spelled out (RFC 3711 defaults, RFC 4567
    /// practice).
    pub fn aes_cm_128_hmac_sha1_80() -> Self {
        Self {
            encr_alg: Some(SrtpEncrAlg::AesCm),
            encr_key_len: Some(16),
            auth_alg: Some(SrtpAuthAlg::HmacSha1),
            auth_key_len: Some(20),
            salt_key_len: Some(14),
            prf: Some(SrtpPrf::AesCm),
            srtp_encryption: Some(true),
            srtcp_encryption: Some(true),
            srtp_authentication: Some(true),
            auth_tag_len: Some(10),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srtp_policy_round_trip() {
        let p = SrtpPolicy {
            kdr: Some(0x10000),
            roc_tx_rate: Some(3),
            ..SrtpPolicy::aes_cm_128_hmac_sha1_80()
        };
        let sp = p.to_payload(7).unwrap();
        let mut out = Vec::new();
        sp.encode(PayloadType::Last, &mut out).unwrap();
        let (back, next) =
            SecurityPolicy::parse(&mut Reader::new(&out), &mut ParseCtx::default()).unwrap();
        assert_eq!(next, PayloadType::Last);
        assert_eq!(back.srtp(), p);
        assert_eq!(back.policy_no, 7);
    }

    #[test]
    fn every_parameter_decodes_into_its_own_field() {
        // Every known type set to a value no other field has: a field read from another
        // type's slot would show.
        let p = SrtpPolicy {
            encr_alg: Some(SrtpEncrAlg::from_wire(1)),
            encr_key_len: Some(32),
            auth_alg: Some(SrtpAuthAlg::from_wire(1)),
            auth_key_len: Some(21),
            salt_key_len: Some(14),
            prf: Some(SrtpPrf::from_wire(0)),
            kdr: Some(1 << 20),
            srtp_encryption: Some(false),
            srtcp_encryption: Some(true),
            fec_order: Some(FecOrder::from_wire(0)),
            srtp_authentication: Some(true),
            auth_tag_len: Some(11),
            prefix_len: Some(12),
            roc_tx_rate: Some(513),
            srtp_auth_alg: Some(SrtpAuthAlg::from_wire(2)),
            srtcp_auth_alg: Some(SrtpAuthAlg::from_wire(3)),
            srtp_auth_key_len: Some(16),
            srtcp_auth_key_len: Some(17),
            srtp_auth_tag_len: Some(18),
            srtcp_auth_tag_len: Some(19),
            aead_auth_tag_len: Some(20),
            unknown: vec![(21, vec![5]), (200, vec![1, 2])],
        };
        let sp = p.to_payload(0).unwrap();
        assert_eq!(sp.srtp(), p);
    }

    #[test]
    fn values_a_field_cannot_hold_are_kept_as_unknown() {
        let mut sp = SecurityPolicy::new(0, ProtType::Srtp);
        sp.push(7, &[2]).unwrap(); // a flag other than 0 or 1
        sp.push(1, &[1, 0]).unwrap(); // a length over 255
        sp.push(13, &[1, 0, 0]).unwrap(); // a ROC rate over 16 bits
        sp.push(4, &[0, 14]).unwrap(); // a one-byte value in two bytes: accepted
        sp.push(8, &[0]).unwrap();
        sp.push(8, &[1]).unwrap(); // a later duplicate wins
        let p = sp.srtp();
        assert_eq!(
            p.unknown,
            vec![(7, vec![2]), (1, vec![1, 0]), (13, vec![1, 0, 0])]
        );
        assert_eq!(p.srtp_encryption, None);
        assert_eq!((p.encr_key_len, p.roc_tx_rate), (None, None));
        assert_eq!(p.salt_key_len, Some(14));
        assert_eq!(p.srtcp_encryption, Some(true));
    }

    #[test]
    fn gstreamer_auth_key_len_quirk() {
        let mut sp = SecurityPolicy::new(0, ProtType::Srtp);
        sp.push(2, &[1]).unwrap();
        sp.push(3, &[10]).unwrap();
        let mut out = Vec::new();
        sp.encode(PayloadType::Last, &mut out).unwrap();
        let e =
            SecurityPolicy::parse(&mut Reader::new(&out), &mut ParseCtx::default()).unwrap_err();
        assert_eq!(e.field, "Session Auth. key length");
        let mut ctx = ParseCtx {
            lenient: true,
            ..ParseCtx::default()
        };
        SecurityPolicy::parse(&mut Reader::new(&out), &mut ctx).unwrap();
        assert!(ctx.quirks.contains(Quirk::SrtpAuthKeyLen10));
    }

    #[test]
    fn malformed_tlv_reports_offset() {
        let b = [0, 0, 0, 0, 3, 0, 5, 1];
        let e = SecurityPolicy::parse(&mut Reader::new(&b), &mut ParseCtx::default()).unwrap_err();
        assert_eq!(e.field, "param Value");
        assert_eq!(e.offset, 7);
    }
}
