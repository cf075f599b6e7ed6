"""A small CNN on random 28x28 "images", trained for a few steps.

Two convolution blocks (nn.Conv2d, ReLU, nn.MaxPool2d) shrink a 1x28x28
image to 16 feature maps of 7x7; nn.Flatten and nn.Linear turn those into
10 class scores, and nn.CrossEntropyLoss compares them with the labels.
The images and labels are random (seeded), so the network can only learn
them by heart: the loss goes down all the same.  Everything is drawn from
torch's generator after torch.manual_seed(0): the images, the labels and
the initial weights.
"""
import torch
import torch.nn as nn

torch.manual_seed(0)

model = nn.Sequential(
    nn.Conv2d(1, 8, kernel_size=3, padding=1),   # 8 x 28 x 28
    nn.ReLU(),
    nn.MaxPool2d(2),                             # 8 x 14 x 14
    nn.Conv2d(8, 16, kernel_size=3, padding=1),  # 16 x 14 x 14
    nn.ReLU(),
    nn.MaxPool2d(2),                             # 16 x 7 x 7
    nn.Flatten(),
    nn.Linear(16 * 7 * 7, 10),
)
print(model)
print("parameters:", sum(p.numel() for p in model.parameters()))

images = torch.randn(64, 1, 28, 28)
labels = torch.randint(0, 10, (64,))
print("labels:", labels[:16])

criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

for step in range(8):
    optimizer.zero_grad()
    scores = model(images)
    loss = criterion(scores, labels)
    loss.backward()
    optimizer.step()
    accuracy = (scores.argmax(dim=1) == labels).float().mean()
    print(f"step {step}  loss {loss.item():.4f}  accuracy {accuracy.item():.3f}")

# The graph of one forward pass, from the loss back to the first convolution.
node = criterion(model(images), labels).grad_fn
names = []
while node is not None:
    names.append(type(node).__name__)
    node = next((f for f, _ in node.next_functions if f is not None
                 and type(f).__name__ != "AccumulateGrad"), None)
print(" <- ".join(names))
print("first filter's gradient, summed:", f"{model[0].weight.grad[0].abs().sum().item():.3f}")
