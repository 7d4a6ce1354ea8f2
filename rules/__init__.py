"""Rule packs: the plan as data (YAML), one file per pack; nothing here is code but this path."""
from pathlib import Path

RULES_DIR = Path(__file__).resolve().parent
