import pytest
from django.core.cache import cache

from provisioning.sdk import sdk_state_clear
from tests.e2e.faults import RedisServer

TURN_SECRET = "turn-secret-for-tests"


@pytest.fixture(autouse=True)
def api_settings(settings):
    """Known TURN secrets and generous throttles; a fresh cache for every test."""
    settings.TURN_SHARED_SECRETS = [TURN_SECRET, "older-secret"]
    settings.TURN_CREDENTIAL_TTL = 3600
    settings.TURN_CREDENTIAL_BUCKET = 300
    rates = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
    rates.update({"sdk_app": "10000/minute", "sdk_fail": "10000/minute", "sdk_ip": "10000/minute"})
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    cache.clear()
    sdk_state_clear()
    yield
    cache.clear()
    sdk_state_clear()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    """A redis-server of the test module's own (see ``helpers.redis_caches``)."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.kill()
