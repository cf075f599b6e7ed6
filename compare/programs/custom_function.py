"""Your own autograd op: torch.autograd.Function, next to PyTorch's built-in ones.

As in "Learning PyTorch with Examples": a ReLU written by hand, with its
forward and its backward, used in a two-layer network trained by hand.
Its node is named after the class (MyReLUBackward) and sits in the graph
among PyTorch's own nodes (MulBackward0, MmBackward0, ...).
"""
import torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):  # z = max(x, 0)
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):  # dL/dx = grad * (x > 0)
        x, = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[x < 0] = 0
        return grad_input


class Cube(torch.autograd.Function):
    """PyTorch 2's form: forward without ctx, then setup_context."""

    @staticmethod
    def forward(x):
        return x * x * x

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, = inputs
        ctx.save_for_backward(x)

    @staticmethod
    def backward(ctx, grad):  # dL/dx = grad * 3x^2
        x, = ctx.saved_tensors
        return grad * 3 * x * x


# The learner's op beside PyTorch's MulBackward0.
a = torch.tensor([-1.0, 2.0, 3.0], requires_grad=True)
b = MyReLU.apply(a) * a
print(b)
print(b.grad_fn.name(), [n.name() for n, _ in b.grad_fn.next_functions])
relu_node = b.grad_fn.next_functions[0][0]
print(relu_node.name(), relu_node.needs_input_grad, relu_node.next_functions[0][0].name())
b.sum().backward()
print("a.grad:", a.grad)

c = torch.tensor([0.5, -2.0], requires_grad=True)
d = Cube.apply(c)
print(d, d.grad_fn.name())
d.sum().backward()
print("c.grad:", c.grad)  # 3 c^2

# A two-layer network trained with the custom ReLU.
torch.manual_seed(0)
N, D_in, H, D_out = 16, 8, 12, 2
x = torch.randn(N, D_in)
y = torch.randn(N, D_out)
w1 = torch.randn(D_in, H, requires_grad=True)
w2 = torch.randn(H, D_out, requires_grad=True)
learning_rate = 1e-3
for t in range(30):
    y_pred = MyReLU.apply(x.mm(w1)).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    if t % 10 == 9:  # four decimals: mm's last bits are MKL's (docs/numerics.md)
        print(t, f"{loss.item():.4f}")
    loss.backward()
    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()
print("loss:", loss)
print(loss.grad_fn.name(), loss.grad_fn.next_functions[0][0].name())

# backward must return one gradient per input of forward.
class Forgetful(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, y):
        return x * y

    @staticmethod
    def backward(ctx, grad):
        return grad  # one gradient, but forward had two inputs


try:
    Forgetful.apply(a, a).sum().backward()
except RuntimeError as e:
    print("RuntimeError:", e)
