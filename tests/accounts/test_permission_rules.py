"""The one permission check (accounts/permissions.py) and the places that ask it."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.choices import CustomerStatus, MembershipRole
from accounts.permissions import (
    Ability,
    member_may,
    refusal,
    staff_may,
    user_may,
)
from accounts.selectors import user_customers_may
from tests.factories import (
    CustomerFactory,
    MembershipFactory,
    StaffUserFactory,
    UserFactory,
    staff_member,
)

pytestmark = pytest.mark.django_db


def test_no_user_and_anonymous_users_may_do_nothing():
    from django.contrib.auth.models import AnonymousUser

    for user in (None, AnonymousUser()):
        assert not user_may(user=user, ability=Ability.TRIAGE, customer=CustomerFactory())


def test_staff_rules_need_an_active_staff_account_holding_the_permission():
    ops = staff_member("ops")
    assert staff_may(user=ops, ability=Ability.ALLOCATE)

    ops.is_staff = False
    ops.save()
    assert not staff_may(user=type(ops).objects.get(pk=ops.pk), ability=Ability.ALLOCATE)

    inactive = staff_member("ops", is_active=False)
    assert not staff_may(user=inactive, ability=Ability.ALLOCATE)
    assert not staff_may(user=StaffUserFactory(), ability=Ability.TRIAGE)  # no group


def test_member_rules_follow_the_role_and_the_customers_status():
    customer = CustomerFactory()
    admin = MembershipFactory(customer=customer, role=MembershipRole.ADMIN).user
    viewer = MembershipFactory(customer=customer, role=MembershipRole.VIEWER).user
    other = CustomerFactory()

    assert member_may(user=admin, ability=Ability.CHANGE_ASK, customer=customer)
    assert not member_may(user=viewer, ability=Ability.CHANGE_ASK, customer=customer)
    assert not member_may(user=admin, ability=Ability.CHANGE_ASK, customer=other)
    # Staff-only rules have no member side, whatever the role.
    assert not member_may(user=admin, ability=Ability.ALLOCATE, customer=customer)

    customer.status = CustomerStatus.SUSPENDED
    customer.save()
    assert not member_may(user=admin, ability=Ability.CHANGE_ASK, customer=customer)


def test_the_customers_a_user_may_act_for():
    mine, viewed, gone = (
        CustomerFactory(),
        CustomerFactory(),
        CustomerFactory(status=CustomerStatus.SUSPENDED),
    )
    user = UserFactory()
    MembershipFactory(user=user, customer=mine, role=MembershipRole.ADMIN)
    MembershipFactory(user=user, customer=viewed, role=MembershipRole.VIEWER)
    MembershipFactory(user=user, customer=gone, role=MembershipRole.ADMIN)

    allowed = user_customers_may(user=user, ability=Ability.API_KEYS_MANAGE)

    assert list(allowed) == [mine]


def test_ops_only_rules_are_withheld_from_the_sales_group():
    sales = staff_member("sales")
    codenames = set(Group.objects.get(name="sales").permissions.values_list("codename", flat=1))

    assert "allocate_provisioningrequest" not in codenames
    assert "change_customer_status" not in codenames
    assert not staff_may(user=sales, ability=Ability.APP_STATUS_CHANGE)
    assert staff_may(user=sales, ability=Ability.TRIAGE)


def test_refusals_name_who_may():
    assert refusal(Ability.ALLOCATE, doing="approve") == "Only ops staff may approve."
    assert refusal(Ability.CHANGE_ASK) == (
        "Only sales or ops staff and the customer's portal admins may do this."
    )


def test_pools_are_hidden_from_sales_by_the_same_rule_in_the_admin_and_the_api():
    for group, status in (("ops", 200), ("sales", 403)):
        client = Client()
        client.force_login(staff_member(group))
        assert client.get(reverse("admin:provisioning_proxypool_changelist")).status_code == (
            status
        )
        api = client.get("/api/v1/pools/")
        assert api.status_code == status, group
    assert "ops staff" in api.json()["message"]


def test_the_admin_offers_sales_no_bulk_action_that_moves_addresses():
    from django.contrib import admin

    from provisioning.models import ProvisioningRequest

    model_admin = admin.site._registry[ProvisioningRequest]
    offered = {}
    for group in ("sales", "ops"):
        request = RequestFactory().get("/")
        request.user = staff_member(group)
        offered[group] = set(model_admin.get_actions(request))

    assert "action_reject" in offered["sales"]
    assert "action_allocate_test" not in offered["sales"]
    assert "action_approve" not in offered["sales"]
    assert {"action_allocate_test", "action_approve", "action_revoke"} <= offered["ops"]


def test_the_admin_index_links_the_ops_queue_for_ops_only():
    for group, shown in (("ops", True), ("sales", False)):
        client = Client()
        client.force_login(staff_member(group))
        page = client.get(reverse("admin:index")).content.decode()
        assert ('data-testid="ops-queue-link"' in page) is shown, group


def test_the_invitation_service_asks_the_same_rule():
    from django.core.exceptions import PermissionDenied

    from accounts.services.invitations import member_invite, member_remove

    customer = CustomerFactory()
    viewer = MembershipFactory(customer=customer, role=MembershipRole.VIEWER)
    admin = MembershipFactory(customer=customer, role=MembershipRole.ADMIN).user

    def invite(actor, email):
        return member_invite(customer=customer, email=email, role="viewer", actor=actor,
                             accept_url_for=lambda token: "http://testserver/")  # fmt: skip

    with pytest.raises(PermissionDenied, match="customer's portal admins may invite"):
        invite(viewer.user, "a@acme.test")
    with pytest.raises(PermissionDenied):
        member_remove(membership=MembershipFactory(customer=customer), actor=viewer.user)
    assert invite(admin, "b@acme.test").role == "viewer"
    assert invite(staff_member("sales"), "c@acme.test").role == "viewer"
    assert not customer.memberships.filter(user__email="a@acme.test").exists()
