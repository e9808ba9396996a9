//! F_p^2 = F_p[i], i^2 = -1, and the group PF_p[q] the pairing maps into (RFC 6508 §2.1):
//! an element x_1 + i x_2 of F_p^2 stands for its class modulo F_p*, represented in
//! F_p by x_2 / x_1. Computing in F_p^2 and dividing once at the end avoids the
//! inversion in every product (a + b)/(1 - ab) of RFC 6508 §2.1.
//!
//! [`GTable`] is the fixed-base table for g^r (RFC 6508 §6.2.1 step 4a): with every entry
//! normalised to 1 + i t, a product costs 2 multiplications, and the inverse of an entry
//! (the conjugate, since its norm is in F_p*) is 1 - i t, so signed digits come free.

use super::fixed_base::{into_rows, recode, row_powers, select_fp, FpRow};
use super::fp::Fp;
use super::params::G;
use super::point::batch_invert;
use crypto_bigint::{CtOption, U1024};
use std::sync::OnceLock;

/// a + i b in F_p^2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fp2 {
    pub(crate) a: Fp,
    pub(crate) b: Fp,
}

impl zeroize::DefaultIsZeroes for Fp2 {}

impl Default for Fp2 {
    fn default() -> Self {
        Fp2::ONE
    }
}

impl Fp2 {
    pub(crate) const ONE: Fp2 = Fp2 {
        a: Fp::ONE,
        b: Fp::ZERO,
    };

    /// 1 + i t: the element of PF_p represented by t.
    pub(crate) fn from_representative(t: Fp) -> Fp2 {
        Fp2 { a: Fp::ONE, b: t }
    }

    /// Karatsuba product (3 multiplications).
    pub(crate) fn mul(&self, rhs: &Fp2) -> Fp2 {
        let m1 = self.a.mul(&rhs.a);
        let m2 = self.b.mul(&rhs.b);
        let m3 = self.a.add(&self.b).mul(&rhs.a.add(&rhs.b));
        Fp2 {
            a: m1.sub(&m2),
            b: m3.sub(&m1).sub(&m2),
        }
    }

    /// (a + ib)^2 = (a + b)(a - b) + 2abi (2 multiplications).
    pub(crate) fn square(&self) -> Fp2 {
        Fp2 {
            a: self.a.add(&self.b).mul(&self.a.sub(&self.b)),
            b: self.a.mul(&self.b).double(),
        }
    }

    /// `self * (1 + i t)` (2 multiplications).
    pub(crate) fn mul_by_representative(&self, t: &Fp) -> Fp2 {
        Fp2 {
            a: self.a.sub(&self.b.mul(t)),
            b: self.b.add(&self.a.mul(t)),
        }
    }

    /// The representative x_2 / x_1 in F_p of this element's class in PF_p (RFC 6508
    /// §3.2); none when x_1 = 0 (the element of order 2, never in PF_p[q]).
    pub(crate) fn representative(&self) -> CtOption<Fp> {
        let inv = self.a.invert();
        let ok = inv.is_some();
        CtOption::new(self.b.mul(&inv.to_inner_unchecked()), ok)
    }
}

/// The fixed-base table of an element h of PF_p[q]: `DIGITS` rows of the representatives of
/// h^(j 64^i), j = 1..32 (128 octets each; 700 KB in all).
pub(crate) struct GTable {
    rows: Vec<FpRow>,
}

/// The table of g = <P, P> (RFC 6509 Appendix A), built at first use.
pub(crate) fn g_table() -> &'static GTable {
    static TABLE: OnceLock<GTable> = OnceLock::new();
    // g is in PF_p[q], so no power is the element of order 2.
    TABLE.get_or_init(|| GTable::new(&G).unwrap_or(GTable { rows: Vec::new() }))
}

impl GTable {
    /// Builds the table for the element represented by `h` (about 6 multiplications per
    /// entry and one inversion). `None` only if some power is the element of order 2,
    /// impossible for an element of PF_p[q].
    pub(crate) fn new(h: &Fp) -> Option<GTable> {
        let all = row_powers(Fp2::from_representative(*h), Fp2::mul, Fp2::square);
        let a: Vec<Fp> = all.iter().map(|e| e.a).collect();
        let inv = batch_invert(&a)?;
        let reps: Vec<Fp> = all.iter().zip(&inv).map(|(e, i)| e.b.mul(i)).collect();
        Some(GTable {
            rows: into_rows(&reps),
        })
    }

    /// The representative of h^k for `k` below q (secret), constant-time: 2 multiplications
    /// per digit, one inversion at the end (RFC 6508 §6.2.1 step 4a).
    pub(crate) fn pow(&self, k: &U1024) -> CtOption<Fp> {
        let digits = recode(k);
        let mut acc = Fp2::ONE;
        for (row, d) in self.rows.iter().zip(digits.iter()) {
            let t = select_fp(row, d.abs);
            let t = t.select(&t.neg(), d.negative);
            acc = acc.mul_by_representative(&t);
        }
        acc.representative()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::sakke::params::Q;

    /// Square and multiply with the F_p formula (a + b) / (1 - ab) of RFC 6508 §2.1.
    fn pow_rfc(g: &Fp, k: &U1024) -> Fp {
        let mul = |a: &Fp, b: &Fp| {
            let den = Fp::ONE.sub(&a.mul(b)).invert().into_option().unwrap();
            a.add(b).mul(&den)
        };
        let mut acc = Fp::ZERO; // the identity 1 + 0i
        for i in (0..k.bit_width_vartime()).rev() {
            acc = mul(&acc, &acc);
            if k.bit_vartime(i) {
                acc = mul(&acc, g);
            }
        }
        acc
    }

    #[test]
    fn table_power_matches_rfc_formula() {
        let table = GTable::new(&G).unwrap();
        for k in [
            U1024::ONE,
            U1024::from_u64(0xdead_beef_1234),
            Q.shr_vartime(5),
        ] {
            assert_eq!(table.pow(&k).into_option().unwrap(), pow_rfc(&G, &k));
        }
        assert_eq!(table.pow(&U1024::ZERO).into_option().unwrap(), Fp::ZERO);
        // g has order q: g^(q-1) = g^-1, represented by -g.
        let qm1 = Q.wrapping_sub(&U1024::ONE);
        assert_eq!(table.pow(&qm1).into_option().unwrap(), G.neg());
    }
}
