"""The fact format: pydantic models, the loader, and the shipped examples."""
from pathlib import Path

EXAMPLES = Path(__file__).parent / "examples"
