"""Tests of assets/planning/ and the planning marts: territories, assignments, targets, quota proposals."""
