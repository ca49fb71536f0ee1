"""``python -m meetingbooster_async``: the ``meetingbooster`` command line."""

from ._cli import entry_point

entry_point()
