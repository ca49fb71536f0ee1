# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/__main__.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""``python -m meetingbooster_async_httpx2``: the ``meetingbooster`` command line."""

from ._cli import entry_point

entry_point()
