"""What-if scenarios: the file format, their application to facts and packs, and evaluation under them."""
