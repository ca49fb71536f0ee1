# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/testing/__main__.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""``python -m meetingbooster_async_httpx2.testing``: serve an emulator until interrupted."""

import sys

from ._cli import main

sys.exit(main())
