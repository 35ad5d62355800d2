"""The compensation engine: the dbt project (every model an asset, every test a check)."""

import dagster as dg

from assets.compensation.assets import spm_dbt_models

defs = dg.Definitions(assets=[spm_dbt_models])
