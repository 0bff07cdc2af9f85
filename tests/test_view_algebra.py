"""Random chains of view ops, run on torch and on ember tensors built from the same values:
after every step the shape, strides, storage offset, contiguity and values must agree, and an
op that torch refuses must be refused the same way. At the end a write through the last view
must reach the same elements of the base."""

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from view_oracle import layout, outcome

import ember

SIZES = st.integers(0, 5)
SHAPES = st.lists(SIZES, min_size=0, max_size=4).map(tuple)


def _divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


@st.composite
def _same_numel_shape(draw, numel):
    """A shape of ``numel`` elements, perhaps with one size left to infer (-1)."""
    if numel == 0:
        shape = draw(st.lists(SIZES, min_size=1, max_size=4))
        if 0 not in shape:
            shape[draw(st.integers(0, len(shape) - 1))] = 0
        return tuple(shape)
    shape, rest = [], numel
    for _ in range(draw(st.integers(0, 3))):
        size = draw(st.sampled_from(_divisors(rest)))
        shape.append(size)
        rest //= size
    if rest != 1 or draw(st.booleans()):
        shape.append(rest)
    shape = draw(st.permutations(shape)) if shape else []
    if shape and draw(st.booleans()):
        shape[draw(st.integers(0, len(shape) - 1))] = -1
    return tuple(shape)


@st.composite
def _step(draw, shape, storage_size):
    """One view op fitting a tensor of ``shape``: (name, function of (tensor, module))."""
    ndim = len(shape)
    numel = int(np.prod(shape))
    kinds = ["view", "reshape", "expand", "unsqueeze", "as_strided", "squeeze"]
    if ndim:
        kinds += ["permute", "slice", "transpose", "narrow", "select", "unfold", "movedim",
                  "flatten", "index_none"]
    if ndim >= 2:
        kinds += ["diagonal"]
    kind = draw(st.sampled_from(kinds))
    if kind in ("view", "reshape"):
        new_shape = draw(_same_numel_shape(numel))
        return f"{kind}{new_shape}", lambda x, m: getattr(x, kind)(new_shape)
    if kind == "permute":
        order = tuple(draw(st.permutations(range(ndim))))
        return f"permute{order}", lambda x, m: x.permute(order)
    if kind == "transpose":
        dims = (draw(st.integers(-ndim, ndim - 1)), draw(st.integers(-ndim, ndim - 1)))
        return f"transpose{dims}", lambda x, m: x.transpose(*dims)
    if kind == "movedim":
        source = draw(st.integers(0, ndim - 1))
        destination = draw(st.integers(-ndim, ndim - 1))
        return f"movedim({source}, {destination})", lambda x, m: x.movedim(source, destination)
    if kind == "expand":
        lead = tuple(draw(st.lists(st.integers(0, 3), max_size=max(4 - ndim, 0))))
        sizes = tuple(draw(st.integers(0, 3)) if n == 1 else draw(st.sampled_from([n, -1]))
                      for n in shape)
        return f"expand{lead + sizes}", lambda x, m: x.expand(lead + sizes)
    if kind == "unsqueeze":
        dim = draw(st.integers(-ndim - 1, ndim))
        return f"unsqueeze({dim})", lambda x, m: x.unsqueeze(dim)
    if kind == "squeeze":
        dim = draw(st.none() | st.integers(-max(ndim, 1), max(ndim, 1) - 1))
        return f"squeeze({dim})", lambda x, m: x.squeeze() if dim is None else x.squeeze(dim)
    if kind == "slice":
        index = []
        for n in shape:
            start = draw(st.none() | st.integers(-n - 2, n + 2))
            stop = draw(st.none() | st.integers(-n - 2, n + 2))
            index.append(slice(start, stop, draw(st.sampled_from([None, 1, 2, 3]))))
        index = tuple(index[:draw(st.integers(1, ndim))])
        return f"[{index}]", lambda x, m: x[index]
    if kind == "index_none":
        index = tuple(draw(st.lists(st.sampled_from([None, Ellipsis, slice(None)]),
                                    min_size=1, max_size=3)))
        if index.count(Ellipsis) > 1:
            index = tuple(i for i in index if i is not Ellipsis)
        return f"[{index}]", lambda x, m: x[index]
    if kind == "narrow":
        dim = draw(st.integers(0, ndim - 1))
        start = draw(st.integers(0, shape[dim]))
        length = draw(st.integers(0, shape[dim] - start))
        return (f"narrow({dim}, {start}, {length})",
                lambda x, m: x.narrow(dim, start, length))
    if kind == "select":
        dim = draw(st.integers(0, ndim - 1))
        if shape[dim] == 0:
            return "flatten()", lambda x, m: x.flatten()
        index = draw(st.integers(-shape[dim], shape[dim] - 1))
        return f"select({dim}, {index})", lambda x, m: x.select(dim, index)
    if kind == "unfold":
        dim = draw(st.integers(0, ndim - 1))
        size = draw(st.integers(0, shape[dim]))
        step = draw(st.integers(1, 3))
        return f"unfold({dim}, {size}, {step})", lambda x, m: x.unfold(dim, size, step)
    if kind == "flatten":
        start = draw(st.integers(0, ndim - 1))
        end = draw(st.integers(start, ndim - 1))
        return f"flatten({start}, {end})", lambda x, m: x.flatten(start, end)
    if kind == "diagonal":
        dim1, dim2 = draw(st.permutations(range(ndim)))[:2]
        offset = draw(st.integers(-3, 3))
        return (f"diagonal({offset}, {dim1}, {dim2})",
                lambda x, m: x.diagonal(offset, dim1, dim2))
    # as_strided anywhere inside the storage
    sizes = tuple(draw(st.lists(st.integers(0, 3), max_size=3)))
    strides = tuple(draw(st.integers(0, 4)) for _ in sizes)
    reach = 0 if 0 in sizes else sum((n - 1) * s for n, s in zip(sizes, strides))
    if reach >= storage_size and 0 not in sizes:
        sizes, strides, reach = (), (), 0
    offset = draw(st.integers(0, max(storage_size - reach - 1, 0)))
    return (f"as_strided({sizes}, {strides}, {offset})",
            lambda x, m: x.as_strided(sizes, strides, offset))


