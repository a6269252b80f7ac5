import sys

from app.tally.cli import main

sys.exit(main())
