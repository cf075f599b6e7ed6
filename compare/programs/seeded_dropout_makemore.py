# PyTorch's random numbers, bit for bit (docs/random.md).
# Seed once; build, initialise and train a small nn.Sequential with dropout;
# then sample from it with multinomial, makemore style.
import torch
import torch.nn as nn
import torch.nn.functional as F  # noqa: N812 - PyTorch's spelling

torch.manual_seed(42)
vocab = 6
model = nn.Sequential(nn.Linear(vocab, 16), nn.ReLU(), nn.Dropout(0.25), nn.Linear(16, vocab))
optimizer = torch.optim.SGD(model.parameters(), lr=0.125)
xs = torch.randint(0, vocab, (24,))
ys = torch.randint(0, vocab, (24,))
inputs = torch.eye(vocab)[xs]
for step in range(5):
    logits = model(inputs)
    loss = F.cross_entropy(logits, ys)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print(step, round(loss.item(), 4))
model.eval()
g = torch.Generator().manual_seed(2147483647)
with torch.no_grad():
    ix, out = 0, []
    for _ in range(10):
        probs = F.softmax(model(torch.eye(vocab)[ix:ix + 1]), dim=1)
        ix = torch.multinomial(probs, num_samples=1, replacement=True, generator=g).item()
        out.append(ix)
print(out)
print(torch.randperm(8), torch.rand(3))
