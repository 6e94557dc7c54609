"""The moment the date-dependent tests stop the clock at (``frozen_clock`` in
tests/conftest.py)."""

import datetime

# A Wednesday morning, so that windows ending "yesterday" are easy to reason about.
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()
