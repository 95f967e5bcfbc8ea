"""Adversarial examples (FGSM): a trained-in-place LeNet-style classifier, gradients with
respect to the input (data.requires_grad), the sign of the data gradient, clamping, and the
accuracy under increasing epsilon.
Modelled on pytorch/tutorials beginner_source/fgsm_tutorial.py. Changed: the pretrained MNIST
weights replaced by 40 SGD steps on 64 synthetic images (the download is not available);
dropout probabilities -> 0.0; 64 test images."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from _sync import sync

epsilons = [0, .05, .1, .15, .2, .25, .3]
torch.manual_seed(42)


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, 1)
        self.conv2 = nn.Conv2d(8, 16, 3, 1)
        self.dropout1 = nn.Dropout(0.0)
        self.dropout2 = nn.Dropout(0.0)
        self.fc1 = nn.Linear(16 * 6 * 6, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


device = torch.device("cpu")
images = sync(torch.rand(128, 1, 16, 16))
labels = (images[:, 0, 4:12, 4:12].mean((1, 2)) * 20).long() % 10
model = sync(Net().to(device))
opt = optim.SGD(model.parameters(), lr=0.5, momentum=0.5)
for step in range(40):
    opt.zero_grad()
    loss = F.nll_loss(model(images[:64]), labels[:64])
    loss.backward()
    opt.step()
print(f"train loss {loss.item():.5f}")
model.eval()


def fgsm_attack(image, epsilon, data_grad):
    sign_data_grad = data_grad.sign()
    perturbed_image = image + epsilon * sign_data_grad
    perturbed_image = torch.clamp(perturbed_image, 0, 1)
    return perturbed_image


def test(model, device, test_loader, epsilon):
    correct = 0
    adv_examples = []
    for data, target in test_loader:
        data, target = data.to(device), target.to(device)
        data.requires_grad = True
        output = model(data)
        init_pred = output.max(1, keepdim=True)[1]
        if init_pred.item() != target.item():
            continue
        loss = F.nll_loss(output, target)
        model.zero_grad()
        loss.backward()
        data_grad = data.grad.data
        perturbed_data = fgsm_attack(data, epsilon, data_grad)
        output = model(perturbed_data)
        final_pred = output.max(1, keepdim=True)[1]
        if final_pred.item() == target.item():
            correct += 1
            if epsilon == 0 and len(adv_examples) < 5:
                adv_ex = perturbed_data.squeeze().detach().cpu().numpy()
                adv_examples.append((init_pred.item(), final_pred.item(), adv_ex))
        else:
            if len(adv_examples) < 5:
                adv_ex = perturbed_data.squeeze().detach().cpu().numpy()
                adv_examples.append((init_pred.item(), final_pred.item(), adv_ex))
    final_acc = correct / float(len(test_loader))
    print(f"Epsilon: {epsilon}\tTest Accuracy = {correct} / {len(test_loader)} = {final_acc}")
    return final_acc, adv_examples


test_loader = torch.utils.data.DataLoader(
    torch.utils.data.TensorDataset(images[64:], labels[64:]), batch_size=1, shuffle=False)
accuracies = []
examples = []
for eps in epsilons:
    acc, ex = test(model, device, test_loader, eps)
    accuracies.append(acc)
    examples.append(ex)
print([(a, b) for a, b, _ in examples[-1]])
