"""chainrule.vision: a stand-in for torchvision (transforms and datasets)."""
