"""API pieces every app's API builds on: who the caller is, what they may see, error docs."""
