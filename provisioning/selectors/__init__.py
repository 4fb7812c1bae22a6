"""Reads of provisioning data, one module per area."""
