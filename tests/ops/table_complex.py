"""Op table: complex tensors (parts, conjugates, magnitude and angle, polar form) and the
arithmetic, matrix products and functions that take complex operands, with PyTorch's
conjugate Wirtinger gradients."""

from optable import A, OpCase, cplx, positive

CASES = [
    OpCase("complex_real", lambda t, z: t.real(z) * 2, (cplx(2, 3),)),
    OpCase("complex_imag_method", lambda t, z: z.imag * z.real, (cplx(4),)),
    OpCase("complex_view_as_real", lambda t, z: t.view_as_real(z) * 3, (cplx(2, 3),)),
    OpCase(
        "complex_view_as_complex",
        lambda t, x: t.view_as_complex(x) * (1 - 2j),
        (A(3, 2),),
    ),
    OpCase("complex_conj", lambda t, z: z.conj() * z, (cplx(3),)),
    OpCase("complex_conj_physical", lambda t, z: t.conj_physical(z) * 2, (cplx(2, 2),)),
    OpCase("complex_abs", lambda t, z: z.abs(), (cplx(5),)),
    OpCase("complex_abs_of_product", lambda t, z, w: (z * w).abs(), (cplx(3), cplx(3))),
    OpCase("complex_angle", lambda t, z: t.angle(z), (cplx(5),)),
    OpCase("complex_angle_real", lambda t, x: t.angle(x) + x, (A(5),)),
    OpCase("complex_sgn", lambda t, z: t.sgn(z), (cplx(4),)),
    OpCase("complex_polar", lambda t, r, a: t.polar(r, a), (positive(4), A(4))),
    OpCase("complex_from_parts", lambda t, x, y: t.complex(x, y), (A(2, 3), A(3))),
    OpCase("complex_add_sub", lambda t, z, w: z + w - 2 * z, (cplx(3), cplx(3))),
    OpCase("complex_mul", lambda t, z, w: z * w, (cplx(2, 3), cplx(3))),
    OpCase("complex_div", lambda t, z, w: z / w, (cplx(4), cplx(4, low=0.5))),
    OpCase("complex_times_real", lambda t, z, x: z * x, (cplx(4), A(4))),
    OpCase("complex_real_times_scalar", lambda t, x: (x * (1 + 2j)).exp(), (A(4),)),
    OpCase("complex_pow", lambda t, z: z**3, (cplx(4),)),
    OpCase("complex_exp_log", lambda t, z: z.exp() + (z * z + 1).log(), (cplx(4),)),
    OpCase("complex_sqrt", lambda t, z: (z * z + 2).sqrt(), (cplx(4),)),
    OpCase("complex_sin_tanh", lambda t, z: z.sin() * z.tanh(), (cplx(3, low=-1, high=1),)),
    OpCase("complex_reciprocal", lambda t, z: z.reciprocal(), (cplx(4, low=0.5),)),
    OpCase("complex_matmul", lambda t, a, b: a @ b, (cplx(2, 3), cplx(3, 4))),
    OpCase("complex_matmul_batched", lambda t, a, b: a @ b, (cplx(2, 2, 3), cplx(2, 3, 2))),
    OpCase("complex_matmul_mv", lambda t, a, b: t.mv(a, b), (cplx(2, 3), cplx(3))),
    OpCase("complex_dot_vdot", lambda t, a, b: t.dot(a, b) + t.vdot(a, b), (cplx(4), cplx(4))),
    OpCase("complex_einsum", lambda t, a, b: t.einsum("ij,jk->ik", a, b), (cplx(2, 3), cplx(3, 2))),
    OpCase("complex_sum_mean", lambda t, z: z.sum(0) + z.mean(1).sum(), (cplx(3, 4),)),
    OpCase("complex_reshape_index", lambda t, z: z.reshape(2, 6)[:, 1:4].t(), (cplx(3, 4),)),
    OpCase("complex_cat", lambda t, z, w: t.cat([z, w], 0), (cplx(2, 3), cplx(1, 3))),
    OpCase("complex_to_real_part", lambda t, z: z.real.to(t.float64) * 1, (cplx(3),)),
    OpCase("complex_cast_from_real", lambda t, x: x.to(t.cdouble) * (2 - 1j), (A(3),)),
    OpCase("complex_pow_tensor", lambda t, z, w: z**w, (cplx(4, low=0.5), cplx(4, low=-1, high=1))),
    OpCase("complex_rpow", lambda t, w: (1.5 + 0.5j) ** w, (cplx(3),)),
    OpCase("complex_prod_cumprod", lambda t, z: z.prod(1) + z.cumprod(1).sum(1), (cplx(2, 3),)),
    OpCase("complex_vector_norm", lambda t, z: t.linalg.vector_norm(z, 3, dim=1), (cplx(2, 3),)),
    OpCase(
        "complex_vector_norm_inf", lambda t, z: t.linalg.vector_norm(z, float("inf")), (cplx(4),)
    ),
    OpCase("complex_vander", lambda t, z: t.linalg.vander(z), (cplx(3),)),
    OpCase("complex_sigmoid", lambda t, z: z.sigmoid(), (cplx(4, low=-1, high=1),)),
    OpCase(
        "complex_atan_asin", lambda t, z: z.atan() + (z * 0.3).asin(), (cplx(4, low=-1, high=1),)
    ),
]
