"""A classifier: a small nn.Module sorts 2-d points into 3 classes, trained
with nn.CrossEntropyLoss and torch.optim.Adam.

The model is a class of our own (an nn.Module with two nn.Linear layers and
a ReLU); its parameters are found through the attributes it assigns, and
named after them (fc1.weight ...).  The network outputs one score (a
logit) per class; CrossEntropyLoss applies log_softmax to them itself.
The weights are set from fixed numbers so that every run prints the same.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F  # noqa: N812 (PyTorch's usual spelling)


class Classifier(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.fc1 = nn.Linear(2, hidden)
        self.fc2 = nn.Linear(hidden, 3)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


model = Classifier(hidden=6)
print(model)
with torch.no_grad():
    for index, parameter in enumerate(model.parameters()):
        values = torch.cos(torch.arange(parameter.numel(), dtype=torch.float32) * 2.3 + index)
        parameter.copy_(values.reshape(parameter.shape) * 0.6)
for name, parameter in model.named_parameters():
    print(name, parameter.shape, parameter.requires_grad)

# Three clusters of points, around (1, 0), (-1, 1) and (0, -1).
points = torch.tensor([[1.2, 0.1], [0.8, -0.2], [1.0, 0.3], [-1.1, 0.9], [-0.8, 1.2],
                       [-1.0, 1.0], [0.1, -1.1], [-0.2, -0.9], [0.2, -1.0]])
labels = torch.tensor([0, 0, 0, 1, 1, 1, 2, 2, 2])

criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
print(optimizer)

for step in range(25):
    optimizer.zero_grad()
    logits = model(points)
    loss = criterion(logits, labels)
    loss.backward()
    optimizer.step()
    if step % 4 == 0 or step == 24:
        accuracy = (logits.argmax(dim=1) == labels).float().mean()
        print(f"step {step:2d}  loss {loss.item():.4f}  accuracy {accuracy.item():.2f}")

model.eval()  # no dropout or batch norm here, but this is the habit
with torch.no_grad():
    probabilities = torch.softmax(model(points), dim=1)
print("probabilities:", probabilities)
print("predicted:", probabilities.argmax(dim=1))
print("Adam's step count:", optimizer.state[model.fc2.bias]["step"])
print("fc2.bias:", model.fc2.bias)
