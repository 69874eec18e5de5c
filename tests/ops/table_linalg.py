"""Op table: matrix products (matmul in every case, mm, bmm, mv, dot, addmm, einsum) and norms."""

from optable import A, OpCase, const

CASES = [
    # matmul, one case per rule for the operands' dims
    OpCase("matmul_dot", lambda t, a, b: t.matmul(a, b), (A(4), A(4))),
    OpCase("matmul_mv", lambda t, a, b: a @ b, (A(3, 4), A(4))),
    OpCase("matmul_vm", lambda t, a, b: a @ b, (A(3), A(3, 4))),
    OpCase("matmul_mm", lambda t, a, b: a @ b, (A(3, 4), A(4, 2))),
    OpCase("matmul_batched", lambda t, a, b: a @ b, (A(2, 3, 4), A(2, 4, 5))),
    OpCase("matmul_broadcast_batch", lambda t, a, b: a @ b, (A(2, 1, 3, 4), A(3, 4, 2))),
    OpCase("matmul_3d_2d", lambda t, a, b: t.matmul(a, b), (A(2, 3, 4), A(4, 5))),
    OpCase("matmul_3d_1d", lambda t, a, b: a @ b, (A(2, 3, 4), A(4))),
    OpCase("matmul_2d_3d", lambda t, a, b: a @ b, (A(3, 4), A(2, 4, 5))),
    OpCase("matmul_1d_3d", lambda t, a, b: a @ b, (A(4), A(2, 4, 3))),
    OpCase("matmul_4d_1d_batch", lambda t, a, b: a @ b, (A(4), A(2, 2, 4, 3))),
    OpCase("matmul_const_rhs", lambda t, a, b: a @ b, (A(3, 4), const(4, 2))),
    OpCase("matmul_const_lhs", lambda t, a, b: a @ b, (const(2, 3), A(3, 4))),
    OpCase("matmul_transposed", lambda t, a, b: a.mT @ b.mT, (A(4, 3), A(2, 4))),
    OpCase("rmatmul_method", lambda t, a, b: a.matmul(b), (A(2, 3), A(3, 3))),
    # the named products
    OpCase("mm", lambda t, a, b: t.mm(a, b), (A(3, 4), A(4, 2))),
    OpCase("mm_method", lambda t, a, b: a.mm(b.t()), (A(3, 4), A(2, 4))),
    OpCase("mv", lambda t, a, b: t.mv(a, b), (A(3, 4), A(4))),
    OpCase("dot", lambda t, a, b: t.dot(a, b), (A(5), A(5))),
    OpCase("dot_method", lambda t, a: a.dot(a), (A(5),)),
    OpCase("bmm", lambda t, a, b: t.bmm(a, b), (A(2, 3, 4), A(2, 4, 5))),
    OpCase("outer", lambda t, a, b: t.outer(a, b), (A(3), A(4))),
    OpCase("inner", lambda t, a, b: t.inner(a, b), (A(2, 3), A(4, 3))),
    OpCase("addmm", lambda t, c, a, b: t.addmm(c, a, b), (A(2, 5), A(2, 3), A(3, 5))),
    OpCase("addmm_bias_row", lambda t, c, a, b: t.addmm(c, a, b), (A(5), A(2, 3), A(3, 5))),
    OpCase("addmm_linear", lambda t, x, w, b: t.addmm(b, x, w.t()), (A(4, 3), A(2, 3), A(2))),
    OpCase(
        "addmm_beta_alpha",
        lambda t, c, a, b: t.addmm(c, a, b, beta=0.5, alpha=2.0),
        (A(2, 1), A(2, 3), A(3, 4)),
    ),
    OpCase("addmm_beta0", lambda t, c, a, b: c.addmm(a, b, beta=0), (A(2, 4), A(2, 3), A(3, 4))),
    OpCase("baddbmm", lambda t, c, a, b: t.baddbmm(c, a, b), (A(2, 3, 5), A(2, 3, 4), A(2, 4, 5))),
    OpCase(
        "baddbmm_beta_alpha",
        lambda t, c, a, b: t.baddbmm(c, a, b, beta=2.0, alpha=0.5),
        (A(5), A(2, 3, 4), A(2, 4, 5)),
    ),
    # einsum
    OpCase("einsum_mm", lambda t, a, b: t.einsum("ij,jk->ik", a, b), (A(3, 4), A(4, 2))),
    OpCase("einsum_bmm", lambda t, a, b: t.einsum("bij,bjk->bik", a, b), (A(2, 3, 4), A(2, 4, 5))),
    OpCase("einsum_outer", lambda t, a, b: t.einsum("i,j->ij", a, b), (A(3), A(4))),
    OpCase("einsum_dot_implicit", lambda t, a, b: t.einsum("i,i", a, b), (A(4), A(4))),
    OpCase("einsum_implicit_mm", lambda t, a, b: t.einsum("ij,jk", a, b), (A(3, 4), A(4, 2))),
    OpCase("einsum_transpose", lambda t, a: t.einsum("ij->ji", a), (A(3, 4),)),
    OpCase("einsum_trace", lambda t, a: t.einsum("ii->", a), (A(4, 4),)),
    OpCase("einsum_diagonal", lambda t, a: t.einsum("ii->i", a), (A(3, 3),)),
    OpCase("einsum_sum_axis", lambda t, a: t.einsum("ij->i", a), (A(3, 4),)),
    OpCase("einsum_unused_letter", lambda t, a, b: t.einsum("ij,k->i", a, b), (A(3, 4), A(2))),
    OpCase(
        "einsum_ellipsis",
        lambda t, a, b: t.einsum("...ij,...jk->...ik", a, b),
        (A(2, 3, 4), A(2, 4, 2)),
    ),
    OpCase(
        "einsum_ellipsis_broadcast",
        lambda t, a, b: t.einsum("...ij,jk->...ik", a, b),
        (A(2, 2, 3, 4), A(4, 2)),
    ),
    OpCase("einsum_list", lambda t, a, b: t.einsum("bi,bi->b", [a, b]), (A(3, 4), A(3, 4))),
    OpCase(
        "einsum_three",
        lambda t, a, b, c: t.einsum("ij,jk,kl->il", a, b, c),
        (A(2, 3), A(3, 4), A(4, 2)),
    ),
    OpCase(
        "einsum_size1_broadcast", lambda t, a, b: t.einsum("ij,ij->i", a, b), (A(3, 1), A(3, 4))
    ),
    # norms in torch.linalg
    OpCase("linalg_vector_norm", lambda t, a: t.linalg.vector_norm(a), (A(3, 4),)),
    OpCase(
        "linalg_vector_norm_ord_dim",
        lambda t, a: t.linalg.vector_norm(a, 3, dim=(0, 1)),
        (A(2, 3, 4),),
    ),
    OpCase("linalg_norm_vector", lambda t, a: t.linalg.norm(a), (A(5),)),
    OpCase("linalg_norm_flat", lambda t, a: t.linalg.norm(a), (A(2, 3, 4),)),
    OpCase("linalg_norm_fro", lambda t, a: t.linalg.norm(a, "fro"), (A(3, 4),)),
    OpCase("linalg_norm_dim", lambda t, a: t.linalg.norm(a, dim=1, keepdim=True), (A(3, 4),)),
    OpCase("linalg_norm_ord1_matrix", lambda t, a: t.linalg.norm(a, 1), (A(3, 4, distinct=True),)),
    OpCase(
        "linalg_norm_inf_matrix",
        lambda t, a: t.linalg.norm(a, float("inf")),
        (A(3, 4, distinct=True),),
    ),
    OpCase(
        "linalg_matrix_norm_batch", lambda t, a: t.linalg.matrix_norm(a, dim=(0, 2)), (A(2, 3, 4),)
    ),
    OpCase(
        "linalg_matrix_norm_neg1_keepdim",
        lambda t, a: t.linalg.matrix_norm(a, -1, keepdim=True),
        (A(2, 3, 4, distinct=True),),
    ),
    # Through the singular values (the SVD op): random matrices have distinct ones
    OpCase("linalg_matrix_norm_nuc_wide", lambda t, a: t.linalg.matrix_norm(a, "nuc"), (A(3, 4),)),
    OpCase(
        "linalg_matrix_norm_nuc_batch_keepdim",
        lambda t, a: t.linalg.matrix_norm(a, "nuc", dim=(2, 0), keepdim=True),
        (A(3, 2, 4),),
    ),
    OpCase("linalg_matrix_norm_2_batch", lambda t, a: t.linalg.matrix_norm(a, 2), (A(2, 4, 3),)),
    OpCase("linalg_matrix_norm_neg2", lambda t, a: t.linalg.matrix_norm(a, -2), (A(4, 3),)),
    OpCase("norm_nuc_square", lambda t, a: t.norm(a, p="nuc"), (A(3, 3),)),
]
