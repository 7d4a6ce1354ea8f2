"""Chains rendered: the terminal table and the JSON contract, the Markdown report, the diagram, diffs.

Imports: the rooms below it (chains, explanations, words).
"""
