"""Linux netfilter formats: iptables-restore (IPv4), ip6tables-restore (IPv6), nftables.

Every object is ours by name (chains and sets named after the App ID), so loading a file
replaces exactly our objects, leaves the customer's alone and can be repeated.
"""

import re
from functools import lru_cache

from rules.constants import IPTABLES_MULTIPORT_SLOTS, IPTABLES_RULES_PER_COMMIT
from rules.document import PortRanges, ports_parse, ports_text
from rules.exports.base import ENVIRONMENT_TAGS, RenderContext, comment_block
from rules.exports.intervals import nft_elements
from rules.exports.memo import DocumentMemo

NFT_TABLE = "inet filter"
NFT_ELEMENTS_PER_LINE = 500
NFT_ADDRESS_TYPES = {4: "ipv4_addr", 6: "ipv6_addr"}
NFT_KEYWORDS = {4: "ip", 6: "ip6"}
# Rules and set elements of the last documents rendered, for the deltas from and to them.
_PER_DOCUMENT = DocumentMemo(size=4)


def xtables_chains(context: RenderContext) -> tuple[str, str]:
    """Return our entry chain (sources jump from it) and our destination chain."""
    chain = context.app_tag.upper()
    return chain, f"{chain}-D"


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


@lru_cache(maxsize=4096)
def _port_matches(text: str) -> tuple[str, ...]:
    """Return the port matches of the port ranges written ``text`` (``ports_text``)."""
    return tuple(_port_match(chunk) for chunk in _multiport_chunks(ports_parse(text)))


def xtables_rules(context: RenderContext, entries) -> list[str]:
    """Return the rule specifications (after ``-A``/``-D``) of ``entries`` in our
    destination chain: one per destination and multiport chunk of its ports."""
    _, destinations = xtables_chains(context)
    tags = ENVIRONMENT_TAGS
    return [
        f"{destinations} -d {entry.destination} -p {entry.protocol} {match} -m comment "
        f'--comment "{tags.get(entry.environment, "env")} {entry.purpose} {entry.id}" -j ACCEPT'
        for entry in entries
        for match in _port_matches(entry.ports_text)
    ]


def xtables_document_rules(context: RenderContext) -> list[str]:
    """Return ``xtables_rules`` of the entries ``context`` carries, once per document."""
    key = ("xtables", context.format.name)
    return _PER_DOCUMENT.get(context.document, key, lambda: xtables_rules(context, context.entries))


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
        *(f"-A {rule}" for rule in xtables_document_rules(context)),
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


def nft_document_elements(context: RenderContext) -> dict[int, list[str]]:
    """Return ``nft_elements`` of the entries ``context`` carries, once per document
    (a delta reads the new version's again)."""
    key = ("nft", context.format.families)
    return _PER_DOCUMENT.get(context.document, key, lambda: nft_elements(context.entries))


def nft_file_elements(context: RenderContext, content: str) -> dict[int, list[str]] | None:
    """Return the elements that our file ``content`` adds to our destination sets, by
    family and in its order: for the file of ``context``'s document, its
    ``nft_document_elements``. Return None for a file that does not fill our sets as
    named here (one written with other names), whose elements would be no guide."""
    _, dst_sets, _ = nft_names(context)
    content = "\n" + content
    elements: dict[int, list[str]] = {4: [], 6: []}
    for family in (4, 6):
        if f"\nflush set {NFT_TABLE} {dst_sets[family]}\n" not in content:
            return None
        line = re.compile(
            rf"\nadd element {re.escape(NFT_TABLE)} {re.escape(dst_sets[family])} "
            r"\{ ([^\n{}]*) \}(?![^\n])"
        )
        for items in line.findall(content):
            elements[family].extend(items.split(", "))
        if context.family_count(family) and not elements[family]:
            return None
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
    elements = nft_document_elements(context)
    for family in families:
        lines.extend(nft_element_lines("add", dst_sets[family], elements[family]))
        sources = list(context.sources_of_family(family))
        lines.extend(nft_element_lines("add", src_sets[family], sources))
        if elements[family]:
            lines.append(_nft_rule(context, family))
    return comment_block(context.header_lines(notes)) + "\n".join(lines) + "\n"
