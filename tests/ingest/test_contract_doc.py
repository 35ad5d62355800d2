from pathlib import Path

from assets.ingest.contract_doc import render
from core.settings import REPO_ROOT


def test_landing_contract_doc_is_current():
    doc = Path(REPO_ROOT / "docs" / "landing_contract.md").read_text()
    assert doc == render(), "regenerate: python -m assets.ingest.contract_doc > docs/landing_contract.md"
