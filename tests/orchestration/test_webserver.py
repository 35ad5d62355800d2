"""`make dev` shows the whole graph with its checks: the webserver's GraphQL API, asked directly.

Starts `dagster-webserver` on workspace.yaml on a free loopback port and asks
for every asset node and its checks.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assets.ingest.contract import CONTRACTS
from core.settings import REPO_ROOT

pytestmark = pytest.mark.slow  # starts the Dagster webserver on the whole code location

QUERY = """
{
  assetNodes {
    assetKey { path }
    groupName
    description
    owners { ... on TeamAssetOwner { team } ... on UserAssetOwner { email } }
    kinds
    metadataEntries { label ... on TableSchemaMetadataEntry { schema { columns { name type } } } }
    assetChecksOrError {
      ... on AssetChecks { checks { name blocking description } }
    }
  }
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, query: str) -> dict:
    request = urllib.request.Request(
        url, data=json.dumps({"query": query}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    home = tmp_path_factory.mktemp("dagster_home")
    port = _free_port()
    webserver_bin = Path(sys.executable).parent / "dagster-webserver"
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    process = subprocess.Popen(
        [str(webserver_bin), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{url}/server_info", timeout=5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("dagster-webserver did not start")
                time.sleep(1)
        yield f"{url}/graphql"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def test_graph_and_checks_are_served(webserver):
    # The code location loads in a subprocess of the webserver; ask until it is there.
    deadline = time.monotonic() + 120
    while True:
        nodes = _post(webserver, QUERY).get("data", {}).get("assetNodes") or []
        if nodes or time.monotonic() > deadline:
            break
        time.sleep(2)
    by_key = {"/".join(n["assetKey"]["path"]): n for n in nodes}

    for contract in CONTRACTS:
        node = by_key[f"raw/{contract.system}/{contract.name}"]
        checks = node["assetChecksOrError"]["checks"]
        assert {"name": "gx_contract_suite", "blocking": True} in [{k: c[k] for k in ("name", "blocking")} for c in checks]
    for model in ("stg_salesforce__opportunities", "fct_credit", "fct_commission", "fct_quarantine"):
        assert model in by_key
    assert by_key["fct_commission"]["assetChecksOrError"]["checks"], "dbt tests are not shown as checks"
    assert by_key["payout_extract"]["groupName"] == "payouts"
    # The catalog as the UI gets it (core/catalog.py, docs/operations.md "The catalog").
    assert all(n["owners"] for n in nodes), [k for k, n in by_key.items() if not n["owners"]]
    assert by_key["payout_extract"]["owners"] == [{"team": "finance"}]
    assert "`SPM_EXPORT_DIR/payouts/<period>/`" in by_key["payout_extract"]["description"]
    assert all(c["description"] for n in nodes for c in n["assetChecksOrError"]["checks"])
    assert "dbt" not in by_key["payout_forecast"]["kinds"]
    schema = next(e["schema"] for e in by_key["fct_payout_line"]["metadataEntries"] if e["label"] == "dagster/column_schema")
    assert {"name": "amount", "type": "decimal(38,10)"} in schema["columns"]
