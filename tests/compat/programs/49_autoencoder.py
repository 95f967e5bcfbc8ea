"""A fully connected autoencoder: an encoder to a 3-D code and a decoder with a Sigmoid output,
trained with MSELoss and Adam on a DataLoader of synthetic images; reconstruction error per
epoch, the codes of a few samples, and a state_dict round trip through torch.save/torch.load.
Modelled on the autoencoder examples of the PyTorch forums and L1aoXingyu/pytorch-beginner
(08-AutoEncoder/simple_autoencoder.py). Changed: 8x8 synthetic images, 5 epochs."""
import io

import torch
from _sync import sync
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class autoencoder(nn.Module):
    def __init__(self):
        super(autoencoder, self).__init__()
        self.encoder = nn.Sequential(
            nn.Linear(8 * 8, 32), nn.ReLU(True), nn.Linear(32, 12), nn.ReLU(True),
            nn.Linear(12, 3))
        self.decoder = nn.Sequential(
            nn.Linear(3, 12), nn.ReLU(True), nn.Linear(12, 32), nn.ReLU(True),
            nn.Linear(32, 8 * 8), nn.Sigmoid())

    def forward(self, x):
        x = self.encoder(x)
        x = self.decoder(x)
        return x


codes = sync(torch.rand(64, 3))
basis = sync(torch.rand(3, 64))
images = torch.sigmoid(4 * (codes @ basis) - 3).view(64, 1, 8, 8)
loader = DataLoader(TensorDataset(images), batch_size=16, shuffle=False)
model = sync(autoencoder())
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-5)
for epoch in range(5):
    for data in loader:
        img = data[0]
        img = img.view(img.size(0), -1)
        output = model(img)
        loss = criterion(output, img)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch [{}/{}], loss:{:.4f}'.format(epoch + 1, 5, loss.item()))

with torch.no_grad():
    z = model.encoder(images[:4].view(4, -1))
    print(z)
    recon = model.decoder(z).view(-1, 1, 8, 8)
    print(recon.shape, float(((recon - images[:4]) ** 2).mean()))

buffer = io.BytesIO()
torch.save(model.state_dict(), buffer)
buffer.seek(0)
model2 = autoencoder()
model2.load_state_dict(torch.load(buffer))
model2.eval()
with torch.no_grad():
    print(torch.allclose(model2(images[:2].view(2, -1)), model(images[:2].view(2, -1))))
print(list(model2.state_dict().keys())[:4])
