"""Four adaptive optimizers and five learning-rate schedules on one problem.

A linear model y = x @ w + b is fitted to noisy data with RMSprop, Adagrad,
Adadelta and Adamax, each driven by a learning-rate scheduler (StepLR,
ExponentialLR, CosineAnnealingLR, LambdaLR); ReduceLROnPlateau then cuts
Adam's learning rate when the loss stops improving.  Each run starts from the
same weights and prints its loss and learning rate as it goes.
"""
import torch
import torch.nn as nn
from torch.optim import lr_scheduler

torch.manual_seed(0)
x = torch.randn(100, 3)
y = x @ torch.tensor([[1.5], [-2.0], [0.5]]) + 0.3 + 0.1 * torch.randn(100, 1)


def fit(make_optimizer, make_scheduler, epochs=12, plateau=False):
    torch.manual_seed(1)
    model = nn.Linear(3, 1)
    optimizer = make_optimizer(model.parameters())
    scheduler = make_scheduler(optimizer)
    print(type(optimizer).__name__, "+", type(scheduler).__name__)
    for epoch in range(epochs):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        scheduler.step(loss.item()) if plateau else scheduler.step()
        if epoch % 3 == 2:
            lr = optimizer.param_groups[0]["lr"]
            print(f"  epoch {epoch:2d}  loss {loss.item():.4f}  lr {lr:.5f}")
    return model


fit(lambda p: torch.optim.RMSprop(p, lr=0.05), lambda o: lr_scheduler.StepLR(o, 4, gamma=0.5))
fit(lambda p: torch.optim.Adagrad(p, lr=0.5), lambda o: lr_scheduler.ExponentialLR(o, 0.9))
fit(lambda p: torch.optim.Adadelta(p, lr=5.0),
    lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=12, eta_min=0.1))
model = fit(lambda p: torch.optim.Adamax(p, lr=0.2),
            lambda o: lr_scheduler.LambdaLR(o, lambda epoch: 1 / (1 + 0.1 * epoch)))
fit(lambda p: torch.optim.Adam(p, lr=0.5),
    lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=0.5, patience=1), epochs=30, plateau=True)
print("Adamax's weights:", model.weight.detach(), model.bias.detach())
state = torch.optim.RMSprop(model.parameters(), momentum=0.9).state_dict()
print("a fresh RMSprop's state_dict:", state)
