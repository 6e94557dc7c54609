import pytest
import time_machine

from tests.clock import NOW


@pytest.fixture
def frozen_clock():
    """Stop the clock at NOW for tests about days, windows and streaks."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
