"""Pieces every app shares: an abstract timestamped model, locks, badges and task queuing.

Nothing here imports the project's own apps.
"""
