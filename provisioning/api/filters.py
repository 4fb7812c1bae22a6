"""Filters of the API's lists (django-filter)."""

import django_filters

from provisioning.choices import PoolKind, PoolRole, PoolScope, RequestStatus
from provisioning.models import ProvisioningRequest, ProxyPool


class RequestFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=RequestStatus.choices)
    app_id = django_filters.CharFilter(field_name="app__app_id", help_text="Exact App ID.")
    customer = django_filters.CharFilter(field_name="app__customer__slug", help_text="Slug.")
    region = django_filters.CharFilter(field_name="regions__code", distinct=True)
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

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
