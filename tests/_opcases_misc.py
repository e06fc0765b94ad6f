"""Op-table rows for ctc_loss (chainrule/ops/ctc.py) and segment_reduce (see
_opcases.py; appended to its CASES).

ctc_loss's gradient is PyTorch's, which assumes log_probs are log_softmax
outputs (exp(log_probs) is added to the true derivative; log_softmax's backward
cancels it), so the rows go through log_softmax, where that gradient is the true
one; tests/test_ctc_loss.py compares the raw gradient with torch's.  torch has
neither a second derivative nor forward mode for it: the rows are tagged so.
"""
from _opcases import Case


def _F(L):
    return L.nn.functional


def _ctc(*tags):
    tags = tags + ("no_double_backward", "no_forward_ad")

    def tag(case):
        case.tags = tags
        return case
    return tag


_T2 = [[1, 2, 2], [3, 1, 0], [4, 4, 4]]          # padded targets, (N, S) = (3, 3)
_IL, _TL = [6, 4, 5], [3, 2, 1]


def _lsm(x):
    return x.log_softmax(-1)


CASES = [
    _ctc()(Case("ctc_loss_mean", lambda L, x: _F(L).ctc_loss(
        _lsm(x), L.tensor(_T2), L.tensor(_IL), L.tensor(_TL)), ((6, 3, 5),))),
    _ctc()(Case("ctc_loss_none_lists", lambda L, x: _F(L).ctc_loss(
        _lsm(x), L.tensor(_T2), _IL, _TL, reduction="none"), ((6, 3, 5),))),
    _ctc()(Case("ctc_loss_sum_concatenated", lambda L, x: _F(L).ctc_loss(
        _lsm(x), L.tensor([1, 2, 2, 3, 1, 4]), L.tensor(_IL), L.tensor(_TL), reduction="sum"),
        ((6, 3, 5),))),
    _ctc()(Case("ctc_loss_blank_last_repeats", lambda L, x: _F(L).ctc_loss(
        _lsm(x), L.tensor([[2, 2, 2, 0], [1, 0, 1, 1]]), L.tensor([7, 7]), L.tensor([3, 4]),
        blank=3, reduction="none"), ((7, 2, 4),))),
    _ctc()(Case("ctc_loss_empty_target_and_input", lambda L, x: _F(L).ctc_loss(
        _lsm(x), L.tensor([[1, 2], [1, 1], [2, 1]]), L.tensor([4, 3, 0]), L.tensor([0, 2, 0]),
        reduction="none"), ((4, 3, 3),))),
    _ctc()(Case("ctc_loss_zero_infinity", lambda L, x: _F(L).ctc_loss(
        _lsm(x), L.tensor([[1, 1, 1], [2, 1, 0]]), L.tensor([4, 4]), L.tensor([3, 2]),
        reduction="sum", zero_infinity=True), ((4, 2, 3),))),
    _ctc()(Case("ctc_loss_zero_infinity_none", lambda L, x: _F(L).ctc_loss(
        _lsm(x), L.tensor([[1, 1, 1], [2, 1, 0]]), L.tensor([4, 4]), L.tensor([3, 2]),
        reduction="none", zero_infinity=True), ((4, 2, 3),))),
    _ctc()(Case("ctc_loss_unbatched", lambda L, x: _F(L).ctc_loss(
        _lsm(x), L.tensor([1, 3, 3]), L.tensor(5), L.tensor(3), reduction="none"), ((5, 4),))),
    _ctc()(Case("ctc_loss_unbatched_mean", lambda L, x: _F(L).ctc_loss(
        _lsm(x), L.tensor([1, 3]), L.tensor([5]), L.tensor([2])), ((5, 4),))),
    _ctc()(Case("ctc_loss_unbatched_sum", lambda L, x: _F(L).ctc_loss(
        _lsm(x), L.tensor([[2, 1]]), L.tensor(4), L.tensor(2), reduction="sum"), ((4, 3),))),
    _ctc()(Case("ctc_loss_module", lambda L, x: L.nn.CTCLoss(blank=1, zero_infinity=True)(
        _lsm(x), L.tensor([[2, 3, 0], [3, 3, 0]]), L.tensor([5, 3]), L.tensor([3, 2])),
        ((5, 2, 4),))),
    _ctc()(Case("ctc_loss_torch_form", lambda L, x: L.ctc_loss(
        _lsm(x), L.tensor(_T2), L.tensor(_IL), L.tensor(_TL)), ((6, 3, 5),))),
    _ctc()(Case("ctc_loss_torch_form_mean", lambda L, x: L.ctc_loss(
        _lsm(x), L.tensor(_T2), _IL, _TL, 0, 1, False), ((6, 3, 5),))),
    _ctc()(Case("ctc_loss_one_class", lambda L, x: _F(L).ctc_loss(
        _lsm(x), L.tensor([[0]]), L.tensor([3]), L.tensor([0]), reduction="none"), ((3, 1, 1),))),
]


