"""The bad-input table: calls that PyTorch refuses, written once for both libraries as
`fn(lib)`, by family (creation, pointwise, reductions, indexing, shape ops, linalg,
nn.functional, losses, modules, optimizers, autograd and tensor protocol).

test_bad_inputs.py runs each under chainrule and PyTorch and requires the same exception
type, and the same message except where TYPE_ONLY says why PyTorch's wording is not
one to copy (it names C++ internals, or depends on the kernel PyTorch happens to pick).
"""

from __future__ import annotations


def F(t):
    return t.nn.functional


def _m(t):
    return t.arange(6.0).reshape(2, 3)


def _v(t):
    return t.arange(4.0)


def _leaf(t):
    return t.ones(3, requires_grad=True)


def _opt(t, cls, **kw):
    return getattr(t.optim, cls)([t.nn.Parameter(t.ones(2))], **kw)


def _sgd(t):
    return t.optim.SGD([t.nn.Parameter(t.ones(2))], lr=0.1)


CREATION = {
    "zeros_negative": lambda t: t.zeros(-1),
    "zeros_negative_second": lambda t: t.zeros(2, -3),
    "ones_negative": lambda t: t.ones(2, -1),
    "empty_negative": lambda t: t.empty(-2),
    "full_negative": lambda t: t.full((-1,), 2.0),
    "rand_negative": lambda t: t.rand(-1),
    "randn_negative": lambda t: t.randn(3, -1),
    "zeros_size_string": lambda t: t.zeros("a"),
    "zeros_size_float": lambda t: t.zeros(2.5),
    "ones_size_list_of_float": lambda t: t.ones([2, 1.5]),
    "full_size_int": lambda t: t.full(3, 1.0),
    "full_value_string": lambda t: t.full((2,), "x"),
    "arange_step_zero": lambda t: t.arange(0, 10, 0),
    "arange_wrong_direction": lambda t: t.arange(10, 0, 1),
    "arange_wrong_direction_negative": lambda t: t.arange(0, 5, -1),
    "linspace_negative_steps": lambda t: t.linspace(0, 1, -1),
    "logspace_negative_steps": lambda t: t.logspace(0, 1, -2),
    "eye_negative": lambda t: t.eye(-1),
    "eye_negative_columns": lambda t: t.eye(2, -1),
    "randint_empty_range": lambda t: t.randint(5, 3, (2,)),
    "randint_no_size": lambda t: t.randint(0, 5),
    "randperm_negative": lambda t: t.randperm(-1),
    "tensor_ragged": lambda t: t.tensor([[1, 2], [3]]),
    "tensor_string": lambda t: t.tensor("abc"),
    "tensor_int_requires_grad": lambda t: t.tensor([1, 2], requires_grad=True),
    "zeros_int_requires_grad": lambda t: t.zeros(2, dtype=t.int64, requires_grad=True),
    "rand_int_dtype": lambda t: t.rand(2, dtype=t.int64),
    "randn_bool_dtype": lambda t: t.randn(2, dtype=t.bool),
    "full_like_not_tensor": lambda t: t.full_like([1, 2], 0.0),
    "zeros_like_not_tensor": lambda t: t.zeros_like(3),
    "multinomial_negative": lambda t: t.multinomial(t.tensor([0.5, -0.1]), 1),
    "multinomial_zero_sum": lambda t: t.multinomial(t.tensor([0.0, 0.0]), 1),
    "multinomial_too_many": lambda t: t.multinomial(t.tensor([0.5, 0.5]), 3),
    "normal_negative_std": lambda t: t.normal(0.0, -1.0, (2,)),
}

