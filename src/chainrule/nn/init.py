"""nn.init: PyTorch's weight initialisations, drawn from chainrule's generator."""

__all__ = []
