"""A first nn program: an nn.Sequential MLP learns y = x1 * x2 with SGD and momentum.

This is the loop every PyTorch tutorial teaches: zero the gradients, compute
the loss, backward, step.  nn.Linear starts from random weights; to print
the same numbers on every run (and with any engine) this program overwrites
them with fixed values, computed from torch.arange, under torch.no_grad().
"""
import torch
from torch import nn

torch.manual_seed(0)  # only the initial weights are random, and they are overwritten

model = nn.Sequential(
    nn.Linear(2, 8),
    nn.Tanh(),
    nn.Linear(8, 1),
)
print(model)

with torch.no_grad():
    for name, parameter in model.named_parameters():
        count = parameter.numel()
        values = torch.sin(torch.arange(count, dtype=torch.float32) * 1.7 + len(name)) * 0.5
        parameter.copy_(values.reshape(parameter.shape))
        print(name, tuple(parameter.shape))

# A grid of inputs in [-1, 1]^2 and the product of their coordinates.
grid = [-1.0, -0.5, 0.0, 0.5, 1.0]
inputs = torch.tensor([[a, b] for a in grid for b in grid])  # (25, 2)
targets = (inputs[:, 0] * inputs[:, 1]).unsqueeze(1)  # (25, 1)

criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.3, momentum=0.8)
print(optimizer)

for step in range(20):
    optimizer.zero_grad()
    prediction = model(inputs)
    loss = criterion(prediction, targets)
    loss.backward()
    optimizer.step()
    print(f"step {step:2d}  loss {loss.item():.5f}")

print("last layer after training:")
print(model[2].weight)
print(model[2].bias)
print("gradient of the first layer's bias:", model[0].bias.grad)
print("momentum buffer of the last bias:", optimizer.state[model[2].bias]["momentum_buffer"])
print("state_dict keys:", list(model.state_dict().keys()))
