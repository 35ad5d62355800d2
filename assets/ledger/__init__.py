"""The payout ledger: publishing pay periods immutably, with versions and deltas (SPEC §6)."""
