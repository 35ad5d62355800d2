"""Payee statements (SPEC §6, issue #4): per payee and pay period, an HTML and a PDF
statement explaining every cent of the payout file, and an index page per period.

Modules: ``payout_file`` (where the period's payout extract is and how to read it),
``gather`` (one query per mart, grouped per payee in Python), ``statement`` (the
data a statement shows), ``formatting``, ``render_html`` / ``render_pdf``,
``writer`` (the atomic, deterministic statement set and its manifest, and the
check that it adds up to the payout file), ``assets`` (the Dagster wiring).
"""
