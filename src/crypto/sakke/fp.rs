//! The prime field F_p of SAKKE parameter set 1 (RFC 6509 Appendix A, RFC 6508 §2.1):
//! 1024-bit elements in Montgomery form on `crypto-bigint`'s constant-modulus
//! [`ConstMontyForm`], every operation constant-time.
//!
//! Multiplications and squarings are the unit every SAKKE cost is counted in: under
//! `cfg(test)` or the `sakke-count` feature each one bumps a per-thread counter
//! ([`count`]).

use super::mont;
use crypto_bigint::modular::ConstMontyForm;
use crypto_bigint::{const_monty_params, Choice, CtEq, CtLt, CtOption, U1024};

/// The length in octets of an F_p element, L = Ceiling(lg(p)/8) (RFC 6508 §4).
pub const FP_LEN: usize = 128;

const_monty_params!(
    ModP,
    U1024,
    "997ABB1F0A563FDA65C61198DAD0657A416C0CE19CB48261BE9AE358B3E01A2E\
     F40AAB27E2FC0F1B228730D531A59CB0E791B39FF7C88A19356D27F4A666A6D0\
     E26C6487326B4CD4512AC5CD65681CE1B6AFF4A831852A82A7CF3C521C3C09AA\
     9F94D6AF56971F1FFCE3E82389857DB080C5DF10AC7ACE87666D807AFEA85FEB",
    "The prime p of SAKKE parameter set 1 (RFC 6509 Appendix A)"
);

type Raw = ConstMontyForm<ModP, { U1024::LIMBS }>;

/// The modulus p as an integer.
pub(crate) const P: U1024 =
    *<ModP as crypto_bigint::modular::ConstMontyParams<{ U1024::LIMBS }>>::PARAMS
        .modulus()
        .as_ref();

/// -p^-1 modulo the word size, for [`mont::mul`].
const P_NEG_INV: crypto_bigint::Word =
    <ModP as crypto_bigint::modular::ConstMontyParams<{ U1024::LIMBS }>>::PARAMS
        .mod_neg_inv()
        .0;

/// An element of F_p, p the 1024-bit prime of parameter set 1 (RFC 6509 Appendix A).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Fp(Raw);

impl zeroize::DefaultIsZeroes for Fp {}

/// Never prints the value: elements can be secret (RSK coordinates, line coefficients).
impl core::fmt::Debug for Fp {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Fp(..)")
    }
}

impl Fp {
    pub(crate) const ZERO: Fp = Fp(Raw::ZERO);
    pub(crate) const ONE: Fp = Fp(Raw::ONE);

    /// The element with integer value `n`, which must be below p (constants only).
    pub(crate) const fn from_uint(n: &U1024) -> Fp {
        Fp(Raw::new(n))
    }

    /// The element with the given big-endian hex value (constants only; must be below p).
    pub(crate) const fn from_hex(hex: &str) -> Fp {
        Fp::from_uint(&U1024::from_be_hex(hex))
    }

    /// Parses the L-octet big-endian representation (RFC 6508 §4); none if it is not below p.
    pub(crate) fn from_be_bytes(bytes: &[u8; FP_LEN]) -> CtOption<Fp> {
        let n = U1024::from_be_slice(bytes);
        CtOption::new(Fp(Raw::new(&n)), n.ct_lt(&P))
    }

    /// The L-octet big-endian representation (RFC 6508 §4).
    pub(crate) fn to_be_bytes(self) -> [u8; FP_LEN] {
        let mut out = [0u8; FP_LEN];
        out.copy_from_slice(self.0.retrieve().to_be_bytes().as_slice());
        out
    }

    /// The Montgomery-form words, for [`mont`].
    fn words(&self) -> &U1024 {
        self.0.as_montgomery()
    }

    /// An element from Montgomery-form words below p.
    fn from_words(words: U1024) -> Fp {
        Fp(Raw::from_montgomery(words))
    }

    pub(crate) fn add(&self, rhs: &Fp) -> Fp {
        Fp::from_words(mont::add(self.words(), rhs.words(), &P))
    }

    pub(crate) fn sub(&self, rhs: &Fp) -> Fp {
        Fp::from_words(mont::sub(self.words(), rhs.words(), &P))
    }

    pub(crate) fn double(&self) -> Fp {
        self.add(self)
    }

    pub(crate) fn neg(&self) -> Fp {
        Fp::ZERO.sub(self)
    }

    /// Montgomery multiplication (counted), with [`mont::mul`].
    pub(crate) fn mul(&self, rhs: &Fp) -> Fp {
        count::mul();
        Fp::from_words(mont::mul(self.words(), rhs.words(), &P, P_NEG_INV))
    }

    /// Montgomery squaring (counted as a multiplication).
    pub(crate) fn square(&self) -> Fp {
        self.mul(self)
    }

    /// The inverse (constant-time safegcd), none for zero.
    pub(crate) fn invert(&self) -> CtOption<Fp> {
        count::inversion();
        let inv = self.0.invert();
        let ok = inv.is_some();
        CtOption::new(Fp(inv.unwrap_or(Raw::ZERO)), ok)
    }

    pub(crate) fn is_zero(&self) -> Choice {
        self.0.ct_eq(&Raw::ZERO)
    }

    pub(crate) fn ct_eq(&self, rhs: &Fp) -> Choice {
        self.0.ct_eq(&rhs.0)
    }