@settings(max_examples=150, deadline=None)
@given(shape=SHAPES, data=st.data())
def test_random_view_chains(shape, data):
    values = np.arange(int(np.prod(shape)), dtype=np.float32)
    base_t = torch.from_numpy(values.copy()).view(shape).clone()
    base_e = ember.from_numpy(values.copy()).view(shape).clone()
    storage_size = max(base_t.numel(), 1)
    current_t, current_e = base_t, base_e
    done = []
    for _ in range(data.draw(st.integers(1, 6))):
        name, function = data.draw(_step(tuple(current_t.shape), storage_size))
        done.append(name)
        expected = outcome(function, current_t, torch)
        actual = outcome(function, current_e, ember)
        assert actual[0] == expected[0], (done, actual, expected)
        if expected[0] == "raise":
            assert actual[1:] == expected[1:], done
            continue
        current_t, current_e = expected[1], actual[1]
        assert layout(current_e) == layout(current_t), done
        assert current_e.tolist() == current_t.tolist(), done
        shares = current_t.untyped_storage().data_ptr() == base_t.untyped_storage().data_ptr()
        assert shares == (current_e.untyped_storage().data_ptr()
                          == base_e.untyped_storage().data_ptr()), done
        if shares and current_t.numel():
            assert (current_e.data_ptr() - base_e.data_ptr()
                    == current_t.data_ptr() - base_t.data_ptr()), done
    if current_t.numel():
        current_t[(0,) * current_t.dim()] = -1
        current_e[(0,) * current_e.dim()] = -1
        assert base_e.tolist() == base_t.tolist(), done
        assert base_e._version == base_t._version, done


@settings(max_examples=100, deadline=None)
@given(shape=SHAPES, data=st.data())
def test_random_copies_keep_layout(shape, data):
    """clone / contiguous / reshape-as-copy of random views."""
    values = np.arange(int(np.prod(shape)), dtype=np.float32)
    base_t = torch.from_numpy(values.copy()).view(shape).clone()
    base_e = ember.from_numpy(values.copy()).view(shape).clone()
    name, function = data.draw(_step(shape, max(base_t.numel(), 1)))
    expected, actual = outcome(function, base_t, torch), outcome(function, base_e, ember)
    assert actual[0] == expected[0], name
    if expected[0] == "raise":
        return
    for copy in (lambda x: x.clone(), lambda x: x.contiguous(), lambda x: x.reshape(-1)):
        copied_t, copied_e = copy(expected[1]), copy(actual[1])
        assert layout(copied_e) == layout(copied_t), name
        assert copied_e.tolist() == copied_t.tolist(), name
