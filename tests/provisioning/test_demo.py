import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import App, Membership
from provisioning.models import ProvisioningRequest, ProxyPool
from provisioning.services.demo import DEMO_APP_ID, demo_data_seed

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_the_demo_world_once():
    demo_data_seed(password="first-password-123")
    demo_data_seed(password="second-password-456")

    app = App.objects.get(app_id=DEMO_APP_ID)
    assert app.certificate_enabled
    request = ProvisioningRequest.objects.get(app=app)
    assert request.status == "submitted"
    regions = {(r.code, r.domestic) for r in request.regions.all()}
    assert regions == {("cn-east", True), ("na", False)}
    assert request.isps.count() == 2
    assert Membership.objects.get(user__username="demo").customer == app.customer
    production = ProxyPool.objects.filter(kind="production")
    assert production.exists()
    for network in production.values_list("prefixes__network", flat=True):
        assert network.startswith(("192.0.2.", "198.51.100.", "203.0.113.", "2001:db8:"))
    assert authenticate(username="admin", password="second-password-456").is_superuser
    assert authenticate(username="demo", password="second-password-456").is_staff is False


def test_seed_demo_command_prints_a_generated_password_that_works(monkeypatch, capsys):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)

    call_command("seed_demo")

    output = capsys.readouterr().out
    password = output.split("username admin  password ")[1].split()[0]
    assert authenticate(username="admin", password=password) is not None
    assert "App certificate (shown once)" in output


def test_seed_demo_command_uses_demo_password(monkeypatch, capsys):
    monkeypatch.setenv("DEMO_PASSWORD", "from-the-environment")

    call_command("seed_demo")

    assert "from-the-environment" not in capsys.readouterr().out
    assert authenticate(username="demo", password="from-the-environment") is not None
