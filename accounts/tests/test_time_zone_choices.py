"""The profile's time-zone list: canonical Region/City zones and UTC, a stored legacy zone kept."""

import pytest

from accounts.forms import ProfileForm, time_zone_choices
from accounts.services import get_profile

pytestmark = pytest.mark.django_db


def test_only_canonical_zones_are_offered():
    names = [name for name, _ in time_zone_choices()]
    assert "Europe/London" in names and "America/Argentina/Buenos_Aires" in names
    assert "UTC" in names
    for junk in ("Factory", "localtime", "posixrules", "US/Eastern", "GB", "Etc/GMT+5", "UCT"):
        assert junk not in names
    assert names == sorted(names)


def _data(learner, zone):
    return {"email": learner.email or "ada@example.com", "time_zone": zone, "daily_goal": "20"}


def test_a_stored_legacy_zone_is_still_shown_and_accepted(learner):
    profile = get_profile(learner)
    profile.time_zone = "US/Eastern"
    profile.save()
    form = ProfileForm(user=learner, instance=profile)
    assert ("US/Eastern", "US/Eastern") in form.fields["time_zone"].choices
    form = ProfileForm(_data(learner, "US/Eastern"), user=learner, instance=profile)
    assert form.is_valid(), form.errors


def test_a_legacy_zone_is_not_offered_to_others(learner):
    form = ProfileForm(_data(learner, "US/Eastern"), user=learner, instance=get_profile(learner))
    assert not form.is_valid()
    assert "time_zone" in form.errors
