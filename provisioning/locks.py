"""Kept for the rules services until they import ``core.locks`` directly."""

from core.locks import advisory_lock  # TODO(merge): rules imports core.locks; delete this.

__all__ = ["advisory_lock"]
