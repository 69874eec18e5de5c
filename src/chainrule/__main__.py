"""python -m chainrule run|explain ..."""

import sys

from chainrule.cli import main

if __name__ == "__main__":
    sys.exit(main())
