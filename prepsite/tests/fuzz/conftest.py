"""The fuzz tests' fixtures: the world they request against and one client of each kind."""

import pytest

from prepsite.tests.fuzz.world import Clients, World


@pytest.fixture
def world(learner, other_learner):
    return World(learner, other_learner)


@pytest.fixture
def clients(learner):
    return Clients(learner)