    /// `rhs` if `choice`, else `self`.
    pub(crate) fn select(&self, rhs: &Fp, choice: Choice) -> Fp {
        let words = mont::blend(
            self.words().as_words(),
            rhs.words().as_words(),
            mont::word_mask(choice),
        );
        Fp::from_words(U1024::from_words(words))
    }

    /// Sets `self` to `rhs` if `choice`.
    pub(crate) fn assign(&mut self, rhs: &Fp, choice: Choice) {
        *self = self.select(rhs, choice);
    }
}

/// Per-thread counts of F_p multiplications (squarings included) and inversions, for the
/// cost figures of `benches/sakke.rs` and the unit tests (RFC-independent bookkeeping;
/// compiled to nothing unless `cfg(test)` or the `sakke-count` feature).
pub(crate) mod count {
    #[cfg(any(test, feature = "sakke-count"))]
    use core::cell::Cell;

    #[cfg(any(test, feature = "sakke-count"))]
    thread_local! {
        static MULS: Cell<u64> = const { Cell::new(0) };
        static INVS: Cell<u64> = const { Cell::new(0) };
    }

    #[inline(always)]
    pub(crate) fn mul() {
        #[cfg(any(test, feature = "sakke-count"))]
        MULS.with(|c| c.set(c.get() + 1));
    }

    #[inline(always)]
    pub(crate) fn inversion() {
        #[cfg(any(test, feature = "sakke-count"))]
        INVS.with(|c| c.set(c.get() + 1));
    }

    /// (multiplications, inversions) performed by this thread so far.
    #[cfg(any(test, feature = "sakke-count"))]
    pub(crate) fn read() -> (u64, u64) {
        (MULS.with(Cell::get), INVS.with(Cell::get))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_and_range() {
        let mut b = [0u8; FP_LEN];
        b[FP_LEN - 1] = 5;
        let x = Fp::from_be_bytes(&b).into_option().unwrap();
        assert_eq!(x.to_be_bytes(), b);
        let p = P.to_be_bytes();
        let mut pb = [0u8; FP_LEN];
        pb.copy_from_slice(p.as_slice());
        assert!(Fp::from_be_bytes(&pb).is_none().to_bool());
        assert!(Fp::from_be_bytes(&[0xff; FP_LEN]).is_none().to_bool());
    }

    #[test]
    fn multiplication_matches_crypto_bigint() {
        // Chained products and squares of varied values against ConstMontyForm's own.
        let mut x = Fp::from_hex(
            "53FC09EE332C29AD0A7990053ED9B52A2B1A2FD60AEC69C698B2F204B6FF7CBF\
             B5EDB6C0F6CE2308AB10DB9030B09E1043D5F22CDB9DFA55718BD9E7406CE890\
             9760AF765DD5BCCB337C86548B72F2E1A702C3397A60DE74A7C1514DBA66910D\
             D5CFB4CC80728D87EE9163A5B63F73EC80EC46C4967E0979880DC8ABEAE63895",
        );
        let mut y = Fp::ONE.neg();
        for _ in 0..2000 {
            let expected = Fp(x.0.mul(&y.0));
            assert_eq!(x.mul(&y), expected);
            assert_eq!(x.square(), Fp(x.0.square()));
            y = x;
            x = expected.add(&Fp::ONE);
        }
        assert_eq!(Fp::ONE.neg().mul(&Fp::ONE.neg()), Fp::ONE);
        assert_eq!(Fp::ZERO.mul(&x), Fp::ZERO);
    }

    #[test]
    fn addition_and_subtraction_match_crypto_bigint() {
        // Edges (0, 1, p - 1, the sums that reach exactly p and 2p - 2) and a chain of
        // varied values, against ConstMontyForm's own add, sub, double and neg.
        let pm1 = Fp::ONE.neg();
        let mut values = vec![Fp::ZERO, Fp::ONE, pm1, pm1.sub(&Fp::ONE)];
        let mut x = Fp::from_uint(&U1024::from_u64(0x5d));
        for _ in 0..200 {
            x = x.mul(&x).add(&Fp::ONE.double());
            values.push(x);
        }
        for a in &values {
            for b in values.iter().take(24) {
                assert_eq!(a.add(b), Fp(a.0.add(&b.0)));
                assert_eq!(a.sub(b), Fp(a.0.sub(&b.0)));
                assert_eq!(b.sub(a), Fp(b.0.sub(&a.0)));
            }
            assert_eq!(a.double(), Fp(a.0.double()));
            assert_eq!(a.neg(), Fp(a.0.neg()));
            assert_eq!(a.select(&pm1, Choice::TRUE), pm1);
            assert_eq!(a.select(&pm1, Choice::FALSE), *a);
        }
        assert_eq!(pm1.add(&Fp::ONE), Fp::ZERO);
        assert_eq!(Fp::ZERO.neg(), Fp::ZERO);
        assert_eq!(Fp::ZERO.sub(&Fp::ONE), pm1);
    }

    #[test]
    fn inverse_and_counts() {
        let x = Fp::ONE.double().double();
        let before = count::read();
        let inv = x.invert().into_option().unwrap();
        assert_eq!(inv.mul(&x), Fp::ONE);
        let after = count::read();
        assert_eq!((after.0 - before.0, after.1 - before.1), (1, 1));
        assert!(Fp::ZERO.invert().is_none().to_bool());
    }
}