POINTWISE = {
    "add_shapes": lambda t: t.ones(3) + t.ones(2),
    "add_shapes_2d": lambda t: t.ones(2, 3) + t.ones(3, 2),
    "mul_shapes": lambda t: t.mul(t.ones(4), t.ones(3)),
    "sub_bool": lambda t: t.tensor([True]) - t.tensor([False]),
    "rsub_bool": lambda t: 1 - t.tensor([True]),
    "add_string": lambda t: t.ones(2) + "a",
    "mul_list": lambda t: t.ones(2) * [1, 2],
    "pow_int_negative": lambda t: t.tensor([2, 3]) ** -1,
    "floor_divide_int_zero": lambda t: t.tensor([4]) // t.tensor([0]),
    "remainder_int_zero": lambda t: t.tensor([4]) % 0,
    "fmod_int_zero": lambda t: t.fmod(t.tensor([4]), 0),
    "div_bad_rounding_mode": lambda t: t.div(t.ones(2), 2, rounding_mode="up"),
    "bitwise_and_float": lambda t: t.ones(2) & t.ones(2),
    "bitwise_not_float": lambda t: t.bitwise_not(t.ones(2)),
    "clamp_no_bounds": lambda t: t.clamp(t.ones(2)),
    "clamp_shapes": lambda t: t.clamp(t.ones(3), t.zeros(2)),
    "lerp_shapes": lambda t: t.lerp(t.ones(3), t.ones(2), 0.5),
    "where_condition_float": lambda t: t.where(t.ones(2), t.ones(2), t.zeros(2)),
    "where_shapes": lambda t: t.where(t.ones(3, dtype=t.bool), t.ones(2), t.ones(3)),
    "exp_inplace_int": lambda t: t.tensor([1, 2]).exp_(),
    "add_inplace_broadcast_grows": lambda t: t.ones(3).add_(t.ones(2, 3)),
    "mul_inplace_float_into_int": lambda t: t.tensor([1, 2]).mul_(1.5),
    "masked_fill_float_mask": lambda t: t.ones(2).masked_fill(t.ones(2), 0.0),
    "masked_fill_mask_shape": lambda t: t.ones(3).masked_fill(t.ones(2, dtype=t.bool), 0.0),
    "masked_fill_value_tensor_dims": lambda t: t.ones(3).masked_fill(
        t.ones(3, dtype=t.bool), t.ones(2)
    ),
    "addcmul_shapes": lambda t: t.addcmul(t.ones(3), t.ones(2), t.ones(3)),
    "maximum_shapes": lambda t: t.maximum(t.ones(3), t.ones(2)),
    "eq_shapes": lambda t: t.ones(3) == t.ones(2),
    "logical_and_shapes": lambda t: t.logical_and(t.ones(3), t.ones(2)),
    "isclose_dtypes": lambda t: t.isclose(t.ones(2), t.ones(2, dtype=t.int64)),
    "allclose_shapes": lambda t: t.allclose(t.ones(3), t.ones(2)),
    "sign_bool_subtract": lambda t: t.tensor([True]).neg(),
    "round_decimals_int": lambda t: t.round(t.tensor([1, 2]), decimals=1),
    "xlogy_shapes": lambda t: t.xlogy(t.ones(2, 3), t.ones(4, 3)),
    "copysign_shapes": lambda t: t.copysign(t.ones(2, 3), t.ones(4, 3)),
}

REDUCTIONS = {
    "sum_dim_out_of_range": lambda t: _m(t).sum(2),
    "sum_negative_dim_out_of_range": lambda t: _m(t).sum(-3),
    "sum_repeated_dims": lambda t: _m(t).sum((0, 0)),
    "mean_int": lambda t: t.tensor([1, 2]).mean(),
    "mean_dim_out_of_range": lambda t: _m(t).mean(5),
    "amax_empty": lambda t: t.ones(0).amax(),
    "amax_dim_empty": lambda t: t.ones(2, 0).amax(1),
    "max_empty": lambda t: t.ones(0).max(),
    "min_empty": lambda t: t.ones(0).min(),
    "argmax_empty": lambda t: t.ones(0).argmax(),
    "max_dim_out_of_range": lambda t: _m(t).max(3),
    "std_int": lambda t: t.tensor([1, 2]).std(),
    "var_int": lambda t: t.tensor([1, 2]).var(),
    "prod_dim_out_of_range": lambda t: _m(t).prod(5),
    "softmax_dim_out_of_range": lambda t: _v(t).softmax(2),
    "log_softmax_dim_out_of_range": lambda t: _m(t).log_softmax(-3),
    "logsumexp_dim_out_of_range": lambda t: _m(t).logsumexp(4),
    "norm_bad_string": lambda t: t.norm(_m(t), p="bad"),
    "vector_norm_int": lambda t: t.linalg.vector_norm(t.tensor([1, 2])),
    "cumsum_dim_out_of_range": lambda t: _m(t).cumsum(2),
    "cumprod_dim_out_of_range": lambda t: _m(t).cumprod(-3),
    "topk_too_many": lambda t: _v(t).topk(5),
    "topk_dim_out_of_range": lambda t: _v(t).topk(1, dim=1),
    "sort_dim_out_of_range": lambda t: _m(t).sort(dim=5),
    "argsort_dim_out_of_range": lambda t: _m(t).argsort(dim=-3),
    "median_dim_out_of_range": lambda t: _m(t).median(3),
    "all_dim_out_of_range": lambda t: _m(t).all(3),
    "count_nonzero_dim_out_of_range": lambda t: t.count_nonzero(_m(t), 2),
    "unique_dim_out_of_range": lambda t: t.unique(_m(t), dim=3),
    "bincount_float": lambda t: t.bincount(t.ones(2)),
    "bincount_negative": lambda t: t.bincount(t.tensor([-1, 2])),
}

