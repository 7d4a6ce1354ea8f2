"""Every word wenze writes for people, per language: data, with one reader.

Imports nothing from engine/.
"""
