# GENERATED FILE, DO NOT EDIT. Source: meetingbooster_async/_version.py
# Edit the source (on httpx), then run: python tools/generate_httpx2.py
"""The package version, in one place."""

__version__ = "0.1.0"
