"""A diamond: one value used by two operations whose results meet again.

y = x * 2 + x * x uses x twice.  Backward sends a gradient down each path,
and the two arrive at the same AccumulateGrad node, which adds them:
dy/dx = 2 + 2x.
"""
import torch


def show_graph(tensor):
    """Print the graph behind ``tensor``, one node per line, indented by depth."""
    stack = [(tensor.grad_fn, 0)]
    while stack:
        node, depth = stack.pop()
        print("    " * depth + node.name())
        for child, _ in reversed(node.next_functions):
            if child is not None:
                stack.append((child, depth + 1))


x = torch.tensor(3.0, requires_grad=True)
doubled = x * 2  # path 1
squared = x * x  # path 2 (x used twice again!)
y = doubled + squared  # the paths meet
print("y:", y)
show_graph(y)
y.backward()
print("x.grad:", x.grad)  # 2 + 2 * 3 = 8

# The same with vectors: w feeds two products.
w = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
u = torch.tensor([3.0, 1.0, 2.0])
v = torch.tensor([0.5, 0.5, 4.0])
total = (w * u).sum() + (w * v).sum()
total.backward()
print("w.grad:", w.grad)  # u + v
