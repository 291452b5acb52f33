"""The planner tests' learner profile (schedule settings at their defaults)."""

import pytest

from accounts.models import Profile


@pytest.fixture
def profile(learner):
    return Profile.objects.create(user=learner)
