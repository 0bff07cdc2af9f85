"""Writing into a tensor whose elements share memory (an expanded tensor) against torch.

PyTorch's elementwise kernels refuse such a target, in place or as ``out=``, with "more than
one element of the written-to tensor refers to a single memory location"; its reductions,
fills, masked fills and some products write into it. Each case runs under both libraries on
``base.expand(2, 3)`` and compares whether the op is refused, with which error and
warnings. (What is written through aliased elements is PyTorch's accident of
implementation, not compared; and where PyTorch refuses only after writing part of the
result, ember refuses first and leaves ``base`` as it was.)"""

from __future__ import annotations

import pytest

import ember
from tests.autograd.oracle import check


def _index(lib, *values):
    return lib.tensor(list(values))


# name: (dtype of the target, what is done to it); the target is ``base.expand(2, 3)``
CASES = {
    # in place, elementwise: refused
    "add_": ("float32", lambda lib, t: t.add_(1)),
    "add_ tensor": ("float32", lambda lib, t: t.add_(lib.ones(2, 3))),
    "add_ alpha": ("float32", lambda lib, t: t.add_(lib.ones(2, 3), alpha=2)),
    "sub_ alpha": ("float32", lambda lib, t: t.sub_(lib.ones(2, 3), alpha=2)),
    "mul_": ("float32", lambda lib, t: t.mul_(2)),
    "div_ floor": ("float32", lambda lib, t: t.div_(2, rounding_mode="floor")),
    "pow_ tensor": ("float32", lambda lib, t: t.pow_(lib.ones(2, 3))),
    "hypot_": ("float32", lambda lib, t: t.hypot_(lib.ones(2, 3))),
    "ldexp_": ("float32", lambda lib, t: t.ldexp_(lib.ones(2, 3))),
    "exp_": ("float32", lambda lib, t: t.exp_()),
    "sqrt_": ("float32", lambda lib, t: t.sqrt_()),
    "abs_": ("float32", lambda lib, t: t.abs_()),
    "sigmoid_": ("float32", lambda lib, t: t.sigmoid_()),
    "nan_to_num_": ("float32", lambda lib, t: t.nan_to_num_()),
    "clamp_": ("float32", lambda lib, t: t.clamp_(0, 1)),
    "clamp_ tensors": ("float32", lambda lib, t: t.clamp_(lib.zeros(3), lib.ones(3))),
    "lerp_": ("float32", lambda lib, t: t.lerp_(lib.ones(2, 3), 0.5)),
    "addcmul_": ("float32", lambda lib, t: t.addcmul_(lib.ones(2, 3), lib.ones(2, 3))),
    "addcdiv_": ("float32", lambda lib, t: t.addcdiv_(lib.ones(2, 3), lib.ones(2, 3))),
    "bitwise_and_": ("int64", lambda lib, t: t.bitwise_and_(1)),
    "logical_not_": ("float32", lambda lib, t: t.logical_not_()),
    "relu_": ("float32", lambda lib, t: t.relu_()),
    "leaky_relu_": ("float32", lambda lib, t: lib.nn.functional.leaky_relu_(t)),
    "hardtanh_": ("float32", lambda lib, t: lib.nn.functional.hardtanh_(t)),
    "dropout inplace": ("float32", lambda lib, t: lib.nn.functional.dropout(t, 0.5, True, True)),
    "copy_": ("float32", lambda lib, t: t.copy_(lib.ones(2, 3))),
    "fill_ tensor": ("float32", lambda lib, t: t.fill_(lib.tensor(2.0))),
    "cumsum_": ("float32", lambda lib, t: t.cumsum_(1)),
    "renorm_": ("float32", lambda lib, t: t.renorm_(2, 0, 1.0)),
    "addmm_": ("float32", lambda lib, t: t.addmm_(lib.ones(2, 2), lib.ones(2, 3))),
    "addr_": ("float32", lambda lib, t: t.addr_(lib.ones(2), lib.ones(3))),
    "scatter_": ("float32", lambda lib, t: t.scatter_(1, lib.zeros(2, 1, dtype=lib.long), 1.0)),
    "index_add_": ("float32", lambda lib, t: t.index_add_(0, _index(lib, 0), lib.ones(1, 3))),
    "uniform_": ("float32", lambda lib, t: t.uniform_()),
    "normal_": ("float32", lambda lib, t: t.normal_()),
    # out=: refused
    "add out": ("float32", lambda lib, t: lib.add(lib.ones(2, 3), 1, out=t)),
    "exp out": ("float32", lambda lib, t: lib.exp(lib.ones(2, 3), out=t)),
    "where out": ("float32", lambda lib, t: lib.where(lib.ones(2, 3) > 0, 1.0, 2.0, out=t)),
    "mean out": ("float32", lambda lib, t: lib.mean(lib.ones(2, 3, 4), 2, out=t)),
    "logsumexp out": ("float32", lambda lib, t: lib.logsumexp(lib.ones(2, 3, 4), 2, out=t)),
    "softmax out": ("float32", lambda lib, t: lib.softmax(lib.ones(2, 3), 1, out=t)),
    "cumsum out": ("float32", lambda lib, t: lib.cumsum(lib.ones(2, 3), 1, out=t)),
    "mm out": ("float32", lambda lib, t: lib.mm(lib.ones(2, 2), lib.ones(2, 3), out=t)),
    "addmm out": ("float32", lambda lib, t: lib.addmm(t, lib.ones(2, 2), lib.ones(2, 3),
                                                      out=t)),
    "cat out": ("float32", lambda lib, t: lib.cat([lib.ones(1, 3), lib.ones(1, 3)], out=t)),
    "index_select out": ("float32", lambda lib, t: lib.index_select(lib.ones(2, 3), 0,
                                                                    _index(lib, 0, 1), out=t)),
    "linalg.inv out": ("float32", lambda lib, t: lib.linalg.inv(lib.eye(3), out=t)),
    "rand out": ("float32", lambda lib, t: lib.rand(2, 3, out=t)),
    "multinomial out": ("int64", lambda lib, t: lib.multinomial(lib.ones(2, 3), 3, out=t)),
    # written: reductions, fills, masked fills and some products
    "sum out": ("float32", lambda lib, t: lib.sum(lib.ones(2, 3, 4), 2, out=t)),
    "prod out": ("float32", lambda lib, t: lib.prod(lib.ones(2, 3, 4), 2, out=t)),
    "amax out": ("float32", lambda lib, t: lib.amax(lib.ones(2, 3, 4), 2, out=t)),
    "argmax out": ("int64", lambda lib, t: lib.argmax(lib.ones(2, 3, 4), 2, out=t)),
    "any out": ("bool", lambda lib, t: lib.any(lib.ones(2, 3, 4), 2, out=t)),
    "std out": ("float32", lambda lib, t: lib.std(lib.ones(2, 3, 4), 2, out=t)),
    "vector_norm out": ("float32", lambda lib, t: lib.linalg.vector_norm(lib.ones(2, 3, 4),
                                                                        dim=2, out=t)),
    "cummax out": ("float32", lambda lib, t: lib.cummax(
        lib.ones(2, 3), 1, out=(t, lib.zeros(2, 3, dtype=lib.long)))),
    "tril out": ("float32", lambda lib, t: lib.tril(lib.ones(2, 3), out=t)),
    "narrow_copy out": ("float32", lambda lib, t: lib.narrow_copy(lib.ones(2, 4), 1, 0, 3,
                                                                  out=t)),
    "bmm out": ("float32", lambda lib, t: lib.bmm(lib.ones(1, 2, 2), lib.ones(1, 2, 3),
                                                  out=t.unsqueeze(0))),
    "baddbmm_": ("float32", lambda lib, t: t.unsqueeze(0).baddbmm_(lib.ones(1, 2, 2),
                                                                   lib.ones(1, 2, 3))),
    "fill_": ("float32", lambda lib, t: t.fill_(2)),
    "zero_": ("float32", lambda lib, t: t.zero_()),
    "tril_": ("float32", lambda lib, t: t.tril_()),
    "threshold_": ("float32", lambda lib, t: lib.nn.functional.threshold_(t, 1.5, 0.0)),
    "masked_fill_": ("float32", lambda lib, t: t.masked_fill_(lib.ones(2, 3) > 0, 2.0)),
    "index_fill_": ("float32", lambda lib, t: t.index_fill_(1, _index(lib, 0), 2.0)),
    "setitem": ("float32", lambda lib, t: t.__setitem__(0, 5.0)),
}


@pytest.mark.parametrize("name", CASES)
def test_writing_into_an_expanded_tensor(name):
    dtype, write = CASES[name]
    after = {}

    def program(lib):
        base = lib.arange(1, 4).to(getattr(lib, dtype))
        try:
            write(lib, base.expand(2, 3))
        except RuntimeError as error:
            after[lib.__name__] = base.tolist()
            return ["refused", str(error)]
        return ["written"]

    check(program)
    if "ember" in after:  # refused: nothing written
        assert after["ember"] == ember.arange(1, 4).to(getattr(ember, dtype)).tolist()


def test_expanded_target_of_an_op_with_autograd():
    """The autograd checks come first (a view of a leaf), then the overlap check."""

    def program(lib):
        leaf = lib.ones(3, requires_grad=True)
        outcomes = []
        for write in (lambda t: t.mul_(2), lambda t: t.fill_(2.0)):
            try:
                write(leaf.expand(2, 3))
            except RuntimeError as error:
                outcomes.append(str(error))
            try:
                target = (leaf * 1).expand(2, 3)
                write(target)
                outcomes.append(target)
            except RuntimeError as error:
                outcomes.append(str(error))
        return outcomes

    check(program)
