"""Sixty SGD steps of a small two-layer ReLU net, the loss printed every ten.

compare's test of amplified rounding (tests/test_compare.py): microgrid's
matrix products round in other last bits than PyTorch's (MKL's sgemm), and
training amplifies that into the losses' 6th or 7th digit; PyTorch with its
own scalar kernels moves as far.  The loss is written with a product, so
that a broken MulBackward0 (tests/compare_broken) changes the gradients.
"""
import torch

torch.manual_seed(0)
N, D_in, H, D_out = 32, 200, 50, 5
x = torch.randn(N, D_in)
y = torch.randn(N, D_out)
w1 = torch.randn(D_in, H, requires_grad=True)
w2 = torch.randn(H, D_out, requires_grad=True)

learning_rate = 1e-5
for t in range(60):
    y_pred = x.mm(w1).clamp(min=0).mm(w2)
    diff = y_pred - y
    loss = (diff * diff).sum()
    if t % 10 == 9:
        print(t, loss.item())
    loss.backward()
    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()
