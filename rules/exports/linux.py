"""Linux netfilter formats: iptables-restore (IPv4), ip6tables-restore (IPv6), nftables.

Every object is ours by name (chains and sets named after the App ID), so loading a file
replaces exactly our objects, leaves the customer's alone and can be repeated.
"""

import ipaddress
import itertools
from collections import defaultdict

from rules.constants import IPTABLES_MULTIPORT_SLOTS, IPTABLES_RULES_PER_COMMIT
from rules.document import Entry, PortRanges, ports_text
from rules.exports.base import ENVIRONMENT_TAGS, RenderContext, comment_block

NFT_TABLE = "inet filter"
NFT_ELEMENTS_PER_LINE = 500
NFT_ADDRESS_TYPES = {4: "ipv4_addr", 6: "ipv6_addr"}
NFT_KEYWORDS = {4: "ip", 6: "ip6"}


def xtables_chains(context: RenderContext) -> tuple[str, str]:
    """Return our entry chain (sources jump from it) and our destination chain."""
    chain = context.app_tag.upper()
    return chain, f"{chain}-D"


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


def xtables_rule(chain: str, entry: Entry, ports: PortRanges) -> str:
    """Return the rule specification (after ``-A``/``-D``) of one destination and ports."""
    return (
        f"{chain} -d {entry.destination} -p {entry.protocol} {_port_match(ports)} "
        f'-m comment --comment "{_comment(entry)}" -j ACCEPT'
    )


def xtables_rules(context: RenderContext, entries) -> list[str]:
    """Return the rule specifications of ``entries`` in our destination chain."""
    _, destinations = xtables_chains(context)
    return [
        xtables_rule(destinations, entry, chunk)
        for entry in entries
        for chunk in _multiport_chunks(entry.ports)
    ]


def xtables_blocks(lines: list[str]) -> list[str]:
    """Return ``lines`` as ``*filter … COMMIT`` blocks of at most IPTABLES_RULES_PER_COMMIT
    lines: one transaction of thousands of rules exceeds a netlink message."""
    result = []
    for start in range(0, max(len(lines), 1), IPTABLES_RULES_PER_COMMIT):
        result.extend(["*filter", *lines[start : start + IPTABLES_RULES_PER_COMMIT], "COMMIT"])
    return result


def _render_xtables(context: RenderContext, family: int, tool: str) -> str:
    chain, destinations = xtables_chains(context)
    command = tool.removesuffix("-restore")
    notes = (
        f"Load with: {tool} --noflush < this-file",
        f"It replaces only our chains {chain} and {destinations}; your rules and policies stay",
        "Once, attach our chain without replacing your rules, e.g.:",
        f"  {command} -C OUTPUT -j {chain} 2>/dev/null || {command} -I OUTPUT -j {chain}",
        "(FORWARD on a gateway). Our chain only accepts or returns to yours.",
    )
    sources = context.sources_of_family(family)
    jumps = [f"-A {chain} -s {source} -j {destinations}" for source in sources]
    lines = [
        f":{chain} - [0:0]",
        f":{destinations} - [0:0]",
        *(jumps or [f"-A {chain} -j {destinations}"]),
        *(f"-A {rule}" for rule in xtables_rules(context, context.entries)),
    ]
    body = "\n".join(xtables_blocks(lines))
    return comment_block(context.header_lines(notes)) + body + "\n"


def render_iptables(context: RenderContext) -> str:
    return _render_xtables(context, 4, "iptables-restore")


def render_ip6tables(context: RenderContext) -> str:
    return _render_xtables(context, 6, "ip6tables-restore")


def nft_names(context: RenderContext) -> tuple[str, dict[int, str], dict[int, str]]:
    """Return our chain, destination sets and source sets (by family)."""
    chain = context.app_tag.replace("-", "_")
    return (
        chain,
        {family: f"{chain}_dst{family}" for family in (4, 6)},
        {family: f"{chain}_src{family}" for family in (4, 6)},
    )


