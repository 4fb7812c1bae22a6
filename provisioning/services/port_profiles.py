"""Set a port profile's ranges as staff typed them, on the record."""

from django.db import transaction

from accounts.services.audit import AUDIT_CHANGE, audit_record
from provisioning.models import PortProfile, PortRange
from provisioning.port_lines import PortLine


@transaction.atomic
def port_profile_ranges_set(*, profile: PortProfile, ranges: list[PortLine], actor) -> bool:
    """Make ``ranges`` the profile's port ranges (validated, all or nothing); return whether
    anything changed. New allocations copy them; live ones keep their snapshot."""
    before = sorted(PortLine(r.protocol, r.port_start, r.port_end, r.purpose)
                    for r in profile.ranges.all())  # fmt: skip
    wanted = sorted(set(ranges))
    if before == wanted:
        return False
    profile.ranges.all().delete()
    for line in wanted:
        port_range = PortRange(profile=profile, **line._asdict())
        port_range.full_clean()
        port_range.save()
    audit_record(
        actor=actor,
        obj=profile,
        action_flag=AUDIT_CHANGE,
        message="Ports set to: " + "; ".join(str(line) for line in wanted) + ".",
    )
    return True
