"""NumPy kernels: PyTorch's way of computing, in a leaf layer that imports NumPy only."""
