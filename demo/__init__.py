"""The deterministic demo company generator: ``python -m demo.generate --help``."""
