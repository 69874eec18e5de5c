"""chainrule.utils: data loading."""

from . import data
