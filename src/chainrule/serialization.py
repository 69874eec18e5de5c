"""save and load: checkpoints without pickle."""
