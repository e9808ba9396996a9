//! Constant-time fixed-base scalar multiplication (RFC 6508 §6.1, §6.2: \[z\]P, \[r\]Z,
//! \[r\](\[b\]P + Z)) with a signed-window table: the scalar k < q is recoded into digits
//! d_i in [-32, 31] with k = sum d_i 64^i, and the table holds \[j 64^i\]B for j = 1..32.
//! \[k\]B is then one mixed addition per digit: the entry is found by scanning the 32
//! entries of its row with constant-time selection and negated in constant time; a zero
//! digit adds an entry and keeps the old sum. Nothing depends on the scalar but values.

use super::fp::Fp;
use super::params::{PX, PY, Q_BITS};
use super::point::{batch_to_affine, Affine, Projective};
use crypto_bigint::{Choice, U1024};
use std::sync::OnceLock;

/// Window width w: digits are in [-2^(w-1), 2^(w-1)).
pub(crate) const WINDOW: usize = 6;

/// Entries per row, 2^(w-1).
const ROW: usize = 1 << (WINDOW - 1);

/// Rows (digits) for a scalar below q: the top window holds at most two bits of q plus a
/// carry, so it never carries out.
pub(crate) const DIGITS: usize = (Q_BITS as usize).div_ceil(WINDOW);

/// A signed digit split for constant-time use: its absolute value (0..=32) and sign.
#[derive(Clone, Copy)]
pub(crate) struct Digit {
    pub(crate) abs: u8,
    pub(crate) negative: Choice,
}

/// Recodes `k` (below q, secret) into `DIGITS` signed base-64 digits, constant-time
/// (arithmetic only: no branch or index depends on `k`).
pub(crate) fn recode(k: &U1024) -> [Digit; DIGITS] {
    let bytes = k.to_be_bytes();
    let bytes = bytes.as_slice();
    let bit = |i: usize| -> u8 {
        let byte = bytes.len() - 1 - i / 8;
        (bytes[byte] >> (i % 8)) & 1
    };
    let mut out = [Digit {
        abs: 0,
        negative: Choice::FALSE,
    }; DIGITS];
    let mut carry = 0u8;
    for (i, d) in out.iter_mut().enumerate() {
        let mut window = 0u8;
        for j in (0..WINDOW).rev() {
            let idx = i * WINDOW + j;
            let b = if idx < 1024 { bit(idx) } else { 0 };
            window = (window << 1) | b;
        }
        let v = window + carry; // 0..=64
        carry = (v + ROW as u8) >> WINDOW; // 1 iff v >= 32
        let signed = i16::from(v) - (i16::from(carry) << WINDOW); // -32..=31
        let negative = Choice::from_u8_lsb(((signed >> 15) & 1) as u8);
        let abs = negative.select_u8(signed as u8, (-signed) as u8);
        *d = Digit { abs, negative };
    }
    out
}

/// A fixed-base table for one point B of E(F_p)[q]: `DIGITS` rows of \[j 64^i\]B, j = 1..32,
/// affine (256 octets each; 1.4 MB in all).
pub(crate) struct PointTable {
    rows: Vec<[Affine; ROW]>,
}

/// The table of the base point P (RFC 6509 Appendix A), built at first use.
pub(crate) fn p_table() -> &'static PointTable {
    static TABLE: OnceLock<PointTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let p = Projective::from(Affine { x: PX, y: PY });
        // P has order q (a unit test checks [q]P = 0), so no entry is the identity.
        PointTable::new(&p).unwrap_or_else(PointTable::empty)
    })
}

impl PointTable {
    /// A table with no rows, whose products are all the identity: the stand-in for a
    /// table that cannot be built, which never happens for a point of order q.
    pub(crate) fn empty() -> PointTable {
        PointTable { rows: Vec::new() }
    }

    /// Builds the table for `base` (a point of E(F_p)[q] other than the identity): about
    /// 17 multiplications per entry and one inversion. `None` if an entry is the identity
    /// (only if `base` is not of order q).
    pub(crate) fn new(base: &Projective) -> Option<PointTable> {
        let all = row_powers(*base, Projective::add, Projective::double);
        let affine = batch_to_affine(&all)?;
        Some(PointTable {
            rows: into_rows(&affine),
        })
    }

