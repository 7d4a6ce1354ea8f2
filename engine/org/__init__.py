"""The organisation as a dated graph: who held which post, who bore which duty, on any day.

Holds: the OrgGraph (networkx, every edge with its validity interval) and the
roster of a day. Imports: facts/ only.
"""
