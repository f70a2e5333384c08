"""``python -m translate`` runs the songngu command line."""

import sys

from translate.cli import main

sys.exit(main())
