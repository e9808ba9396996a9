//! SAKKE parameter set 1 (RFC 6509 Appendix A; notation of RFC 6508 §2.1): p, q, the
//! base point P, g = <P, P>, n = 128, SHA-256; and integers modulo q.

use super::fp::Fp;
use crypto_bigint::modular::{ConstMontyForm, ConstMontyParams};
use crypto_bigint::{const_monty_params, CtOption, U1024};

/// n: the size in bits of the shared secret value (RFC 6509 Appendix A).
pub const SSV_BITS: usize = 128;

/// The length in octets of an SSV and of the hint H (n / 8).
pub const SSV_LEN: usize = SSV_BITS / 8;

/// The bit length of q.
pub(crate) const Q_BITS: u32 = 1022;

const_monty_params!(
    ModQ,
    U1024,
    "265EAEC7C2958FF69971846636B4195E905B0338672D20986FA6B8D62CF8068B\
     BD02AAC9F8BF03C6C8A1CC354C69672C39E46CE7FDF222864D5B49FD2999A9B4\
     389B1921CC9AD335144AB173595A07386DABFD2A0C614AA0A9F3CF14870F026A\
     A7E535ABD5A5C7C7FF38FA08E2615F6C203177C42B1EB3A1D99B601EBFAA17FB",
    "The prime q = (p + 1) / 4 of SAKKE parameter set 1 (RFC 6509 Appendix A)"
);

/// q, the order of P (RFC 6509 Appendix A).
pub(crate) const Q: U1024 = *<ModQ as ConstMontyParams<{ U1024::LIMBS }>>::PARAMS
    .modulus()
    .as_ref();

/// P_x (RFC 6509 Appendix A).
pub(crate) const PX: Fp = Fp::from_hex(
    "53FC09EE332C29AD0A7990053ED9B52A2B1A2FD60AEC69C698B2F204B6FF7CBF\
     B5EDB6C0F6CE2308AB10DB9030B09E1043D5F22CDB9DFA55718BD9E7406CE890\
     9760AF765DD5BCCB337C86548B72F2E1A702C3397A60DE74A7C1514DBA66910D\
     D5CFB4CC80728D87EE9163A5B63F73EC80EC46C4967E0979880DC8ABEAE63895",
);

/// P_y (RFC 6509 Appendix A).
pub(crate) const PY: Fp = Fp::from_hex(
    "0A8249063F6009F1F9F1F0533634A135D3E82016029906963D778D821E141178\
     F5EA69F4654EC2B9E7F7F5E5F0DE55F66B598CCF9A140B2E416CFF0CA9E032B9\
     70DAE117AD547C6CCAD696B5B7652FE0AC6F1E80164AA989492D979FC5A4D5F2\
     13515AD7E9CB99A980BDAD5AD5BB4636ADB9B5706A67DCDE75573FD71BEF16D7",
);

/// g = <P, P>, the representative in F_p of the pairing of P with itself (RFC 6509
/// Appendix A; RFC 6508 §2.2).
pub(crate) const G: Fp = Fp::from_hex(
    "66FC2A432B6EA392148F15867D623068C6A87BD1FB94C41E27FABE658E015A87\
     371E94744C96FEDA449AE9563F8BC446CBFDA85D5D00EF577072DA8F541721BE\
     EE0FAED1828EAB90B99DFB0138C7843355DF0460B4A9FD74B4F1A32BCAFA1FFA\
     D682C033A7942BCCE3720F20B9B7B0403C8CAE87B7A0042ACDE0FAB36461EA46",
);

/// An integer modulo q in Montgomery form (scalars: z, 1/(a + z), r, r * b).
pub(crate) type Zq = ConstMontyForm<ModQ, { U1024::LIMBS }>;

/// `n mod q` for any 1024-bit `n` (the Montgomery conversion reduces fully; constant-time).
pub(crate) fn reduce_q(n: &U1024) -> U1024 {
    Zq::new(n).retrieve()
}

/// `1 / (a + z) mod q` (RFC 6508 §6.1.1), constant-time; none when a + z = 0 mod q.
pub(crate) fn inv_sum_mod_q(a: &U1024, z: &U1024) -> CtOption<U1024> {
    let s = Zq::new(a).add(&Zq::new(z));
    let inv = s.invert();
    let ok = inv.is_some();
    CtOption::new(inv.unwrap_or(Zq::ZERO).retrieve(), ok)
}

/// `a * b mod q`, constant-time.
pub(crate) fn mul_mod_q(a: &U1024, b: &U1024) -> U1024 {
    Zq::new(a).mul(&Zq::new(b)).retrieve()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::sakke::fp::P;

    #[test]
    fn q_is_p_plus_one_over_four() {
        let p1 = P.wrapping_add(&U1024::ONE);
        assert_eq!(Q.shl_vartime(2), p1);
        assert_eq!(Q.bit_width(), Q_BITS);
    }

    #[test]
    fn base_point_is_on_the_curve() {
        // y^2 = x^3 - 3x (RFC 6508 §2.1)
        let three = Fp::ONE.add(&Fp::ONE).add(&Fp::ONE);
        let rhs = PX.square().mul(&PX).sub(&three.mul(&PX));
        assert_eq!(PY.square(), rhs);
    }

    #[test]
    fn scalar_helpers() {
        let a = U1024::from_u64(5);
        let z = Q.wrapping_sub(&U1024::from_u64(2));
        let inv = inv_sum_mod_q(&a, &z).into_option().unwrap();
        assert_eq!(mul_mod_q(&inv, &U1024::from_u64(3)), U1024::ONE);
        assert!(inv_sum_mod_q(&U1024::from_u64(2), &z).is_none().to_bool());
        assert_eq!(reduce_q(&Q.wrapping_add(&a)), a);
    }
}
