"""python -m chainrule run|explain ..."""
