"""A custom Dataset with a transform and a target transform, iterated by a DataLoader.
Modelled on pytorch/tutorials beginner_source/basics/data_tutorial.py and
transforms_tutorial.py. Changed: images and labels generated in memory instead of read from
disk (torchvision.io not needed); the Lambda target transform written as a function; the
random images synced."""
import torch
from _sync import sync
from torch.utils.data import DataLoader, Dataset


class CustomImageDataset(Dataset):
    def __init__(self, n, transform=None, target_transform=None):
        g = torch.Generator().manual_seed(0)
        self.images = sync(torch.randint(0, 256, (n, 1, 6, 6), generator=g, dtype=torch.uint8))
        self.img_labels = [i % 10 for i in range(n)]
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self):
        return len(self.img_labels)

    def __getitem__(self, idx):
        image = self.images[idx]
        label = self.img_labels[idx]
        if self.transform:
            image = self.transform(image)
        if self.target_transform:
            label = self.target_transform(label)
        return image, label


def to_float(img):
    return img.float() / 255.0


def one_hot(y):
    return torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)


ds = CustomImageDataset(20, transform=to_float, target_transform=one_hot)
print(len(ds))
img, label = ds[3]
print(img.shape, label)
loader = DataLoader(ds, batch_size=8, shuffle=False, drop_last=False)
for i, (imgs, labels) in enumerate(loader):
    print(i, tuple(imgs.shape), tuple(labels.shape), labels.argmax(1).tolist(),
          round(imgs.mean().item(), 6))
plain = DataLoader(CustomImageDataset(5), batch_size=2)
batch = next(iter(plain))
print(type(batch).__name__, batch[1])
