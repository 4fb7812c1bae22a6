"""Commands that move a firewall holding one version of our objects to another: pure
functions of two documents, for the formats that have incremental commands.

Removals come first, so that an addition replacing a removed element never clashes with
it; each delta is one transaction (nft -f) or blocks of iptables-restore --noflush.
"""

from collections.abc import Callable
from dataclasses import dataclass

from rules.exports import linux
from rules.exports.base import RenderContext, comment_block
from rules.exports.pauses import gc_paused
from rules.exports.registry import format_get
from rules.exports.safety import document_check_safe


@dataclass(frozen=True)
class Delta:
    """The commands from one version to another, or why a format has none."""

    format_name: str
    since: str
    version: str
    content: str
    incremental: bool


def _context(document, format_name: str) -> RenderContext:
    fmt = format_get(format_name)
    carried = document.entries_of(fmt.families)
    omitted = document.entries_of(fmt.omits_families)
    return RenderContext(format=fmt, document=document, entries=carried, omitted=omitted)


def _header(old, new, how: str) -> str:
    return comment_block(
        [
            f"Changes for App ID {new.app_id} from version {old.version} to {new.version}",
            f"Rule set sha256 after applying: {new.sha256}",
            how,
        ]
    )


def delta_nftables(old, new, new_file: Callable[[], str] | None = None) -> str:
    """Return nft commands moving our sets from ``old`` to ``new``: element deletions,
    then additions, then our (at most two) rules rewritten, in one transaction. The new
    version's elements are read from its file when ``new_file`` gives it."""
    before, after = _context(old, "nftables"), _context(new, "nftables")
    _, dst_sets, src_sets = linux.nft_names(after)
    old_elements = linux.nft_document_elements(before)
    new_elements = linux.nft_file_elements(after, new_file()) if new_file is not None else None
    if new_elements is None:
        new_elements = linux.nft_document_elements(after)
    lines = [f"flush chain {linux.NFT_TABLE} {linux.nft_names(after)[0]}"]
    for family in (4, 6):
        kept_old, kept_new = set(old_elements[family]), set(new_elements[family])
        removed = [e for e in old_elements[family] if e not in kept_new]
        added = [e for e in new_elements[family] if e not in kept_old]
        lines += linux.nft_element_lines("delete", dst_sets[family], removed)
        lines += linux.nft_element_lines("add", dst_sets[family], added)
        old_sources = before.sources_of_family(family)
        new_sources = after.sources_of_family(family)
        old_kept, new_kept = set(old_sources), set(new_sources)
        lines += linux.nft_element_lines(
            "delete", src_sets[family], [s for s in old_sources if s not in new_kept]
        )
        lines += linux.nft_element_lines(
            "add", src_sets[family], [s for s in new_sources if s not in old_kept]
        )
        if new_elements[family]:
            lines.append(linux._nft_rule(after, family))
    how = "Apply with: nft -f this-file (one transaction) over version " + old.version
    return _header(old, new, how) + "\n".join(lines) + "\n"


def _delta_xtables(old, new, format_name: str, family: int) -> str:
    """Return iptables-restore --noflush blocks moving our chains from ``old`` to ``new``:
    each rule is one entry's, so the new version's file would add nothing to read."""
    before, after = _context(old, format_name), _context(new, format_name)
    chain, destinations = linux.xtables_chains(after)
    old_rules, new_rules = (
        linux.xtables_document_rules(before),
        linux.xtables_document_rules(after),
    )
    old_set, new_set = set(old_rules), set(new_rules)
    old_sources = before.sources_of_family(family)
    new_sources = after.sources_of_family(family)

    def jumps(sources):
        return [f"{chain} -s {s} -j {destinations}" for s in sources] or [
            f"{chain} -j {destinations}"
        ]

    old_jumps, new_jumps = jumps(old_sources), jumps(new_sources)
    old_jump_set, new_jump_set = set(old_jumps), set(new_jumps)
    lines = [f"-D {rule}" for rule in old_rules if rule not in new_set]
    lines += [f"-D {jump}" for jump in old_jumps if jump not in new_jump_set]
    lines += [f"-A {jump}" for jump in new_jumps if jump not in old_jump_set]
    lines += [f"-A {rule}" for rule in new_rules if rule not in old_set]
    tool = "iptables-restore" if family == 4 else "ip6tables-restore"
    how = f"Apply with: {tool} --noflush < this-file over version {old.version}"
    body = "\n".join(linux.xtables_blocks(lines)) if lines else ""
    return _header(old, new, how) + body + ("\n" if body else "")


def delta_iptables(old, new, new_file=None) -> str:
    return _delta_xtables(old, new, "iptables", 4)


def delta_ip6tables(old, new, new_file=None) -> str:
    return _delta_xtables(old, new, "ip6tables", 6)


def _delta_replacing(format_name: str):
    """Return a delta for a format whose file replaces exactly our objects: its commands
    (SRX delete of our group then set, ASA clear of our list then add, FortiGate our ids
    and slots set then the unused deleted, Windows our group removed then created, GCE
    created then the others deleted, AWS prefix lists modified and rules revoked and
    authorized) move any earlier version to the new one, so they are the delta. The new
    version's file is taken from ``new_file`` when given (the stored export), else
    rendered."""

    def delta(old, new, new_file: Callable[[], str] | None = None) -> str:
        fmt = format_get(format_name)
        how = (
            f"These {fmt.label} commands replace our objects of version {old.version} "
            f"(or any other) with version {new.version}, removals before additions:"
        )
        content = new_file() if new_file is not None else fmt.render(new).content
        if format_name == "aws":
            return content  # JSON: the procedure is in its Comment.
        prefix = "!" if format_name == "ciscoasa" else "#"
        shebang = "#!/bin/bash\n" if content.startswith("#!") else ""
        header = _header(old, new, how).replace("# ", f"{prefix} ")
        return shebang + header + content.removeprefix(shebang)

    return delta


# Formats whose delta is their full file.
REPLACING = ("srx", "ciscoasa", "fortigate", "windows", "gce", "aws")
DELTAS = {
    "nftables": delta_nftables,
    "iptables": delta_iptables,
    "ip6tables": delta_ip6tables,
    **{name: _delta_replacing(name) for name in REPLACING},
}


def delta_render(*, old, new, format_name: str, new_file: Callable[[], str] | None = None) -> Delta:
    """Return the delta from ``old`` to ``new`` in ``format_name``; formats without
    incremental commands say so and point at the full file, which replaces our objects.

    ``new_file`` returns ``new``'s full file in ``format_name`` (the stored export): the
    formats whose delta is that file call it instead of rendering the file again, nftables
    reads the new version's set elements from it, the others never call it.
    """
    fmt = format_get(format_name)
    # Deltas print the versions' values as the files do: only canonical ones.
    document_check_safe(old)
    document_check_safe(new)
    renderer = DELTAS.get(fmt.name)
    if renderer is None:
        content = _header(
            old, new,
            f"The {fmt.label} format has no incremental commands here: load the full "
            f"file of version {new.version}, which replaces our objects exactly.",
        )  # fmt: skip
        return Delta(fmt.name, old.version, new.version, content, incremental=False)
    with gc_paused():
        content = renderer(old, new, new_file)
    return Delta(fmt.name, old.version, new.version, content, incremental=True)
