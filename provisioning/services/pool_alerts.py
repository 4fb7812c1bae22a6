"""E-mail ops when a pool's free addresses drop below its low-water mark, once per crossing.

The crossing is stored on the pool (``low_water_alerted_at``): a pool is claimed with a
conditional update before its e-mail goes out, so two beat runs (or a run delivered twice)
never e-mail the same crossing twice; the mark re-arms once the pool is back at or above
it. A failed send rolls the claim back, and the next run tries again.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.constants import OPS_GROUP
from accounts.selectors import staff_group_emails
from provisioning.models import ProxyPool
from provisioning.selectors.capacity import LowWater, pools_low_water

logger = logging.getLogger(__name__)


@transaction.atomic
def _alert(*, state: LowWater, now: datetime) -> bool:
    """Claim the pool's crossing and e-mail ops; return False if it was claimed before."""
    claimed = ProxyPool.objects.filter(pk=state.pool.pk, low_water_alerted_at__isnull=True).update(
        low_water_alerted_at=now
    )
    if not claimed:
        return False
    recipients = staff_group_emails(group_name=OPS_GROUP)
    if not recipients:
        logger.warning(
            "Pool %s is below its low-water mark, but no ops user has an e-mail address.",
            state.pool.name,
        )
        return True
    context = {
        "pool": state.pool,
        "free": state.free,
        "mark": state.mark,
        "path": reverse("admin:provisioning_proxypool_change", args=[state.pool.pk]),
    }
    subject = render_to_string("email/pool_low_water_subject.txt", context)
    body = render_to_string("email/pool_low_water.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, recipients)
    return True


def _rearm(*, state: LowWater) -> bool:
    return bool(
        ProxyPool.objects.filter(pk=state.pool.pk, low_water_alerted_at__isnull=False).update(
            low_water_alerted_at=None
        )
    )


def pool_low_water_alerts_send(*, now: datetime | None = None) -> dict[str, int]:
    """E-mail ops about each pool that went below its low-water mark since the last run,
    and re-arm the pools that are back at or above theirs. Return how many of each."""
    now = now or timezone.now()
    alerted = rearmed = 0
    for state in pools_low_water():
        if state.below:
            if state.pool.low_water_alerted_at is None and _alert(state=state, now=now):
                alerted += 1
        elif state.pool.low_water_alerted_at is not None:
            rearmed += _rearm(state=state)
    return {"alerted": alerted, "rearmed": rearmed}
