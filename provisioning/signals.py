def sync_staff_groups(sender, using="default", **kwargs):
    """Refresh the staff groups after ``migrate``, once every permission they hold exists."""
    from accounts.services.staff_groups import staff_groups_sync

    staff_groups_sync()


def _sdk_app_ids(instance) -> list[str]:
    """Return the App IDs whose SDK entries ``instance`` feeds."""
    from accounts.models import App, Customer
    from provisioning.models import AllocatedEndpoint, Allocation, ProvisioningRequest

    apps = App.objects.values_list("app_id", flat=True)
    if isinstance(instance, App):
        return [instance.app_id]
    if isinstance(instance, Customer):
        return list(apps.filter(customer_id=instance.pk))
    if isinstance(instance, ProvisioningRequest):
        return list(apps.filter(pk=instance.app_id))
    if isinstance(instance, Allocation):
        return list(apps.filter(requests__pk=instance.request_id))
    if isinstance(instance, AllocatedEndpoint):
        return list(apps.filter(requests__allocations__pk=instance.allocation_id))
    return list(apps.filter(pk=instance.app_id))  # a rule set


def sdk_app_source_changed(sender, instance, raw=False, **kwargs):
    """A row one app's SDK entry is built from was saved or deleted: rebuild that entry."""
    from accounts.services.sdk_generations import sdk_config_changed

    if not raw:
        sdk_config_changed(app_ids=_sdk_app_ids(instance))


def sdk_shared_source_changed(sender, raw=False, **kwargs):
    """A pool, region or ISP every app's entry may show was saved or deleted: rebuild all."""
    from accounts.services.sdk_generations import sdk_config_changed

    if not raw:
        sdk_config_changed(all_apps=True)


def rule_set_took_effect_report(sender, rule_set, activation, **kwargs):
    """A rule set version took effect: tell the app's webhook endpoints."""
    from provisioning.services.webhook_events import rule_set_effective_emit

    rule_set_effective_emit(rule_set=rule_set, activation=activation)
