//! The Tate-Lichtenbaum pairing <R, Q> = f_R(\[i\]Q)^c of RFC 6508 §3.2, c = (p + 1)/q = 4,
//! with Barreto's denominator elimination, computed for a fixed first argument.
//!
//! Both arguments lie in the cyclic group E(F_p)[q], so the pairing is symmetric
//! (<\[x\]P, \[y\]P> = g^(xy)); the receiver computes <R_(b,S), K_(b,S)> of RFC 6508 §6.2.2
//! step 2 as <K_(b,S), R_(b,S)>, with Miller's loop running over its own RSK. Every line of
//! that loop then depends on the RSK only: [`MillerLines::prepare`] computes them once per
//! key (projective formulas, one batch inversion), and each pairing only evaluates them at
//! \[i\]R: 4 multiplications per doubling line, 2 more per addition line, plus the squaring
//! of the accumulator. The loop follows the signed-digit (NAF) form of q - 1, which has
//! 352 non-zero digits below the top one where the binary form has 512; a subtraction step
//! uses the line through C and -R (the vertical lines it divides by lie in F_p and vanish in
//! PF_p, as in the RFC's pseudocode).

use super::fp::Fp;
use super::gt::Fp2;
use super::params::Q;
use super::point::{batch_invert, Affine, Projective};
use crypto_bigint::{Choice, CtOption, U1024};
use std::sync::OnceLock;
use zeroize::Zeroize;

/// The signed digits of q - 1 (most significant first, the leading 1 dropped): the loop
/// schedule, public.
fn schedule() -> &'static [i8] {
    static SCHEDULE: OnceLock<Vec<i8>> = OnceLock::new();
    SCHEDULE.get_or_init(|| {
        let mut n = Q.wrapping_sub(&U1024::ONE);
        let mut digits = Vec::new();
        while !n.is_zero_vartime() {
            let d: i8 = if n.bit_vartime(0) {
                if n.bit_vartime(1) {
                    n = n.wrapping_add(&U1024::ONE);
                    -1
                } else {
                    n = n.wrapping_sub(&U1024::ONE);
                    1
                }
            } else {
                0
            };
            digits.push(d);
            n = n.shr_vartime(1);
        }
        digits.pop(); // the leading 1: the loop starts from C = R
        digits.reverse();
        digits
    })
}

/// A line of Miller's loop, l(x, y) = 0, evaluated at \[i\]Q = (-Q_x, i Q_y) as
/// alpha Q_x + beta + i Q_y (scaled by a factor in F_p*, which PF_p ignores).
type Line = [Fp; 2];

/// The lines of Miller's loop for f_K, K a point of E(F_p)[q] (an RSK): secret, zeroized
/// on drop.
pub(crate) struct MillerLines {
    lines: Vec<Line>,
}

impl Drop for MillerLines {
    fn drop(&mut self) {
        self.lines.zeroize();
    }
}

/// The tangent at C = (X : Y : Z) (RFC 6508 §3.2: slope 3(C_x^2 - 1)/(2 C_y)) as
/// (A, B, D) with line = A Q_x + B + i D Q_y: A = 3(X^2 - Z^2) Z, B = 3(X^2 - Z^2) X - 2Y^2 Z,
/// D = 2 Y Z^2 (the RFC's line times 2YZ^2).
fn tangent(c: &Projective) -> [Fp; 3] {
    let n = c.x.square().sub(&c.z.square());
    let n = n.double().add(&n);
    let yz = c.y.mul(&c.z);
    [
        n.mul(&c.z),
        n.mul(&c.x).sub(&c.y.mul(&yz).double()),
        yz.mul(&c.z).double(),
    ]
}

/// The chord through C = (X : Y : Z) and the affine point R (slope (C_y - R_y)/(C_x - R_x)),
/// evaluated through R: A = Y - R_y Z, B = A R_x - D R_y, D = X - R_x Z.
fn chord(c: &Projective, r: &Affine) -> [Fp; 3] {
    let n = c.y.sub(&r.y.mul(&c.z));
    let d = c.x.sub(&r.x.mul(&c.z));
    [n, n.mul(&r.x).sub(&d.mul(&r.y)), d]
}

