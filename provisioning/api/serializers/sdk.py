from rest_framework import serializers

from provisioning.choices import AllocationKind, PoolRole, SdkMode


class PortRangeSerializer(serializers.Serializer):
    start = serializers.IntegerField(min_value=1, max_value=65535)
    end = serializers.IntegerField(min_value=1, max_value=65535)


class ProxyServerSerializer(serializers.Serializer):
    address = serializers.IPAddressField()
    region = serializers.CharField(allow_null=True, help_text="Region code, e.g. cn-east.")
    isp = serializers.CharField(allow_null=True, help_text="ISP code; null for multi-line.")
    role = serializers.ChoiceField(choices=PoolRole.choices)
    tcp_ports = PortRangeSerializer(many=True)
    udp_ports = PortRangeSerializer(many=True)


class IceServerSerializer(serializers.Serializer):
    urls = serializers.ListField(
        child=serializers.CharField(),
        help_text="TURN URLs, e.g. turn:192.0.2.1:3478?transport=udp.",
    )
    username = serializers.CharField(help_text='TURN REST username: "<unix expiry>:<app_id>".')
    credential = serializers.CharField(help_text="base64(HMAC-SHA1(shared secret, username)).")


class SdkProxyConfigSerializer(serializers.Serializer):
    app_id = serializers.CharField()
    environment = serializers.ChoiceField(choices=AllocationKind.choices)
    version = serializers.CharField(
        help_text="Rule-set version, or a hash of the allocation; changes when servers change."
    )
    mode = serializers.ChoiceField(choices=SdkMode.choices)
    servers = ProxyServerSerializer(many=True)
    ice_servers = IceServerSerializer(
        many=True, help_text="Pass as RTCPeerConnection's iceServers. Empty without TURN."
    )
    ttl = serializers.IntegerField(help_text="Lifetime of TURN credentials, in seconds.")
    expires_at = serializers.DateTimeField(help_text="When the TURN credentials expire.")
