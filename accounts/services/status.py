"""Suspend and resume customers, disable and enable apps: ops only, and on the record."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import App, Customer
from accounts.permissions import refusal, staff_may, status_ability
from accounts.services.audit import AUDIT_CHANGE, audit_record


def _status_set(*, obj: Customer | App, status: str, actor) -> Customer | App:
    if not staff_may(user=actor, ability=status_ability(type(obj))):
        raise PermissionDenied(
            refusal(
                status_ability(type(obj)),
                doing=f"change the status of {obj._meta.verbose_name_plural}",
            )
        )
    previous = obj.status
    obj.status = status
    obj.full_clean()
    obj.save(update_fields=["status", "updated_at"])
    if previous != status:
        audit_record(
            actor=actor,
            obj=obj,
            action_flag=AUDIT_CHANGE,
            message=f"Status changed from {previous} to {status}.",
        )
    return obj


@transaction.atomic
def customer_status_set(*, customer: Customer, status: str, actor) -> Customer:
    """Set ``customer``'s status (active or suspended); raise PermissionDenied for non-ops."""
    return _status_set(obj=customer, status=status, actor=actor)


@transaction.atomic
def app_status_set(*, app: App, status: str, actor) -> App:
    """Set ``app``'s status (active or disabled); raise PermissionDenied for non-ops."""
    return _status_set(obj=app, status=status, actor=actor)
