import pytest

from provisioning.services.demo import DEMO_APP_ID, demo_data_seed

pytestmark = pytest.mark.django_db


def test_app_page_snippets_use_the_reference_client_and_show_token_minting(client):
    demo_data_seed(password="demo-password-123")
    client.login(username="demo", password="demo-password-123")

    page = client.get(f"/apps/{DEMO_APP_ID}/").content.decode()

    assert "/static/sdk/proxy-config.js" in page
    assert "proxy.agoraArguments()" in page
    assert "client.startProxyServer(agora.mode)" in page
    assert "catch (error)" in page
    assert "await proxy.iceServers()" in page
    assert 'jwt.encode({"sub": "' + DEMO_APP_ID in page
    assert 'jwt.sign({ sub: "' + DEMO_APP_ID in page
