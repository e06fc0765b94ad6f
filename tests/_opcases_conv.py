"""Op-table rows for chainrule/ops/conv.py and pool.py (see _opcases.py; appended to its CASES).

Shapes stay small: the float64 gradcheck and gradgradcheck difference every
input element.  max_pool rows draw distinct values (no ties inside a window,
where the derivative would be a convention)."""
from _opcases import Case


def _F(L):
    return L.nn.functional


CASES = [
    # ---- convolutions: x, weight (and bias) all differentiable ----
    Case("conv2d", lambda L, x, w: _F(L).conv2d(x, w), ((2, 2, 4, 4), (3, 2, 2, 2))),
    Case("conv2d_bias", lambda L, x, w, b: _F(L).conv2d(x, w, b), ((1, 2, 4, 3), (2, 2, 2, 2), (2,))),
    Case("conv2d_stride_pad_dil", lambda L, x, w: _F(L).conv2d(x, w, stride=(2, 1), padding=(1, 2),
                                                               dilation=(1, 2)),
         ((1, 2, 5, 4), (2, 2, 2, 2))),
    Case("conv2d_groups_bias", lambda L, x, w, b: _F(L).conv2d(x, w, b, stride=2, padding=1, groups=2),
         ((1, 4, 4, 4), (4, 2, 2, 2), (4,))),
    Case("conv2d_same_even", lambda L, x, w: _F(L).conv2d(x, w, padding="same"),
         ((1, 1, 4, 3), (2, 1, 2, 2))),
    Case("conv2d_valid", lambda L, x, w: _F(L).conv2d(x, w, padding="valid"),
         ((1, 1, 3, 3), (1, 1, 2, 2))),
    Case("conv2d_unbatched", lambda L, x, w: _F(L).conv2d(x, w, padding=1), ((2, 3, 3), (2, 2, 2, 2))),
    Case("conv2d_empty_batch", lambda L, x, w: _F(L).conv2d(x, w), ((0, 2, 3, 3), (2, 2, 2, 2))),
    Case("conv2d_torch_name", lambda L, x, w: L.conv2d(x, w, None, 1, 1), ((1, 1, 3, 3), (1, 1, 3, 3))),
    Case("conv2d_twice", lambda L, x, w: _F(L).conv2d(_F(L).conv2d(x, w, padding=1).tanh(), w),
         ((1, 2, 4, 4), (2, 2, 2, 2))),
    Case("conv1d", lambda L, x, w, b: _F(L).conv1d(x, w, b, stride=2, padding=1, dilation=2),
         ((2, 2, 7), (3, 2, 2), (3,))),
    Case("conv1d_groups_same", lambda L, x, w: _F(L).conv1d(x, w, padding="same", groups=2),
         ((1, 4, 5), (2, 2, 3))),
    Case("conv1d_unbatched", lambda L, x, w: L.conv1d(x, w), ((2, 5), (1, 2, 3))),
    Case("conv_transpose2d", lambda L, x, w: _F(L).conv_transpose2d(x, w), ((1, 2, 3, 3), (2, 2, 2, 2))),
    Case("conv_transpose2d_all", lambda L, x, w, b: _F(L).conv_transpose2d(
        x, w, b, stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=2, dilation=(1, 2)),
         ((1, 4, 2, 3), (4, 1, 2, 2), (2,))),
    Case("conv_transpose2d_outpad_dilation", lambda L, x, w: _F(L).conv_transpose2d(
        x, w, dilation=2, output_padding=1), ((1, 1, 3, 3), (1, 2, 2, 2))),
    Case("conv_transpose1d", lambda L, x, w, b: _F(L).conv_transpose1d(x, w, b, stride=2, padding=1,
                                                                       output_padding=1),
         ((2, 2, 4), (2, 3, 3), (3,))),
    Case("conv_transpose1d_unbatched", lambda L, x, w: L.conv_transpose1d(x, w, groups=2),
         ((2, 3), (2, 1, 2))),
    # ---- pooling ----
    Case("max_pool2d", lambda L, x: _F(L).max_pool2d(x, 2), ((2, 2, 4, 4),), "distinct"),
    Case("max_pool2d_overlap_pad_dil_ceil", lambda L, x: _F(L).max_pool2d(
        x, (3, 2), stride=(2, 1), padding=1, dilation=(1, 2), ceil_mode=True), ((1, 2, 5, 5),), "distinct"),
    Case("max_pool2d_unbatched_indices", lambda L, x: _F(L).max_pool2d(x, 2, 1, return_indices=True)[0],
         ((2, 3, 3),), "distinct"),
    Case("max_pool2d_torch_name", lambda L, x: L.max_pool2d(x, 3, 2, 1), ((1, 1, 5, 5),), "distinct"),
    Case("max_pool2d_empty_batch", lambda L, x: _F(L).max_pool2d(x, 2), ((0, 2, 4, 4),), "distinct"),
    Case("max_pool1d", lambda L, x: _F(L).max_pool1d(x, 3, stride=2, padding=1, ceil_mode=True),
         ((2, 2, 6),), "distinct"),
    Case("max_pool1d_unbatched", lambda L, x: L.max_pool1d(x, 2, dilation=2), ((2, 5),), "distinct"),
    Case("avg_pool2d", lambda L, x: _F(L).avg_pool2d(x, 2), ((2, 2, 4, 4),)),
    Case("avg_pool2d_pad_ceil", lambda L, x: _F(L).avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True),
         ((1, 2, 6, 5),)),
    Case("avg_pool2d_exclude_pad", lambda L, x: _F(L).avg_pool2d(
        x, (3, 2), stride=(2, 1), padding=1, ceil_mode=True, count_include_pad=False), ((1, 1, 6, 5),)),
    Case("avg_pool2d_divisor_unbatched", lambda L, x: _F(L).avg_pool2d(x, 2, 1, divisor_override=3),
         ((2, 3, 3),)),
    Case("avg_pool1d", lambda L, x: _F(L).avg_pool1d(x, 3, 2, 1, count_include_pad=False),
         ((2, 2, 6),)),
    Case("avg_pool1d_torch_name", lambda L, x: L.avg_pool1d(x, 2, ceil_mode=True), ((1, 2, 5),)),
    Case("adaptive_avg_pool2d", lambda L, x: _F(L).adaptive_avg_pool2d(x, (2, 3)), ((2, 2, 5, 7),)),
    Case("adaptive_avg_pool2d_upsample_none", lambda L, x: _F(L).adaptive_avg_pool2d(x, (None, 5)),
         ((2, 3, 3),)),
    Case("adaptive_avg_pool2d_1x1", lambda L, x: _F(L).adaptive_avg_pool2d(x, 1), ((2, 2, 3, 3),)),
    Case("adaptive_avg_pool1d", lambda L, x: L.adaptive_avg_pool1d(x, 3), ((2, 2, 7),)),
    Case("adaptive_max_pool2d", lambda L, x: _F(L).adaptive_max_pool2d(x, (2, 3)), ((2, 2, 5, 7),),
         "distinct"),
    Case("adaptive_max_pool2d_upsample_indices", lambda L, x: _F(L).adaptive_max_pool2d(
        x, (4, None), return_indices=True)[0], ((2, 3, 3),), "distinct"),
    Case("adaptive_max_pool1d", lambda L, x: L.adaptive_max_pool1d(x, 3)[0], ((2, 2, 7),), "distinct"),
    # ---- three spatial dims (ops/conv_nd.py, ops/pool_nd.py) ----
    Case("conv3d", lambda L, x, w: _F(L).conv3d(x, w), ((2, 2, 3, 4, 3), (3, 2, 2, 2, 2))),
    Case("conv3d_all", lambda L, x, w, b: _F(L).conv3d(x, w, b, stride=(2, 1, 2), padding=(1, 0, 1),
                                                       dilation=(1, 2, 1), groups=2),
         ((1, 4, 4, 5, 3), (2, 2, 2, 2, 2), (2,))),
    Case("conv3d_same_even", lambda L, x, w: _F(L).conv3d(x, w, padding="same"),
         ((1, 1, 3, 4, 3), (2, 1, 2, 3, 2))),
    Case("conv3d_unbatched_torch_name", lambda L, x, w: L.conv3d(x, w, None, 1, "valid"),
         ((2, 3, 3, 3), (1, 2, 2, 2, 2))),
    Case("conv3d_empty_batch", lambda L, x, w: _F(L).conv3d(x, w, padding=1),
         ((0, 2, 2, 2, 2), (2, 2, 2, 2, 2))),
    Case("conv_transpose3d", lambda L, x, w, b: _F(L).conv_transpose3d(x, w, b),
         ((2, 2, 2, 3, 2), (2, 3, 2, 2, 2), (3,))),
    # (small: a fuzz program keeps results of at most 200 elements)
    Case("conv_transpose3d_bias_small", lambda L, x, w, b: _F(L).conv_transpose3d(x, w, b),
         ((1, 2, 1, 2, 1), (2, 2, 2, 2, 2), (2,))),
    Case("conv_transpose3d_all", lambda L, x, w: _F(L).conv_transpose3d(
        x, w, stride=(2, 1, 3), padding=(1, 0, 1), output_padding=(1, 0, 2), groups=2,
        dilation=(1, 2, 1)), ((1, 4, 2, 3, 2), (4, 1, 2, 2, 3))),
    Case("conv_transpose3d_unbatched_torch_name", lambda L, x, w: L.conv_transpose3d(x, w, None, 2),
         ((2, 2, 2, 2), (2, 1, 2, 1, 2))),
    Case("max_pool3d", lambda L, x: _F(L).max_pool3d(x, 2), ((2, 2, 4, 4, 4),), "distinct"),
    Case("max_pool3d_overlap_pad_dil_ceil", lambda L, x: _F(L).max_pool3d(
        x, (3, 2, 2), stride=(2, 1, 2), padding=(1, 1, 0), dilation=(1, 2, 1), ceil_mode=True),
         ((1, 2, 5, 5, 4),), "distinct"),
    Case("max_pool3d_unbatched_indices", lambda L, x: _F(L).max_pool3d(
        x, 2, 1, return_indices=True)[0], ((2, 3, 3, 3),), "distinct"),
    Case("max_pool3d_torch_name", lambda L, x: L.max_pool3d(x, 3, 2, 1), ((1, 1, 4, 5, 3),),
         "distinct"),
    Case("max_pool3d_empty_batch", lambda L, x: _F(L).max_pool3d(x, 2), ((0, 2, 2, 2, 2),),
         "distinct"),
    Case("avg_pool3d", lambda L, x: _F(L).avg_pool3d(x, 2), ((2, 2, 4, 4, 4),)),
    Case("avg_pool3d_pad_ceil", lambda L, x: _F(L).avg_pool3d(x, 3, 2, 1, ceil_mode=True),
         ((1, 2, 5, 6, 5),)),
    Case("avg_pool3d_exclude_pad", lambda L, x: _F(L).avg_pool3d(
        x, (3, 2, 2), (2, 1, 1), 1, ceil_mode=True, count_include_pad=False), ((1, 1, 5, 4, 5),)),
    Case("avg_pool3d_divisor_unbatched", lambda L, x: _F(L).avg_pool3d(x, 2, 1, divisor_override=3),
         ((2, 3, 3, 3),)),
    Case("adaptive_avg_pool3d", lambda L, x: _F(L).adaptive_avg_pool3d(x, (2, 3, 2)),
         ((2, 2, 5, 7, 3),)),
    Case("adaptive_avg_pool3d_upsample_none", lambda L, x: _F(L).adaptive_avg_pool3d(x, (None, 4, 1)),
         ((2, 3, 3, 3),)),
    Case("adaptive_avg_pool3d_1x1x1", lambda L, x: _F(L).adaptive_avg_pool3d(x, 1),
         ((2, 2, 3, 3, 2),)),
    Case("adaptive_max_pool3d", lambda L, x: _F(L).adaptive_max_pool3d(x, (2, 3, 2)),
         ((2, 2, 5, 7, 3),), "distinct"),
    Case("adaptive_max_pool3d_upsample_indices", lambda L, x: _F(L).adaptive_max_pool3d(
        x, (4, None, 2), return_indices=True)[0], ((2, 3, 3, 3),), "distinct"),
    # ---- torch.convolution (any dimension, by the weight's rank) and conv_tbc ----
    Case("convolution_1d", lambda L, x, w, b: L.convolution(x, w, b, [2], [1], [2], False, [0], 1),
         ((2, 2, 7), (3, 2, 2), (3,))),
    Case("convolution_2d_transposed", lambda L, x, w: L.convolution(
        x, w, None, [2, 1], [1, 0], [1, 2], True, [1, 0], 2), ((1, 4, 2, 3), (4, 1, 2, 2))),
    Case("convolution_3d", lambda L, x, w, b: L.convolution(x, w, b, (1,), (1, 0, 1), (1,), False,
                                                            (0,), 1),
         ((1, 2, 3, 3, 2), (2, 2, 2, 2, 2), (2,))),
    Case("convolution_3d_transposed", lambda L, x, w: L.convolution(
        x, w, None, [2], [0], [1], True, [1], 1), ((1, 2, 2, 2, 2), (2, 2, 2, 1, 2))),
    Case("conv_tbc", lambda L, x, w, b: L.conv_tbc(x, w, b, 1), ((5, 2, 3), (2, 3, 4), (4,))),
    Case("conv_tbc_no_pad", lambda L, x, w, b: L.conv_tbc(x, w, b), ((4, 1, 2), (3, 2, 2), (2,))),
    Case("conv_tbc_negative_pad", lambda L, x, w, b: L.conv_tbc(x, w, b, pad=-1),
         ((6, 2, 2), (2, 2, 3), (3,))),
    Case("conv_tbc_empty_batch", lambda L, x, w, b: L.conv_tbc(x, w, b, 1),
         ((4, 0, 2), (2, 2, 3), (3,))),
    # ---- grid sampling (ops/grid_sample.py): gradients in the input and the grid ----
    Case("grid_sample_bilinear", lambda L, x, g: _F(L).grid_sample(x, g, align_corners=False),
         ((2, 2, 3, 4), (2, 3, 2, 2))),
    Case("grid_sample_bilinear_border_aligned", lambda L, x, g: _F(L).grid_sample(
        x, g, padding_mode="border", align_corners=True), ((1, 2, 3, 4), (1, 2, 3, 2))),
    Case("grid_sample_bilinear_reflection", lambda L, x, g: _F(L).grid_sample(
        x, 1.5 * g, padding_mode="reflection", align_corners=False), ((1, 1, 4, 3), (1, 3, 3, 2))),
    Case("grid_sample_nearest", lambda L, x, g: _F(L).grid_sample(
        x, g, mode="nearest", padding_mode="reflection", align_corners=True),
         ((2, 2, 3, 3), (2, 2, 2, 2))),
    Case("grid_sample_bicubic", lambda L, x, g: _F(L).grid_sample(x, g, mode="bicubic",
                                                                  align_corners=False),
         ((1, 2, 4, 4), (1, 2, 3, 2))),
    Case("grid_sample_bicubic_border", lambda L, x, g: _F(L).grid_sample(
        x, g, mode="bicubic", padding_mode="border", align_corners=True), ((1, 1, 3, 4), (1, 2, 2, 2))),
    Case("grid_sample_bicubic_reflection", lambda L, x, g: _F(L).grid_sample(
        x, 1.5 * g, mode="bicubic", padding_mode="reflection", align_corners=False),
         ((1, 1, 4, 3), (1, 2, 2, 2))),
    Case("grid_sample_3d", lambda L, x, g: _F(L).grid_sample(x, g, align_corners=False),
         ((1, 2, 3, 2, 4), (1, 2, 2, 1, 3))),
    Case("grid_sample_3d_reflection_aligned", lambda L, x, g: _F(L).grid_sample(
        x, 1.5 * g, padding_mode="reflection", align_corners=True), ((1, 1, 2, 3, 3), (1, 1, 2, 2, 3))),
    Case("grid_sample_3d_nearest_border", lambda L, x, g: _F(L).grid_sample(
        x, g, mode="nearest", padding_mode="border", align_corners=False),
         ((1, 2, 2, 3, 2), (1, 2, 1, 2, 3))),
    Case("grid_sample_empty_batch", lambda L, x, g: _F(L).grid_sample(x, g, align_corners=False),
         ((0, 2, 3, 3), (0, 2, 2, 2))),
    Case("grid_sampler_torch_name", lambda L, x, g: L.grid_sampler(x, g, 0, 2, False),
         ((1, 2, 3, 3), (1, 2, 2, 2))),
    Case("grid_sampler_2d_bicubic", lambda L, x, g: L.grid_sampler_2d(x, g, 2, 1, True),
         ((1, 1, 3, 3), (1, 2, 2, 2))),
    Case("grid_sampler_3d_nearest", lambda L, x, g: L.grid_sampler_3d(x, g, 1, 0, False),
         ((1, 1, 2, 2, 3), (1, 2, 1, 2, 3))),
    # (torch's affine_generator, not F.affine_grid: that refuses complex theta with a
    # ValueError, which the complex pass of this table does not take for a refusal)
    Case("affine_grid", lambda L, t: L.affine_grid_generator(t, (2, 1, 3, 4), False),
         ((2, 2, 3),)),
    Case("affine_grid_3d_aligned", lambda L, t: L.affine_grid_generator(t, (1, 2, 2, 3, 2), True),
         ((1, 3, 4),)),
    Case("affine_grid_generator_unit", lambda L, t: L.affine_grid_generator(t, (1, 1, 1, 3), False),
         ((1, 2, 3),)),
    Case("spatial_transformer", lambda L, x, t: _F(L).grid_sample(
        x, L.affine_grid_generator(t, (1, 2, 3, 3), False), align_corners=False),
         ((1, 2, 4, 4), (1, 2, 3))),
    # ---- a small network: conv -> relu -> pool -> linear ----
    Case("conv_relu_pool_net", lambda L, x, w: (_F(L).max_pool2d(_F(L).conv2d(x, w, padding=1), 2)
                                                .flatten(1) ** 2).sum(1),
         ((2, 1, 4, 4), (2, 1, 3, 3)), "distinct"),
]
