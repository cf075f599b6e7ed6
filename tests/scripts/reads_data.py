"""Reads names.txt from its own folder, by a relative path."""
import torch

names = open("names.txt").read().split()
print(len(names), "names, the longest has", max(len(n) for n in names), "letters")
print(torch.tensor([len(n) for n in names]))
