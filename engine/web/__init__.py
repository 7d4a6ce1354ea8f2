"""The investigator's workbench (``wenze serve``): server-rendered pages and an HTTP JSON API.

The top room of the house: it may import from every room below (facts, org,
incident, pack, chain, explain, words, outputs, analyses) and nothing imports
it but ``cli.py``. ``app`` assembles the server and its safety; ``workspace``
holds the loaded cases and the one temporary folder; ``api`` is the JSON API;
``pages`` and ``views`` the HTML; ``downloads`` the formats offered. Its words
are the catalog's (``web.*`` in engine/words/zh.yaml and en.yaml).
"""
