"""``python -m meetingbooster_async.testing``: serve an emulator until interrupted."""

import sys

from ._cli import main

sys.exit(main())
