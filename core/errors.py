"""The JSON error shape every answer of the API uses: ``{"code", "message", "fields"?}``."""


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    """Return the error shape; ``fields`` (messages per input field) only when given."""
    body = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return body
