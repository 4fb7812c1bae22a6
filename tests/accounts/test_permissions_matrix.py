"""Who may open what, role by role: admin pages and actions, the staff API and the portal.

Roles: superuser, ops, sales, a customer's admin, a customer's viewer, and the admin of a
suspended customer. The expected answers are written out, not derived from the code.
"""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from accounts.choices import CustomerStatus, MembershipRole
from accounts.models import Customer
from provisioning.choices import RequestStatus
from provisioning.models import ProxyPool
from provisioning.services.demo import demo_data_seed
from tests.factories import (
    AppFactory,
    CustomerFactory,
    MembershipFactory,
    RegionFactory,
    StaffUserFactory,
    request_for,
    staff_member,
)

pytestmark = pytest.mark.django_db

STAFF = ("superuser", "ops", "sales")
CUSTOMERS = ("customer_admin", "customer_viewer", "suspended")
ROLES = STAFF + CUSTOMERS
ALL, NONE, LIST = (200, 200, 200), (403, 403, 403), (200, 403, 200)
READ = (200, 403, None)  # list only; no add; no change page tested (None)

# (changelist, add, change) per staff role; customers are sent to the admin sign-in.
ADMIN_PAGES = {
    "auth.group": {"superuser": ALL, "ops": NONE, "sales": NONE},
    "auth.user": {"superuser": ALL, "ops": LIST, "sales": LIST},
    "accounts.customer": {"superuser": ALL, "ops": ALL, "sales": ALL},
    "accounts.membership": {"superuser": ALL, "ops": ALL, "sales": ALL},
    "accounts.app": {"superuser": ALL, "ops": ALL, "sales": ALL},
    "accounts.apikey": {"superuser": (200, 200, None), "ops": (200, 200, None),
                        "sales": (200, 200, None)},
    "provisioning.allocation": {"superuser": READ, "ops": READ, "sales": (403, 403, None)},
    "provisioning.allocatedendpoint": {"superuser": READ, "ops": READ,
                                       "sales": (403, 403, None)},
    "provisioning.proxypool": {"superuser": ALL, "ops": ALL, "sales": NONE},
    "provisioning.poolprefix": {"superuser": ALL, "ops": ALL, "sales": NONE},
    "provisioning.excludedaddress": {"superuser": (200, 200, None), "ops": (200, 200, None),
                                     "sales": (403, 403, None)},
    "provisioning.region": {"superuser": ALL, "ops": ALL, "sales": NONE},
    "provisioning.isp": {"superuser": ALL, "ops": ALL, "sales": NONE},
    "provisioning.portprofile": {"superuser": ALL, "ops": ALL, "sales": NONE},
    "provisioning.provisioningrequest": {"superuser": ALL, "ops": ALL, "sales": ALL},
    "provisioning.requestevent": {"superuser": LIST, "ops": LIST, "sales": LIST},
    "provisioning.changerequest": {"superuser": ALL, "ops": ALL, "sales": ALL},
    "provisioning.requestactionrun": {"superuser": LIST, "ops": LIST, "sales": LIST},
    "provisioning.connectivityreport": {"superuser": READ, "ops": READ, "sales": READ},
    "accounts.rulesubscription": {"superuser": READ, "ops": READ, "sales": READ},
    "accounts.feedtoken": {"superuser": READ, "ops": READ, "sales": READ},
    "accounts.subscriptionnotice": {"superuser": READ, "ops": READ, "sales": READ},
    "core.outboxmessage": {"superuser": LIST, "ops": LIST, "sales": NONE},
    "django_celery_results.taskresult": {"superuser": READ, "ops": READ,
                                         "sales": (403, 403, None)},
    "django_celery_results.groupresult": {"superuser": READ, "ops": (403, 403, None),
                                          "sales": (403, 403, None)},
    "rules.ruleset": {"superuser": READ, "ops": READ, "sales": READ},
    "rules.ruleexport": {"superuser": READ, "ops": READ, "sales": READ},
    "webhooks.webhookendpoint": {"superuser": READ, "ops": READ, "sales": READ},
    "webhooks.webhookdelivery": {"superuser": READ, "ops": READ, "sales": READ},
    "rules.rulesetnote": {"superuser": ALL, "ops": ALL, "sales": ALL},
    "axes.accessattempt": {"superuser": READ, "ops": READ, "sales": (403, 403, None)},
    "axes.accesslog": {"superuser": LIST, "ops": NONE, "sales": NONE},
    "axes.accessfailurelog": {"superuser": READ, "ops": (403, 403, None),
                              "sales": (403, 403, None)},
}  # fmt: skip


