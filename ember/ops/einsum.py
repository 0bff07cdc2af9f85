"""Tensor contractions written in index notation: einsum, its equation given as a string or
in the sublist format, and tensordot, its contracted dims given as a count or two lists.

Both are compositions of matmul.py's products, so their gradients and grad_fn names are
PyTorch's: einsum contracts its operands two at a time through bmm (see Note [einsum as
PyTorch contracts it]), tensordot runs the single mm that inner runs too."""

from __future__ import annotations

from ember import _dtype
from ember.autograd import grad_mode
from ember.ops._autograd import check_out_allowed
from ember.ops._common import Tensor
from ember.ops.matmul import _exact_out, _tensordot, bmm

__all__ = ["einsum", "tensordot"]


# --- einsum ------------------------------------------------------------------------------
# Note [einsum as PyTorch contracts it]
# Every operand is brought to one shared dim order (output dims, then the dims summed away)
# by diagonals for repeated labels, unsqueezes for missing ones and a permute; the operands
# are then contracted left to right, two at a time, through bmm (``_sum_product_pair``),
# summing a dim as soon as no operand still to come has it. All of it is made of ember ops,
# so the gradients, the grad_fn names and the strides of the result are PyTorch's.

_LABELS = 52  # the letters: A-Z are labels 0..25, a-z are 26..51
_ELLIPSIS = _LABELS  # the label of "..."


def _label_of(char: str) -> int:
    return ord(char) - 65 if char <= "Z" else ord(char) - 97 + 26


def _is_subscript(char: str) -> bool:
    return "A" <= char <= "Z" or "a" <= char <= "z"


def _subscript_char(label: int) -> str:
    """The letter of ``label``: the inverse of ``_label_of``."""
    return chr(65 + label) if label < 26 else chr(97 + label - 26)


def _sublist_subscript(value) -> str:
    """The equation text of one entry of a sublist: ``...`` or a label in [0, 52)."""
    if value is Ellipsis:
        return "..."
    if not 0 <= value < _LABELS:
        raise ValueError("einsum(): subscript in subscript list is not within the valid "
                         "range [0, 52)")
    return _subscript_char(value)


def _parse_operands(equation: str, count: int):
    """The labels of each operand on the left of ``equation``."""
    lhs = equation.split("->", 1)[0]
    labels = [[] for _ in range(count)]
    current, ellipsis_seen, i = 0, False, 0
    while i < len(lhs):
        char = lhs[i]
        if char == ".":
            if ellipsis_seen:
                raise RuntimeError(f"einsum(): found '.' for operand {current} for which an "
                                   "ellipsis was already found")
            if not lhs.startswith("...", i):
                raise RuntimeError(f"einsum(): found '.' for operand {current} that is not "
                                   "part of any ellipsis")
            labels[current].append(_ELLIPSIS)
            ellipsis_seen = True
            i += 2
        elif char == ",":
            current += 1
            if current >= count:
                raise RuntimeError("einsum(): fewer operands were provided than specified "
                                   "in the equation")
            ellipsis_seen = False
        elif char != " ":
            if not _is_subscript(char):
                raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the "
                                   "equation string, subscripts must be in [a-zA-Z]")
            labels[current].append(_label_of(char))
        i += 1
    if current != count - 1:
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation")
    return labels


def _output_positions(equation, lhs_length, label_count, ellipsis_dims):
    """Where each label (and the ellipsis) goes in the shared dim order: the output's dims
    first. Returns (positions by label, ellipsis start, output rank, total rank)."""
    positions = [-1] * _LABELS
    if "->" not in equation:  # implicit output: the ellipsis, then labels seen once
        ellipsis_start, index = 0, ellipsis_dims
        for label in range(_LABELS):
            if label_count[label] == 1:
                positions[label] = index
                index += 1
        ellipsis_in_output = True
    else:
        rhs = equation.split("->", 1)[1]
        ellipsis_start, index, ellipsis_in_output, i = 0, 0, False, 0
        while i < len(rhs):
            char = rhs[i]
            if char == ".":
                if ellipsis_in_output:
                    raise RuntimeError("einsum(): found '.' for output but an ellipsis (...) "
                                       "was already found")
                if not rhs.startswith("...", i):
                    raise RuntimeError("einsum(): found '.' for output that is not part of "
                                       "any ellipsis (...)")
                ellipsis_start, index, ellipsis_in_output = index, index + ellipsis_dims, True
                i += 2
            elif char != " ":
                if not _is_subscript(char):
                    raise RuntimeError(f"einsum(): invalid subscript given at index "
                                       f"{lhs_length + 2 + i} in the equation string, "
                                       "subscripts must be in [a-zA-Z]")
                label = _label_of(char)
                if label_count[label] == 0 or positions[label] != -1:
                    problem = ("appears more than once in the output" if positions[label] != -1
                               else "does not appear in the equation for any input operand")
                    raise RuntimeError(f"einsum(): output subscript {char} {problem}")
                positions[label] = index
                index += 1
            i += 1
    output_rank = index
    if not ellipsis_in_output:
        ellipsis_start, index = index, index + ellipsis_dims
    for label in range(_LABELS):
        if label_count[label] and positions[label] == -1:
            positions[label] = index
            index += 1
    return positions, ellipsis_start, output_rank, index


