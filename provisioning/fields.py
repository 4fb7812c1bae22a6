import ipaddress

from django.core.exceptions import ValidationError
from django.db import models

from provisioning.constants import CIDR_MAX_LENGTH

# SQLite has no network type: CHECK constraints and triggers call these functions,
# registered on every connection.
SQLITE_CIDR_CHECK_FUNCTION = "is_canonical_cidr"
SQLITE_CIDR_OVERLAP_FUNCTION = "cidr_overlaps"


def is_canonical_cidr(value) -> bool:
    """Return whether ``value`` is a network in canonical CIDR form with host bits zero."""
    try:
        return str(ipaddress.ip_network(value, strict=True)) == value
    except (TypeError, ValueError):
        return False


def cidr_overlaps(first, second) -> bool:
    """Return whether two networks of the same family share any address."""
    try:
        a, b = ipaddress.ip_network(first), ipaddress.ip_network(second)
    except (TypeError, ValueError):
        return False
    return a.version == b.version and a.overlaps(b)


def register_sqlite_functions(sender, connection, **kwargs):
    """Make the CHECK constraint functions available on a new SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            SQLITE_CIDR_CHECK_FUNCTION, 1, is_canonical_cidr, deterministic=True
        )
        connection.connection.create_function(
            SQLITE_CIDR_OVERLAP_FUNCTION, 2, cidr_overlaps, deterministic=True
        )


class CidrField(models.CharField):
    """An IPv4 or IPv6 network in CIDR notation with its host bits zero.

    PostgreSQL stores it as ``cidr``, which itself rejects host bits; SQLite stores text
    under a CHECK constraint that applies the same rule.
    """

    description = "IP network (CIDR)"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", CIDR_MAX_LENGTH)
        super().__init__(*args, **kwargs)

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return "cidr"
        return super().db_type(connection)

    def db_check(self, connection):
        if connection.vendor == "sqlite":
            data = self.db_type_parameters(connection)
            return f'{SQLITE_CIDR_CHECK_FUNCTION}("%(column)s")' % data
        return super().db_check(connection)

    def to_python(self, value):
        value = super().to_python(value)
        if value in (None, ""):
            return value
        try:
            network = ipaddress.ip_network(value.strip(), strict=True)
        except ValueError as exc:
            message = str(exc)
            if "host bits set" in message:
                message = (
                    f"{value} has host bits set; did you mean "
                    f"{ipaddress.ip_network(value.strip(), strict=False)}?"
                )
            raise ValidationError(
                f"Enter a network in CIDR notation ({message}).", code="invalid_cidr"
            ) from exc
        return str(network)

    def get_prep_value(self, value):
        # Skip CharField's to_python(): a malformed value must reach the database, which
        # refuses it, rather than fail here where bulk_create() and update() can't report it.
        value = models.Field.get_prep_value(self, value)
        if value in (None, ""):
            return value
        # Canonical form where possible; a malformed value goes through so the database refuses it.
        try:
            return str(ipaddress.ip_network(value, strict=True))
        except ValueError:
            return value
