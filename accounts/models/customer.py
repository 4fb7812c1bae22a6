from django.conf import settings
from django.db import models

from accounts.choices import CustomerStatus, MembershipRole
from core.models import TimestampedModel


class Customer(TimestampedModel):
    """A company that buys the proxy service for one or more apps."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=64, unique=True, help_text="Short identifier used in URLs and file names."
    )
    contact_email = models.EmailField(help_text="Where provisioning notices are sent.")
    sales_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_customers",
        limit_choices_to={"is_staff": True},
        help_text="The staff member responsible for this customer.",
    )
    status = models.CharField(
        max_length=16, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="customers"
    )

    class Meta:
        ordering = ["name"]
        permissions = [("change_customer_status", "Can suspend and resume customers")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=CustomerStatus.values),
                name="customer_status_valid",
            ),
        ]

    def __str__(self):
        return self.name


class Membership(TimestampedModel):
    """A user's access to one customer's apps, with a role."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(
        max_length=16, choices=MembershipRole.choices, default=MembershipRole.VIEWER
    )

    class Meta:
        ordering = ["customer", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "customer"], name="membership_unique_user"),
            models.CheckConstraint(
                condition=models.Q(role__in=MembershipRole.values), name="membership_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} @ {self.customer} ({self.role})"
