"""Invite people to a customer's portal, remove them, and let an invitee set a password.

An invitation is a portal user with no usable password yet, a membership, and a signed
link that sets the password once: setting it changes the hash the link is bound to, and
the link expires after ``INVITATION_TTL_SECONDS``.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.choices import MembershipRole
from accounts.models import Customer, Membership
from accounts.permissions import Ability, refusal, user_may
from accounts.services.audit import AUDIT_ADDITION, AUDIT_CHANGE, audit_record

SALT = "accounts.invitation"


def _password_mark(user) -> str:
    return salted_hmac(SALT, f"{user.pk}:{user.password}").hexdigest()[:20]


def invitation_token(*, user) -> str:
    """Return a signed, expiring token that lets ``user`` set a password once."""
    return signing.TimestampSigner(salt=SALT).sign_object({"u": user.pk, "m": _password_mark(user)})


def invitation_user(*, token: str):
    """Return the user a valid ``token`` is for; raise ValidationError when it is not valid."""
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(
            token, max_age=settings.INVITATION_TTL_SECONDS
        )
    except signing.SignatureExpired as exc:
        raise ValidationError("This invitation has expired; ask for a new one.") from exc
    except signing.BadSignature as exc:
        raise ValidationError("This invitation link is not valid.") from exc
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or not constant_time_compare(data.get("m", ""), _password_mark(user)):
        raise ValidationError("This invitation has already been used.")
    return user


def _user_for_email(email: str):
    users = get_user_model().objects
    # New portal users sign in with their e-mail address as the username.
    same = Q(email__iexact=email) | Q(username__iexact=email)
    user = users.filter(same).order_by("pk").first()
    if user is None:
        user = users.create_user(username=email, email=email)
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif user.is_staff:
        raise ValidationError({"email": "This address belongs to staff, not a customer."})
    return user


def _send_invitation(*, membership: Membership, accept_url: str, actor) -> None:
    context = {"membership": membership, "accept_url": accept_url, "actor": actor}
    subject = render_to_string("email/invitation_subject.txt", context).strip()
    body = render_to_string("email/invitation.txt", context)
    email = membership.user.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))


def _check_may_manage(*, actor, customer: Customer) -> None:
    """Refuse an actor whom the rule does not let manage ``customer``'s portal users; no
    actor is the system itself."""
    if actor is not None and not user_may(
        user=actor, ability=Ability.MEMBERS_MANAGE, customer=customer
    ):
        raise PermissionDenied(refusal(Ability.MEMBERS_MANAGE, doing="invite or remove people"))


@transaction.atomic
def member_invite(
    *, customer: Customer, email: str, role: str, actor, accept_url_for
) -> Membership:
    """Give ``email`` access to ``customer`` with ``role`` and e-mail them a link.

    ``accept_url_for(token)`` builds the absolute link; a person who already has a
    password gets a link to sign in instead. Raise ValidationError for a member.
    """
    _check_may_manage(actor=actor, customer=customer)
    email = email.strip().lower()
    if role not in MembershipRole.values:
        raise ValidationError({"role": "Choose admin or viewer."})
    user = _user_for_email(email)
    if Membership.objects.filter(user=user, customer=customer).exists():
        raise ValidationError({"email": f"{email} is already a member of {customer}."})
    membership = Membership(user=user, customer=customer, role=role)
    membership.full_clean()
    membership.save()
    token = None if user.has_usable_password() else invitation_token(user=user)
    _send_invitation(membership=membership, accept_url=accept_url_for(token), actor=actor)
    audit_record(
        actor=actor,
        obj=customer,
        action_flag=AUDIT_ADDITION,
        message=f"Invited {email} to the portal as {role}.",
    )
    return membership


@transaction.atomic
def member_remove(*, membership: Membership, actor) -> None:
    """Take ``membership`` away; the customer always keeps at least one admin."""
    _check_may_manage(actor=actor, customer=membership.customer)
    if actor is not None and actor.pk == membership.user_id and not actor.is_staff:
        raise PermissionDenied("You can't remove yourself; ask another admin.")
    admins = Membership.objects.filter(customer=membership.customer, role=MembershipRole.ADMIN)
    if membership.role == MembershipRole.ADMIN and admins.count() == 1:
        raise ValidationError("The last admin can't be removed; invite another admin first.")
    email = membership.user.email or membership.user.get_username()
    customer = membership.customer
    membership.delete()
    audit_record(
        actor=actor,
        obj=customer,
        action_flag=AUDIT_CHANGE,
        message=f"Removed {email} from the portal.",
    )


@transaction.atomic
def invitation_accept(*, user, password: str) -> None:
    """Set the invited ``user``'s password (validated by the caller's form) and record it."""
    user.set_password(password)
    user.save(update_fields=["password"])
