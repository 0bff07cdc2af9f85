"""In-place ops and autograd against torch: version counter errors, refusals on leaves and
their views, gradients through in-place ops on non-leaves and their views, grad_fn names."""

from __future__ import annotations

import pytest

from tests.autograd.oracle import check


def _leaf(lib, values=(1.0, 2.0, 3.0)):
    return lib.tensor(list(values), requires_grad=True)


def _matrix(lib):
    return lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)


def modified_saved_input(lib):
    x = _leaf(lib)
    y = x * 2
    z = y * y
    y.add_(1)
    z.sum().backward()


def modified_saved_output(lib):
    x = _leaf(lib)
    y = x.exp()
    y.mul_(2)
    y.sum().backward()


def modified_saved_output_then_more(lib):
    x = _leaf(lib)
    y = x.sigmoid()
    z = y * 1.0
    y.add_(1)
    z.sum().backward()


def modified_saved_leaf(lib):
    x = _leaf(lib)
    y = (x * x).sum()
    with lib.no_grad():
        x.mul_(2)
    y.backward()


def modified_saved_view_base(lib):
    x = _leaf(lib)
    y = x * 1.0
    v = y[1:]
    z = (v * v).sum()
    y.add_(1)
    z.backward()


def modified_unsaved_input_is_fine(lib):
    x = _leaf(lib)
    y = x * 2
    z = y + 1
    y.add_(1)
    z.sum().backward()
    return [x.grad, y.grad_fn.name()]


def version_counts(lib):
    x = lib.zeros(3)
    v = x[1:]
    versions = [x._version]
    x.add_(1)
    versions.append(x._version)
    v.mul_(2)
    versions += [x._version, v._version]
    x[0] = 5
    versions.append(x._version)
    return versions


def leaf_inplace(lib):
    _leaf(lib).add_(1)


def leaf_setitem(lib):
    x = _leaf(lib)
    x[0] = 5


def leaf_view_inplace(lib):
    _leaf(lib)[1:].mul_(2)


def view_made_to_require_grad_then_inplace(lib):
    v = lib.arange(4.0).reshape(2, 2).requires_grad_()  # a view of a plain leaf
    v.add_(1)


def leaf_inplace_under_no_grad(lib):
    x = _leaf(lib)
    with lib.no_grad():
        x.add_(1)
        x[0] = 0
    return [x, x.requires_grad, x.is_leaf, x._version]


def leaf_view_made_in_no_grad_then_inplace(lib):
    x = _leaf(lib)
    with lib.no_grad():
        v = x[1:]
    v.mul_(2)


def nonleaf_setitem(lib):
    x = _leaf(lib)
    y = x * 2
    y[0] = 5
    y.sum().backward()
    return [x.grad, y.grad_fn.name()]


def column_mul(lib):
    x = _matrix(lib)
    y = x * 2
    y[:, 1].mul_(3)
    (y * y).sum().backward()
    return [x.grad, y.grad_fn.name()]


def add_(lib):
    x = _leaf(lib)
    y = x * 2
    y.add_(1)
    (y * y).sum().backward()
    return [x.grad, y.grad_fn.name()]


def exp_(lib):
    x = _leaf(lib)
    y = x * 0.5
    y.exp_()
    y.sum().backward()
    return [x.grad, y.grad_fn.name()]


def clamp_(lib):
    x = _leaf(lib, (-1.0, 0.5, 2.0))
    y = x * 1.0
    y.clamp_(0, 1)
    (y * 3).sum().backward()
    return [x.grad, y.grad_fn.name()]


def view_mul_by_requiring(lib):
    x = _leaf(lib)
    w = lib.tensor([4.0, 5.0], requires_grad=True)
    y = x * 2
    v = y[1:]
    v.mul_(w)
    (y * y).sum().backward()
    return [x.grad, w.grad, y.grad_fn.name(), v.grad_fn.name()]


def setitem_requiring_into_plain(lib):
    y = lib.zeros(3)
    w = lib.tensor([4.0, 5.0], requires_grad=True)
    y[1:] = w
    (y * y).sum().backward()
    return [w.grad, y.requires_grad, y.is_leaf, y.grad_fn.name()]


def setitem_scalar_requiring_into_plain(lib):
    y = lib.zeros(3)
    w = lib.tensor(2.0, requires_grad=True)
    y[0] = w
    (y * 3).sum().backward()
    return [w.grad, y.grad_fn.name()]


def copy_into_plain(lib):
    y = lib.zeros(3)
    w = _leaf(lib)
    y.copy_(w)
    (y * y).sum().backward()
    return [w.grad, y.grad_fn.name()]


