"""Pre-rendered answers are byte for byte what rendering them whole gives."""

import pytest

from provisioning.choices import SdkMode
from provisioning.sdk.build import sdk_entry_build
from provisioning.sdk.parts import sdk_entry_static, sdk_entry_template
from provisioning.sdk.render import sdk_body_fill, sdk_body_render
from tests.factories import AppFactory
from tests.provisioning.api.helpers import live_set


@pytest.mark.parametrize("mode", SdkMode.values)
def test_filled_templates_equal_rendered_bodies(db, mode):
    app = AppFactory()
    live_set(app, addresses=["192.0.2.10", "2001:db8::5"], edge_addresses=["198.51.100.7"])
    entry = sdk_entry_build(app_id=app.app_id, generations=None)

    filled = sdk_body_fill(
        template=sdk_entry_template(entry, mode), app_id=app.app_id, expires_at=1_900_000_000
    )
    rendered = sdk_body_render(
        app_id=app.app_id, mode=mode, static=sdk_entry_static(entry), expires_at=1_900_000_000
    )

    assert filled == rendered
