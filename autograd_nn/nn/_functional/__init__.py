"""Internal: the implementation files behind nn.functional."""
