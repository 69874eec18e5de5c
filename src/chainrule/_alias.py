"""Resolving torch and torchvision imports to chainrule: alias_torch() and run_path()."""
