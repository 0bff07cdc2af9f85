"""nn.Module, nn.Parameter and nn.Buffer against torch: the same program runs under both
libraries and every observation (names, orders, reprs, state_dict keys and values, errors
with their type and message) must agree."""

from __future__ import annotations

import copy
import pickle

import pytest
import torch

import ember

LIBS = (torch, ember)


def _norm(value):
    """A library-independent form of ``value`` for comparison."""
    if isinstance(value, (torch.Tensor, ember.Tensor)):
        kind = "Parameter" if isinstance(value, (torch.nn.Parameter, ember.nn.Parameter)) \
            else "Tensor"
        return ("tensor", kind, str(value.dtype), tuple(value.shape), value.detach().tolist(),
                value.requires_grad)
    if isinstance(value, (torch.nn.Module, ember.nn.Module)):
        return ("module", type(value).__name__, repr(value))
    if isinstance(value, dict):
        return (type(value).__name__, [(k, _norm(v)) for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_norm(v) for v in value])
    if isinstance(value, (torch.dtype, ember.dtype)):
        return str(value)
    return value


def _outcome(fn):
    try:
        return ("ok", _norm(fn()))
    except Exception as e:  # noqa: BLE001  (the exception is what is compared)
        # class paths name the library: <class 'ember.nn...'> against <class 'torch.nn...'>
        return ("error", type(e).__name__, str(e).replace("<class 'ember.", "<class 'torch."))


def _same(program):
    """Run ``program(L, record)`` under torch and ember; the records must be equal."""
    results = []
    for L in LIBS:
        log = []

        def record(fn, log=log):
            log.append(_outcome(fn))

        program(L, record)
        results.append(log)
    for i, (a, b) in enumerate(zip(*results, strict=True)):
        assert a == b, f"observation {i}: torch {a!r} != ember {b!r}"


