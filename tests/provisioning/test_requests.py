import pytest
from django.core.exceptions import ValidationError

from provisioning.choices import RequestStatus
from provisioning.models import ProvisioningRequest, RequestEvent
from provisioning.services.requests import request_submit
from tests.factories import AppFactory, IspFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_submit_records_the_request_and_its_first_event():
    user = UserFactory()
    domestic, overseas = RegionFactory(domestic=True), RegionFactory()
    isps = [IspFactory(), IspFactory()]

    request = request_submit(
        app=AppFactory(),
        regions=[domestic, overseas],
        isps=isps,
        concurrency=1200,
        notes="Two branch offices",
        actor=user,
    )

    assert request.status == RequestStatus.SUBMITTED
    assert set(request.regions.all()) == {domestic, overseas}
    assert set(request.isps.all()) == set(isps)
    event = request.events.get()
    assert (event.actor, event.from_status, event.to_status) == (user, "", "submitted")


@pytest.mark.parametrize(
    ("regions", "isps", "field"),
    [
        ([], [], "regions"),
        (["overseas"], ["isp"], "isps"),
    ],
)
def test_submit_refuses_a_bad_scope_and_writes_nothing(regions, isps, field):
    app = AppFactory()
    region_objects = [RegionFactory(domestic=False) for _ in regions]
    isp_objects = [IspFactory() for _ in isps]

    with pytest.raises(ValidationError) as excinfo:
        request_submit(app=app, regions=region_objects, isps=isp_objects, concurrency=10)

    assert field in excinfo.value.message_dict
    assert not ProvisioningRequest.objects.filter(app=app).exists()
    assert not RequestEvent.objects.exists()


def test_submit_refuses_a_second_open_request_and_keeps_the_first_intact():
    app = AppFactory()
    first = request_submit(app=app, regions=[RegionFactory()], concurrency=10)

    with pytest.raises(ValidationError) as excinfo:
        request_submit(app=app, regions=[RegionFactory()], concurrency=20)

    assert f"#{first.pk}" in excinfo.value.message_dict["app"][0]
    assert list(ProvisioningRequest.objects.filter(app=app)) == [first]
    assert RequestEvent.objects.filter(request__app=app).count() == 1