INDEXING = {
    "index_too_big": lambda t: _m(t)[5],
    "index_negative_too_small": lambda t: _m(t)[-3],
    "index_second_dim": lambda t: _m(t)[:, 3],
    "too_many_indices": lambda t: _m(t)[1, 2, 0],
    "index_zero_dim": lambda t: t.tensor(1.0)[0],
    "float_index_tensor": lambda t: _m(t)[t.tensor([0.0])],
    "bool_mask_shape": lambda t: _m(t)[t.tensor([True, False, True])],
    "index_tensor_out_of_range": lambda t: _m(t)[t.tensor([2])],
    "ellipsis_and_too_many": lambda t: _m(t)[..., 0, 0, 0],
    "index_string": lambda t: _m(t)["a"],
    "setitem_shape": lambda t: _m(t).__setitem__(0, t.ones(4)),
    "setitem_out_of_range": lambda t: _m(t).__setitem__(4, 1.0),
    "select_out_of_range": lambda t: _m(t).select(1, 3),
    "select_dim_out_of_range": lambda t: _m(t).select(2, 0),
    "narrow_too_long": lambda t: _v(t).narrow(0, 3, 2),
    "narrow_negative_length": lambda t: _v(t).narrow(0, 0, -1),
    "gather_negative": lambda t: t.gather(_m(t), 1, t.tensor([[0, -1]])),
    "gather_too_big": lambda t: t.gather(_m(t), 1, t.tensor([[3]])),
    "gather_rank": lambda t: t.gather(_m(t), 1, t.tensor([1])),
    "gather_float_index": lambda t: t.gather(_m(t), 1, t.tensor([[1.0]])),
    "scatter_negative": lambda t: t.scatter(_m(t), 1, t.tensor([[-1]]), 1.0),
    "scatter_add_too_big": lambda t: t.scatter_add(_m(t), 1, t.tensor([[5]]), t.ones(1, 1)),
    "index_select_2d_index": lambda t: t.index_select(_m(t), 0, t.tensor([[0]])),
    "index_select_negative": lambda t: t.index_select(_v(t), 0, t.tensor([-1])),
    "index_add_negative": lambda t: t.index_add(_m(t), 0, t.tensor([-1]), t.ones(1, 3)),
    "index_fill_too_big": lambda t: t.index_fill(_m(t), 1, t.tensor([3]), 0.0),
    "take_too_big": lambda t: t.take(_m(t), t.tensor([6])),
    "take_float_index": lambda t: t.take(_m(t), t.tensor([1.0])),
    "take_along_dim_ranks": lambda t: t.take_along_dim(_m(t), t.tensor([1]), 1),
    "masked_select_shape": lambda t: t.masked_select(_v(t), t.tensor([True, False])),
    "masked_select_float_mask": lambda t: t.masked_select(_v(t), t.ones(4)),
    "index_put_shape": lambda t: _m(t).index_put_((t.tensor([0]),), t.ones(4)),
    "diagonal_1d": lambda t: _v(t).diagonal(),
    "tril_1d": lambda t: _v(t).tril(),
    "triu_1d": lambda t: t.triu(_v(t)),
    "nonzero_as_tuple_bad": lambda t: t.nonzero(_v(t), as_tuple="yes") and None,
}

