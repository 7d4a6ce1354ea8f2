"""Where the YAML cases live, for tests that reuse a case's facts."""
from pathlib import Path

import yaml

CASES_DIR = Path(__file__).parent
BASE_DIR = CASES_DIR / "_base"


def case_input(name: str) -> dict:
    return yaml.safe_load((CASES_DIR / name / "case.yaml").read_text(encoding="utf-8"))["input"]
