"""Runs over many chains: what-if scenarios, batches across processes, rule-pack checks.

Imports: every room below; the CLI calls one function of each.
"""
