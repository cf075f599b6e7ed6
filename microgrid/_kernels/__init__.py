"""NumPy kernels that compute as PyTorch's CPU kernels do (imports NumPy only)."""
