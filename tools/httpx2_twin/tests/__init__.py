"""The twin's own tests (not generated from tests/): what only the httpx2 twin has."""
