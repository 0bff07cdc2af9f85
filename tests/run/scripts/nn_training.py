"""nn: a small MLP and a small CNN trained on synthetic data."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.backends.cudnn.deterministic = True
torch.backends.cudnn.benchmark = False
print(torch.backends.cudnn.is_available(), torch.backends.cudnn.version())
with torch.backends.cudnn.flags(enabled=False):
    print(torch.backends.cudnn.enabled, torch.backends.cudnn.deterministic)
print(torch.backends.cudnn.enabled, torch.backends.cudnn.deterministic)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
torch.manual_seed(1)
inputs = torch.randn(64, 4)
labels = (inputs[:, 0] + inputs[:, 1] > 0).long()

model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2)).to(device)
print(model)
print([name for name, _ in model.named_parameters()])
print(sum(p.numel() for p in model.parameters()))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
for step in range(30):
    optimizer.zero_grad()
    loss = loss_fn(model(inputs), labels)
    loss.backward()
    optimizer.step()
    if step % 10 == 0:
        print(f"step {step} loss {loss.item():.4f}")
model.eval()
with torch.no_grad():
    accuracy = (model(inputs).argmax(dim=1) == labels).float().mean()
print(f"accuracy {accuracy.item():.4f}")


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, kernel_size=3, padding=1, bias=False)
        self.norm = nn.BatchNorm2d(4)
        self.head = nn.Linear(4 * 4 * 4, 3)
        self.dropout = nn.Dropout(0.25)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.norm(self.conv(x))), 2)
        return self.head(self.dropout(torch.flatten(x, 1)))


net = SmallNet()
print(net)
images = torch.randn(8, 1, 8, 8)
targets = torch.randint(0, 3, (8,))
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
for step in range(5):
    optimizer.zero_grad()
    loss = F.cross_entropy(net(images), targets)
    loss.backward()
    optimizer.step()
    print(f"cnn step {step} loss {loss.item():.4f}")
print(net.norm.running_mean, net.norm.num_batches_tracked)
print(isinstance(net, nn.Module), isinstance(net.conv.weight, nn.Parameter))
