from provisioning.models.action_run import RequestActionRun
from provisioning.models.allocation import AllocatedEndpoint, Allocation
from provisioning.models.change import ChangeRequest
from provisioning.models.connectivity import (
    ConnectivityAlert,
    ConnectivityReport,
    ConnectivityResult,
)
from provisioning.models.notice import SentNotice
from provisioning.models.pool import ExcludedAddress, PoolPrefix, ProxyPool
from provisioning.models.reference import Isp, PortProfile, PortRange, Region
from provisioning.models.request import ProvisioningRequest, RequestEvent

__all__ = [
    "AllocatedEndpoint",
    "Allocation",
    "ChangeRequest",
    "ConnectivityAlert",
    "ConnectivityReport",
    "ConnectivityResult",
    "ExcludedAddress",
    "Isp",
    "PoolPrefix",
    "PortProfile",
    "PortRange",
    "ProvisioningRequest",
    "ProxyPool",
    "Region",
    "RequestActionRun",
    "RequestEvent",
    "SentNotice",
]
