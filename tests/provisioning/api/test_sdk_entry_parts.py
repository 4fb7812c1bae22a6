"""An app's SDK entry keeps its static config and body templates pickled and compressed:
reading the entry for a request doesn't unpack them, rendering a body unpacks the one it
uses. The per-process memos that keep what was rendered are bounded."""

import json
import pickle

import pytest

from provisioning.choices import SdkMode
from provisioning.sdk.build import sdk_entry_build
from provisioning.sdk.memo import BoundedMemo
from provisioning.sdk.parts import sdk_entry_static, sdk_entry_template
from tests.factories import AppFactory
from tests.provisioning.api.helpers import live_set


@pytest.fixture
def app(db):
    app = AppFactory(certificate_enabled=True)
    live_set(app, addresses=["192.0.2.10"])
    return app


def test_the_rendered_parts_are_kept_as_bytes(app):
    entry = sdk_entry_build(app_id=app.app_id, generations=None)

    assert isinstance(entry["static"], bytes) and isinstance(entry["templates"], bytes)
    assert set(sdk_entry_static(entry)["modes"]) == set(SdkMode.values)
    templates = {mode: sdk_entry_template(entry, mode) for mode in SdkMode.values}
    assert len(entry["templates"]) < len(pickle.dumps(templates)) / 2  # compressed
    template = json.loads(templates[SdkMode.UDP])
    assert template["app_id"] == app.app_id and template["mode"] == SdkMode.UDP
    assert sdk_entry_template(entry, "carrier-pigeon") is None


def test_an_app_without_a_live_set_has_no_parts(db):
    app = AppFactory()

    entry = sdk_entry_build(app_id=app.app_id, generations=None)

    assert entry["static"] is None and sdk_entry_static(entry) is None
    assert sdk_entry_template(entry, SdkMode.AUTO) is None


def test_a_full_memo_drops_its_oldest_eighth_only():
    memo = BoundedMemo(16)
    for n in range(16):
        memo.put(n, str(n))

    memo.put(16, "16")

    assert [memo.get(n) for n in (0, 1)] == [None, None]
    assert [memo.get(n) for n in (2, 15, 16)] == ["2", "15", "16"]
    assert len(memo.values) == 15