def _model(L):
    class Block(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = L.nn.Parameter(L.arange(6.0).reshape(2, 3))
            self.register_buffer("running", L.zeros(3))
            self.register_buffer("scratch", L.ones(2), persistent=False)
            self.bias = L.nn.Parameter(L.ones(2))

        def forward(self, x):
            return (x * self.running.sum() + x) @ self.weight.T + self.bias

        def extra_repr(self):
            return "in=3, out=2"

    class Net(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.first = Block()
            self.scale = L.nn.Parameter(L.tensor(2.0))
            self.second = Block()
            self.count = L.nn.Buffer(L.tensor(0))
            self.shared = self.first

        def forward(self, x):
            return self.second(x).sum() + self.first(x).sum() * self.scale

    return Block, Net


def test_parameter_and_buffer():
    def program(L, record):
        p = L.nn.Parameter(L.ones(2, 2))
        record(lambda: repr(p))
        record(lambda: str(p))
        record(lambda: L.nn.Parameter(L.ones(2, dtype=L.int64)))
        record(lambda: repr(L.nn.Parameter(L.ones(2, dtype=L.int64), requires_grad=False)))
        record(lambda: [type(t).__name__ for t in (p.clone(), p + 1, p[0], p.view(4))])
        record(lambda: (p.requires_grad, p.is_leaf, type(p.data).__name__,
                        type(p.detach()).__name__))
        record(lambda: repr(L.nn.Parameter(L.ones(2), requires_grad=False)))
        with L.no_grad():
            record(lambda: L.nn.Parameter(L.zeros(1)).requires_grad)
        record(lambda: L.nn.Parameter().shape)
        q = copy.deepcopy(p)
        record(lambda: (type(q).__name__, q.requires_grad, q is p))
        net = L.nn.Sequential(L.nn.Flatten())
        net.p = p
        net.register_buffer("b", L.zeros(1), persistent=False)
        for twin in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
            record(lambda twin=twin: (repr(twin), twin.p, twin.p is p, list(twin.state_dict()),
                                      [n for n, _ in twin.named_buffers()]))
        (p * 3).sum().backward()
        record(lambda: p.grad)
        b = L.nn.Buffer(L.ones(2), persistent=False)
        record(lambda: (isinstance(b, L.nn.Buffer), b.persistent, repr(b)))
        d = p.data
        d.add_(1)
        record(lambda: p)

    _same(program)


def test_names_orders_and_repr():
    def program(L, record):
        Block, Net = _model(L)
        net = Net()
        record(lambda: repr(net))
        record(lambda: [n for n, _ in net.named_parameters()])
        record(lambda: [n for n, _ in net.named_parameters(prefix="m", recurse=False)])
        record(lambda: [n for n, _ in net.named_parameters(remove_duplicate=False)])
        record(lambda: [n for n, _ in net.named_buffers()])
        record(lambda: [n for n, _ in net.named_children()])
        record(lambda: [n for n, _ in net.named_modules()])
        record(lambda: [n for n, _ in net.named_modules(prefix="root")])
        record(lambda: [n for n, _ in net.named_modules(remove_duplicate=False)])
        record(lambda: len(list(net.modules())))
        record(lambda: len(list(net.parameters())))
        record(lambda: len(list(net.buffers())))
        record(lambda: len(list(net.children())))
        record(lambda: net.get_submodule("second"))
        record(lambda: net.get_parameter("second.bias"))
        record(lambda: net.get_buffer("first.running"))
        record(lambda: net.get_submodule("second.nope"))
        record(lambda: net.get_submodule("scale.x"))
        record(lambda: net.get_parameter("first.running"))
        record(lambda: net.get_parameter("first.nope"))
        record(lambda: net.get_buffer("first.weight"))
        record(lambda: [n in dir(net) for n in ("first", "scale", "count", "forward", "x")])
        visited = []
        net.apply(lambda m: visited.append(type(m).__name__))
        record(lambda: visited)

    _same(program)


def test_attribute_assignment_and_errors():
    def program(L, record):
        Block, Net = _model(L)
        m = Block()
        record(lambda: setattr(m, "weight", L.ones(2, 3)))
        record(lambda: setattr(m, "weight", None))
        record(lambda: list(m._parameters))
        record(lambda: m.weight)
        record(lambda: setattr(m, "weight", L.nn.Parameter(L.ones(1))))
        record(lambda: setattr(m, "running", 3))
        record(lambda: setattr(m, "running", L.ones(3)))
        record(lambda: [n for n, _ in m.named_buffers()])
        record(lambda: setattr(m, "sub", Block()))
        record(lambda: setattr(m, "sub", 5))
        record(lambda: setattr(m, "plain", L.ones(1)))
        record(lambda: [n for n, _ in m.named_buffers()])
        record(lambda: m.register_parameter("a.b", None))
        record(lambda: m.register_parameter("", None))
        record(lambda: m.register_parameter(3, None))
        record(lambda: m.register_parameter("plain", None))
        record(lambda: m.register_parameter("x", L.ones(1)))
        record(lambda: m.register_parameter("y", L.nn.Parameter(L.ones(1)) * 2))
        record(lambda: m.register_buffer("a.b", None))
        record(lambda: m.register_buffer("", None))
        record(lambda: m.register_buffer("weight", L.ones(1)))
        record(lambda: m.register_buffer("z", [1]))
        record(lambda: m.add_module("k", 4))
        record(lambda: m.add_module("a.b", Block()))
        record(lambda: m.add_module("", Block()))
        record(lambda: m.add_module("weight", Block()))
        record(lambda: m.register_module("other", None))
        record(lambda: m.nothing)
        # re-assigning a name moves it between kinds
        record(lambda: setattr(m, "plain", L.nn.Parameter(L.zeros(1))))
        record(lambda: (list(m._parameters), "plain" in m.__dict__))
        record(lambda: setattr(m, "bias", L.nn.Buffer(L.zeros(2))))
        record(lambda: delattr(m, "scratch"))
        record(lambda: delattr(m, "sub"))
        record(lambda: delattr(m, "missing"))
        record(lambda: ([n for n, _ in m.named_buffers()], list(m._modules)))
        record(lambda: repr(m))

        class Early(L.nn.Module):
            def __init__(self):
                self.w = L.nn.Parameter(L.ones(1))

        record(lambda: Early())
        record(lambda: L.nn.Module(3))
        record(lambda: L.nn.Module(a=3))
        record(lambda: L.nn.Module()(L.ones(1)))

    _same(program)


def test_state_dict_round_trip():
    def program(L, record):
        L.manual_seed(0)
        Block, Net = _model(L)
        net = Net()
        sd = net.state_dict()
        record(lambda: sd)
        record(lambda: dict(sd._metadata))
        record(lambda: list(net.state_dict(prefix="p.")))
        record(lambda: [isinstance(v, L.nn.Parameter) for v in net.state_dict(keep_vars=True).values()])
        record(lambda: [v.requires_grad for v in net.state_dict().values()])
        other = Net()
        with L.no_grad():
            for p in other.parameters():
                p.mul_(3)
        record(lambda: str(net.load_state_dict(other.state_dict())))
        record(lambda: net.first.weight)
        bad = dict(sd)
        bad["first.weight"] = L.zeros(3, 2)
        record(lambda: net.load_state_dict(bad))
        missing = {k: v for k, v in sd.items() if k != "scale"}
        missing["extra"] = L.ones(1)
        missing["first.more"] = L.ones(1)
        missing["gone.x"] = L.ones(1)
        record(lambda: net.load_state_dict(missing))
        record(lambda: net.load_state_dict(missing, strict=False))
        record(lambda: net.load_state_dict([1]))
        bad2 = dict(sd)
        bad2["scale"] = 3
        record(lambda: net.load_state_dict(bad2))
        bad3 = dict(sd)
        bad3["scale"] = L.tensor([5.0])
        record(lambda: net.load_state_dict(bad3))
        record(lambda: net.scale)
        w = net.first.weight
        record(lambda: net.load_state_dict(dict(sd, **{"first.weight": L.ones(2, 3)}),
                                           assign=True))
        record(lambda: (net.first.weight is w, type(net.first.weight).__name__,
                        net.first.weight.requires_grad))

    _same(program)


def test_modes_grads_and_conversion():
    def program(L, record):
        Block, Net = _model(L)
        net = Net()
        record(lambda: [m.training for m in net.modules()])
        record(lambda: net.eval() is net)
        record(lambda: [m.training for m in net.modules()])
        record(lambda: net.train("yes"))
        net.train()
        record(lambda: net.second.training)
        x = L.ones(4, 3)
        net(x).backward()
        record(lambda: [p.grad for p in net.parameters()])
        net.zero_grad(set_to_none=False)
        record(lambda: [p.grad for p in net.parameters()])
        net.zero_grad()
        record(lambda: [p.grad for p in net.parameters()])
        record(lambda: [p.requires_grad for p in net.requires_grad_(False).parameters()])
        net.requires_grad_()
        w = net.first.weight
        record(lambda: net.double() is net)
        record(lambda: (net.first.weight is w, w.dtype, net.count.dtype,
                        type(net.first.weight).__name__))
        record(lambda: net.state_dict())
        record(lambda: [b.dtype for b in net.buffers()])
        net.half()
        record(lambda: [p.dtype for p in net.parameters()])
        net.float()
        record(lambda: [p.dtype for p in net.parameters()])
        record(lambda: net.to(L.float64) is net)
        record(lambda: [p.dtype for p in net.parameters()])
        record(lambda: net.to("cpu", L.float32).first.weight.dtype)
        record(lambda: net.to(dtype=L.float16).first.weight.dtype)
        record(lambda: net.to(L.int64))
        record(lambda: net.cpu().first.weight.dtype)

    _same(program)


def test_forward_hooks():
    def program(L, record):
        Block, Net = _model(L)
        m = Block()
        x = L.ones(1, 3)
        calls = []

        def pre(mod, args):
            calls.append("pre")
            return (args[0] * 2,)

        def pre_kw(mod, args, kwargs):
            calls.append(("pre_kw", sorted(kwargs)))

        def post(mod, args, out):
            calls.append("post")
            return out + 1

        def post_kw(mod, args, kwargs, out):
            calls.append("post_kw")

        h1 = m.register_forward_pre_hook(pre)
        h2 = m.register_forward_pre_hook(pre_kw, with_kwargs=True, prepend=True)
        h3 = m.register_forward_hook(post)
        h4 = m.register_forward_hook(post_kw, with_kwargs=True, prepend=True)
        record(lambda: m(x))
        record(lambda: list(calls))
        h1.remove()
        h3.remove()
        with h2:
            pass
        calls.clear()
        record(lambda: m(x))
        record(lambda: list(calls))
        h4.remove()
        record(lambda: (len(m._forward_hooks), len(m._forward_pre_hooks),
                        len(m._forward_hooks_with_kwargs),
                        len(m._forward_pre_hooks_with_kwargs)))
        record(lambda: m(x))

        def failing(mod, args):
            raise ValueError("stop")

        always = []
        m.register_forward_pre_hook(lambda mod, args: (args[0], "extra"))
        m.register_forward_hook(lambda mod, args, out: always.append(out), always_call=True)
        record(lambda: m(x))
        record(lambda: always)

    _same(program)


@pytest.mark.parametrize("L", LIBS, ids=("torch", "ember"))
def test_call_goes_straight_to_forward(L):
    class M(L.nn.Module):
        def forward(self, x):
            return x + 1

    m = M()
    assert m(L.ones(1)).tolist() == [2.0]
    assert not m._forward_hooks and not m._forward_pre_hooks


def _leaf(L):
    class Leaf(L.nn.Module):
        def __init__(self, k):
            super().__init__()
            self.k = k
            self.w = L.nn.Parameter(L.full((1,), float(k)))

        def forward(self, x):
            return x * self.w + self.k

        def extra_repr(self):
            return f"k={self.k}"

    return Leaf


def test_sequential():
    def program(L, record):
        Leaf = _leaf(L)
        seq = L.nn.Sequential(Leaf(1), Leaf(2), Leaf(3))
        x = L.ones(2)
        record(lambda: repr(seq))
        record(lambda: seq(x))
        record(lambda: (len(seq), seq[0].k, seq[-1].k))
        record(lambda: repr(seq[1:]))
        record(lambda: repr(seq[::-1]))
        record(lambda: seq[3])
        record(lambda: seq[-4])
        record(lambda: seq["a"])
        record(lambda: [m.k for m in seq])
        record(lambda: repr(seq.append(Leaf(4))))
        record(lambda: repr(seq.insert(1, Leaf(9))))
        record(lambda: repr(seq.insert(-1, Leaf(8))))
        record(lambda: seq.insert(10, Leaf(0)))
        record(lambda: seq.insert(0, 5))
        record(lambda: list(seq.state_dict()))
        seq[0] = Leaf(7)
        del seq[2]
        record(lambda: repr(seq))
        del seq[1:3]
        record(lambda: (repr(seq), list(seq._modules)))
        record(lambda: seq.pop(0).k)
        record(lambda: repr(seq + L.nn.Sequential(Leaf(5))))
        record(lambda: repr(seq * 2))
        record(lambda: seq * 0)
        record(lambda: seq + 1)
        record(lambda: seq * "a")
        named = L.nn.Sequential(OrderedDictFactory(Leaf))
        record(lambda: repr(named))
        record(lambda: (named(x), [n for n, _ in named.named_parameters()]))
        record(lambda: repr(L.nn.Sequential()))
        record(lambda: L.nn.Sequential()(x))
        seq.extend([Leaf(6)])
        seq += L.nn.Sequential(Leaf(10))
        record(lambda: repr(seq))
        record(lambda: seq.add_module("bad", 3))

    _same(program)


def OrderedDictFactory(Leaf):
    from collections import OrderedDict

    return OrderedDict([("first", Leaf(2)), ("second", Leaf(3))])


def test_module_list_and_dict():
    def program(L, record):
        Leaf = _leaf(L)
        ml = L.nn.ModuleList([Leaf(1), Leaf(1), Leaf(2)])
        record(lambda: repr(ml))
        record(lambda: repr(L.nn.ModuleList()))
        record(lambda: (len(ml), ml[-1].k, repr(ml[1:])))
        record(lambda: ml[5])
        ml.append(Leaf(3))
        ml.extend([Leaf(4)])
        ml += [Leaf(5)]
        ml.insert(0, Leaf(0))
        record(lambda: [m.k for m in ml])
        del ml[1]
        del ml[::2]
        record(lambda: ([m.k for m in ml], list(ml._modules)))
        ml[0] = Leaf(11)
        record(lambda: repr(ml + L.nn.ModuleList([Leaf(12)])))
        record(lambda: ml.pop(-1).k)
        record(lambda: ml.extend(3))
        record(lambda: ml.append(3))
        record(lambda: [n for n, _ in ml.named_parameters()])
        md = L.nn.ModuleDict({"b": Leaf(1), "a": Leaf(2)})
        md["c"] = Leaf(3)
        md.update([("d", Leaf(4))])
        record(lambda: repr(md))
        record(lambda: (list(md), list(md.keys()), [m.k for m in md.values()],
                        [k for k, _ in md.items()], "a" in md, len(md)))
        record(lambda: md.pop("a").k)
        del md["b"]
        record(lambda: list(md.state_dict()))
        record(lambda: md.update(3))
        record(lambda: md.update([3]))
        record(lambda: md.update([("x",)]))
        record(lambda: md["zz"])
        md.clear()
        record(lambda: repr(md))

    _same(program)


def test_parameter_list_and_dict():
    def program(L, record):
        pl = L.nn.ParameterList([L.ones(2), L.nn.Parameter(L.zeros(3, 1), requires_grad=False)])
        pl.append(L.ones(1, dtype=L.float64))
        pl.append("text")
        record(lambda: repr(pl))
        record(lambda: [type(p).__name__ for p in pl])
        record(lambda: [n for n, _ in pl.named_parameters()])
        record(lambda: (len(pl), pl[-2], repr(pl[1:3])))
        record(lambda: pl[7])
        record(lambda: pl(1))
        record(lambda: pl.extend(L.ones(2)))
        pl[0] = L.full((2,), 5.0)
        record(lambda: pl[0])
        record(lambda: list(pl.state_dict()))
        pd = L.nn.ParameterDict({"b": L.ones(2), "a": L.nn.Parameter(L.zeros(1))})
        pd["c"] = L.ones(1, 2, dtype=L.float64)
        pd["d"] = 4
        record(lambda: repr(pd))
        record(lambda: (list(pd), list(pd.keys()), [k for k, _ in pd.items()]))
        record(lambda: [n for n, _ in pd.named_parameters()])
        record(lambda: (pd.get("zz", 3), "a" in pd, len(pd), list(reversed(pd))))
        record(lambda: pd[1])
        record(lambda: pd.pop("d"))
        record(lambda: pd.popitem()[0])
        record(lambda: pd.setdefault("e", L.ones(1)))
        record(lambda: list(pd.copy()))
        record(lambda: list(pd | L.nn.ParameterDict({"f": L.ones(1)})))
        record(lambda: pd.update(3))
        record(lambda: pd.update([(1, 2, 3)]))
        record(lambda: pd(1))
        pd.clear()
        record(lambda: repr(pd))

    _same(program)


def test_identity_flatten_unflatten():
    def program(L, record):
        x = L.arange(24.0).reshape(2, 3, 4)
        model = L.nn.Sequential(L.nn.Identity(3, k=2), L.nn.Flatten(),
                                L.nn.Unflatten(1, (4, 3)), L.nn.Flatten(0, 1))
        record(lambda: repr(model))
        record(lambda: model(x))
        record(lambda: L.nn.Unflatten(1, (2, 2.0)))
        record(lambda: L.nn.Unflatten(1, 4))
        record(lambda: list(L.nn.Flatten(start_dim=0).state_dict()))

    _same(program)


def test_full_backward_hooks():
    def program(L, record):
        Block, Net = _model(L)
        m = Block()
        seen = []

        def pre(mod, grad_output):
            seen.append(("pre", grad_output))
            return (grad_output[0] * 2,)

        def post(mod, grad_input, grad_output):
            seen.append(("post", grad_input, grad_output))
            return (grad_input[0] + 1,)

        h1 = m.register_full_backward_pre_hook(pre)
        h2 = m.register_full_backward_hook(post)
        x = L.ones(2, 3, requires_grad=True)
        y = m(x)
        record(lambda: y.grad_fn.name())
        y.sum().backward()
        record(lambda: seen)
        record(lambda: (x.grad, m.weight.grad, m.bias.grad))
        h1.remove()
        h2.remove()
        record(lambda: m(x).grad_fn.name())
        # no input requires grad: the hook fires with None grad_inputs
        seen.clear()
        m.register_full_backward_hook(lambda mod, gi, go: seen.append((gi, go)))
        import warnings

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            m(L.ones(2, 3)).sum().backward()
        record(lambda: (seen, [str(w.message)[:60] for w in caught]))
        m2 = Block()
        m2.register_full_backward_pre_hook(lambda mod, go: (go[0], go[0]))
        record(lambda: m2(L.ones(1, 3, requires_grad=True)).sum().backward())

    _same(program)


def test_state_dict_hooks_and_set_submodule():
    def program(L, record):
        Block, Net = _model(L)
        net = Net()
        calls = []
        net.first.register_state_dict_pre_hook(
            lambda m, prefix, keep_vars: calls.append(("pre", prefix, keep_vars)))

        def post(m, sd, prefix, meta):
            calls.append(("post", prefix, sorted(meta)))
            sd[prefix + "added"] = L.ones(1)

        net.second.register_state_dict_post_hook(post)
        sd = net.state_dict(prefix="top.")
        record(lambda: (list(sd), calls))
        net.register_state_dict_post_hook(lambda *a: {})
        record(lambda: net.state_dict())
        record(lambda: net._register_state_dict_hook(post))

        net2 = Net()
        seen = []

        def load_pre(m, state_dict, prefix, meta, strict, missing, unexpected, errors):
            seen.append(("pre", prefix, sorted(k for k in state_dict if k.startswith(prefix)),
                         strict))
            state_dict[prefix + "bias"] = L.full((2,), 9.0)

        def load_post(m, keys):
            seen.append(("post", list(keys.missing_keys), list(keys.unexpected_keys)))
            keys.unexpected_keys.clear()

        net2.second.register_load_state_dict_pre_hook(load_pre)
        net2.register_load_state_dict_post_hook(load_post)
        clean = {k: v for k, v in Net().state_dict().items()}
        clean["junk"] = L.ones(1)
        record(lambda: str(net2.load_state_dict(clean)))
        record(lambda: (seen, net2.second.bias))
        net2.register_load_state_dict_post_hook(lambda m, keys: 1)
        record(lambda: net2.load_state_dict(clean))

        record(lambda: net.set_submodule("second", L.nn.Identity()))
        record(lambda: net.set_submodule("first.new", L.nn.Flatten()))
        record(lambda: net.set_submodule("first.other", L.nn.Flatten(), strict=True))
        record(lambda: net.set_submodule("scale", L.nn.Flatten()))
        record(lambda: net.set_submodule("", L.nn.Flatten()))
        record(lambda: net.set_submodule("first", 3))
        record(lambda: repr(net))

    _same(program)


def test_extra_state_and_conversion_with_grads():
    def program(L, record):
        class E(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.w = L.nn.Parameter(L.ones(2))
                self.s = 5

            def get_extra_state(self):
                return {"s": self.s}

            def set_extra_state(self, state):
                self.s = state["s"]

        m = E()
        (m.w * 2).sum().backward()
        w = m.w
        m.double()
        record(lambda: (m.w is w, m.w.dtype, m.w.grad.dtype, type(m.w).__name__, m.w.grad))
        sd = m.state_dict()
        record(lambda: (list(sd), sd["_extra_state"]))
        sd["_extra_state"] = {"s": 7}
        record(lambda: (str(m.load_state_dict(sd)), m.s))
        del sd["_extra_state"]
        record(lambda: m.load_state_dict(sd))
        record(lambda: m.load_state_dict(sd, strict=False))
        record(lambda: L.nn.Flatten().load_state_dict({"_extra_state": 1}, strict=False))
        record(lambda: L.nn.Flatten().load_state_dict({"_extra_state": 1}))
        record(lambda: m.to(L.ones(1, dtype=L.float16)).w.dtype)
        record(lambda: m.type(L.float32).w.dtype)

    _same(program)


def test_deep_copied_hook_handle_removes_the_copy_hook():
    def run(lib):
        module = lib.nn.Linear(2, 2)
        calls = []
        handle = module.register_forward_hook(lambda *args: calls.append("hook"))
        object.__setattr__(module, "handle", handle)
        clone = copy.deepcopy(module)
        clone.handle.remove()
        module(lib.ones(2))
        clone(lib.ones(2))
        return calls, len(module._forward_hooks), len(clone._forward_hooks)
    assert run(ember) == run(torch)
