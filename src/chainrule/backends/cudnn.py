"""backends.cudnn: not available here; its flags are accepted and keep PyTorch's defaults."""

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True
benchmark_limit = 10


def is_available():
    return False


def version():
    return None