# ---- segment_reduce (torch has no second derivative and no forward mode for it) ----
def _seg(*tags):
    return _ctc(*tags)


def _lengths(L, v):
    return L.tensor(v)


CASES += [
    _seg()(Case("segment_reduce_sum", lambda L, x: L.segment_reduce(x, "sum", lengths=_lengths(L, [2, 0, 3, 1])),
                ((6,),))),
    _seg()(Case("segment_reduce_sum_initial_2d", lambda L, x: L.segment_reduce(
        x, "sum", lengths=_lengths(L, [1, 2]), initial=1.5), ((3, 2),))),
    _seg()(Case("segment_reduce_mean", lambda L, x: L.segment_reduce(x, "mean", lengths=_lengths(L, [2, 3, 1])),
                ((6,),))),
    _seg()(Case("segment_reduce_mean_initial_empty", lambda L, x: L.segment_reduce(
        x, "mean", lengths=_lengths(L, [0, 4]), initial=0.5), ((4, 2),))),
    _seg()(Case("segment_reduce_max", lambda L, x: L.segment_reduce(x, "max", lengths=_lengths(L, [2, 3, 1])),
                ((6,),), "distinct")),
    _seg()(Case("segment_reduce_amax_initial", lambda L, x: L.segment_reduce(
        x, "amax", lengths=_lengths(L, [2, 2, 2]), initial=0.0), ((6,),), "distinct")),
    _seg()(Case("segment_reduce_min_rows", lambda L, x: L.segment_reduce(
        x, "min", lengths=_lengths(L, [[1, 3], [2, 2]]), axis=1), ((2, 4),), "distinct")),
    _seg()(Case("segment_reduce_prod", lambda L, x: L.segment_reduce(x, "prod", lengths=_lengths(L, [3, 2, 1])),
                ((6,),))),
    _seg()(Case("segment_reduce_prod_zeros", lambda L, x: L.segment_reduce(
        x * L.tensor([0.0, 1, 1, 0, 0, 1, 1], dtype=x.dtype), "prod", lengths=_lengths(L, [3, 2, 2]),
        initial=2.0), ((7,),))),
    _seg()(Case("segment_reduce_offsets", lambda L, x: L.segment_reduce(
        x, "sum", offsets=_lengths(L, [0, 1, 3]), axis=0), ((3, 2, 2),))),
    _seg()(Case("segment_reduce_offsets_rows_partial", lambda L, x: L.segment_reduce(
        x, "mean", offsets=_lengths(L, [[0, 2, 4], [1, 2, 3]]), axis=1), ((2, 4),))),
    _seg()(Case("segment_reduce_unsafe", lambda L, x: L.segment_reduce(
        x, "max", lengths=_lengths(L, [1, 2]), unsafe=True), ((3,),), "distinct")),
]


# (lobpcg has no rows here: torch's results are those of its iteration, which in float32
# miss the table's tolerances; tests/test_lobpcg.py compares values, first and second
# derivatives with torch's in float64 and gradchecks them)
