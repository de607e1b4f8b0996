"""The sliding-window-counter throttles (``core.api.ratelimit``, ``core.api.throttling``) on the
local-memory ``api`` cache, with the limiter's clock frozen: the arithmetic, what is counted, and
``Retry-After``. ``tests/ops/test_cache.py`` runs the Redis path (one round trip, atomicity)."""

import pytest
from django.core.cache import caches

from core.api import ratelimit
from tests.api.conftest import client_for
from tests.factories import UserFactory

PERIOD = 60


class Clock:
    """A clock the test moves by hand (``ratelimit.now`` reads it)."""

    def __init__(self, at: float):
        self.at = at

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(600.0)  # the start of minute window 10
    monkeypatch.setattr(ratelimit, "now", clock)
    return clock


def allowed_of(limit: ratelimit.Limit, times: int) -> list[bool]:
    return [ratelimit.check([limit]).allowed for _ in range(times)]


def counter(key: str, window: int, period: int = PERIOD) -> int | None:
    return caches["api"].get(f"{key}:{period}:{window}")


def test_a_window_allows_its_limit_and_refuses_the_rest(clock):
    limit = ratelimit.Limit("throttle:user:1", 3, PERIOD)
    assert allowed_of(limit, 5) == [True, True, True, False, False]
    other = ratelimit.Limit("throttle:user:2", 3, PERIOD)
    assert allowed_of(other, 1) == [True]  # another key, its own budget


def test_a_refused_request_is_not_counted(clock):
    limit = ratelimit.Limit("throttle:user:1", 3, PERIOD)
    assert allowed_of(limit, 13) == [True] * 3 + [False] * 10
    assert counter(limit.key, 10) == 3
    clock.at = 680.0  # window 11, a third in: 3 * 2/3 = 2 estimated, one more fits
    assert allowed_of(limit, 3) == [True, False, False]
    assert counter(limit.key, 11) == 1


def test_the_window_slides(clock):
    limit = ratelimit.Limit("throttle:user:1", 10, PERIOD)
    clock.at = 630.0  # halfway through window 10
    assert allowed_of(limit, 10) == [True] * 10
    clock.at = 660.0  # window 11 starts: the whole of window 10 still weighs
    assert allowed_of(limit, 1) == [False]
    clock.at = 690.0  # halfway: window 10 weighs 5
    assert allowed_of(limit, 6) == [True] * 5 + [False]
    clock.at = 780.0  # window 13: window 11 is gone, window 12 was empty
    assert allowed_of(limit, 11) == [True] * 10 + [False]


def test_the_wait_runs_to_when_the_full_window_weighs_less_than_the_limit(clock):
    limit = ratelimit.Limit("throttle:user:1", 3, PERIOD)
    clock.at = 610.0
    assert allowed_of(limit, 3) == [True] * 3
    refused = ratelimit.check([limit])
    assert not refused.allowed
    assert refused.wait == pytest.approx(50 + ratelimit.WAIT_MARGIN)
    clock.at = 610.0 + 49.9
    assert allowed_of(limit, 1) == [False]
    clock.at = 610.0 + refused.wait
    assert allowed_of(limit, 2) == [True, False]


def test_the_wait_within_a_window_follows_the_previous_windows_weight(clock):
    assert allowed_of(ratelimit.Limit("throttle:user:1", 10, PERIOD), 10) == [True] * 10
    lowered = ratelimit.Limit("throttle:user:1", 4, PERIOD)  # the rate is lowered meanwhile
    clock.at = 675.0  # window 11, a quarter in: 10 * 3/4 = 7.5 estimated
    refused = ratelimit.check([lowered])
    # 10 * (45 - t) / 60 < 4 from t = 21 on.
    assert refused.wait == pytest.approx(21 + ratelimit.WAIT_MARGIN)
    clock.at = 675.0 + 20.9
    assert allowed_of(lowered, 1) == [False]
    clock.at = 675.0 + refused.wait
    assert allowed_of(lowered, 1) == [True]


def test_scopes_are_checked_together_and_a_refusal_counts_in_none(clock):
    user = ratelimit.Limit("throttle:user:1", 10, PERIOD)
    partner = ratelimit.Limit("throttle:partner:7", 2, PERIOD)
    assert [ratelimit.check([user, partner]).allowed for _ in range(4)] == [True, True, False, False]
    assert counter(user.key, 10) == 2 and counter(partner.key, 10) == 2


def test_an_allowed_request_has_no_wait_and_no_limits_allow_everything(clock):
    assert ratelimit.check([ratelimit.Limit("throttle:user:1", 1, PERIOD)]).wait is None
    assert ratelimit.check([]).allowed


@pytest.mark.parametrize(
    "rate, expected",
    [("600/min", (600, 60)), ("10/s", (10, 1)), ("1000/hour", (1000, 3600)), ("5/day", (5, 86400))],
)
def test_rates_are_read_as_drf_reads_them(rate, expected):
    assert ratelimit.parse_rate(rate) == expected


@pytest.mark.django_db
class TestThroughTheApi:
    def test_two_users_of_one_partner_share_its_budget_and_refusals_count_nowhere(
        self, world, settings, clock
    ):
        settings.API_THROTTLE_RATES = {"user": "2/min", "partner": "3/min"}
        colleague = UserFactory(partner=world.partner)
        first, second = client_for(world.admin), client_for(colleague)
        statuses = [c.get("/v1/customers").status_code for c in (first, second, second, first, second)]
        assert statuses == [200, 200, 200, 429, 429]
        assert counter(f"throttle:user:{world.admin.pk}", 10) == 1  # its refusal was not counted
        assert counter(f"throttle:user:{colleague.pk}", 10) == 2
        assert counter(f"throttle:partner:{world.partner.pk}", 10) == 3
        stranger = client_for(world.other_partner.users.create(username="other-bob"))
        assert stranger.get("/v1/customers").status_code == 200

    def test_retry_after_is_the_seconds_until_a_request_is_allowed(self, world, settings, clock):
        settings.API_THROTTLE_RATES = {"user": "2/min", "partner": "100/min"}
        clock.at = 610.0
        client = client_for(world.admin)
        assert [client.get("/v1/customers").status_code for _ in range(2)] == [200, 200]
        refused = client.get("/v1/customers")
        assert refused.status_code == 429
        assert refused["Retry-After"] == "51"  # 50.001 s rounded up
        clock.at = 610.0 + 50
        assert client.get("/v1/customers").status_code == 429
        clock.at = 610.0 + 51
        assert client.get("/v1/customers").status_code == 200

    def test_a_scope_without_a_rate_is_not_limited(self, world, settings, clock):
        settings.API_THROTTLE_RATES = {"partner": "100/min"}
        client = client_for(world.admin)
        assert {client.get("/v1/customers").status_code for _ in range(3)} == {200}
        assert counter(f"throttle:user:{world.admin.pk}", 10) is None
