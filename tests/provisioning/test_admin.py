import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.html import escape

from accounts.models import App
from accounts.services.staff_groups import staff_groups_sync
from provisioning.models import PoolPrefix
from provisioning.services.demo import DEMO_APP_ID, demo_data_seed
from tests.factories import ProxyPoolFactory, staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    demo_data_seed(password="a-long-demo-password")
    # Signing in through the form (not Client.login) lets the lockout count the attempt.
    client.post(reverse("admin:login"), {"username": "admin", "password": "a-long-demo-password"})
    return client


def _admin_urls():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in {"accounts", "provisioning"}:
            info = (model._meta.app_label, model._meta.model_name)
            yield reverse("admin:{}_{}_changelist".format(*info))
            if model_admin.has_add_permission.__func__ is admin.ModelAdmin.has_add_permission:
                yield reverse("admin:{}_{}_add".format(*info))


def test_every_admin_list_and_add_page_renders(staff_client):
    urls = list(_admin_urls())
    assert len(urls) >= 14
    for url in urls:
        response = staff_client.get(url)
        assert response.status_code == 200, url


def test_admin_shows_the_seed_test_pools_with_their_addresses_and_ports(staff_client):
    response = staff_client.get(reverse("admin:provisioning_proxypool_changelist"))
    page = response.content.decode()
    for address in ["150.138.153.78", "23.236.115.138", "148.153.66.218", "47.74.211.17"]:
        assert address in page

    profiles = staff_client.get(reverse("admin:provisioning_portprofile_changelist"))
    profile_page = profiles.content.decode()
    for ports in ["TCP 443", "TCP 4000", "TCP 3433-3460", "UDP 3478-3500"]:
        assert ports in profile_page
    assert "Edge node communication" in profile_page


def test_request_search_by_app_id_finds_the_request_and_shows_its_status(staff_client):
    url = reverse("admin:provisioning_provisioningrequest_changelist")

    found = staff_client.get(url, {"q": DEMO_APP_ID}).content.decode()
    missing = staff_client.get(url, {"q": "f" * 32}).content.decode()

    assert DEMO_APP_ID in found and "status-submitted" in found
    assert DEMO_APP_ID not in missing


def test_request_list_names_each_request_s_app(staff_client):
    url = reverse("admin:provisioning_provisioningrequest_changelist")
    app = App.objects.get(app_id=DEMO_APP_ID)

    page = staff_client.get(url, {"q": DEMO_APP_ID}).content.decode()

    assert "column-app_name" in page
    assert f'<td class="field-app_name">{escape(app.name)}</td>' in page


def test_admin_refuses_an_overlapping_prefix_with_a_form_error(staff_client):
    existing = ProxyPoolFactory(name="existing pool", prefixes=["10.30.0.0/16"])
    pool = ProxyPoolFactory(name="other pool")

    response = staff_client.post(
        reverse("admin:provisioning_poolprefix_add"), {"pool": pool.pk, "network": "10.30.4.0/24"}
    )

    assert response.status_code == 200
    assert "existing pool" in response.content.decode()
    assert not PoolPrefix.objects.filter(pool=pool).exists()
    assert existing.prefixes.get().network == "10.30.0.0/16"


def test_staff_groups_hold_their_permissions():
    sales = set(Group.objects.get(name="sales").permissions.values_list("codename", flat=True))
    ops = set(Group.objects.get(name="ops").permissions.values_list("codename", flat=True))

    assert {"add_customer", "change_app", "add_provisioningrequest"} <= sales
    assert "change_proxypool" not in sales and "view_allocation" not in sales
    assert sales < ops
    assert {"add_proxypool", "add_poolprefix", "view_allocation"} <= ops
    assert "allocate_provisioningrequest" in ops - sales
    assert {"view_ruleset", "view_ruleexport"} <= sales


def test_ops_staff_can_manage_pools_but_sales_cannot(client):
    staff_groups_sync()
    url = reverse("admin:provisioning_proxypool_changelist")
    for group, expected in [("ops", 200), ("sales", 403)]:
        client.force_login(staff_member(group, username=f"{group}-member"))
        assert client.get(url).status_code == expected, group
