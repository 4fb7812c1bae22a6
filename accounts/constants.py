# An App ID is 32 lowercase hex characters (seed 001: the vendor console's App ID format).
APP_ID_PATTERN = r"^[0-9a-f]{32}$"
APP_ID_LENGTH = 32

# App certificates have the same shape as App IDs (seed 001: "App certificate").
APP_CERTIFICATE_BYTES = 16

# API keys: a visible prefix to tell keys apart, and a secret part with 256 bits of entropy.
API_KEY_PREFIX_LENGTH = 8
API_KEY_SECRET_BYTES = 32