SHAPES = {
    "reshape_wrong_size": lambda t: _m(t).reshape(5),
    "reshape_two_unknowns": lambda t: _m(t).reshape(-1, -1),
    "reshape_negative": lambda t: _m(t).reshape(-2, 3),
    "view_wrong_size": lambda t: _m(t).view(4),
    "view_non_contiguous": lambda t: _m(t).t().view(6),
    "double_memory_format_positional": lambda t: _m(t).double(t.contiguous_format),
    "float_memory_format_positional": lambda t: _m(t).float(t.preserve_format),
    "permute_length": lambda t: _m(t).permute(0, 1, 2),
    "permute_duplicate": lambda t: _m(t).permute(0, 0),
    "transpose_out_of_range": lambda t: _m(t).transpose(0, 2),
    "squeeze_out_of_range": lambda t: _m(t).squeeze(3),
    "unsqueeze_out_of_range": lambda t: _m(t).unsqueeze(4),
    "expand_smaller": lambda t: _m(t).expand(2, 2),
    "expand_fewer_dims": lambda t: _m(t).expand(3),
    "expand_negative_new_dim": lambda t: _m(t).expand(-1, 2, 3),
    "expand_as_mismatch": lambda t: _m(t).expand_as(t.ones(3, 2)),
    "cat_sizes": lambda t: t.cat([_m(t), t.ones(2, 2)], 0),
    "cat_empty_list": lambda t: t.cat([]),
    "cat_dim_out_of_range": lambda t: t.cat([_m(t), _m(t)], 2),
    "cat_ranks": lambda t: t.cat([_m(t), _v(t)]),
    "cat_not_tensors": lambda t: t.cat([_m(t), 1]),
    "stack_shapes": lambda t: t.stack([t.ones(2), t.ones(3)]),
    "stack_empty": lambda t: t.stack([]),
    "stack_dim_out_of_range": lambda t: t.stack([_v(t), _v(t)], 3),
    "split_zero": lambda t: _v(t).split(0),
    "split_sizes_sum": lambda t: _v(t).split([1, 2]),
    "chunk_zero": lambda t: _v(t).chunk(0),
    "flatten_start_after_end": lambda t: _m(t).flatten(1, 0),
    "flatten_out_of_range": lambda t: _m(t).flatten(0, 3),
    "unflatten_sizes": lambda t: _m(t).unflatten(1, (2, 2)),
    "t_3d": lambda t: t.ones(2, 2, 2).t(),
    "movedim_repeated": lambda t: _m(t).movedim((0, 0), (1, 0)),
    "movedim_lengths": lambda t: _m(t).movedim((0, 1), (1,)),
    "repeat_fewer_dims": lambda t: _m(t).repeat(2),
    "repeat_negative": lambda t: _v(t).repeat(-1),
    "flip_duplicate": lambda t: _m(t).flip(0, 0),
    "flip_out_of_range": lambda t: _m(t).flip(2),
    "roll_mismatch": lambda t: _m(t).roll((1, 2), (0,)),
    "broadcast_to_smaller": lambda t: t.broadcast_to(_m(t), (3,)),
    "broadcast_tensors_mismatch": lambda t: t.broadcast_tensors(t.ones(3), t.ones(2)),
    "unbind_out_of_range": lambda t: _m(t).unbind(2),
    "tensor_split_zero": lambda t: t.tensor_split(_v(t), 0),
}

LINALG = {
    "mm_shapes": lambda t: t.mm(t.ones(2, 3), t.ones(2, 3)),
    "mm_1d": lambda t: t.mm(t.ones(3), t.ones(3, 2)),
    "mm_dtypes": lambda t: t.mm(t.ones(2, 2), t.ones(2, 2, dtype=t.float64)),
    "mm_bool": lambda t: t.mm(t.ones(2, 2, dtype=t.bool), t.ones(2, 2, dtype=t.bool)),
    "matmul_0d": lambda t: t.matmul(t.tensor(1.0), t.ones(2)),
    "matmul_shapes": lambda t: t.ones(2, 3) @ t.ones(2),
    "matmul_batch_shapes": lambda t: t.ones(2, 2, 3) @ t.ones(3, 3, 2),
    "bmm_2d": lambda t: t.bmm(t.ones(2, 2), t.ones(2, 2)),
    "bmm_batches": lambda t: t.bmm(t.ones(2, 2, 2), t.ones(3, 2, 2)),
    "mv_shapes": lambda t: t.mv(t.ones(2, 3), t.ones(2)),
    "dot_shapes": lambda t: t.dot(t.ones(3), t.ones(2)),
    "dot_2d": lambda t: t.dot(t.ones(2, 2), t.ones(2)),
    "dot_dtypes": lambda t: t.dot(t.ones(2), t.ones(2, dtype=t.float64)),
    "outer_2d": lambda t: t.outer(t.ones(2, 2), t.ones(2)),
    "addmm_bias": lambda t: t.addmm(t.ones(3), t.ones(2, 2), t.ones(2, 2)),
    "inner_last_dim": lambda t: t.inner(t.ones(2, 3), t.ones(2, 2)),
    "tensordot_sizes": lambda t: t.tensordot(t.ones(3), t.ones(2), dims=([0], [0])),
    "tensordot_negative": lambda t: t.tensordot(t.ones(3), t.ones(3), dims=-1),
    "einsum_subscripts": lambda t: t.einsum("ij->i", t.ones(3)),
    "einsum_operands": lambda t: t.einsum("i,i->", t.ones(3)),
    "matrix_norm_1d": lambda t: t.linalg.matrix_norm(t.ones(3)),
    "matrix_norm_bad_ord": lambda t: t.linalg.matrix_norm(t.ones(2, 2), ord=3),
    "matrix_norm_dim": lambda t: t.linalg.matrix_norm(t.ones(2, 2), dim=(0,)),
    "linalg_norm_3d_ord": lambda t: t.linalg.norm(t.ones(2, 2, 2), ord=2),
}

