"""``python -m hcpcs_home``: the same command line as ``hcpcs-home``."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
