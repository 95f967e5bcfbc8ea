"""``autograd_nn.keras``: Keras 3's API on the autograd_nn engine."""
