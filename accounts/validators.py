import ipaddress

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from accounts.constants import APP_ID_PATTERN

validate_app_id = RegexValidator(
    regex=APP_ID_PATTERN,
    message="An App ID is exactly 32 lowercase hexadecimal characters (0-9, a-f).",
    code="invalid_app_id",
)


def validate_source_networks(value):
    """Check that ``value`` is a list of CIDR strings with their host bits zero."""
    if not isinstance(value, list):
        raise ValidationError("Enter a list of networks in CIDR notation.", code="invalid")
    errors = []
    for item in value:
        try:
            ipaddress.ip_network(str(item), strict=True)
        except ValueError as exc:
            errors.append(f"{item!r} is not a network in CIDR notation ({exc}).")
    if errors:
        raise ValidationError(errors, code="invalid_cidr")


def validate_api_key_scopes(value):
    """Check that ``value`` is a non-empty list of known API key scopes."""
    from accounts.choices import ApiKeyScope

    if not isinstance(value, list) or not value:
        raise ValidationError("Choose at least one scope.", code="required")
    unknown = sorted(set(map(str, value)) - set(ApiKeyScope.values))
    if unknown:
        raise ValidationError(
            f"Unknown scope(s): {', '.join(unknown)}. Use any of: {', '.join(ApiKeyScope.values)}.",
            code="invalid_scope",
        )
