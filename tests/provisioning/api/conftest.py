import pytest
from django.core.cache import cache

from provisioning.api.throttling import throttle_batches_clear
from provisioning.sdk import sdk_memos_clear

TURN_SECRET = "turn-secret-for-tests"


@pytest.fixture(autouse=True)
def api_settings(settings):
    """Known TURN secrets and generous throttles; a fresh cache for every test."""
    settings.TURN_SHARED_SECRETS = [TURN_SECRET, "older-secret"]
    settings.TURN_CREDENTIAL_TTL = 3600
    settings.TURN_CREDENTIAL_BUCKET = 300
    settings.SDK_APP_CACHE_SECONDS = 0
    rates = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
    rates.update({"sdk_app": "10000/minute", "sdk_ip": "10000/minute"})
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    cache.clear()
    sdk_memos_clear()
    throttle_batches_clear()
    yield
    cache.clear()
    sdk_memos_clear()
    throttle_batches_clear()
