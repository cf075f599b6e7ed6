"""Uses a layer microgrid does not have: compare names it instead of failing noisily."""
import torch

x = torch.ones(1, 1, 4, 4)
print("input shape:", x.shape)
conv = torch.nn.ConvTranspose2d(1, 1, kernel_size=3)
print("output shape:", conv(x).shape)
