"""Settings of how customers hear of new rule versions (e-mail subscriptions, the Atom
feed), read from the environment; ``config.settings`` takes every name here."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.env import env_int, env_str

# Where customers reach this service: links in e-mails sent by tasks (which have no
# request to take the host from), and the authority of the feed's tag: ids.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_public = urlsplit(PUBLIC_BASE_URL)
if _public.scheme not in ("http", "https") or not _public.hostname:
    raise ImproperlyConfigured("PUBLIC_BASE_URL must be an http(s) URL: https://proxy.example.com")
# The Atom feed of an app's rules lists this many of its latest versions.
RULES_FEED_ENTRIES = env_int("RULES_FEED_ENTRIES", 50, minimum=1)
