"""Great Expectations suites of the raw layer and the configuration tables (``suites``)."""

from __future__ import annotations

import threading


def import_suites_in_background() -> threading.Thread:
    """Start importing :mod:`expectations.suites` (Great Expectations: 3-5 s of CPU, the largest
    import of a run) and building its GX context in a daemon thread; return the thread.

    ``spm run`` starts it while dbt parses in its own process (orchestration/cli.py
    ``prepare_run``) and joins it before the run starts, so the first check finds GX
    imported instead of waiting for it. It only imports and builds what the first check
    would; an error is left for that check to raise (it imports the module again)."""

    def work() -> None:
        try:
            from expectations import suites

            suites.batch_definition()
        except Exception:  # the first check raises it again, as a check failure
            pass

    thread = threading.Thread(target=work, name="import-gx-suites", daemon=True)
    thread.start()
    return thread
