"""Linux netfilter formats: iptables-restore (IPv4), ip6tables-restore (IPv6), nftables."""

from rules.constants import IPTABLES_MULTIPORT_SLOTS
from rules.document import Entry, PortRanges, ports_text
from rules.exports.base import ENVIRONMENT_TAGS, RenderContext, comment_block


def _chain(context: RenderContext) -> str:
    return context.app_tag.upper()


def _comment(entry: Entry) -> str:
    # Ids, choice values and purposes only: nothing here needs escaping.
    return f"{ENVIRONMENT_TAGS.get(entry.environment, 'env')} {entry.purpose} {entry.id}"


def _multiport_chunks(ports: PortRanges) -> list[PortRanges]:
    """Split ports so each chunk fits one multiport match (a range takes two slots)."""
    chunks: list[list[tuple[int, int]]] = [[]]
    used = 0
    for pair in ports:
        cost = 1 if pair[0] == pair[1] else 2
        if used + cost > IPTABLES_MULTIPORT_SLOTS:
            chunks.append([])
            used = 0
        chunks[-1].append(pair)
        used += cost
    return [tuple(chunk) for chunk in chunks]


def _port_match(ports: PortRanges) -> str:
    if len(ports) == 1:
        return f"--dport {ports_text(ports, range_sep=':')}"
    return f"-m multiport --dports {ports_text(ports, range_sep=':')}"


def _render_xtables(context: RenderContext, family: int, tool: str) -> str:
    chain = _chain(context)
    notes = (
        f"Load with: {tool} --noflush < this-file",
        f"then jump to it from your own chains, e.g. -A FORWARD -j {chain}",
    )
    lines = ["*filter", f":{chain} - [0:0]"]
    sources = context.document.sources_of_family(family) or (None,)
    for entry in context.entries:
        for source in sources:
            source_match = f"-s {source} " if source else ""
            for chunk in _multiport_chunks(entry.ports):
                lines.append(
                    f"-A {chain} {source_match}-d {entry.destination} -p {entry.protocol} "
                    f'{_port_match(chunk)} -m comment --comment "{_comment(entry)}" -j ACCEPT'
                )
    lines.append("COMMIT")
    return comment_block(context.header_lines(notes)) + "\n".join(lines) + "\n"


def render_iptables(context: RenderContext) -> str:
    return _render_xtables(context, 4, "iptables-restore")


def render_ip6tables(context: RenderContext) -> str:
    return _render_xtables(context, 6, "ip6tables-restore")


def _nft_set(values) -> str:
    values = list(values)
    return values[0] if len(values) == 1 else "{ " + ", ".join(values) + " }"


def render_nftables(context: RenderContext) -> str:
    """Render rules into a regular chain of the conventional ``inet filter`` table; the file
    replaces that chain's rules each time it is loaded."""
    chain = context.app_tag.replace("-", "_")
    table = "inet filter"
    notes = (
        "Load with: nft -f this-file",
        f"then jump to it from your base chains, e.g. nft add rule {table} forward jump {chain}",
    )
    lines = [f"add table {table}", f"add chain {table} {chain}", f"flush chain {table} {chain}"]
    for entry in context.entries:
        keyword = "ip" if entry.family == 4 else "ip6"
        sources = context.document.sources_of_family(entry.family)
        source_match = f"{keyword} saddr {_nft_set(sources)} " if sources else ""
        ports = _nft_set(ports_text(((a, b),)) for a, b in entry.ports)
        lines.append(
            f"add rule {table} {chain} {source_match}{keyword} daddr {entry.destination} "
            f'{entry.protocol} dport {ports} counter accept comment "{_comment(entry)}"'
        )
    return comment_block(context.header_lines(notes)) + "\n".join(lines) + "\n"