    /// `\[k\]B` for `k` below q (secret), constant-time: `DIGITS` mixed additions
    /// (11 multiplications each) and table scans.
    pub(crate) fn mul(&self, k: &U1024) -> Projective {
        let digits = recode(k);
        let mut acc = Projective::IDENTITY;
        for (row, d) in self.rows.iter().zip(digits.iter()) {
            let entry = select(row, d.abs).cond_neg(d.negative);
            let sum = acc.add_affine(&entry);
            acc = acc.select(&sum, Choice::from_u8_nz(d.abs));
        }
        acc
    }
}

/// The entries h^(j 64^i), j = 1..32, i < `DIGITS`, row after row, of the element `base` of a
/// group with operation `op` and squaring `square` (points: addition and doubling).
pub(crate) fn row_powers<T: Copy>(base: T, op: fn(&T, &T) -> T, square: fn(&T) -> T) -> Vec<T> {
    let mut all = Vec::with_capacity(DIGITS * ROW);
    let mut row_base = base;
    for _ in 0..DIGITS {
        let mut e = row_base;
        for _ in 0..ROW {
            all.push(e);
            e = op(&e, &row_base);
        }
        // The next row starts at h^64 = (h^32)^2 of this row's h.
        row_base = square(&all[all.len() - 1]);
    }
    all
}

/// Cuts a flat list of entries into rows of 32.
pub(crate) fn into_rows<T: Copy + Default>(flat: &[T]) -> Vec<[T; ROW]> {
    flat.chunks_exact(ROW)
        .map(|c| {
            let mut row = [T::default(); ROW];
            row.copy_from_slice(c);
            row
        })
        .collect()
}

/// Entry `abs` (1..=32) of a row, by a constant-time scan of every entry; entry 1 for 0.
fn select(row: &[Affine; ROW], abs: u8) -> Affine {
    let mut out = row[0];
    for (j, e) in row.iter().enumerate().skip(1) {
        let hit = Choice::from_u8_eq(abs, (j + 1) as u8);
        out.x.assign(&e.x, hit);
        out.y.assign(&e.y, hit);
    }
    out
}

/// Entry `abs` (1..=32) of a row of F_p values by a constant-time scan; zero for 0.
pub(crate) fn select_fp(row: &[Fp; ROW], abs: u8) -> Fp {
    let mut out = Fp::ZERO;
    for (j, e) in row.iter().enumerate() {
        out.assign(e, Choice::from_u8_eq(abs, (j + 1) as u8));
    }
    out
}

/// Rows of 32 entries, for the table of g (see `gt`).
pub(crate) type FpRow = [Fp; ROW];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::sakke::params::Q;
    use crate::crypto::sakke::point::tests::base;

    fn value(digits: &[Digit]) -> U1024 {
        // sum d_i 64^i, computed from the top with public arithmetic modulo 2^1024.
        let mut acc = U1024::ZERO;
        for d in digits.iter().rev() {
            acc = acc.shl_vartime(WINDOW as u32);
            let m = U1024::from_u8(d.abs);
            acc = if d.negative.to_bool() {
                acc.wrapping_sub(&m)
            } else {
                acc.wrapping_add(&m)
            };
        }
        acc
    }

    #[test]
    fn recoding_is_exact() {
        let qm1 = Q.wrapping_sub(&U1024::ONE);
        for k in [
            U1024::ZERO,
            U1024::ONE,
            U1024::from_u64(16),
            U1024::from_u64(0xffff_ffff),
            qm1,
        ] {
            let d = recode(&k);
            assert_eq!(value(&d), k);
            assert!(d.iter().all(|d| usize::from(d.abs) <= ROW));
        }
    }

    #[test]
    fn table_multiplication_matches_double_and_add() {
        let p = Projective::from(base());
        let table = PointTable::new(&p).unwrap();
        let ks = [
            U1024::ONE,
            U1024::from_u64(31),
            U1024::from_u64(0x1234_5678_9abc_def1),
            Q.wrapping_sub(&U1024::ONE),
            Q.shr_vartime(3),
        ];
        for k in ks {
            let a = table.mul(&k).to_affine().into_option();
            let b = p.mul_public(&k).to_affine().into_option();
            assert_eq!(a, b);
        }
        assert!(table.mul(&U1024::ZERO).is_identity().to_bool());
    }
}
