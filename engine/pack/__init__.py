"""Rule packs: the plan as data, loaded and checked against the context-fact schema, and compiled.

Holds: the pack's grammar and loader, its two compilations (durable_rules'
JSON and the plain-Python matcher), and the backends that own a durable host.
Imports: facts/, engine.incident (the schema).
"""
