"""A user script in the old style: Variable, and an explicit gradient."""
import torch
from torch.autograd import Variable

weights = Variable(torch.FloatTensor([[0.5, -1.0], [2.0, 0.25]]), requires_grad=True)
inputs = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
out = (weights * inputs + 1).mean()
out.backward()
print("out:", out)
print("weights.grad:", weights.grad)
print("is a Variable:", isinstance(weights, Variable))
