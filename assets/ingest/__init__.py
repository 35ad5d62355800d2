"""Landing files -> raw layer (Parquet) with quarantine, per the landing contract."""
