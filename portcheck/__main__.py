"""``python -m portcheck`` is the ``portcheck`` command."""

from .cli import main

raise SystemExit(main())
