"""backends.mkldnn: oneDNN is not used by chainrule; the flag is accepted."""

enabled = True


def is_available():
    return False