def _align(operand, number, labels, positions, ellipsis_start, ellipsis_dims, total,
           label_size, ellipsis_sizes, dim_counts):
    """``operand`` with diagonals taken, missing dims added and its dims permuted to the
    shared order; updates the sizes seen and how many operands have each dim."""
    permutation = [-1] * total
    ndim = operand._data.ndim
    dim = 0
    for label in labels:
        if label == _ELLIPSIS:
            covered = ndim - (len(labels) - 1)
            for j in range(ellipsis_dims - covered, ellipsis_dims):
                size = operand.shape[dim]
                if size != 1:
                    if ellipsis_sizes[j] not in (1, size):
                        raise RuntimeError("einsum(): operands do not broadcast with remapped "
                                           "shapes (original->remapped)")
                    ellipsis_sizes[j] = size
                    dim_counts[ellipsis_start + j] += 1
                permutation[ellipsis_start + j] = dim
                dim += 1
        elif permutation[positions[label]] == -1:
            size = operand.shape[dim]
            if size != 1:
                if label_size[label] not in (1, size):
                    raise RuntimeError(
                        f"einsum(): subscript {_subscript_char(label)} has size {size} for "
                        f"operand {number} which does not broadcast with previously seen "
                        f"size {label_size[label]}")
                label_size[label] = size
                dim_counts[positions[label]] += 1
            permutation[positions[label]] = dim
            dim += 1
        else:  # a repeated label: its diagonal
            previous = permutation[positions[label]]
            if operand.shape[dim] != operand.shape[previous]:
                raise RuntimeError(
                    f"einsum(): subscript {_subscript_char(label)} is repeated for operand "
                    f"{number} but the sizes don't match, {operand.shape[dim]} != "
                    f"{operand.shape[previous]}")
            operand = operand.diagonal(0, previous, dim).movedim(-1, previous)
    for index, value in enumerate(permutation):
        if value == -1:
            operand = operand.unsqueeze(-1)
            permutation[index] = operand._data.ndim - 1
    return operand.permute(permutation)


def _sum_product_pair(left, right, sum_dims):
    """``(left * right).sum(sum_dims, keepdim=True)`` through one bmm: both operands have
    the same rank, with broadcast (size 1) dims where one lacks a dim."""
    if not sum_dims:
        return left * right
    both, left_only, right_only = [], [], []
    both_size = left_size = right_size = sum_size = 1
    for dim in range(left._data.ndim):
        in_left, in_right = left.shape[dim] != 1, right.shape[dim] != 1
        if dim in sum_dims:
            if in_left and in_right:
                if left.shape[dim] != right.shape[dim]:
                    raise RuntimeError("non-broadcast dimensions must match")
                sum_size *= left.shape[dim]
            elif in_left:
                left = left.sum(dim, True)
            elif in_right:
                right = right.sum(dim, True)
        elif in_left and in_right:
            if left.shape[dim] != right.shape[dim]:
                raise RuntimeError("non-broadcast dimensions must match")
            both.append(dim)
            both_size *= left.shape[dim]
        elif in_left:
            left_only.append(dim)
            left_size *= left.shape[dim]
        else:
            right_only.append(dim)
            right_size *= right.shape[dim]
    if left_only and right_only and right_only[-1] < left_only[0]:
        # PyTorch swaps the operands when that lays the result out in the order of its dims
        left, right = right, left
        left_only, right_only = right_only, left_only
        left_size, right_size = right_size, left_size
    out_size = ([left.shape[d] for d in both] + [left.shape[d] for d in left_only]
                + [1] * len(sum_dims) + [right.shape[d] for d in right_only])
    left_order = both + left_only + list(sum_dims) + right_only
    right_order = both + list(sum_dims) + right_only + left_only
    out_order = [0] * len(left_order)
    for position, dim in enumerate(both + left_only + list(sum_dims) + right_only):
        out_order[dim] = position
    left = left.permute(left_order).reshape(both_size, left_size, sum_size)
    right = right.permute(right_order).reshape(both_size, sum_size, right_size)
    if _dtype.bool in (left._dtype, right._dtype) and left._data.size and right._data.size:
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    return bmm(left, right).view(out_size).permute(out_order)


