from accounts.models.api_key import ApiKey
from accounts.models.app import App
from accounts.models.customer import Customer, Membership

__all__ = ["ApiKey", "App", "Customer", "Membership"]
