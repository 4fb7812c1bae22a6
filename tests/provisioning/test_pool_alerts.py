"""Ops are e-mailed when a pool crosses its low-water mark: once per crossing."""

import pytest
from celery import current_app
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from provisioning import tasks
from provisioning.choices import PoolKind
from provisioning.models import ProxyPool, Region
from provisioning.selectors.capacity import pools_below_low_water
from provisioning.services.lifecycle import request_approve
from provisioning.services.pool_alerts import pool_low_water_alerts_send
from provisioning.services.pools import pool_prefix_add
from tests.factories import ProxyPoolFactory, request_for, staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(reference_data, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    na = Region.objects.get(code="na")
    return ProxyPoolFactory(
        name="na proxies", region=na, prefixes=["203.0.113.0/28"], low_water_free_addresses=12
    )  # 14 usable addresses


@pytest.fixture
def ops_people():
    staff_member("ops", username="olga", email="Olga@Example.com")
    staff_member("ops", username="omar", email="omar@example.com")
    staff_member("ops", username="gone", email="gone@example.com", is_active=False)
    staff_member("sales", username="sam", email="sam@example.com")


def _take(pool, concurrency=300):
    """Approve a request that takes ceil(300 / 100) + 1 = 4 addresses of ``pool``."""
    return request_approve(request=request_for(regions=[pool.region], concurrency=concurrency))


def test_a_pool_crossing_its_mark_e_mails_ops_once(pool, ops_people):
    assert pool_low_water_alerts_send() == {"alerted": 0, "rearmed": 0}  # 14 free >= 12
    _take(pool)  # 10 free

    assert tasks.pool_low_water_task.apply().get() == {"alerted": 1, "rearmed": 0}
    assert tasks.pool_low_water_task.apply().get() == {"alerted": 0, "rearmed": 0}
    _take(pool)  # 6 free: still the same crossing
    assert pool_low_water_alerts_send() == {"alerted": 0, "rearmed": 0}

    [message] = mail.outbox
    assert message.to == ["olga@example.com", "omar@example.com"]
    assert message.subject == ("Pool na proxies is below its low-water mark: 10 free (mark 12)")
    assert "has 10 free addresses, below its low-water mark of 12" in message.body
    assert f"/admin/provisioning/proxypool/{pool.pk}/change/" in message.body
    pool.refresh_from_db()
    assert pool.low_water_alerted_at is not None


def test_the_mark_re_arms_once_the_pool_is_back_above_it(pool, ops_people):
    _take(pool)
    pool_low_water_alerts_send()
    pool_prefix_add(pool=pool, network="198.51.100.0/29")  # 6 more: 16 free

    assert pool_low_water_alerts_send() == {"alerted": 0, "rearmed": 1}
    pool.refresh_from_db()
    assert pool.low_water_alerted_at is None
    _take(pool)  # 12 free: at the mark is not below it
    assert pool_low_water_alerts_send() == {"alerted": 0, "rearmed": 0}
    _take(pool)  # 8 free: a second crossing

    assert pool_low_water_alerts_send() == {"alerted": 1, "rearmed": 0}
    assert [m.subject.split(": ")[1] for m in mail.outbox] == [
        "10 free (mark 12)",
        "8 free (mark 12)",
    ]


def test_raising_the_mark_above_the_free_addresses_is_a_crossing(pool, ops_people):
    ProxyPool.objects.filter(pk=pool.pk).update(low_water_free_addresses=20)

    assert [state.pool for state in pools_below_low_water()] == [pool]
    assert pool_low_water_alerts_send()["alerted"] == 1
    assert len(mail.outbox) == 1


def test_a_failed_send_is_tried_again_on_the_next_run(pool, ops_people, settings):
    _take(pool)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    with pytest.raises(OSError):
        pool_low_water_alerts_send()  # nothing listens on the discard port
    pool.refresh_from_db()
    assert pool.low_water_alerted_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert pool_low_water_alerts_send()["alerted"] == 1
    assert len(mail.outbox) == 1


def test_pools_without_a_mark_or_disabled_are_never_alerted(pool, ops_people):
    _take(pool, concurrency=1000)  # 3 free
    ProxyPool.objects.filter(pk=pool.pk).update(enabled=False)

    assert pool_low_water_alerts_send() == {"alerted": 0, "rearmed": 0}
    assert pools_below_low_water() == []
    assert mail.outbox == []


def test_shared_pools_have_no_low_water_mark(reference_data):
    test_pool = ProxyPool.objects.filter(kind=PoolKind.TEST).first()
    test_pool.low_water_free_addresses = 1

    with pytest.raises(ValidationError) as refused:
        test_pool.full_clean()
    assert "never used up" in refused.value.message_dict["low_water_free_addresses"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        test_pool.save()


def test_the_job_is_in_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["pool-low-water"]
    current_app.loader.import_default_modules()
    assert entry["task"] in current_app.tasks
    assert entry["schedule"] == 300
