"""backends.mps: Apple's Metal backend is not available here."""


def is_available():
    return False


def is_built():
    return False