FUNCTIONAL = {
    "linear_shapes": lambda t: F(t).linear(t.ones(2, 5), t.ones(4, 3)),
    "linear_0d": lambda t: F(t).linear(t.tensor(1.0), t.ones(4, 3)),
    "linear_bias": lambda t: F(t).linear(t.ones(2, 3), t.ones(4, 3), t.ones(5)),
    "conv2d_2d_input": lambda t: F(t).conv2d(t.ones(3, 4), t.ones(1, 1, 2, 2)),
    "conv2d_channels": lambda t: F(t).conv2d(t.ones(1, 3, 4, 4), t.ones(2, 2, 3, 3)),
    "conv2d_kernel_too_big": lambda t: F(t).conv2d(t.ones(1, 1, 2, 2), t.ones(1, 1, 3, 3)),
    "conv2d_stride_zero": lambda t: F(t).conv2d(t.ones(1, 1, 4, 4), t.ones(1, 1, 2, 2), stride=0),
    "conv1d_groups": lambda t: F(t).conv1d(t.ones(1, 3, 5), t.ones(2, 1, 3), groups=2),
    "conv2d_same_strided": lambda t: F(t).conv2d(
        t.ones(1, 1, 4, 4), t.ones(1, 1, 2, 2), stride=2, padding="same"
    ),
    "conv2d_padding_string": lambda t: F(t).conv2d(
        t.ones(1, 1, 4, 4), t.ones(1, 1, 2, 2), padding="wide"
    ),
    "max_pool2d_kernel_too_big": lambda t: F(t).max_pool2d(t.ones(1, 1, 2, 2), 3),
    "max_pool2d_padding_too_big": lambda t: F(t).max_pool2d(t.ones(1, 1, 4, 4), 2, padding=2),
    "avg_pool2d_stride_zero": lambda t: F(t).avg_pool2d(t.ones(1, 1, 4, 4), 2, stride=0),
    "adaptive_avg_pool2d_3_sizes": lambda t: F(t).adaptive_avg_pool2d(
        t.ones(1, 1, 4, 4), (1, 2, 3)
    ),
    "pad_odd": lambda t: F(t).pad(t.ones(2, 3), (1,)),
    "pad_too_many": lambda t: F(t).pad(t.ones(3), (1, 1, 1, 1)),
    "pad_reflect_too_large": lambda t: F(t).pad(t.ones(1, 1, 3), (3, 3), mode="reflect"),
    "pad_bad_mode": lambda t: F(t).pad(t.ones(1, 1, 3), (1, 1), mode="wrap-around"),
    "interpolate_no_size": lambda t: F(t).interpolate(t.ones(1, 1, 4)),
    "interpolate_both": lambda t: F(t).interpolate(t.ones(1, 1, 4), size=2, scale_factor=2.0),
    "interpolate_bad_mode": lambda t: F(t).interpolate(t.ones(1, 1, 4), size=2, mode="cubic"),
    "interpolate_align_nearest": lambda t: F(t).interpolate(
        t.ones(1, 1, 4), size=2, mode="nearest", align_corners=True
    ),
    "dropout_p": lambda t: F(t).dropout(t.ones(2), p=1.5),
    "dropout_negative_p": lambda t: F(t).dropout(t.ones(2), p=-0.1),
    "embedding_float_index": lambda t: F(t).embedding(t.tensor([1.0]), t.ones(3, 2)),
    "embedding_out_of_range": lambda t: F(t).embedding(t.tensor([5]), t.ones(3, 2)),
    "one_hot_negative": lambda t: F(t).one_hot(t.tensor([-1]), 3),
    "one_hot_too_big": lambda t: F(t).one_hot(t.tensor([3]), 3),
    "one_hot_float": lambda t: F(t).one_hot(t.tensor([1.0]), 3),
    "layer_norm_shape": lambda t: F(t).layer_norm(t.ones(2, 3), (4,)),
    "layer_norm_weight": lambda t: F(t).layer_norm(t.ones(2, 3), (3,), t.ones(2)),
    "batch_norm_running": lambda t: F(t).batch_norm(t.ones(2, 3), t.ones(4), t.ones(3)),
    "batch_norm_one_value": lambda t: F(t).batch_norm(t.ones(1, 3), None, None, training=True),
    "gelu_approximate": lambda t: F(t).gelu(t.ones(2), approximate="fast"),
    "softmax_dim_out_of_range": lambda t: F(t).softmax(t.ones(2), dim=1),
    "hardtanh_bounds": lambda t: F(t).hardtanh(t.ones(2), 1.0, -1.0),
    "normalize_dim_out_of_range": lambda t: F(t).normalize(t.ones(2), dim=1),
    "prelu_weights": lambda t: F(t).prelu(t.ones(2, 3), t.ones(2)),
}

