//! Points of E: y^2 = x^3 - 3x over F_p (RFC 6508 §2.1, §3), in affine form for storage
//! and the wire (RFC 6508 §4: 0x04 || x || y) and in homogeneous projective form
//! (X : Y : Z) for arithmetic.
//!
//! Addition uses the complete formulas of Renes, Costello and Batina ("Complete addition
//! formulas for prime order elliptic curves", 2016, eq. (1)) with a = -3, b = 0: on the
//! odd-order subgroup E(F_p)[q] they have no exceptional case (doubling, the identity and
//! P + (-P) all go through the same constant sequence of field operations), which is what
//! the constant-time scalar multiplications need.

use super::fp::{Fp, FP_LEN};
use super::{LengthError, SakkeError};
use crypto_bigint::{Choice, CtOption, U1024};

/// The length of an uncompressed point, 2L + 1 octets (RFC 6508 §4).
pub const POINT_LEN: usize = 2 * FP_LEN + 1;

/// An affine point (x, y) of E(F_p); never the identity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Affine {
    pub(crate) x: Fp,
    pub(crate) y: Fp,
}

impl zeroize::DefaultIsZeroes for Affine {}

/// A point (X : Y : Z) of E(F_p) in homogeneous projective coordinates, x = X/Z, y = Y/Z;
/// the identity is (0 : 1 : 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Projective {
    pub(crate) x: Fp,
    pub(crate) y: Fp,
    pub(crate) z: Fp,
}

impl Default for Projective {
    fn default() -> Self {
        Projective::IDENTITY
    }
}

impl zeroize::DefaultIsZeroes for Projective {}

fn three(v: &Fp) -> Fp {
    v.double().add(v)
}

impl Affine {
    /// Whether (x, y) satisfies y^2 = x^3 - 3x (RFC 6508 §2.1). Constant-time.
    pub(crate) fn is_on_curve(&self) -> Choice {
        let rhs = self.x.square().sub(&three(&Fp::ONE)).mul(&self.x);
        self.y.square().ct_eq(&rhs)
    }

    /// Parses the uncompressed form 0x04 || x || y (RFC 6508 §4, RFC 5480 §2.2): wrong
    /// length, prefix, a coordinate not below p or a point off the curve is an error
    /// naming `what`.
    pub(crate) fn from_bytes(bytes: &[u8], what: &'static str) -> Result<Affine, SakkeError> {
        let invalid = |reason| SakkeError::InvalidPoint { what, reason };
        if bytes.len() != POINT_LEN {
            return Err(SakkeError::InvalidLength(LengthError {
                what,
                expected: POINT_LEN,
                got: bytes.len(),
            }));
        }
        if bytes[0] != 0x04 {
            return Err(invalid(
                "not an uncompressed point (first octet is not 0x04)",
            ));
        }
        let coord = |range: core::ops::Range<usize>| {
            let mut b = [0u8; FP_LEN];
            b.copy_from_slice(&bytes[range]);
            Fp::from_be_bytes(&b).into_option()
        };
        let (Some(x), Some(y)) = (coord(1..1 + FP_LEN), coord(1 + FP_LEN..POINT_LEN)) else {
            return Err(invalid("coordinate not below p"));
        };
        let point = Affine { x, y };
        if !point.is_on_curve().to_bool() {
            return Err(invalid("not on the curve y^2 = x^3 - 3x"));
        }
        Ok(point)
    }

    /// The uncompressed form 0x04 || x || y (RFC 6508 §4).
    pub(crate) fn to_bytes(self) -> [u8; POINT_LEN] {
        let mut out = [0u8; POINT_LEN];
        out[0] = 0x04;
        out[1..1 + FP_LEN].copy_from_slice(&self.x.to_be_bytes());
        out[1 + FP_LEN..].copy_from_slice(&self.y.to_be_bytes());
        out
    }

    pub(crate) fn neg(&self) -> Affine {
        Affine {
            x: self.x,
            y: self.y.neg(),
        }
    }

    /// `-self` if `choice`, else `self`.
    pub(crate) fn cond_neg(&self, choice: Choice) -> Affine {
        Affine {
            x: self.x,
            y: self.y.select(&self.y.neg(), choice),
        }
    }
}

impl From<Affine> for Projective {
    fn from(a: Affine) -> Projective {
        Projective {
            x: a.x,
            y: a.y,
            z: Fp::ONE,
        }
    }
}

impl Projective {
    pub(crate) const IDENTITY: Projective = Projective {
        x: Fp::ZERO,
        y: Fp::ONE,
        z: Fp::ZERO,
    };

    /// Whether this is the identity (0 : Y : 0), Y != 0. The all-zero triple, which the
    /// formulas give only when fed points outside E(F_p)[q], is not.
    pub(crate) fn is_identity(&self) -> Choice {
        self.z.is_zero().and(self.y.is_zero().not())
    }

    #[cfg(test)]
    pub(crate) fn neg(&self) -> Projective {
        Projective {
            x: self.x,
            y: self.y.neg(),
            z: self.z,
        }
    }

