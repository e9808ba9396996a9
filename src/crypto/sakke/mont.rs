//! Montgomery multiplication modulo the 1024-bit p of SAKKE parameter set 1 (RFC 6509
//! Appendix A): coarsely integrated operand scanning (CIOS; Koç, Acar and Kaliski,
//! "Analyzing and comparing Montgomery multiplication algorithms", 1996) on fixed-size
//! word arrays, which the compiler unrolls row by row.
//!
//! Hand-written because it is what SAKKE's cost is made of (about 80% of an encapsulation
//! in profiles) and measured about 9% faster than `crypto-bigint`'s generic
//! `ConstMontyForm::mul` on this 16-limb modulus (the generic loop is not unrolled); the
//! values stay `crypto-bigint` integers in Montgomery form, and the final subtraction is
//! `crypto-bigint`'s constant-time select. No branch or index depends on the operands.

use crypto_bigint::{CtSelect, Limb, Uint, WideWord, Word};

/// The number of words of an element.
const L: usize = crypto_bigint::U1024::LIMBS;

/// a * b + c + carry as (low word, high word); never overflows the wide word.
#[inline(always)]
fn mac(a: Word, b: Word, c: Word, carry: Word) -> (Word, Word) {
    let t = WideWord::from(a) * WideWord::from(b) + WideWord::from(c) + WideWord::from(carry);
    (t as Word, (t >> Word::BITS) as Word)
}

/// a + b as (sum, carry).
#[inline(always)]
fn add(a: Word, b: Word) -> (Word, Word) {
    let t = WideWord::from(a) + WideWord::from(b);
    (t as Word, (t >> Word::BITS) as Word)
}

/// a b R^-1 mod p for a, b < p in Montgomery form (R = 2^1024), `p_neg_inv` = -p^-1 mod
/// 2^w. Constant-time.
#[inline(always)]
pub(crate) fn mul(a: &Uint<L>, b: &Uint<L>, p: &Uint<L>, p_neg_inv: Word) -> Uint<L> {
    let (a, b, pw) = (a.as_words(), b.as_words(), p.as_words());
    let mut t = [0 as Word; L];
    let mut t_hi: Word = 0;
    for &bi in b {
        // t += a * b_i
        let mut c = 0;
        for j in 0..L {
            (t[j], c) = mac(a[j], bi, t[j], c);
        }
        let (top, top_carry) = add(t_hi, c);
        // t = (t + m p) / 2^w with m chosen so that the low word vanishes
        let m = t[0].wrapping_mul(p_neg_inv);
        let (_, mut c) = mac(m, pw[0], t[0], 0);
        for j in 1..L {
            (t[j - 1], c) = mac(m, pw[j], t[j], c);
        }
        let (s, k) = add(top, c);
        t[L - 1] = s;
        t_hi = top_carry + k;
    }
    // t < 2p: subtract p unless t (with its top word) is already below p.
    let t = Uint::from_words(t);
    let (r, borrow) = t.borrowing_sub(p, Limb::ZERO);
    let keep = crypto_bigint::Choice::from_u8_lsb((borrow.0 & !t_hi & 1) as u8);
    r.ct_select(&t, keep)
}
