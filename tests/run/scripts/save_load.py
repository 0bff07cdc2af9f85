"""torch.save / torch.load: tensors, state dicts, optimizer state, file objects."""

import io
import os
import sys
import tempfile

import torch
import torch.nn as nn

torch.manual_seed(5)
model = nn.Sequential(nn.Linear(3, 2), nn.Tanh())
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
model(torch.randn(4, 3)).sum().backward()
optimizer.step()

with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "checkpoint.pt")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "epoch": 3, "note": "hello"}, path)
    checkpoint = torch.load(path)
print(sorted(checkpoint), checkpoint["epoch"], checkpoint["note"])

restored = nn.Sequential(nn.Linear(3, 2), nn.Tanh())
print(restored.load_state_dict(checkpoint["model"]))
restored_optimizer = torch.optim.SGD(restored.parameters(), lr=0.5)
restored_optimizer.load_state_dict(checkpoint["optimizer"])
print(restored_optimizer.param_groups[0]["lr"], restored_optimizer.state_dict()["state"][0])
probe = torch.ones(1, 3)
print(torch.equal(model(probe), restored(probe)), restored[0].weight)

buffer = io.BytesIO()
base = torch.arange(6.0)
torch.save([base, base[2:4], {"int": torch.tensor([1, 2], dtype=torch.int16)}], buffer)
buffer.seek(0)
loaded_base, loaded_view, extras = torch.load(buffer)
loaded_base[2] = 100.0
print(loaded_view, extras["int"], extras["int"].dtype)
print(torch.load(io.BytesIO(buffer.getvalue()), map_location="cpu")[0].device)
print(sys.argv[1:])