impl MillerLines {
    /// Runs Miller's loop on `k` and keeps its lines, normalised so their imaginary
    /// coefficient is 1. The loop ends at C = \[q - 1\]K, which is -K exactly when K has
    /// order q: that is the subgroup check of an RSK, returned as the choice (false also
    /// when a line degenerates, which only a point outside E(F_p)[q] can cause).
    pub(crate) fn prepare(k: &Affine) -> (MillerLines, Choice) {
        let sched = schedule();
        let mut raw = Vec::with_capacity(sched.len() + sched.len() / 2);
        let mut c = Projective::from(*k);
        for &d in sched {
            raw.push(tangent(&c));
            c = c.double();
            if d != 0 {
                let r = if d < 0 { k.neg() } else { *k };
                raw.push(chord(&c, &r));
                c = c.add_affine(&r);
            }
        }
        let ends_at_minus_k = c.ct_eq_affine(&k.neg());
        let ds: Vec<Fp> = raw.iter().map(|l| l[2]).collect();
        let (inv, ok) = match batch_invert(&ds) {
            Some(inv) => (inv, ends_at_minus_k),
            None => (vec![Fp::ZERO; ds.len()], Choice::FALSE),
        };
        let lines = raw
            .iter()
            .zip(&inv)
            .map(|(l, i)| [l[0].mul(i), l[1].mul(i)])
            .collect();
        raw.zeroize();
        (MillerLines { lines }, ok)
    }

    /// The pairing <K, Q> = f_K(\[i\]Q)^4 in PF_p, as its representative in F_p (RFC 6508
    /// §3.2). `q` must be on the curve; none only if the value is the element of order 2,
    /// which no pair of points of E(F_p)[q] gives. Constant-time in K (the schedule is q's).
    pub(crate) fn evaluate(&self, q: &Affine) -> CtOption<Fp> {
        let w2 = q.y.square();
        let at = |l: &Line| l[0].mul(&q.x).add(&l[1]);
        let mut lines = self.lines.iter();
        let mut v = Fp2::ONE;
        for &d in schedule() {
            v = v.square();
            let u1 = lines.next().map_or(Fp::ZERO, at);
            let f = if d != 0 {
                // (u1 + i w)(u2 + i w) = (u1 u2 - w^2) + i w (u1 + u2)
                let u2 = lines.next().map_or(Fp::ZERO, at);
                Fp2 {
                    a: u1.mul(&u2).sub(&w2),
                    b: q.y.mul(&u1.add(&u2)),
                }
            } else {
                Fp2 { a: u1, b: q.y }
            };
            v = v.mul(&f);
        }
        v.square().square().representative()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::sakke::params::G;
    use crate::crypto::sakke::point::tests::{affine_add, base};

    #[test]
    fn schedule_is_the_naf_of_q_minus_one() {
        let s = schedule();
        assert_eq!(s.len(), 1021);
        assert_eq!(s.iter().filter(|d| **d != 0).count(), 352);
        assert!(s.windows(2).all(|w| w[0] == 0 || w[1] == 0));
        // sum of d_i 2^i plus the leading 2^1021 gives q - 1.
        let mut acc = U1024::ONE;
        for &d in s {
            acc = acc.shl_vartime(1);
            acc = match d {
                1 => acc.wrapping_add(&U1024::ONE),
                -1 => acc.wrapping_sub(&U1024::ONE),
                _ => acc,
            };
        }
        assert_eq!(acc, Q.wrapping_sub(&U1024::ONE));
    }

    #[test]
    fn pairing_of_p_with_itself_is_g() {
        // g = <P, P> (RFC 6509 Appendix A)
        let p = base();
        let (lines, ok) = MillerLines::prepare(&p);
        assert!(ok.to_bool());
        assert_eq!(lines.evaluate(&p).into_option().unwrap(), G);
    }

    #[test]
    fn pairing_is_bilinear_and_symmetric() {
        let p = Projective::from(base());
        let p3 = p.double().add(&p).to_affine().into_option().unwrap();
        let p5 = p
            .double()
            .double()
            .add(&p)
            .to_affine()
            .into_option()
            .unwrap();
        let (l3, _) = MillerLines::prepare(&p3);
        let (l5, _) = MillerLines::prepare(&p5);
        let e35 = l3.evaluate(&p5).into_option().unwrap();
        assert_eq!(e35, l5.evaluate(&p3).into_option().unwrap());
        let g15 = super::super::gt::GTable::new(&G)
            .unwrap()
            .pow(&U1024::from_u8(15));
        assert_eq!(e35, g15.into_option().unwrap());
    }

    #[test]
    fn a_point_outside_the_subgroup_fails_the_check() {
        // (0, 0) has order 2; P + (0, 0) has order 2q.
        let t = Affine {
            x: Fp::ZERO,
            y: Fp::ZERO,
        };
        let shifted = affine_add(Some(base()), Some(t)).unwrap();
        assert!(shifted.is_on_curve().to_bool());
        assert!(!MillerLines::prepare(&shifted).1.to_bool());
    }
}