def chain(lib):
    x = _leaf(lib)
    y = x * 1.0
    y.mul_(2).add_(1).pow_(2)
    y[0] = 0
    y.sum().backward()
    return [x.grad, y.grad_fn.name()]


def chain_on_views(lib):
    x = _matrix(lib)
    y = x * 1.0
    row = y[0]
    row.mul_(2)
    col = y[:, 2]
    col.add_(row[2])
    y.sum().backward()
    return [x.grad, y.grad_fn.name(), row.grad_fn.name(), col.grad_fn.name()]


def view_grad_fn_after_base_inplace(lib):
    x = _leaf(lib)
    y = x * 1.0
    v = y[1:]
    y.mul_(2)
    v.sum().backward()
    return [x.grad, v.grad_fn.name(), y.grad_fn.name()]


def grad_fn_names_after_inplace(lib):
    x = _matrix(lib)
    y = x * 1.0
    v = y[0]
    v.add_(1)
    names = [y.grad_fn.name(), v.grad_fn.name(),
             [n.name() if n is not None else None for n, _ in y.grad_fn.next_functions]]
    return names


def inplace_on_output_of_multi_output_view(lib):
    x = _leaf(lib, (1.0, 2.0, 3.0, 4.0))
    a, b = (x * 1.0).split(2)
    a.mul_(2)


def inplace_on_unbind_output(lib):
    x = _matrix(lib)
    a, b = (x * 1.0).unbind()
    a.add_(1)


def inplace_in_no_grad_on_nonleaf(lib):
    x = _leaf(lib)
    y = x * 2
    with lib.no_grad():
        y.add_(1)
    (y * 3).sum().backward()
    return [x.grad, y.grad_fn.name(), y]


def inplace_on_detached(lib):
    x = _leaf(lib)
    y = x.exp()
    y.detach().zero_()
    y.sum().backward()


def inplace_through_data(lib):
    x = _leaf(lib)
    y = x.exp()
    y.data.zero_()
    y.sum().backward()
    return x.grad


def inplace_wrong_dtype_result(lib):
    x = _leaf(lib)
    y = (x * 2).long()
    y.add_(1.5)


def inplace_int_tensor_with_requiring(lib):
    y = lib.zeros(3, dtype=lib.long)
    y.add_(_leaf(lib))


def zero_on_nonleaf(lib):
    x = _leaf(lib)
    y = x * 2
    y.zero_()
    (y + x).sum().backward()
    return [x.grad, y.grad_fn.name()]


def fill_on_view(lib):
    x = _matrix(lib)
    y = x * 1.0
    y[1].fill_(7)
    (y * y).sum().backward()
    return [x.grad, y.grad_fn.name()]


def setitem_tensor_index(lib):
    x = _leaf(lib)
    y = x * 2
    y[lib.tensor([0, 2])] = lib.tensor([9.0, 8.0])
    (y * y).sum().backward()
    return [x.grad, y.grad_fn.name()]


def setitem_mask(lib):
    x = _leaf(lib)
    y = x * 2
    y[y > 3] = 0.0
    (y * y).sum().backward()
    return [x.grad, y.grad_fn.name()]


def inplace_on_expanded_view(lib):
    x = _leaf(lib)
    y = (x * 1.0).expand(2, 3)
    y.add_(1)


def inplace_view_of_view(lib):
    x = _matrix(lib)
    y = x * 1.0
    v = y[1][1:]
    v.mul_(10)
    y.sum().backward()
    return [x.grad, y.grad_fn.name(), v.grad_fn.name()]


def fill_with_requiring_value(lib):
    x = _leaf(lib)
    w = lib.tensor(3.0, requires_grad=True)
    y = x * 2
    y.fill_(w)
    (y * y).sum().backward()
    return [x.grad, w.grad, y.grad_fn.name()]


def zero_leaf(lib):
    _leaf(lib).zero_()


def no_grad_view_of_nonleaf(lib):
    y = _leaf(lib) * 2
    with lib.no_grad():
        v = y[1:]
    v.mul_(2)


def no_grad_view_is_a_leaf(lib):
    x = _leaf(lib)
    with lib.no_grad():
        v = x[1:]
    y = (v * 2).sum()
    y.backward()
    return [v.requires_grad, v.is_leaf, v.grad_fn, v.grad, x.grad]


def no_grad_view_inplace_under_no_grad(lib):
    x = _leaf(lib)
    with lib.no_grad():
        v = x[1:]
        v.mul_(2)
    return [x, v.requires_grad]