# Admin pages of no model: the answer per staff role; customers are sent to the sign-in.
ADMIN_VIEWS = {
    "admin:index": {"superuser": 200, "ops": 200, "sales": 200},
    "admin:provisioning_ops_queue": {"superuser": 200, "ops": 200, "sales": 403},
}


@pytest.fixture
def world(reference_data):
    demo_data_seed(password="a-long-demo-password")
    customer = CustomerFactory(name="Acme Bank")
    suspended = CustomerFactory(name="Gone Ltd", status=CustomerStatus.SUSPENDED)
    app = AppFactory(customer=customer)
    users = {
        "superuser": StaffUserFactory(is_superuser=True),
        "ops": staff_member("ops"),
        "sales": staff_member("sales"),
        "customer_admin": MembershipFactory(customer=customer, role=MembershipRole.ADMIN).user,
        "customer_viewer": MembershipFactory(customer=customer, role=MembershipRole.VIEWER).user,
        "suspended": MembershipFactory(customer=suspended, role=MembershipRole.ADMIN).user,
    }
    return {"app": app, "customer": customer, "users": users}


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_the_table_covers_every_registered_model():
    assert set(ADMIN_PAGES) == {model._meta.label_lower for model in admin.site._registry}


def test_admin_pages_by_role(world):
    for model in admin.site._registry:
        label = model._meta.label_lower
        obj = model._default_manager.first()
        info = model._meta.app_label, model._meta.model_name
        for role in ROLES:
            client = _client(world["users"][role])
            expected = ADMIN_PAGES[label].get(role, (302, 302, 302))
            for page, status in zip(("changelist", "add", "change"), expected, strict=True):
                if status is None or (page == "change" and obj is None):
                    continue
                args = [obj.pk] if page == "change" else []
                response = client.get(reverse(f"admin:{info[0]}_{info[1]}_{page}", args=args))
                assert response.status_code == status, (label, page, role)


def test_admin_views_by_role(world):
    for name, by_role in ADMIN_VIEWS.items():
        for role in ROLES:
            response = _client(world["users"][role]).get(reverse(name))
            assert response.status_code == by_role.get(role, 302), (name, role)


def _bulk_action(client, action, pk):
    return client.post(
        reverse("admin:provisioning_provisioningrequest_changelist"),
        {"action": action, "_selected_action": [pk]},
        follow=True,
    )


@pytest.mark.parametrize(
    "role, action, moves",
    [
        ("ops", "action_allocate_test", True),
        ("superuser", "action_allocate_test", True),
        ("sales", "action_allocate_test", False),
        ("sales", "action_reject", True),
        ("ops", "action_reject", True),
    ],
)
def test_admin_request_actions_by_role(
    world, role, action, moves, django_capture_on_commit_callbacks
):
    request = request_for(world["app"], regions=[RegionFactory(code="na")])

    with django_capture_on_commit_callbacks(execute=True):
        response = _bulk_action(_client(world["users"][role]), action, request.pk)

    request.refresh_from_db()
    assert response.status_code == 200
    assert (request.status != RequestStatus.SUBMITTED) is moves, request.status


