"""Filters of the API's lists (django-filter)."""

import datetime

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField

from provisioning.choices import PoolKind, PoolRole, PoolScope, RequestStatus
from provisioning.models import ProvisioningRequest, ProxyPool


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, any offset Python accepts, given to the database in UTC.

    PostgreSQL refuses offsets beyond ±15:59 and a time moved past year 1 or 9999 does
    not exist: both are the caller's mistake, so they are field errors, not server errors.
    """

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(datetime.UTC)
        except OverflowError as exc:
            raise forms.ValidationError(
                "Enter a time between the years 1 and 9999 in UTC.", code="invalid"
            ) from exc


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class RequestFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=RequestStatus.choices)
    app_id = django_filters.CharFilter(field_name="app__app_id", help_text="Exact App ID.")
    customer = django_filters.CharFilter(field_name="app__customer__slug", help_text="Slug.")
    region = django_filters.CharFilter(field_name="regions__code", distinct=True)
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = ProvisioningRequest
        fields = ["status", "app_id", "customer", "region", "created_after", "created_before"]


class PoolFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=PoolKind.choices)
    role = django_filters.ChoiceFilter(choices=PoolRole.choices)
    scope = django_filters.ChoiceFilter(choices=PoolScope.choices)
    region = django_filters.CharFilter(field_name="region__code", help_text="Region code.")
    isp = django_filters.CharFilter(field_name="isp__code", help_text="ISP code.")
    enabled = django_filters.BooleanFilter()

    class Meta:
        model = ProxyPool
        fields = ["kind", "role", "scope", "region", "isp", "enabled"]
