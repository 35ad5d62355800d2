"""The code location imports in every kind of process the pipeline and the tests start.

pyspark (the Spark engine) ends a process whose main module is neither a file nor a
module (`python -c`, a pytest-xdist worker) when Spark Connect's requirements are
missing, and great_expectations imports it whenever it is installed: the checks, and
everything that loads the definitions, would stop there without an error (exit 0).
"""

from __future__ import annotations

import subprocess
import sys

from core.settings import REPO_ROOT


def test_the_definitions_import_in_a_python_c_process():
    completed = subprocess.run(
        [sys.executable, "-c", "import great_expectations, orchestration.definitions; print('imported')"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False, timeout=300,
    )
    assert completed.returncode == 0 and completed.stdout.strip().endswith("imported"), completed.stderr[-3000:]
