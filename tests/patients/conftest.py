import datetime

import pytest
import time_machine

# A Wednesday morning, so that windows ending "yesterday" are easy to reason about.
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()


@pytest.fixture
def frozen_clock():
    """Stop the clock at NOW for tests about days, windows and streaks."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
