"""Why a person is in a chain, and why each other rule did not name them.

Holds: the Explainer, which reads the pack's own patterns and the kinds' near
misses. Imports: the rooms below it and engine.words.
"""
