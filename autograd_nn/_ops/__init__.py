"""Op definitions: each op's forward and backward side by side (see autograd.engine.Op)."""
