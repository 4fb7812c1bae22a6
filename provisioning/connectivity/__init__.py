"""Connectivity checks: what the probe and the browser check try, and the probe script."""
