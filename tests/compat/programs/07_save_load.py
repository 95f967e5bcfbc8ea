"""Saving and loading: state_dict round trip, whole checkpoints with the optimizer state.
Modelled on pytorch/tutorials beginner_source/basics/saveloadrun_tutorial.py and
recipes_source/recipes/saving_and_loading_a_general_checkpoint.py. Changed: a small MLP
instead of torchvision's VGG16."""
import torch
import torch.nn as nn
import torch.optim as optim
from _sync import sync


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 16)
        self.fc2 = nn.Linear(16, 4)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


net = sync(Net())
optimizer = optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
x = sync(torch.randn(5, 8))
for _ in range(3):
    optimizer.zero_grad()
    loss = net(x).pow(2).mean()
    loss.backward()
    optimizer.step()
print("Model's state_dict:")
for param_tensor in net.state_dict():
    print(param_tensor, "\t", tuple(net.state_dict()[param_tensor].size()))
print("Optimizer's state_dict keys:", list(optimizer.state_dict()["param_groups"][0].keys()))

EPOCH, LOSS = 5, loss.item()
torch.save({"epoch": EPOCH, "model_state_dict": net.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(), "loss": LOSS}, "model.pt")
model = Net()
opt2 = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
checkpoint = torch.load("model.pt", weights_only=True)
model.load_state_dict(checkpoint["model_state_dict"])
opt2.load_state_dict(checkpoint["optimizer_state_dict"])
print(checkpoint["epoch"], f"{checkpoint['loss']:.6f}")
model.train()
for m, o in ((net, optimizer), (model, opt2)):
    o.zero_grad()
    m(x).pow(2).mean().backward()
    o.step()
print(all(torch.equal(a, b) for a, b in zip(net.parameters(), model.parameters())))
model.eval()
torch.save(model.state_dict(), "model_weights.pth")
m3 = Net()
m3.load_state_dict(torch.load("model_weights.pth", weights_only=True))
print(f"{m3(x).sum().item():.5f}")
