"""A tour of tensor operations as an introductory lecture gives it: creation, dtypes, indexing
and slicing, reshaping and permuting, joining and splitting, broadcasting, reductions along
dims, in-place operations, comparisons and masking, matrix products, einsum, sorting.
Modelled on the tensor sections of the CS231n PyTorch tutorial notebook (cs231n.github.io,
"Python/NumPy/PyTorch tutorial") and of UvA DL course tutorial 2 (uvadlc-notebooks,
Introduction to PyTorch). Changed: fixed values instead of random ones."""
import torch

a = torch.tensor([[1, 2, 3], [4, 5, 6]])
print(a, a.dtype, a.shape, a.size(1), a.dim(), a.numel())
b = torch.zeros(2, 3, dtype=torch.float64)
print(b, torch.ones_like(a), torch.full((2, 2), 7), torch.eye(3))
print(torch.arange(0, 10, 2), torch.linspace(0, 1, 5))
x = torch.arange(12).reshape(3, 4).float()
print(x[1], x[:, 2], x[1:, ::2], x[-1, -1].item(), x[[0, 2], [1, 3]])
print(x[x > 5], (x > 5).sum(), x.masked_fill(x < 3, -1))
print(x.view(2, 6), x.t(), x.permute(1, 0).contiguous().shape, x.unsqueeze(0).shape)
print(x.flatten(), x.reshape(-1, 2).shape, x.transpose(0, 1).is_contiguous())
print(torch.cat([x, x], dim=0).shape, torch.stack([x, x], dim=2).shape)
print(torch.chunk(x, 2, dim=1), torch.split(x, [1, 2], dim=0)[1])
print(x + torch.tensor([1.0, 0.0, -1.0, 2.0]), x * torch.tensor([[2.0], [3.0], [4.0]]))
print(x.sum(), x.sum(dim=0), x.mean(dim=1, keepdim=True), x.max(dim=1), x.argmin())
print(x.std(), x.var(dim=0), x.prod(dim=1), x.cumsum(dim=1), x.norm())
y = x.clone()
y.add_(1)
y.mul_(2)
y[0, :] = 0
y[:, 0] += 10
print(y, x.eq(y), torch.where(y > x, y, x))
print(x @ x.T, torch.mm(x, x.T).shape, torch.matmul(x, torch.ones(4)), x.mv(torch.ones(4)))
print(torch.einsum('ij,kj->ik', x, x), torch.einsum('ii->', torch.eye(3)))
vals, idx = torch.sort(torch.tensor([3.0, 1.0, 2.0]), descending=True)
print(vals, idx, torch.topk(x.flatten(), 3), torch.argsort(x[0], descending=True))
print(x.int().dtype, x.to(torch.float16).dtype, x.long().sum().dtype, x.bool().any())
print(torch.tensor([1, 2]).float() / 3, torch.tensor([7]) // 2, torch.tensor([7]) % 3)
print(torch.clamp(x, 2, 8), x.abs().sqrt().round(), torch.exp(torch.tensor([0.0, 1.0])))
print(torch.unique(torch.tensor([3, 1, 3, 2, 1])), torch.tensor([1, 2, 3]).flip(0))
print(x.unbind(0)[2], x.narrow(1, 1, 2), x.repeat(1, 2).shape, x.expand(2, 3, 4).shape)
print(torch.tril(torch.ones(3, 3)), torch.diag(torch.tensor([1.0, 2.0])), x.diagonal())
print(x.roll(1, dims=1), torch.flatten(torch.meshgrid(torch.arange(2), torch.arange(3),
                                                      indexing='ij')[1]))
