"""Batch training with a DataLoader, as in Morvan Zhou's PyTorch tutorial.

TensorDataset pairs the rows of x and y; DataLoader shuffles them each
epoch (PyTorch's RandomSampler: the same permutation under both engines,
drawn from the global generator) and hands them out in batches of 5.
Then a small regression net is trained on shuffled mini-batches.
"""
import torch
import torch.utils.data as Data  # noqa: N812 - the tutorial's spelling

torch.manual_seed(1)  # reproducible

BATCH_SIZE = 5
x = torch.linspace(1, 10, 10)  # x data (torch tensor)
y = torch.linspace(10, 1, 10)  # y data (torch tensor)

torch_dataset = Data.TensorDataset(x, y)
loader = Data.DataLoader(
    dataset=torch_dataset,  # torch TensorDataset format
    batch_size=BATCH_SIZE,  # mini batch size
    shuffle=True,  # random shuffle for training
    num_workers=2,  # subprocesses for loading data
)

for epoch in range(3):  # train entire dataset 3 times
    for step, (batch_x, batch_y) in enumerate(loader):  # for each training step
        print('Epoch: ', epoch, '| Step: ', step, '| batch x: ',
              batch_x.numpy(), '| batch y: ', batch_y.numpy())

# drop_last, and a split into training and validation sets
train, valid = Data.random_split(torch_dataset, [0.8, 0.2])
print(len(train), len(valid), [int(i) for i in valid.indices])
print([b[0].tolist() for b in Data.DataLoader(train, batch_size=3, shuffle=True,
                                               drop_last=True)])

# Mini-batch training of a regression net.
features = torch.unsqueeze(torch.arange(-20, 20) / 20.0, dim=1)
targets = features.pow(2) + 0.1 * torch.randn(features.size())
net = torch.nn.Sequential(torch.nn.Linear(1, 10), torch.nn.ReLU(), torch.nn.Linear(10, 1))
optimizer = torch.optim.SGD(net.parameters(), lr=0.2)
loss_func = torch.nn.MSELoss()
train_loader = Data.DataLoader(Data.TensorDataset(features, targets), batch_size=8,
                               shuffle=True)
for epoch in range(5):
    for batch_x, batch_y in train_loader:
        loss = loss_func(net(batch_x), batch_y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', f'{loss.item():.4f}')
print(net(torch.tensor([[0.5]])))
