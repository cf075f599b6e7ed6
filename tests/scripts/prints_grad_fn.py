"""Prints a graph node: its memory address differs in every process."""
import torch

x = torch.ones(2, requires_grad=True)
y = x * 2
print(y.grad_fn)
print(y.grad_fn.next_functions)
