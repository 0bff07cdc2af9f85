"""A walk through the examples of ember's seed notes (PyTorch study notes), run verbatim.

Each snippet is the notes' own code with ``import torch`` read as ``import ember as torch``;
where the notes show a result in prose rather than printing it, a ``print`` line follows the
verbatim code. Run: ``python examples/seed_walkthrough.py``.
"""

import builtins
import contextlib
import io
import sys
import textwrap

SNIPPETS = [
    ("3.1 Creating tensors: random initialization", """
import torch
torch.__version__
# 무작위 초기화
x = torch.rand(2,4)
""", "print(x.shape)"),
    ("3.1 randn_like", """
# x와 형태는 동일하게 가져오되, random으로 float값을 가져오기
x = torch.randn_like(x, dtype = torch.float)
print(x)
""", ""),
    ("3.1 zeros", """
# 0으로 초기화
t1 = torch.zeros(2,3)
print(t1)
print(t1.shape)
print(t1.dtype)
""", ""),
    ("3.1 arange", """
# 연속되는 값
t2 = torch.arange(4)
print(t2)
print(t2.shape)
print(t2.dtype)
""", ""),
    ("3.2 view", """
x = torch.randn(4,5)
y = x.view(20)
z = x.view(5,-1)
print(x.size())
print(y.size())
print(z.size())
""", ""),
    ("3.2 squeeze", """
# example
t1 = torch.arange(6).reshape(2,1,3)
t1_squeeze = t1.squeeze(dim=1)
t1_reshape = t1.reshape(2,3)
""", "print(t1, t1.size())\nprint(t1_squeeze, t1_squeeze.size())\n"
         "print(t1_reshape, t1_reshape.size())"),
    ("3.2 unsqueeze, example 1", """
# example 1
t1 = torch.arange(6).reshape(2,3)
t1_unsqueeze = t1.unsqueeze(dim = 1)
""", "print(t1_unsqueeze, t1_unsqueeze.size())"),
    ("3.2 unsqueeze, example 2", """
# example 2
t2 = torch.rand(1,3,3)
t2 = t2.unsqueeze( dim = 0 )
""", "print(t2.size())"),
    ("3.2 permute", """
x = torch.randn(2, 3, 5)
x_permute = x.permute(2, 0, 1)
""", "print(x.size())\nprint(x_permute.size())"),
    ("3.2 sum and argmax", """
t1 = torch.Tensor( [ [3,6,4] , [2,4,7] ] ) # shape : (3,2)
# sum by row (dim=1)
row_argmax = torch.argmax(t1, dim=1)
row_argmax_keepdim = torch.argmax(t1, dim=1, keepdim = True) # 원래의 1_dim(2)을 유지
row_sum = torch.sum(t1, dim=-1)
# sum by col (dim=0)
col_argmax = torch.argmax(t1, dim=0)
col_argmax_keepdim = torch.argmax(t1, dim=0, keepdim = True) # 원래의 0_dim(3)을 유지
col_sum = torch.sum(t1, dim=0)
""", "print(row_argmax, row_argmax.shape)\nprint(row_argmax_keepdim, row_argmax_keepdim.shape)\n"
         "print(row_sum, row_sum.shape)\nprint(col_argmax, col_argmax.shape)\n"
         "print(col_argmax_keepdim, col_argmax_keepdim.shape)\nprint(col_sum, col_sum.shape)"),
    ("3.2 stack and cat", """
x = torch.FloatTensor([1, 4])
y = torch.FloatTensor([2, 5])
z = torch.FloatTensor([3, 6])
print(torch.stack([x, y, z]))
print(torch.stack([x, y, z], dim=1))
print(torch.cat([x, y, z]))
a = torch.arange(6).reshape(2, 3)
print(torch.cat([a, a], dim=0))
print(torch.cat([a, a], dim=1))
print(torch.cat([a, torch.zeros(0, 3, dtype=torch.long)]))
""", ""),
    ("3.3 torch ~ numpy: numpy() shares memory", """
a = torch.ones(5)
b = a.numpy()
a.add_(1)
print(a)
print(b)
""", ""),
    ("3.3 torch ~ numpy: from_numpy() shares memory", """
import numpy as np
a = np.ones(5)
b = torch.from_numpy(a)
np.add(a, 1, out=a)
print(a)
print(b)
""", ""),
]


def _importer(torch_module):
    """``__import__`` that answers ``import torch`` with ``torch_module``."""

    def import_(name, *args, **kwargs):
        if name == "torch":
            return torch_module
        return builtins.__import__(name, *args, **kwargs)

    return import_


def run_snippet(code: str, display: str, namespace: dict, torch_module) -> str:
    """Run ``code`` verbatim, then ``display``, in ``namespace``, where ``import torch``
    gives ``torch_module``; returns what they printed."""
    source = textwrap.dedent(code)
    namespace["__builtins__"] = dict(vars(builtins), __import__=_importer(torch_module))
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(compile(source + "\n" + display, "<seed>", "exec"), namespace)
    return buffer.getvalue()


def main() -> None:
    import ember

    ember.manual_seed(0)
    namespace: dict = {}
    for title, code, display in SNIPPETS:
        print(f"=== {title} ===")
        print(textwrap.indent(textwrap.dedent(code).strip(), ">>> "))
        if display:
            print(textwrap.indent(display, "... "))
        sys.stdout.write(run_snippet(code, display, namespace, ember))
        print()


if __name__ == "__main__":
    main()
