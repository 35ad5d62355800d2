"""Journal entries for finance: commission accrual and ASC 340-40 (docs/journals.md)."""
