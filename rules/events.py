"""What the rules app announces to the apps above it, which it may not import."""

from django.dispatch import Signal

# Sent inside the transaction in which a rule set version takes effect (its new addresses
# reach SDKs), with ``rule_set`` and its ``activation``; receivers report it, e.g. as the
# ``rules.version_effective`` webhook event.
rule_set_took_effect = Signal()
