# Timing a matrix product, as learners do to compare loops with vector code.
import time

import torch

a = torch.ones(200, 200)
start = time.time()
for _ in range(10):
    c = a @ a
print(f"10 products took {time.time() - start:.5f} sec")
print(c[0, 0])
