"""Carry a new API key's secret from the POST that made it to the page that shows it once.

The secret waits in the (server-side) session and is removed by the first page that reads
it, so a reload or the back button never shows it again, nor mints another key.
"""

from accounts.models import ApiKey

SESSION_KEY = "portal_new_api_key"


def new_key_remember(*, request, api_key: ApiKey, raw_key: str) -> None:
    """Keep ``raw_key`` for the next page of this session."""
    request.session[SESSION_KEY] = {"pk": api_key.pk, "raw": raw_key}


def new_key_pop(*, request) -> dict | None:
    """Return ``{"key": ApiKey, "raw": secret}`` once after creation, else None."""
    stored = request.session.pop(SESSION_KEY, None)
    if not stored:
        return None
    api_key = ApiKey.objects.filter(pk=stored["pk"]).first()
    return {"key": api_key, "raw": stored["raw"]} if api_key else None