def test_admin_api_key_revoke_action_by_role(world):
    from accounts.services.api_keys import api_key_create

    for role in STAFF:
        api_key, _ = api_key_create(customer=world["customer"], name=role, scopes=["read"])
        _client(world["users"][role]).post(
            reverse("admin:accounts_apikey_changelist"),
            {"action": "revoke_keys", "_selected_action": [api_key.pk]},
        )
        api_key.refresh_from_db()
        assert api_key.revoked_at is not None, role


@pytest.mark.parametrize("role, may", [("superuser", True), ("ops", True), ("sales", False)])
@pytest.mark.parametrize("model", ["customer", "app"])
def test_only_ops_change_a_customer_or_app_status(world, role, may, model):
    client = _client(world["users"][role])
    obj = world["customer"] if model == "customer" else world["app"]
    url = reverse(f"admin:accounts_{model}_change", args=[obj.pk])

    page = client.get(url).content.decode()
    assert ('name="status"' in page) is may

    form = page  # the form's other fields as shown, with status switched off
    del form
    new = CustomerStatus.SUSPENDED if model == "customer" else "disabled"
    data = {
        "customer": {"name": obj.name, "slug": getattr(obj, "slug", ""),
                     "contact_email": getattr(obj, "contact_email", ""), "status": new,
                     "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0,
                     "apps-TOTAL_FORMS": 0, "apps-INITIAL_FORMS": 0},
        "app": {"customer": world["customer"].pk, "name": obj.name, "status": new,
                "source_networks": ""},
    }[model]  # fmt: skip
    client.post(url, data)
    obj.refresh_from_db()
    assert (obj.status == new) is may


def test_the_status_service_refuses_sales(world):
    from django.core.exceptions import PermissionDenied

    from accounts.services.status import customer_status_set

    with pytest.raises(PermissionDenied):
        customer_status_set(
            customer=world["customer"],
            status=CustomerStatus.SUSPENDED,
            actor=world["users"]["sales"],
        )
    assert Customer.objects.get(pk=world["customer"].pk).status == CustomerStatus.ACTIVE


def _staff_api_expectations(world):
    pool = ProxyPool.objects.first()
    return [
        ("get", "/api/v1/pools/", {"superuser": 200, "ops": 200, "sales": 403}),
        ("get", f"/api/v1/pools/{pool.pk}/", {"superuser": 200, "ops": 200, "sales": 403}),
        ("get", "/api/v1/tasks/0f0f0f0f-0000-0000-0000-000000000000/",
         {"superuser": 200, "ops": 200, "sales": 200}),
        ("post", "allocate-test", {"superuser": 202, "ops": 202, "sales": 403}),
        ("post", "reject", {"superuser": 202, "ops": 202, "sales": 202}),
    ]  # fmt: skip


def test_staff_api_by_role(world):
    for method, path, by_role in _staff_api_expectations(world):
        for role in ROLES:
            client = _client(world["users"][role])
            if method == "post":
                app = AppFactory(customer=world["customer"])
                request = request_for(app, regions=[RegionFactory(code="na")])
                url = f"/api/v1/requests/{request.pk}/{path}/"
                response = client.post(url, {}, content_type="application/json")
            else:
                response = client.get(path)
            # Customers' members are signed in but not staff (403); a suspended customer's
            # session no longer counts at all (401).
            default = 401 if role == "suspended" else 403
            assert response.status_code == by_role.get(role, default), (path, role)


def _portal_pages(world, request_pk):
    app_id = world["app"].app_id
    return [
        reverse("portal_dashboard"),
        reverse("portal_app_detail", args=[app_id]),
        reverse("portal_request_create"),
        reverse("portal_request_detail", args=[request_pk]),
        reverse("portal_api_keys"),
    ]


