"""Saving and loading a model: torch.save and torch.load.

The file is PyTorch's own checkpoint format (a zip of a pickle and raw
storages), written into the working directory.  The recommended way saves
the state_dict; a whole model or a checkpoint dictionary works too, and
weights_only=True (the default since PyTorch 2.6) refuses arbitrary classes.
"""
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


torch.manual_seed(0)
model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
loss_fn = nn.MSELoss()
x = torch.randn(1, 4)  # one example: a batch's sums are #15's kernels (not yet wired)
target = torch.randn(1, 2)
for _ in range(3):
    loss = loss_fn(model(x), target)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print("loss", loss.item())

# 1. The state_dict (recommended).
torch.save(model.state_dict(), "model_weights.pth")
state = torch.load("model_weights.pth")
print(list(state.keys()))
print(state["fc2.bias"])
restored = Net()
print(restored.load_state_dict(state))
restored.eval()
print("largest difference:", (restored(x) - model(x)).abs().max().item())

# 2. A checkpoint: epoch, model and optimizer state.
torch.save({"epoch": 3, "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(), "loss": loss.item()}, "checkpoint.tar")
checkpoint = torch.load("checkpoint.tar")
model2 = Net()
optimizer2 = torch.optim.SGD(model2.parameters(), lr=0.1, momentum=0.9)
model2.load_state_dict(checkpoint["model_state_dict"])
optimizer2.load_state_dict(checkpoint["optimizer_state_dict"])
print(checkpoint["epoch"], checkpoint["loss"])
print(optimizer2.state_dict()["param_groups"])
loss2 = loss_fn(model2(x), target)
optimizer2.zero_grad()
loss2.backward()
optimizer2.step()  # training resumes where it stopped, momentum included
loss = loss_fn(model(x), target)
optimizer.zero_grad()
loss.backward()
optimizer.step()
print(model2.fc1.weight[0], model.fc1.weight[0])

# 3. Tensors, and views that share memory.
base = torch.arange(6.0).reshape(2, 3)
torch.save({"base": base, "row": base[1]}, "tensors.pt")
loaded = torch.load("tensors.pt")
loaded["row"][0] = 100.0
print(loaded["base"])

# 4. A whole model: pickled by class, so weights_only=False is needed.
torch.save(model, "model.pth")
try:
    torch.load("model.pth")
except Exception as e:
    print(type(e).__name__, str(e).splitlines()[-3][:80])
whole = torch.load("model.pth", weights_only=False)
print(whole)
print(whole(x)[0])
