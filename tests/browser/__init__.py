"""Browser tests (Playwright + Debian Chromium): a package, so its conftest never shadows tests/conftest.py."""
