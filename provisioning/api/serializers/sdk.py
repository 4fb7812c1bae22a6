from rest_framework import serializers

from provisioning.choices import AllocationKind, PoolRole, SdkMode


class PortRangeSerializer(serializers.Serializer):
    start = serializers.IntegerField(min_value=1, max_value=65535)
    end = serializers.IntegerField(min_value=1, max_value=65535)


class ProxyServerSerializer(serializers.Serializer):
    address = serializers.IPAddressField()
    region = serializers.CharField(
        help_text="The pool's region code (e.g. cn-east), or for shared pools of no region "
        "their scope: domestic, overseas or global."
    )
    isp = serializers.CharField(allow_null=True, help_text="ISP code; null for multi-line.")
    role = serializers.ChoiceField(choices=PoolRole.choices)
    tls_hostname = serializers.CharField(
        allow_null=True,
        help_text="Host name for TURN over TLS (turns:), covered by the TURN certificate.",
    )
    tcp_ports = PortRangeSerializer(many=True)
    udp_ports = PortRangeSerializer(many=True)


class IceServerSerializer(serializers.Serializer):
    urls = serializers.ListField(
        child=serializers.CharField(),
        help_text="TURN URLs of one proxy, e.g. turn:192.0.2.1:3478?transport=udp, "
        "turns:192-0-2-1.turn.example.net:443?transport=tcp.",
    )
    username = serializers.CharField(help_text='TURN REST username: "<unix expiry>:<app_id>".')
    credential = serializers.CharField(help_text="base64(HMAC-SHA1(shared secret, username)).")


class AgoraTurnServerSerializer(serializers.Serializer):
    """Agora Web SDK's ``TurnServerConfig``, for ``client.setTurnServer()``."""

    turnServerURL = serializers.CharField(help_text="Host (IP or TLS host name), no scheme.")
    udpport = serializers.IntegerField(required=False, help_text="TURN over UDP.")
    tcpport = serializers.IntegerField(required=False, help_text="TURN over TCP (or TLS).")
    security = serializers.BooleanField(required=False, help_text="TLS on tcpport.")
    username = serializers.CharField()
    password = serializers.CharField()
    forceturn = serializers.BooleanField(help_text="True in the forced (udp, tcp) modes.")


class AgoraSerializer(serializers.Serializer):
    start_proxy_server = serializers.BooleanField(
        help_text="Whether to call client.startProxyServer(proxy_mode) before join(); "
        "false in auto mode, where no call is needed."
    )
    proxy_mode = serializers.IntegerField(
        allow_null=True, help_text="Argument of startProxyServer: 3 (udp) or 5 (tcp)."
    )
    note = serializers.CharField()
    turn_servers = AgoraTurnServerSerializer(
        many=True,
        help_text="A few proxies per region, regions in code order; pass one (e.g. the "
        "first) to client.setTurnServer().",
    )


class SdkProxyConfigSerializer(serializers.Serializer):
    app_id = serializers.CharField()
    environment = serializers.ChoiceField(choices=AllocationKind.choices)
    version = serializers.CharField(
        help_text="Rule-set version in effect (the one whose addresses are served), or a "
        "hash of the allocation; changes when servers change."
    )
    mode = serializers.ChoiceField(choices=SdkMode.choices)
    sdk_mode = serializers.IntegerField(
        allow_null=True,
        help_text="Agora's cloud proxy mode: 3 (udp), 5 (tcp), null (auto: no proxy call).",
    )
    servers = ProxyServerSerializer(many=True)
    ice_servers = IceServerSerializer(
        many=True,
        help_text="Pass as RTCPeerConnection's iceServers: a few proxies per region, one "
        "entry each. Empty without TURN.",
    )
    agora = AgoraSerializer(help_text="Arguments for the Agora Web SDK (agora-rtc-sdk-ng 4.x).")
    pending_version = serializers.CharField(
        allow_null=True,
        help_text="A newer rule-set version whose new addresses are not served yet (make "
        "before break); null when none is pending.",
    )
    effective_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When pending_version reaches SDKs unless the customer acknowledges it "
        "sooner (POST /api/v1/apps/{app_id}/rules/{version}/ack); null when none is pending.",
    )
    ttl = serializers.IntegerField(help_text="Lifetime of TURN credentials, in seconds.")
    expires_at = serializers.DateTimeField(help_text="When the TURN credentials expire.")
