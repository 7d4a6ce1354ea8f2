"""wenze (问责): the accountability engine.

The library does the work; ``cli.py`` only parses arguments and renders.
"""
