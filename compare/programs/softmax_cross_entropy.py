"""Softmax turns scores into probabilities; cross-entropy scores them.

cross_entropy(logits, target) is log_softmax followed by the negative log
likelihood of the right class, averaged over the batch.  Its gradient with
respect to the logits is beautifully simple: softmax(logits) - one_hot(target),
divided by the batch size.
"""
import torch
import torch.nn.functional as F  # noqa: N812 (PyTorch's usual spelling)

logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]], requires_grad=True)
target = torch.tensor([0, 2])  # the right class of each row

probabilities = torch.softmax(logits, dim=1)
print("softmax:", probabilities)
print("rows sum to 1:", probabilities.sum(dim=1))

log_probabilities = F.log_softmax(logits, dim=1)
print("log_softmax:", log_probabilities)

loss = F.cross_entropy(logits, target)
print("cross_entropy:", loss)
loss.backward()
print("logits.grad:", logits.grad)  # (softmax - one_hot) / 2

# The same loss in two steps: log_softmax, then nll_loss.
logits.grad = None
same = F.nll_loss(F.log_softmax(logits, dim=1), target)
print("nll_loss(log_softmax):", same)
same.backward()
print("logits.grad again:", logits.grad)
