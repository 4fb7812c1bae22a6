import ipaddress
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from accounts.constants import APP_ID_PATTERN

validate_app_id = RegexValidator(
    regex=APP_ID_PATTERN,
    message="An App ID is exactly 32 lowercase hexadecimal characters (0-9, a-f).",
    code="invalid_app_id",
)

# Everything a network in CIDR notation may contain; the longest is an IPv6 address in
# full (39 characters) and "/128". Scope IDs ("%eth0") are refused: Python's ipaddress
# accepts them, with any text after the "%", and they mean nothing in a firewall rule.
NETWORK_TEXT = re.compile(r"[0-9A-Fa-f:./]{1,43}")
SHOWN_INPUT_LENGTH = 48


def _shown(value) -> str:
    """Return ``value`` for an error message: escaped (repr) and cut short."""
    text = repr(value)
    return text if len(text) <= SHOWN_INPUT_LENGTH else text[: SHOWN_INPUT_LENGTH - 1] + "\u2026"


def source_network_canonical(value) -> str:
    """Return the canonical text of one network (``str(ip_network(value))``), or raise
    ValueError saying why it is refused: a scope ID, host bits, or any character outside
    the address syntax."""
    if not isinstance(value, str):
        raise ValueError("a network must be text")
    if "%" in value:
        raise ValueError("scope IDs (%) are not allowed")
    if not NETWORK_TEXT.fullmatch(value):
        raise ValueError("only digits, a-f, ':', '.' and '/' may appear in a network")
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    if getattr(network.network_address, "scope_id", None):
        raise ValueError("scope IDs (%) are not allowed")
    return str(network)


def source_network_line(value: str) -> str:
    """Return one network as typed on a line, in canonical form; raise ValueError with a
    sentence naming the input and an example."""
    try:
        return source_network_canonical(value)
    except ValueError as exc:
        raise ValueError(
            f"{_shown(value)} is not a network in CIDR notation ({exc}). Example: 10.20.0.0/16."
        ) from None


def is_canonical_network(value) -> bool:
    """Return whether ``value`` is a network exactly as ``source_network_canonical`` writes it."""
    try:
        return source_network_canonical(value) == value
    except ValueError:
        return False


def source_networks_canonical(value) -> list[str]:
    """Return ``value`` (a list of networks) in canonical form without duplicates, in the
    given order; raise ValidationError listing every refused item, or the cap."""
    validate_source_networks(value)
    result: list[str] = []
    for item in value:
        canonical = source_network_canonical(item)
        if canonical not in result:
            result.append(canonical)
    return result


def validate_source_networks(value):
    """Check that ``value`` is a list of at most SOURCE_NETWORKS_MAX networks in CIDR
    notation with their host bits zero, no scope ID and no other characters."""
    if not isinstance(value, list):
        raise ValidationError("Enter a list of networks in CIDR notation.", code="invalid")
    limit = settings.SOURCE_NETWORKS_MAX
    if len(value) > limit:
        raise ValidationError(
            f"Enter at most {limit} source networks (got {len(value)}); "
            "summarize them into wider networks.",
            code="too_many_networks",
        )
    errors = []
    for item in value:
        try:
            source_network_canonical(item)
        except ValueError as exc:
            errors.append(f"{_shown(item)} is not a network in CIDR notation ({exc}).")
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


def validate_notes_length(value):
    """Check that free text is at most NOTES_MAX_LENGTH characters (read when checked, so
    the setting applies without a migration)."""
    limit = settings.NOTES_MAX_LENGTH
    if value is not None and len(value) > limit:
        raise ValidationError(
            f"Keep this to {limit:,} characters (it has {len(value):,}).", code="max_length"
        )