    /// `rhs` if `choice`, else `self`.
    pub(crate) fn select(&self, rhs: &Projective, choice: Choice) -> Projective {
        Projective {
            x: self.x.select(&rhs.x, choice),
            y: self.y.select(&rhs.y, choice),
            z: self.z.select(&rhs.z, choice),
        }
    }

    /// The RCB combination step shared by addition, mixed addition and doubling: from
    /// xx = X1X2, yy = Y1Y2, zz = Z1Z2, s = X1Z2 + X2Z1, t = X1Y2 + X2Y1, u = Y1Z2 + Y2Z1
    /// (6 multiplications; a = -3, b = 0 in RCB eq. (1)).
    fn combine(xx: &Fp, yy: &Fp, zz: &Fp, s: &Fp, t: &Fp, u: &Fp) -> Projective {
        let s3 = three(s);
        let a = yy.add(&s3); // Y1Y2 - a*s
        let b = yy.sub(&s3); // Y1Y2 + a*s
        let c = three(xx).add(&three(&three(zz))).neg(); // a*X1X2 - a^2*Z1Z2
        let d = three(&xx.sub(zz)); // 3*X1X2 + a*Z1Z2
        Projective {
            x: t.mul(&a).sub(&u.mul(&c)),
            y: b.mul(&a).add(&d.mul(&c)),
            z: u.mul(&b).add(&t.mul(&d)),
        }
    }

    /// `self + rhs`, complete on E(F_p)[q] (12 multiplications).
    pub(crate) fn add(&self, rhs: &Projective) -> Projective {
        let xx = self.x.mul(&rhs.x);
        let yy = self.y.mul(&rhs.y);
        let zz = self.z.mul(&rhs.z);
        let t = self
            .x
            .add(&self.y)
            .mul(&rhs.x.add(&rhs.y))
            .sub(&xx)
            .sub(&yy);
        let u = self
            .y
            .add(&self.z)
            .mul(&rhs.y.add(&rhs.z))
            .sub(&yy)
            .sub(&zz);
        let s = self
            .x
            .add(&self.z)
            .mul(&rhs.x.add(&rhs.z))
            .sub(&xx)
            .sub(&zz);
        Self::combine(&xx, &yy, &zz, &s, &t, &u)
    }

    /// `self + rhs` for an affine `rhs`, complete on E(F_p)[q] (11 multiplications).
    pub(crate) fn add_affine(&self, rhs: &Affine) -> Projective {
        let xx = self.x.mul(&rhs.x);
        let yy = self.y.mul(&rhs.y);
        let t = self
            .x
            .add(&self.y)
            .mul(&rhs.x.add(&rhs.y))
            .sub(&xx)
            .sub(&yy);
        let u = self.y.add(&rhs.y.mul(&self.z));
        let s = self.x.add(&rhs.x.mul(&self.z));
        Self::combine(&xx, &yy, &self.z, &s, &t, &u)
    }

    /// `\[2\]self`, complete on E(F_p)[q] (12 multiplications).
    pub(crate) fn double(&self) -> Projective {
        let xx = self.x.square();
        let yy = self.y.square();
        let zz = self.z.square();
        let t = self.x.mul(&self.y).double();
        let u = self.y.mul(&self.z).double();
        let s = self.x.mul(&self.z).double();
        Self::combine(&xx, &yy, &zz, &s, &t, &u)
    }

    /// Whether `self` is the affine point `a` (2 multiplications, constant-time).
    pub(crate) fn ct_eq_affine(&self, a: &Affine) -> Choice {
        let xs = a.x.mul(&self.z).ct_eq(&self.x);
        let ys = a.y.mul(&self.z).ct_eq(&self.y);
        xs.and(ys).and(self.z.is_zero().not())
    }

    /// The affine form; none for the identity.
    pub(crate) fn to_affine(self) -> CtOption<Affine> {
        let zinv = self.z.invert();
        let ok = zinv.is_some();
        let zinv = zinv.to_inner_unchecked();
        CtOption::new(
            Affine {
                x: self.x.mul(&zinv),
                y: self.y.mul(&zinv),
            },
            ok,
        )
    }

    /// `\[k\]self` for a public `k` (left-to-right double and add; variable time in `k`
    /// only, for checks such as \[q\]Z = 0 on public points).
    pub(crate) fn mul_public(&self, k: &U1024) -> Projective {
        let mut acc = Projective::IDENTITY;
        for i in (0..k.bit_width_vartime()).rev() {
            acc = acc.double();
            if k.bit_vartime(i) {
                acc = acc.add(self);
            }
        }
        acc
    }
}

/// Converts points to affine form with one inversion (Montgomery's trick: 3 multiplications
/// per point, plus 2 for the coordinates). `None` if any point is the identity.
pub(crate) fn batch_to_affine(points: &[Projective]) -> Option<Vec<Affine>> {
    let zs: Vec<Fp> = points.iter().map(|p| p.z).collect();
    let inverses = batch_invert(&zs)?;
    Some(
        points
            .iter()
            .zip(&inverses)
            .map(|(p, zi)| Affine {
                x: p.x.mul(zi),
                y: p.y.mul(zi),
            })
            .collect(),
    )
}

