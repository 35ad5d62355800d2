"""Dagster resources: the environment, as seen by assets."""

from __future__ import annotations

import dagster as dg

from orchestration.settings import SpmPaths


class SpmPathsResource(dg.ConfigurableResource):
    """Folders and files the pipeline uses (see :mod:`orchestration.settings`).

    Fields left empty fall back to the environment variables, read when the
    resource is used, so a test that sets ``SPM_*`` needs no resource config.
    """

    landing_dir: str | None = None
    config_dir: str | None = None
    warehouse: str | None = None
    raw_dir: str | None = None
    export_dir: str | None = None

    def paths(self) -> SpmPaths:
        from pathlib import Path

        env = SpmPaths.from_env()
        return SpmPaths(
            landing_dir=Path(self.landing_dir) if self.landing_dir else env.landing_dir,
            config_dir=Path(self.config_dir) if self.config_dir else env.config_dir,
            warehouse=Path(self.warehouse) if self.warehouse else env.warehouse,
            raw_dir=Path(self.raw_dir) if self.raw_dir else env.raw_dir,
            export_dir=Path(self.export_dir) if self.export_dir else env.export_dir,
        )
