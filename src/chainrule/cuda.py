"""chainrule.cuda: there is no CUDA here; is_available() is False."""