def _disjoint(items) -> list[tuple[object, int, int]]:
    """Return (network, first, last) items covering ``items`` with no two overlapping:
    an interval set refuses overlapping elements. Ports are cut at every boundary,
    networks collapsed per piece, and equal neighbouring pieces joined again."""
    cuts = sorted({a for _, a, _ in items} | {b + 1 for _, _, b in items})
    pieces = []
    for first, after in itertools.pairwise(cuts):
        networks = [n for n, a, b in items if a <= first and after - 1 <= b]
        if networks:
            pieces.append([tuple(ipaddress.collapse_addresses(networks)), first, after - 1])
    joined: list[list] = []
    for networks, first, last in pieces:
        if joined and joined[-1][0] == networks and joined[-1][2] + 1 == first:
            joined[-1][2] = last
        else:
            joined.append([networks, first, last])
    return [(network, first, last) for networks, first, last in joined for network in networks]


def nft_elements(entries) -> dict[int, list[str]]:
    """Return the ``address . protocol . ports`` elements of ``entries`` by family, made
    disjoint (an address in two groups with overlapping ports would otherwise clash)."""
    items: dict[tuple[int, str], list] = defaultdict(list)
    for entry in entries:
        for start, end in entry.ports:
            items[(entry.family, entry.protocol)].append((entry.network, start, end))
    elements: dict[int, list[str]] = {4: [], 6: []}
    for (family, protocol), found in sorted(items.items()):
        for network, start, end in _disjoint(found):
            ports = str(start) if start == end else f"{start}-{end}"
            elements[family].append(f"{network} . {protocol} . {ports}")
    return elements


def nft_element_lines(verb: str, set_name: str, elements: list[str]) -> list[str]:
    """Return ``add element``/``delete element`` commands, NFT_ELEMENTS_PER_LINE each."""
    return [
        f"{verb} element {NFT_TABLE} {set_name} {{ "
        + ", ".join(elements[start : start + NFT_ELEMENTS_PER_LINE])
        + " }"
        for start in range(0, len(elements), NFT_ELEMENTS_PER_LINE)
    ]


def _nft_rule(context: RenderContext, family: int) -> str:
    chain, dst_sets, src_sets = nft_names(context)
    keyword = NFT_KEYWORDS[family]
    source = f"{keyword} saddr @{src_sets[family]} " if context.sources_of_family(family) else ""
    return (
        f"add rule {NFT_TABLE} {chain} {source}{keyword} daddr . meta l4proto . th dport "
        f'@{dst_sets[family]} counter accept comment "{context.app_tag} IPv{family}"'
    )


def render_nftables(context: RenderContext) -> str:
    """Render our chain and named interval sets in the conventional ``inet filter`` table.

    Destinations live in one set per family whose elements are ``address . protocol .
    ports`` (concatenated intervals), so a rule set of any size is at most two rules, and
    updates touch set elements only. The file flushes and refills our chain and sets in
    one transaction: loading it replaces exactly our objects and is safe to repeat.
    """
    chain, dst_sets, src_sets = nft_names(context)
    notes = (
        "Load with: nft -f this-file (one transaction; replaces only our chain and sets)",
        "Once, attach our chain without replacing your rules, e.g.:",
        f"  nft insert rule {NFT_TABLE} output jump {chain}",
        "(forward on a gateway). Our chain only accepts or returns to yours.",
    )
    families = [f for f in (4, 6) if f in context.format.families]
    lines = [f"add table {NFT_TABLE}", f"add chain {NFT_TABLE} {chain}"]
    for family in families:
        address = NFT_ADDRESS_TYPES[family]
        lines.append(
            f"add set {NFT_TABLE} {dst_sets[family]} "
            f"{{ type {address} . inet_proto . inet_service; flags interval; }}"
        )
        lines.append(
            f"add set {NFT_TABLE} {src_sets[family]} {{ type {address}; flags interval; }}"
        )
    lines.append(f"flush chain {NFT_TABLE} {chain}")
    lines.extend(f"flush set {NFT_TABLE} {s[f]}" for f in families for s in (dst_sets, src_sets))
    elements = nft_elements(context.entries)
    for family in families:
        lines.extend(nft_element_lines("add", dst_sets[family], elements[family]))
        sources = list(context.sources_of_family(family))
        lines.extend(nft_element_lines("add", src_sets[family], sources))
        if elements[family]:
            lines.append(_nft_rule(context, family))
    return comment_block(context.header_lines(notes)) + "\n".join(lines) + "\n"
