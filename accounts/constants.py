# An App ID is 32 lowercase hex characters (seed 001: the vendor console's App ID format).
APP_ID_PATTERN = r"^[0-9a-f]{32}$"
APP_ID_LENGTH = 32

# App certificates have the same shape as App IDs (seed 001: "App certificate").
APP_CERTIFICATE_BYTES = 16

# API keys: a visible prefix to tell keys apart, and a secret part with 256 bits of entropy.
API_KEY_PREFIX_LENGTH = 8
API_KEY_SECRET_BYTES = 32

# App tokens are JWTs signed with the app certificate (seed 001: "App certificate" tokens).
# HS256 because the certificate is a shared secret; a few seconds of leeway absorb clock skew
# between the customer's token server and ours.
APP_TOKEN_ALGORITHM = "HS256"
APP_TOKEN_LEEWAY_SECONDS = 5
# The published rules of app tokens (OpenAPI: the AppToken security scheme; README: "App
# tokens"); ``accounts.services.app_tokens.app_token_verify`` enforces exactly these.
APP_TOKEN_SPEC = (
    "App token: a JWT (JWS compact serialization) that the customer's token server mints "
    "per SDK session and the SDK sends as `Authorization: Bearer <token>`.\n\n"
    "- Algorithm: `HS256` only (header `alg`); any other is refused.\n"
    "- Key: the app certificate exactly as shown in the portal, 32 lower-case hex "
    "characters used as UTF-8 text (not hex-decoded). While certificates rotate, a token "
    "signed with the primary or the secondary certificate is accepted.\n"
    "- Claims: `sub` = the App ID in lower case (required); `exp` (required) and optional "
    "`iat` and `nbf`, each a JSON number of seconds since the epoch (NumericDate).\n"
    "- Lifetime: `exp - iat` (or `exp - now` without `iat`) at most `APP_TOKEN_MAX_TTL` "
    "seconds (default 86400).\n"
    f"- Leeway: {APP_TOKEN_LEEWAY_SECONDS} seconds on `exp`, `iat`, `nbf` and the lifetime.\n"
    "- Refused with 401 `token_invalid`: another algorithm, a bad signature, an `aud` "
    "claim, another `sub`, a missing or non-numeric `exp`, `iat`/`nbf` in the future, a "
    "lifetime over the limit, a header other than `Bearer <token>`. An expired token is "
    "401 `token_expired`; no token while the certificate is enabled is 401 `token_required`."
)

# Recording an API key's last use at most once a minute keeps authentication to one read
# on busy keys while the admin still sees when a key was last used.
API_KEY_LAST_USED_RESOLUTION_SECONDS = 60

# The staff groups (accounts/services/staff_groups.py keeps their permissions); ops are
# e-mailed about pools running low.
SALES_GROUP = "sales"
OPS_GROUP = "ops"

# Feed tokens put an app's rule feed in a URL for feed readers that cannot send headers:
# a visible prefix to tell tokens apart, and a secret part with 256 bits of entropy.
FEED_TOKEN_PREFIX_LENGTH = 8
FEED_TOKEN_SECRET_BYTES = 32
