"""``python -m streams.devstack``: run a dev stack until told to stop."""

from __future__ import annotations

import sys

from ._cli import main

sys.exit(main())
