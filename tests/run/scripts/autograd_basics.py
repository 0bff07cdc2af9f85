"""Autograd: backward, grad accumulation, higher order, no_grad, custom Function, hooks."""

import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x ** 2).sum()
print(y, y.grad_fn.name(), x.is_leaf, y.is_leaf)
y.backward()
print(x.grad)
(x * 3).sum().backward()
print(x.grad)
x.grad.zero_()

w = torch.tensor(2.0, requires_grad=True)
z = w ** 3
(first,) = torch.autograd.grad(z, w, create_graph=True)
(second,) = torch.autograd.grad(first, w)
print(first, second)

with torch.no_grad():
    print((x * 2).requires_grad)
print(x.detach().requires_grad, (x * 2).requires_grad)

h = x * 2
h.retain_grad()
h.register_hook(lambda grad: print("hook sees", grad))
(h ** 2).mean().backward()
print(h.grad, x.grad)


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input ** 3

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 3 * input ** 2


v = torch.tensor([0.5, -1.0], requires_grad=True, dtype=torch.float64)
out = Cube.apply(v)
out.sum().backward()
print(out, v.grad)
print(torch.autograd.gradcheck(Cube.apply, (v,)))

m = torch.ones(2, 2, requires_grad=True)
n = m @ m
n.backward(torch.eye(2))
print(m.grad)
try:
    n.backward(torch.eye(2))
except RuntimeError as error:
    print("second backward:", "freed" in str(error) or "second time" in str(error))
