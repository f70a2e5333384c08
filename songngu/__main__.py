"""``python -m songngu`` runs the songngu command line."""

import sys

from songngu.translate.cli import main

sys.exit(main())
