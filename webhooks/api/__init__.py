"""The customers' webhook API: endpoints of an app, their secrets and delivery logs."""
