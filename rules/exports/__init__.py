"""Firewall export formats: one module per family of formats, the registry, and the
completeness check every rendered file passes before it is stored.

The renderers are written here rather than generated with aerleon: each is a few dozen
lines, runs in milliseconds, is thread-safe, builds every name from ids, and does not
carry aerleon's known traps (a module-global definitions table, silently dropped input,
IPv6 dropped on ciscoasa, unescaped nftables comments). The completeness check reads
every file back either way.
"""
