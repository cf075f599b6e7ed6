"""A two-layer perceptron learns XOR for a few steps: forward, backward, update.

The weights are written out (not random) so that every run, with any engine,
starts from the same numbers.  The update runs under torch.no_grad(): it
changes the weights in place and must not be recorded in the graph.
"""
import torch

inputs = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
targets = torch.tensor([[0.0], [1.0], [1.0], [0.0]])

w1 = torch.tensor([[0.5, -0.4, 0.3], [-0.2, 0.6, 0.1]], requires_grad=True)  # 2 -> 3
b1 = torch.tensor([0.1, -0.1, 0.0], requires_grad=True)
w2 = torch.tensor([[0.7], [-0.5], [0.2]], requires_grad=True)  # 3 -> 1
b2 = torch.tensor([0.05], requires_grad=True)
learning_rate = 0.5

for step in range(5):
    hidden = torch.tanh(inputs @ w1 + b1)  # (4, 3)
    prediction = hidden @ w2 + b2  # (4, 1)
    loss = ((prediction - targets) ** 2).mean()
    loss.backward()
    print(f"step {step}: loss {loss.item():.5f}")
    with torch.no_grad():
        for parameter in (w1, b1, w2, b2):
            parameter -= learning_rate * parameter.grad
            parameter.grad.zero_()

print("loss:", loss)
print("w1:", w1)
print("b1:", b1)
print("w2:", w2)
print("b2:", b2)
print("prediction:", prediction)
