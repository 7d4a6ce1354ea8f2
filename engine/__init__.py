"""wenze (问责): the accountability engine, in rooms that follow the data flow.

facts/ (the input) → org (the graph) → incident (the context) → pack (rules and
their backends) → chain → explain → outputs → analyses → cli.py; words (the
catalog every room that writes for people reads) sits below them all. A room
imports only from rooms before it; facts/ imports nothing from engine/. The
map is docs/house.md; tests/test_house.py holds the code to it.
"""
