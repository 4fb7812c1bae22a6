"""Who may do what: the one table of rules that the admin, the staff API and the portal ask.

A rule says which staff may do a thing (those holding one Django permission; the ``sales``
and ``ops`` groups get their permissions in ``accounts/services/staff_groups.py``) and which
members of a customer may do it for that customer (by membership role). Staff act only while
active and marked staff; members only for an active customer. Rules marked ``ops_only`` are
withheld from sales even on the models sales manage: handing out and taking back addresses,
suspending a customer and disabling an app cut a customer's service, which is ops' call.
Request actions name their rule in provisioning's action table (``ACTIONS``).
"""

from dataclasses import dataclass
from enum import StrEnum

from accounts.choices import CustomerStatus, MembershipRole

ALLOCATE_PERMISSION = "provisioning.allocate_provisioningrequest"
TRIAGE_PERMISSION = "provisioning.change_provisioningrequest"


class Ability(StrEnum):
    # Staff only.
    ALLOCATE = "allocate"  # allocate, approve, suspend, resume, revoke; approve a change
    TRIAGE = "triage"  # reject a request; review or reject a change
    OPS_QUEUE_VIEW = "ops_queue_view"
    POOLS_VIEW = "pools_view"
    CUSTOMER_STATUS_CHANGE = "customer_status_change"
    APP_STATUS_CHANGE = "app_status_change"
    # Staff, and the customer's own portal admins.
    MEMBERS_MANAGE = "members_manage"  # invite and remove portal users
    REQUEST_SUBMIT = "request_submit"
    CHANGE_ASK = "change_ask"
    APP_MANAGE = "app_manage"  # source networks and certificates
    API_KEYS_MANAGE = "api_keys_manage"


ADMINS = frozenset({MembershipRole.ADMIN.value})


@dataclass(frozen=True)
class Rule:
    staff_permission: str
    member_roles: frozenset[str] = frozenset()
    ops_only: bool = False

    @property
    def who(self) -> str:
        """Return who may, in words, for refusals."""
        staff = "ops staff" if self.ops_only else "sales or ops staff"
        return f"{staff} and the customer's portal admins" if self.member_roles else staff


RULES: dict[Ability, Rule] = {
    Ability.ALLOCATE: Rule(ALLOCATE_PERMISSION, ops_only=True),
    Ability.TRIAGE: Rule(TRIAGE_PERMISSION),
    Ability.OPS_QUEUE_VIEW: Rule(ALLOCATE_PERMISSION, ops_only=True),
    Ability.POOLS_VIEW: Rule("provisioning.view_proxypool", ops_only=True),
    Ability.CUSTOMER_STATUS_CHANGE: Rule("accounts.change_customer_status", ops_only=True),
    Ability.APP_STATUS_CHANGE: Rule("accounts.change_app_status", ops_only=True),
    Ability.MEMBERS_MANAGE: Rule("accounts.add_membership", ADMINS),
    Ability.REQUEST_SUBMIT: Rule("provisioning.add_provisioningrequest", ADMINS),
    Ability.CHANGE_ASK: Rule("provisioning.add_changerequest", ADMINS),
    Ability.APP_MANAGE: Rule("accounts.change_app", ADMINS),
    Ability.API_KEYS_MANAGE: Rule("accounts.add_apikey", ADMINS),
}
# Changing a customer's or an app's status, by the model's name.
STATUS_ABILITIES = {
    "customer": Ability.CUSTOMER_STATUS_CHANGE,
    "app": Ability.APP_STATUS_CHANGE,
}
# Withheld from the sales group although they manage customers, apps and requests.
OPS_ONLY_CODENAMES = frozenset(
    rule.staff_permission.split(".", 1)[1] for rule in RULES.values() if rule.ops_only
)


def staff_may(*, user, ability: Ability) -> bool:
    """Return whether ``user`` may do ``ability`` as staff (superusers may do everything)."""
    rule = RULES[Ability(ability)]
    if not (user is not None and user.is_authenticated and user.is_active and user.is_staff):
        return False
    return user.has_perm(rule.staff_permission)


def member_may(*, user, ability: Ability, customer) -> bool:
    """Return whether ``user`` may do ``ability`` for ``customer`` as one of its members."""
    roles = RULES[Ability(ability)].member_roles
    if not roles or user is None or not user.is_authenticated or customer is None:
        return False
    if customer.status != CustomerStatus.ACTIVE:
        return False
    return user.memberships.filter(customer_id=customer.pk, role__in=roles).exists()


def user_may(*, user, ability: Ability, customer=None) -> bool:
    """Return whether ``user`` may do ``ability``, for ``customer`` when it is a member's."""
    return staff_may(user=user, ability=ability) or member_may(
        user=user, ability=ability, customer=customer
    )


def status_ability(model) -> Ability:
    """Return the rule for changing the status of ``model`` (Customer or App)."""
    return STATUS_ABILITIES[model._meta.model_name]


def member_roles(ability: Ability) -> frozenset[str]:
    """Return the membership roles that may do ``ability`` for their customer."""
    return RULES[Ability(ability)].member_roles


def refusal(ability: Ability, *, doing: str = "do this") -> str:
    """Return the sentence that refuses ``ability`` (``doing`` in words) to someone else."""
    return f"Only {RULES[Ability(ability)].who} may {doing}."
