# A first tour of tensors: making them, their attributes, operations, NumPy.
import numpy as np
import torch

data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
print(x_data)

np_array = np.array(data)
x_np = torch.from_numpy(np_array)
print(f"From NumPy:\n{x_np}\n")

x_ones = torch.ones_like(x_data)
print(f"Ones Tensor:\n{x_ones}\n")

shape = (2, 3)
zeros_tensor = torch.zeros(shape)
print(f"Zeros Tensor:\n{zeros_tensor}")

tensor = torch.ones(4, 4)
print(f"Shape of tensor: {tensor.shape}")
print(f"Datatype of tensor: {tensor.dtype}")
print(f"Device tensor is stored on: {tensor.device}")

tensor[:, 1] = 0
print(f"First row: {tensor[0]}")
print(f"Last column: {tensor[..., -1]}")
t1 = torch.cat([tensor, tensor, tensor], dim=1)
print(t1)

y1 = tensor @ tensor.T
y2 = tensor.matmul(tensor.T)
print(torch.equal(y1, y2))
z1 = tensor * tensor
print(z1)

agg = tensor.sum()
agg_item = agg.item()
print(agg_item, type(agg_item))

tensor.add_(5)
print(tensor)
n = tensor.numpy()
print(f"n: {n}")
