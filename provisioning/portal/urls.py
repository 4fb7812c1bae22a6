"""URLs of the customer portal, mounted at the site root."""

urlpatterns = []
