"""Tensors: creation, printing, views, reductions, indexing, dtypes."""

import numpy as np
import torch

torch.manual_seed(0)
x = torch.rand(2, 3)
print(x)
print(torch.randn(3, 2, dtype=torch.float64))
print(torch.randint(0, 10, (2, 4)))
print(torch.arange(6).view(2, 3), torch.zeros(2, 2, dtype=torch.int32), torch.ones(3) * 1e-5)
print(torch.tensor([[True, False], [False, True]]), torch.tensor(3.25), torch.empty(0, 3))
print(torch.linspace(0, 1, 5), torch.eye(3, dtype=torch.float16))
print(torch.tensor([1e10, 1.0, -2.5]), torch.tensor([0.1, float("nan"), float("inf")]))
print(torch.arange(2000.0))

a = torch.arange(24).reshape(2, 3, 4)
print(a.shape, a.size(1), a.stride(), a.dtype, a.dim(), a.numel())
print(a.permute(2, 0, 1).shape, a.permute(2, 0, 1).is_contiguous(), a.transpose(0, 1).stride())
print(a[:, 1], a[..., ::2], a[0, [0, 2]], a[a > 20])
print(a.unsqueeze(0).shape, a.view(-1, 4).squeeze().shape, a.flatten(1).shape)
print(a.sum(), a.sum(dim=1), a.float().mean(dim=(0, 2), keepdim=True), a.argmax(dim=2))
print(a.max(dim=1), a.float().std(), a.cumsum(0)[1, 2])
print(torch.stack([x, x]).shape, torch.cat([x, x], dim=1))

b = torch.tensor([1, 2, 3])
print(b + 0.5, b * True, b / 2, b // 2, (b.float() ** 2).sqrt(), b.to(torch.uint8) - 1)
print(torch.where(b > 1, b, -b), b.clamp(2, 2), torch.matmul(x, x.T))
x[0, 0] = 7
x[:, 1] += 1
print(x, x.tolist()[0][0], x.sum().item())

array = np.arange(4.0)
shared = torch.from_numpy(array)
array[0] = 9
print(shared, shared.numpy().dtype, torch.tensor(array[1:]).dtype)
print(repr(torch.float32), torch.get_default_dtype(), torch.Size([2, 3]))