def _einsum(equation: str, operands):
    """einsum of the equation string ``equation`` over the list ``operands``."""
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    for operand in operands:
        if not isinstance(operand, Tensor):
            raise TypeError(f"einsum(): argument 'tensors' must be tuple of Tensors, not "
                            f"{type(operand).__name__}")
    labels = _parse_operands(equation, len(operands))
    label_count = [0] * _LABELS
    ellipsis_dims = 0
    for number, (operand, operand_labels) in enumerate(zip(operands, labels)):
        ndim = operand._data.ndim
        count = len(operand_labels)
        has_ellipsis = _ELLIPSIS in operand_labels
        if has_ellipsis:
            count -= 1
            ellipsis_dims = max(ellipsis_dims, ndim - count)
        for label in operand_labels:
            if label != _ELLIPSIS:
                label_count[label] += 1
        if count > ndim if has_ellipsis else count != ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({count}) does not match "
                f"the number of dimensions ({ndim}) for operand {number}"
                f"{'' if has_ellipsis else ' and no ellipsis was given'}")
    lhs_length = len(equation.split("->", 1)[0])
    positions, ellipsis_start, output_rank, total = _output_positions(
        equation, lhs_length, label_count, ellipsis_dims)
    label_size, ellipsis_sizes, dim_counts = [1] * _LABELS, [1] * ellipsis_dims, [0] * total
    aligned = [_align(operand, number, operand_labels, positions, ellipsis_start,
                      ellipsis_dims, total, label_size, ellipsis_sizes, dim_counts)
               for number, (operand, operand_labels) in enumerate(zip(operands, labels))]
    while len(aligned) > 1:
        a, b = aligned.pop(0), aligned.pop(0)
        sum_dims, a_sums, b_sums = [], [], []
        for dim in range(output_rank, total):
            if a.shape[dim] != 1 and b.shape[dim] != 1:
                dim_counts[dim] -= 1
                if dim_counts[dim] == 1:
                    sum_dims.append(dim)
                    dim_counts[dim] = 0
            elif dim_counts[dim] == 1:
                if a.shape[dim] != 1:
                    a_sums.append(dim)
                    dim_counts[dim] = 0
                elif b.shape[dim] != 1:
                    b_sums.append(dim)
                    dim_counts[dim] = 0
        if a_sums:
            a = a.sum(a_sums, True)
        if b_sums:
            b = b.sum(b_sums, True)
        aligned.insert(0, _sum_product_pair(a, b, sum_dims))
    result = aligned[0]
    if total > output_rank:
        if len(operands) > 1:
            return result.view(result.shape[:output_rank])
        return result.sum(list(range(output_rank, total)))
    return result


def einsum(*args) -> Tensor:
    """Sums of products of the operands' elements over the dims that ``equation`` names:
    ``einsum("ij,jk->ik", a, b)`` is ``a @ b``. The sublist form
    ``einsum(a, [0, 1], b, [1, 2], [0, 2])`` and a list of operands are accepted too.
    See Note [einsum as PyTorch contracts it].

    Example::

        >>> a = ember.tensor([[1., 2.], [3., 4.]])
        >>> ember.einsum("ii", a)
        tensor(5.)
        >>> ember.einsum("ij,j->i", a, ember.tensor([1., 1.]))
        tensor([3., 7.])
    """
    if len(args) < 2:
        raise ValueError("einsum(): must specify the equation string and at least one "
                         "operand, or at least one operand and its subscripts list")
    if isinstance(args[0], Tensor):
        equation = ",".join("".join(_sublist_subscript(s) for s in sublist)
                            for sublist in args[1::2])
        if len(args) % 2 == 1:
            equation += "->" + "".join(_sublist_subscript(s) for s in args[-1])
            operands = args[:-1:2]
        else:
            operands = args[::2]
    else:
        equation, operands = args[0], args[1:]
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = operands[0]
    return _einsum(equation, list(operands))


# --- tensordot ---------------------------------------------------------------------------


def _tensordot_dims(a, b, dims):
    """tensordot's ``dims`` (an int, two lists of dims or a tensor of either) as the lists of
    ``a``'s and ``b``'s contracted dims."""
    if isinstance(dims, Tensor):
        dims = dims.tolist() if dims._data.size > 1 else int(dims._data.reshape(())[()])
    if not isinstance(dims, int | list | tuple):
        raise RuntimeError("tensordot expects dims to be int or tuple[list[int], list[int]] or "
                           f"list[list[int]] containing two lists, but got dims={dims}")
    if isinstance(dims, int):
        dims = int(dims)
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a._data.ndim, b._data.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        return list(range(-dims, 0)), list(range(dims))
    dims_a, dims_b = dims
    if isinstance(dims_a, int) or isinstance(dims_b, int):
        raise TypeError("tensordot(): argument 'dims_self' (position 3) must be tuple of ints, "
                        "not int")
    return list(dims_a), list(dims_b)


def tensordot(a, b, dims=2, out=None):
    """Sums the products of ``a``'s and ``b``'s elements over the dims ``dims`` names: an int
    (the last ``dims`` of ``a`` with the first of ``b``) or two lists of dims.

    Example::

        >>> ember.tensordot(ember.ones(2, 3, 4), ember.ones(4, 3), dims=([1, 2], [1, 0]))
        tensor([12., 12.])
    """
    dims_a, dims_b = _tensordot_dims(a, b, dims)
    if out is not None:
        check_out_allowed("tensordot", a, b)
        with grad_mode.no_grad():
            return _exact_out("tensordot", _tensordot(a, b, dims_a, dims_b), out)
    return _tensordot(a, b, dims_a, dims_b)