def no_grad_view_after_base_inplace(lib):
    y = _leaf(lib) * 2
    with lib.no_grad():
        v = y[1:]
    y.mul_(2)
    return v.grad_fn


def view_regenerated_after_no_grad_inplace(lib):
    x = _leaf(lib)
    y = x * 2
    v = y[1:]
    with lib.no_grad():
        y.mul_(2)
    (v * v).sum().backward()
    return [x.grad, v.grad_fn.name(), y.grad_fn.name()]


def view_of_plain_base_gains_history(lib):
    w = lib.tensor([4.0], requires_grad=True)
    y = lib.zeros(3)
    v = y[1:]
    y[:1] = w
    return [v.requires_grad, v.grad_fn.name(), y.grad_fn.name()]


def view_inplace_in_no_grad(lib):
    x = _leaf(lib)
    y = x * 2
    v = y[1:]
    with lib.no_grad():
        v.mul_(2)
    (v * 1.0).sum().backward()
    return [x.grad, v.grad_fn.name(), y.grad_fn.name()]


def _matrix3(lib):
    return lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], requires_grad=True)


def diagonal_add(lib):
    x = _matrix3(lib)
    y = x * 1.0
    y.diagonal().mul_(2)
    (y * y).sum().backward()
    return [x.grad, y.grad_fn.name()]


def step_view_inplace(lib):
    x = _matrix3(lib)
    y = x * 1.0
    y[::2, ::2].exp_()
    y.sum().backward()
    return x.grad


def transposed_view_inplace(lib):
    x = _matrix3(lib)
    y = x * 1.0
    y.t()[0].mul_(10)
    y.sum().backward()
    return x.grad


def inplace_then_view_then_inplace(lib):
    x = _matrix3(lib)
    y = x * 1.0
    y.add_(1)
    r = y[1]
    r.mul_(r.detach())
    y.sum().backward()
    return [x.grad, r.grad_fn.name()]


def resize_with_grad(lib):
    y = _matrix3(lib) * 1.0
    y.resize_(9)


def as_strided_inplace(lib):
    x = _matrix3(lib)
    y = x * 1.0
    y.as_strided((2,), (4,)).mul_(3)
    y.sum().backward()
    return x.grad


def expand_of_requiring_into_plain_view(lib):
    y = lib.zeros(3, 3)
    w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y[1:] = w
    (y * y).sum().backward()
    return w.grad


def two_views_inplace(lib):
    x = _matrix3(lib)
    y = x * 1.0
    a = y[0]
    b = y[:, 0]
    a.mul_(2)
    b.mul_(3)
    (a.sum() + b.sum()).backward()
    return [x.grad, a.grad_fn.name(), b.grad_fn.name()]


def view_used_after_base_modified(lib):
    x = _matrix3(lib)
    y = x * 1.0
    col = y[:, 1]
    y[1] = 0
    (col * 2).sum().backward()
    return x.grad

PROGRAMS = [
    modified_saved_input, modified_saved_output, modified_saved_output_then_more,
    modified_saved_leaf, modified_saved_view_base, modified_unsaved_input_is_fine,
    version_counts, leaf_inplace, leaf_setitem, leaf_view_inplace,
    view_made_to_require_grad_then_inplace, leaf_inplace_under_no_grad,
    leaf_view_made_in_no_grad_then_inplace, no_grad_view_of_nonleaf,
    nonleaf_setitem, column_mul, add_, exp_, clamp_,
    view_mul_by_requiring, setitem_requiring_into_plain, setitem_scalar_requiring_into_plain,
    copy_into_plain, chain, chain_on_views, view_grad_fn_after_base_inplace,
    grad_fn_names_after_inplace, inplace_on_output_of_multi_output_view,
    inplace_on_unbind_output, inplace_in_no_grad_on_nonleaf, inplace_on_detached,
    inplace_through_data, inplace_wrong_dtype_result, inplace_int_tensor_with_requiring,
    zero_on_nonleaf, fill_on_view, setitem_tensor_index, setitem_mask,
    inplace_on_expanded_view,
    inplace_view_of_view, fill_with_requiring_value, zero_leaf, no_grad_view_is_a_leaf,
    no_grad_view_inplace_under_no_grad,
    no_grad_view_after_base_inplace, view_regenerated_after_no_grad_inplace,
    view_of_plain_base_gains_history, view_inplace_in_no_grad,
    diagonal_add,
    step_view_inplace,
    transposed_view_inplace,
    inplace_then_view_then_inplace,
    resize_with_grad,
    as_strided_inplace,
    expand_of_requiring_into_plain_view,
    two_views_inplace,
    view_used_after_base_modified,
]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_inplace(program):
    check(program)