LOSSES = {
    "mse_shapes": lambda t: F(t).mse_loss(t.ones(3), t.ones(2)),
    "l1_shapes": lambda t: F(t).l1_loss(t.ones(2, 3), t.ones(3, 2)),
    "mse_reduction": lambda t: F(t).mse_loss(t.ones(2), t.ones(2), reduction="bad"),
    "cross_entropy_target_range": lambda t: F(t).cross_entropy(t.ones(2, 3), t.tensor([0, 5])),
    "cross_entropy_target_negative": lambda t: F(t).cross_entropy(t.ones(2, 3), t.tensor([0, -2])),
    "cross_entropy_batch": lambda t: F(t).cross_entropy(t.ones(2, 3), t.tensor([0, 1, 2])),
    "cross_entropy_prob_shape": lambda t: F(t).cross_entropy(t.ones(2, 3), t.ones(2, 4)),
    "cross_entropy_float_class_target": lambda t: F(t).cross_entropy(
        t.ones(2, 3), t.tensor([0.0, 1.0])
    ),
    "nll_target_dtype": lambda t: F(t).nll_loss(t.ones(2, 3), t.tensor([0.0, 1.0])),
    "nll_target_dims": lambda t: F(t).nll_loss(t.ones(2, 3), t.tensor([[0, 1]])),
    "nll_weight_size": lambda t: F(t).nll_loss(t.ones(2, 3), t.tensor([0, 1]), weight=t.ones(2)),
    "nll_3d_target_shape": lambda t: F(t).nll_loss(t.ones(2, 3, 4), t.zeros(2, 5, dtype=t.int64)),
    "bce_input_range": lambda t: F(t).binary_cross_entropy(t.tensor([1.5]), t.tensor([1.0])),
    "bce_target_range": lambda t: F(t).binary_cross_entropy(t.tensor([0.5]), t.tensor([2.0])),
    "bce_shapes": lambda t: F(t).binary_cross_entropy(t.ones(2) * 0.5, t.ones(3)),
    "bce_logits_shapes": lambda t: F(t).binary_cross_entropy_with_logits(t.ones(2), t.ones(3)),
    "smooth_l1_negative_beta": lambda t: F(t).smooth_l1_loss(t.ones(2), t.ones(2), beta=-1.0),
    "huber_negative_delta": lambda t: F(t).huber_loss(t.ones(2), t.ones(2), delta=-1.0),
    "kl_div_reduction": lambda t: F(t).kl_div(t.ones(2), t.ones(2), reduction="none!"),
}

