"""URLs of the REST API, mounted under /api/."""

urlpatterns = []