def test_portal_pages_by_role(world):
    request_pk = request_for(world["app"], regions=[RegionFactory(code="na")]).pk
    members = {"customer_admin": 200, "customer_viewer": 200}
    for role in ROLES:
        client = _client(world["users"][role])
        for url in _portal_pages(world, request_pk):
            response = client.get(url)
            if role in members:
                expected = members[role]
            elif role == "suspended":
                expected = 302  # signed out: back to the sign-in page
            elif url in (reverse("portal_dashboard"), reverse("portal_request_create"),
                         reverse("portal_api_keys")):  # fmt: skip
                expected = 200  # staff have no customer: empty pages
            else:
                expected = 404
            assert response.status_code == expected, (url, role)


def test_api_key_creation_in_the_portal_by_role(world):
    expected = {"customer_admin": 302, "customer_viewer": 404, "suspended": 302}
    for role, status in expected.items():
        response = _client(world["users"][role]).post(
            reverse("portal_api_keys"),
            {"customer": world["customer"].slug, "name": role, "scopes": ["read"]},
        )
        assert response.status_code == status, role
    assert list(world["customer"].api_keys.values_list("name", flat=True)) == ["customer_admin"]


def test_customer_api_by_session_and_basic_auth(world):
    import base64

    for role, status in (("customer_admin", 200), ("customer_viewer", 200), ("suspended", 401)):
        assert _client(world["users"][role]).get("/api/v1/apps/").status_code == status, role
        username = world["users"][role].username
        token = base64.b64encode(f"{username}:correct horse battery".encode()).decode()
        basic = Client().get("/api/v1/apps/", HTTP_AUTHORIZATION=f"Basic {token}")
        assert basic.status_code == 401, role  # Basic is for staff scripts only


def test_request_list_and_change_pages_by_role(world):
    request_pk = request_for(world["app"], regions=[RegionFactory(code="na")]).pk
    staff = dict.fromkeys(STAFF, 200)
    pages = {
        reverse("portal_request_list"): {
            **staff, "customer_admin": 200, "customer_viewer": 200, "suspended": 302
        },
        # The admin sees why no change can be asked of a submitted request; staff have no
        # customer, so the request is not theirs in the portal.
        reverse("portal_change_create", args=[request_pk]): {
            **dict.fromkeys(STAFF, 404), "customer_admin": 200, "customer_viewer": 403,
            "suspended": 302,
        },
        f"/api/v1/apps/{world['app'].app_id}/changes/": {
            **staff, "customer_admin": 200, "customer_viewer": 200, "suspended": 401
        },
    }  # fmt: skip
    for url, by_role in pages.items():
        for role in ROLES:
            response = _client(world["users"][role]).get(url)
            assert response.status_code == by_role[role], (url, role)


# Every rule of accounts/permissions.py by role, for the customer of the world: written out
# here, not read from the rules (Y may, n may not).
RULE_ANSWERS = {
    # ability:                superuser ops sales admin viewer suspended
    "allocate":               "Y Y n n n n",
    "triage":                 "Y Y Y n n n",
    "ops_queue_view":         "Y Y n n n n",
    "pools_view":             "Y Y n n n n",
    "customer_status_change": "Y Y n n n n",
    "app_status_change":      "Y Y n n n n",
    "members_manage":         "Y Y Y Y n n",
    "request_submit":         "Y Y Y Y n n",
    "change_ask":             "Y Y Y Y n n",
    "app_manage":             "Y Y Y Y n n",
    "api_keys_manage":        "Y Y Y Y n n",
}  # fmt: skip


def test_every_rule_has_its_answers_written_out():
    from accounts.permissions import RULES

    assert set(RULE_ANSWERS) == {str(ability) for ability in RULES}


def test_the_rules_by_role(world):
    from accounts.permissions import user_may

    for ability, answers in RULE_ANSWERS.items():
        for role, answer in zip(ROLES, answers.split(), strict=True):
            user = world["users"][role]
            customer = user.memberships.first().customer if role in CUSTOMERS else None
            customer = customer or world["customer"]
            assert user_may(user=user, ability=ability, customer=customer) is (answer == "Y"), (
                ability,
                role,
            )