MODULES = {
    "linear_negative_features": lambda t: t.nn.Linear(3, -1),
    "linear_input_features": lambda t: t.nn.Linear(3, 4)(t.ones(2, 5)),
    "linear_0d_input": lambda t: t.nn.Linear(3, 4)(t.tensor(1.0)),
    "conv2d_groups": lambda t: t.nn.Conv2d(3, 4, 3, groups=2),
    "conv2d_out_groups": lambda t: t.nn.Conv2d(4, 3, 3, groups=2),
    "conv2d_padding_mode": lambda t: t.nn.Conv2d(1, 1, 3, padding_mode="mirror"),
    "conv2d_padding_string": lambda t: t.nn.Conv2d(1, 1, 3, padding="wide"),
    "conv2d_same_strided": lambda t: t.nn.Conv2d(1, 1, 3, stride=2, padding="same"),
    "conv2d_input_channels": lambda t: t.nn.Conv2d(3, 2, 3)(t.ones(1, 2, 5, 5)),
    "batchnorm1d_4d": lambda t: t.nn.BatchNorm1d(3)(t.ones(2, 3, 2, 2)),
    "batchnorm2d_3d": lambda t: t.nn.BatchNorm2d(3)(t.ones(2, 3, 2)),
    "batchnorm2d_channels": lambda t: t.nn.BatchNorm2d(3)(t.ones(2, 4, 2, 2)),
    "embedding_out_of_range": lambda t: t.nn.Embedding(3, 2)(t.tensor([3])),
    "embedding_padding_idx": lambda t: t.nn.Embedding(3, 2, padding_idx=5),
    "dropout_p": lambda t: t.nn.Dropout(p=2.0),
    "sequential_index": lambda t: t.nn.Sequential(t.nn.ReLU())[5],
    "modulelist_index": lambda t: t.nn.ModuleList([t.nn.ReLU()])[3],
    "register_parameter_dot": lambda t: t.nn.Module().register_parameter("a.b", None),
    "register_parameter_not_parameter": lambda t: t.nn.Module().register_parameter("w", t.ones(2)),
    "add_module_not_module": lambda t: t.nn.Module().add_module("m", 3),
    "attribute_missing": lambda t: t.nn.Linear(2, 2).nonexistent,
    "load_state_dict_missing": lambda t: t.nn.Linear(2, 2).load_state_dict({}),
    "load_state_dict_shape": lambda t: t.nn.Linear(2, 2).load_state_dict(
        {"weight": t.ones(3, 3), "bias": t.ones(2)}
    ),
    "lstm_input_size": lambda t: t.nn.LSTM(3, 4)(t.ones(5, 2, 2)),
    "rnn_nonlinearity": lambda t: t.nn.RNN(3, 4, nonlinearity="sigmoid"),
    "maxpool_ceil_too_big": lambda t: t.nn.MaxPool2d(3)(t.ones(1, 1, 2, 2)),
    "softmax_module_dim": lambda t: t.nn.Softmax(dim=3)(t.ones(2, 2)),
    "flatten_module_range": lambda t: t.nn.Flatten(2, 5)(t.ones(2, 2, 2)),
    "cross_entropy_module_reduction": lambda t: t.nn.CrossEntropyLoss(reduction="avg")(
        t.ones(2, 3), t.tensor([0, 1])
    ),
    "upsample_no_size": lambda t: t.nn.Upsample()(t.ones(1, 1, 2)),
}

OPTIMIZERS = {
    "sgd_negative_lr": lambda t: t.optim.SGD([t.nn.Parameter(t.ones(2))], lr=-1.0),
    "sgd_negative_momentum": lambda t: _opt(t, "SGD", lr=0.1, momentum=-0.5),
    "sgd_negative_weight_decay": lambda t: _opt(t, "SGD", lr=0.1, weight_decay=-1.0),
    "sgd_nesterov_without_momentum": lambda t: _opt(t, "SGD", lr=0.1, nesterov=True),
    "sgd_empty": lambda t: t.optim.SGD([], lr=0.1),
    "sgd_tensor_params": lambda t: t.optim.SGD(t.ones(2, requires_grad=True), lr=0.1),
    "sgd_non_leaf": lambda t: t.optim.SGD([t.ones(2, requires_grad=True) * 2], lr=0.1),
    "adam_beta": lambda t: _opt(t, "Adam", betas=(1.5, 0.999)),
    "adam_beta_second": lambda t: _opt(t, "Adam", betas=(0.9, -0.1)),
    "adam_eps": lambda t: _opt(t, "Adam", eps=-1.0),
    "adam_lr": lambda t: _opt(t, "Adam", lr=-0.1),
    "adamw_weight_decay": lambda t: _opt(t, "AdamW", weight_decay=-0.1),
    "rmsprop_alpha": lambda t: _opt(t, "RMSprop", alpha=-1.0),
    "rmsprop_momentum": lambda t: _opt(t, "RMSprop", momentum=-1.0),
    "adagrad_lr_decay": lambda t: _opt(t, "Adagrad", lr_decay=-1.0),
    "adagrad_initial_accumulator": lambda t: _opt(t, "Adagrad", initial_accumulator_value=-1.0),
    "duplicate_parameters": lambda t: (
        lambda p: t.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
    )(t.nn.Parameter(t.ones(2))),
    "add_param_group_duplicate": lambda t: (
        lambda p: t.optim.SGD([p], lr=0.1).add_param_group({"params": [p]})
    )(t.nn.Parameter(t.ones(2))),
    "load_state_dict_groups": lambda t: _sgd(t).load_state_dict({"state": {}, "param_groups": []}),
    "step_lr_not_optimizer": lambda t: t.optim.lr_scheduler.StepLR(t.nn.Linear(2, 2), 1),
    "exponential_lr_not_optimizer": lambda t: t.optim.lr_scheduler.ExponentialLR(3, 0.9),
}