/// The inverses of all `values` with one field inversion (Montgomery's trick); `None` if
/// any value is zero.
pub(crate) fn batch_invert(values: &[Fp]) -> Option<Vec<Fp>> {
    let mut prefix = Vec::with_capacity(values.len());
    let mut acc = Fp::ONE;
    for v in values {
        prefix.push(acc);
        acc = acc.mul(v);
    }
    let mut inv = acc.invert().into_option()?;
    let mut out = vec![Fp::ZERO; values.len()];
    for i in (0..values.len()).rev() {
        out[i] = inv.mul(&prefix[i]);
        inv = inv.mul(&values[i]);
    }
    Some(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::crypto::sakke::params::{PX, PY, Q};

    pub(crate) fn base() -> Affine {
        Affine { x: PX, y: PY }
    }

    /// Affine addition with the textbook chord-and-tangent rules (RFC 6508 §3 points to
    /// P1363 A.10), variable-time: the reference the projective formulas are checked against.
    pub(crate) fn affine_add(a: Option<Affine>, b: Option<Affine>) -> Option<Affine> {
        let (a, b) = match (a, b) {
            (None, b) => return b,
            (a, None) => return a,
            (Some(a), Some(b)) => (a, b),
        };
        let l = if a.x == b.x {
            if a.y != b.y || a.y == Fp::ZERO {
                return None;
            }
            let num = three(&a.x.square().sub(&Fp::ONE));
            num.mul(&a.y.double().invert().into_option()?)
        } else {
            b.y.sub(&a.y).mul(&b.x.sub(&a.x).invert().into_option()?)
        };
        let x = l.square().sub(&a.x).sub(&b.x);
        let y = l.mul(&a.x.sub(&x)).sub(&a.y);
        Some(Affine { x, y })
    }

    fn aff(p: &Projective) -> Option<Affine> {
        p.to_affine().into_option()
    }

    #[test]
    fn projective_formulas_match_affine_reference() {
        let p = base();
        let mut reference = None;
        let mut acc = Projective::IDENTITY;
        let mut multiples = Vec::new();
        for _ in 0..12 {
            reference = affine_add(reference, Some(p));
            acc = acc.add_affine(&p);
            assert_eq!(aff(&acc), reference);
            multiples.push(acc);
        }
        // [5]P + [7]P, doubling through add, doubling, identity and inverse.
        let twelve = multiples[4].add(&multiples[6]);
        assert_eq!(aff(&twelve), aff(&multiples[11]));
        assert_eq!(aff(&multiples[5].add(&multiples[5])), aff(&multiples[11]));
        assert_eq!(aff(&multiples[5].double()), aff(&multiples[11]));
        assert_eq!(
            aff(&Projective::IDENTITY.add(&multiples[3])),
            aff(&multiples[3])
        );
        assert!(multiples[3]
            .add(&multiples[3].neg())
            .is_identity()
            .to_bool());
        let neg = multiples[3].neg().to_affine().into_option().unwrap();
        assert!(multiples[3].add_affine(&neg).is_identity().to_bool());
        assert!(Projective::IDENTITY.double().is_identity().to_bool());
        assert!(multiples[2]
            .ct_eq_affine(&aff(&multiples[2]).unwrap())
            .to_bool());
        assert!(!multiples[2].ct_eq_affine(&p).to_bool());
    }

    #[test]
    fn base_point_has_order_q() {
        let pq = Projective::from(base()).mul_public(&Q);
        assert!(pq.is_identity().to_bool());
    }

    #[test]
    fn encoding_round_trip_and_rejections() {
        let p = base();
        let bytes = p.to_bytes();
        assert_eq!(Affine::from_bytes(&bytes, "P").unwrap(), p);
        let mut bad = bytes;
        bad[0] = 0x02;
        assert!(matches!(
            Affine::from_bytes(&bad, "P"),
            Err(SakkeError::InvalidPoint { .. })
        ));
        let mut off = bytes;
        off[POINT_LEN - 1] ^= 1;
        assert!(matches!(
            Affine::from_bytes(&off, "P"),
            Err(SakkeError::InvalidPoint { .. })
        ));
        let mut big = bytes;
        big[1..1 + FP_LEN].fill(0xff);
        assert!(matches!(
            Affine::from_bytes(&big, "P"),
            Err(SakkeError::InvalidPoint { .. })
        ));
        assert!(matches!(
            Affine::from_bytes(&bytes[1..], "P"),
            Err(SakkeError::InvalidLength(_))
        ));
    }

    #[test]
    fn batch_conversion() {
        let p = Projective::from(base());
        let pts = [p.double(), p.double().add(&p), p];
        let affs = batch_to_affine(&pts).unwrap();
        for (a, q) in affs.iter().zip(&pts) {
            assert_eq!(Some(*a), aff(q));
        }
        assert!(batch_to_affine(&[p, Projective::IDENTITY]).is_none());
    }
}
