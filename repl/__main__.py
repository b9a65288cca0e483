"""``python -m repl``: the pytensor REPL (see ``repl/app.py``)."""
import sys

from repl.app import main

sys.exit(main())
