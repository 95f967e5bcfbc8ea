"""Datasets, samplers and the DataLoader, as torch.utils.data."""
