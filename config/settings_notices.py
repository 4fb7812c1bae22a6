"""Settings of how customers hear of new rule versions (e-mail subscriptions, the Atom
feed), read from the environment; ``config.settings`` takes every name here.

Links in the e-mails and the feed's tag: ids are built on ``PUBLIC_BASE_URL``
(config/settings_webhooks.py), as webhook payloads are.
"""

from config.env import env_int

# The Atom feed of an app's rules lists this many of its latest versions.
RULES_FEED_ENTRIES = env_int("RULES_FEED_ENTRIES", 50, minimum=1)
