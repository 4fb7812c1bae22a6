from accounts.models.api_key import ApiKey
from accounts.models.app import App
from accounts.models.customer import Customer, Membership
from accounts.models.subscription import FeedToken, RuleSubscription, SubscriptionNotice

__all__ = [
    "ApiKey",
    "App",
    "Customer",
    "FeedToken",
    "Membership",
    "RuleSubscription",
    "SubscriptionNotice",
]
