"""The chainrule command: chainrule run script.py, chainrule explain script.py."""
