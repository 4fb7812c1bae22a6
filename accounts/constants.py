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

# Recording an API key's last use at most once a minute keeps authentication to one read
# on busy keys while the admin still sees when a key was last used.
API_KEY_LAST_USED_RESOLUTION_SECONDS = 60
