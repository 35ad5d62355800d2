"""``make docs``: one self-contained HTML file that loads nothing from the network."""

from __future__ import annotations

import pytest

from orchestration.dbt_docs import STATIC_SITE, docs_generate_args, generate_docs, offline_problems


def test_docs_are_generated_as_a_static_single_file_site_with_or_without_a_warehouse():
    assert docs_generate_args(True) == ["docs", "generate", "--static"]
    assert docs_generate_args(False) == ["docs", "generate", "--static", "--empty-catalog", "--no-compile"]


def test_offline_problems_flag_remote_resources_and_placeholders_but_not_links():
    inlined = '<html><script>var manifest = {"metadata": {"send_anonymous_usage_stats": false}};</script>'
    assert offline_problems(inlined + '<a href="https://docs.getdbt.com">dbt docs</a></html>') == []
    assert offline_problems(inlined + '<script src="https://cdn.example.com/app.js"></script>')
    assert offline_problems(inlined + '<link rel="stylesheet" href="//fonts.example.com/f.css">')
    assert offline_problems(inlined + "<style>@import url('https://fonts.example.com/x.css');</style>")
    assert offline_problems(inlined + '<img src="http://example.com/logo.png">')
    assert offline_problems('<script>n = "MANIFEST.JSON INLINE DATA"; c = "CATALOG.JSON INLINE DATA"</script>') == [
        '"MANIFEST.JSON INLINE DATA" not replaced (not a --static site)',
        '"CATALOG.JSON INLINE DATA" not replaced (not a --static site)',
    ]
    tracking = offline_problems('<script>m = {"send_anonymous_usage_stats": true}</script>')
    assert tracking == ["send_anonymous_usage_stats is true: the page would load dbt's tracker from a CDN"]


@pytest.mark.slow
def test_generate_docs_writes_one_self_contained_file(tmp_path, monkeypatch):
    # No warehouse: the in-memory catalog (nothing created); the site still inlines every model
    missing = tmp_path / "warehouse" / "spm.duckdb"
    monkeypatch.setenv("SPM_WAREHOUSE", str(missing))
    monkeypatch.setenv("SPM_RAW_DIR", str(tmp_path / "raw"))

    site = generate_docs(tmp_path / "target")

    assert site == tmp_path / "target" / STATIC_SITE and site.is_file()
    html = site.read_text(encoding="utf-8")
    assert offline_problems(html) == []
    # the manifest is inside the file: models and their column descriptions need nothing beside it
    assert '"model.spm.fct_payout_line"' in html
    assert '"send_anonymous_usage_stats": false' in html
    assert not missing.exists()
