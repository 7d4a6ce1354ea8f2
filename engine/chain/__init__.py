"""Findings merged into the responsibility chain, and the tracer that runs the main job.

Holds: Finding, Link, Chain and their settling (overrides, mitigations), and
Tracer (facts and a pack in, one chain per incident out). Imports: facts/,
engine.org, engine.incident, engine.pack.
"""
