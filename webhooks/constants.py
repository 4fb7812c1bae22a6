# Longest endpoint URL accepted: what browsers and most proxies handle comfortably.
URL_MAX_LENGTH = 2000
# Bytes of a receiver's answer kept per attempt, for the delivery log.
RESPONSE_EXCERPT_MAX = 1000
# Characters of a failed attempt's error kept per attempt.
ERROR_MAX_LENGTH = 500
# Random bytes of a signing secret: the Standard Webhooks spec asks for 24 to 64.
SECRET_BYTES = 32
SECRET_PREFIX = "whsec_"
# Registered names of the tasks, so services queue them without importing tasks.py.
DELIVER_TASK = "webhooks.deliver"
DISABLED_NOTICE_TASK = "webhooks.disabled_notice"
# A delivery being sent is left alone by the retry sweep for this long after its timeout.
SENDING_LEASE_MARGIN_SECONDS = 30
