"""gradtrace: make PyTorch's autograd visible."""

__version__ = "0.1.0"
