"""optim: optimizers with learning-rate schedulers, and their state."""

import torch

torch.manual_seed(2)
target = torch.tensor([1.0, -2.0, 0.5])


def fit(optimizer_class, scheduler_class, optimizer_kwargs, scheduler_kwargs, steps=6):
    weight = torch.zeros(3, requires_grad=True)
    optimizer = optimizer_class([weight], **optimizer_kwargs)
    scheduler = scheduler_class(optimizer, **scheduler_kwargs)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = ((weight - target) ** 2).sum()
        loss.backward()
        optimizer.step()
        scheduler.step()
    print(optimizer_class.__name__, scheduler_class.__name__,
          [round(lr, 6) for lr in scheduler.get_last_lr()])
    print(weight.detach())
    return optimizer


fit(torch.optim.SGD, torch.optim.lr_scheduler.StepLR, {"lr": 0.1, "momentum": 0.5},
    {"step_size": 2, "gamma": 0.5})
adam = fit(torch.optim.Adam, torch.optim.lr_scheduler.CosineAnnealingLR, {"lr": 0.2},
           {"T_max": 4})
fit(torch.optim.AdamW, torch.optim.lr_scheduler.ExponentialLR,
    {"lr": 0.1, "weight_decay": 0.1}, {"gamma": 0.9})
fit(torch.optim.RMSprop, torch.optim.lr_scheduler.MultiStepLR, {"lr": 0.05},
    {"milestones": [2, 4]})
state = adam.state_dict()
print(sorted(state), state["param_groups"][0]["lr"], state["state"][0]["step"])
print(sorted(state["state"][0]))
