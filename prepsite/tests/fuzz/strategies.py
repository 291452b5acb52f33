"""What the fuzz sends: hypothesis strategies for junk values and whole requests, the
settings every fuzz test runs under, and the check every response must pass.
"""

import os
import uuid

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from prepsite.tests.fuzz.world import ENDPOINTS, World

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/practice/"}

FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
    derandomize=bool(os.environ.get("CI")),
)

# Strategies -------------------------------------------------------------------------------

ODD = ["\x00", "\u200f", "\u202e", "\ufeff", "🤖", "👩🏽‍🔬", "ß", "İ", "\r\n", "%00", "' OR 1=1 --"]
odd_text = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=8),  # no surrogates
        st.sampled_from(ODD),
    ),
    max_size=6,
).map("".join)
huge_text = st.builds(
    lambda unit, times: (unit * times)[:100_000],
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=8),
    st.integers(min_value=500, max_value=100_000),
)
# Numbers as a form sends them, with the edges that break int() or the database: Unicode
# digits ("²".isdigit() is true, int("²") fails), and ids beyond a 64-bit column.
EDGE_NUMBERS = ["²", "¹⁰", "１２", "٣", str(2**63), str(-(2**63) - 1), "9" * 30, "1e9", "NaN"]
number_text = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["0", "1", "3", "-1", "inf", "0x10", " 2 ", "1.5", *EDGE_NUMBERS]),
    st.sampled_from(EDGE_NUMBERS),
)
scalar = st.one_of(
    st.just(""),
    odd_text,
    number_text,
    st.sampled_from(["due", "new", "weakest", "random", "missed", "wrong", "other", "UTC"]),
    st.sampled_from(["Europe/London", "../../etc/passwd", "2030-01-01", "0000-00-00"]),
)
value = st.one_of(
    scalar,
    st.lists(scalar, max_size=4),  # a list where one value is expected
    huge_text,
)


@st.composite
def requests_for(draw, world: World, endpoints=ENDPOINTS):
    """An endpoint, a URL with real, foreign or junk arguments, and a body of junk."""
    endpoint = draw(st.sampled_from(endpoints))
    whose = draw(st.sampled_from(["own", "own", "other learner's", "random", "junk"]))
    values = world.arguments(own=whose != "other learner's")
    if whose in ("random", "junk"):
        values["session_id"] = uuid.uuid4()
        values["interview_id"] = uuid.uuid4()
        values["uidb64"] = draw(st.from_regex(r"[A-Za-z0-9_\-]{1,20}", fullmatch=True))
        values["token"] = draw(st.from_regex(r"[a-z0-9\-]{1,40}", fullmatch=True))
        values["calendar_token"] = draw(st.from_regex(r"[A-Za-z0-9_\-]{1,50}", fullmatch=True))
        values["unsubscribe_token"] = draw(st.from_regex(r"[A-Za-z0-9_:\-]{1,80}", fullmatch=True))
        values["topic_slug"] = draw(st.from_regex(r"[a-z0-9\-]{1,30}", fullmatch=True))
        values["question_key"] = draw(st.from_regex(r"[a-z0-9\-]{1,30}", fullmatch=True))
    if whose == "junk" or draw(st.booleans()):
        values["position"] = draw(
            st.one_of(st.integers(0, 30), st.integers(0, 10**25), st.just(values["position"]))
        )
    url = endpoint.url(values)
    known = sorted(world.fields.get(endpoint.name, set()))
    names = draw(
        st.lists(
            st.one_of(st.sampled_from(known), odd_text) if known else odd_text,
            max_size=max(len(known) + 2, 3),
            unique=True,
        )
    )
    data = {name: draw(value) for name in names}
    return endpoint, url, data


def check(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"
    if response.status_code == 405:
        assert response.get("Allow"), f"{what}: a 405 without Allow"
    if 400 <= response.status_code < 500 and response.request["REQUEST_METHOD"] != "HEAD":
        assert response.content.strip(), f"{what}: a {response.status_code} with an empty body"
