"""Run the real netfilter validators, unprivileged, in a throwaway network namespace."""

import subprocess
import tempfile


def validate(command: list[str], content: str) -> subprocess.CompletedProcess:
    """Run ``unshare -rn <command> <file>`` on ``content``; return the finished process."""
    with tempfile.NamedTemporaryFile("w", suffix=".rules") as handle:
        handle.write(content)
        handle.flush()
        return subprocess.run(
            ["unshare", "-rn", *command, handle.name],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


VALIDATORS = {
    "iptables": ["iptables-restore", "--test"],
    "ip6tables": ["ip6tables-restore", "--test"],
    "nftables": ["nft", "-c", "-f"],
}
