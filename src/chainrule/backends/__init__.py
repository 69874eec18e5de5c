"""chainrule.backends: flags PyTorch scripts set (cudnn.deterministic ...)."""
