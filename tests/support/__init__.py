"""Builders and helpers shared by the test folders; no module here is a test module.

* ``raw``: the small hand-checkable raw layer (Parquet per dataset and batch) the dbt tests build on;
  ``earnings``, ``plan_options``, ``quota``, ``planning``, ``journals`` add to it per topic;
* ``warehouse``: ``dbt build`` on a raw layer, reading the warehouse, money to the 10th decimal;
* ``landing``: landing files made of rows (a good Opportunity row, the ingest folders);
* ``plans``: plan YAML files; ``ledger``: the two-payee company of the ledger scenarios;
* ``pdf``: reading rendered statements; ``demo``: the folders and environment of a demo run.
"""
