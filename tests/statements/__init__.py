"""Tests of assets/statements/: payee statements."""
