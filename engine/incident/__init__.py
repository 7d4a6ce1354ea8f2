"""One incident's context: the ground facts the rules match on, as of its day.

Holds: each kind of context fact, declared once beside its builder and its near
misses (kinds.py lists them), the place of an incident, its accident grade, and
the context itself. Imports: facts/, engine.org.
"""