AUTOGRAD = {
    "backward_non_scalar": lambda t: (_leaf(t) * 2).backward(),
    "backward_no_grad": lambda t: t.ones(2).sum().backward(),
    "grad_unused": lambda t: t.autograd.grad((_leaf(t) * 2).sum(), [_leaf(t)]),
    "grad_not_requiring": lambda t: t.autograd.grad((_leaf(t) * 2).sum(), [t.ones(2)]),
    "backward_twice": lambda t: (lambda y: (y.backward(), y.backward()))((_leaf(t).exp()).sum()),
    "grad_shape": lambda t: (_leaf(t) * 2).backward(t.ones(2)),
    "int_requires_grad": lambda t: t.tensor([1, 2]).requires_grad_(),
    "inplace_on_leaf": lambda t: _leaf(t).add_(1),
    "version_changed": lambda t: (lambda x: (lambda y: (x.mul_(2), y.sum().backward()))(x.sin()))(
        _leaf(t) * 1
    ),
    "numpy_requires_grad": lambda t: _leaf(t).numpy(),
    "item_many": lambda t: t.ones(2).item(),
    "bool_many": lambda t: bool(t.ones(2)),
    "len_0d": lambda t: len(t.tensor(1.0)),
    "iter_0d": lambda t: iter(t.tensor(1.0)),
    "int_many": lambda t: int(t.ones(2)),
    "float_many": lambda t: float(t.ones(3)),
    "grad_set_shape": lambda t: setattr(_leaf(t), "grad", t.ones(2)),
    "grad_set_type": lambda t: setattr(_leaf(t), "grad", [1.0]),
    "requires_grad_non_leaf_false": lambda t: setattr(_leaf(t) * 2, "requires_grad", False),
    "detach_inplace_view": lambda t: _leaf(t)[:2].detach_(),
    "to_bad_dtype": lambda t: t.ones(2).to("float33"),
    "view_as_bad": lambda t: t.ones(6).view_as(t.ones(4)),
    "type_bad": lambda t: t.ones(2).type("torch.NoSuchTensor"),
}

FAMILIES = {
    "creation": CREATION,
    "pointwise": POINTWISE,
    "reductions": REDUCTIONS,
    "indexing": INDEXING,
    "shapes": SHAPES,
    "linalg": LINALG,
    "functional": FUNCTIONAL,
    "losses": LOSSES,
    "modules": MODULES,
    "optimizers": OPTIMIZERS,
    "autograd": AUTOGRAD,
}

# Cases whose exception type is compared but not the message, each with its reason.
TYPE_ONLY = {
    "creation/randint_no_size": "PyTorch's overload parser names the int it tried as a size; "
    "chainrule's signature names the missing argument",
    "pointwise/add_string": "Python's own wording when an operator returns NotImplemented; "
    "chainrule refuses the operand itself",
    "pointwise/mul_list": "as add_string: PyTorch's message comes from list's own operator",
    "autograd/detach_inplace_view": "PyTorch's message goes on about distributed training, "
    "which chainrule does not have",
    "modules/conv2d_padding_mode": "the message prints a set, in an order that follows the "
    "hash seed (tests/nn compares it as a set)",
}
