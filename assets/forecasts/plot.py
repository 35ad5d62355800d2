"""Actuals vs forecast with its P10-P90 interval, one PNG per series (matplotlib, Agg).

The bytes are stable: fixed size and dpi, the bundled DejaVu font, no
timestamp, and the PNG "Software" text chunk removed (it names the version).
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from assets.forecasts.calendar import month_label  # noqa: E402

HISTORY_MONTHS_SHOWN = 12


def forecast_png(title: str, currency: str, history: pl.DataFrame, forecast: pl.DataFrame,
                 backtest: pl.DataFrame | None = None) -> bytes:
    """``history``: month, actual; ``forecast``: month, forecast, p10, p90 (and actual_to_date);
    ``backtest``: month, forecast (one-month-ahead backtest forecasts), optional."""
    history = history.sort("month").tail(HISTORY_MONTHS_SHOWN)
    forecast = forecast.sort("month")
    months = sorted(set(history["month"].to_list()) | set(forecast["month"].to_list()))
    x = {m: i for i, m in enumerate(months)}
    with plt.rc_context({"font.family": "DejaVu Sans", "svg.hashsalt": "spm", "path.simplify": False}):
        fig, ax = plt.subplots(figsize=(10, 5), dpi=100)
        try:
            ax.plot([x[m] for m in history["month"]], history["actual"].to_list(), color="#1f4e79", marker="o",
                    linewidth=1.8, label="actual bookings")
            if "actual_to_date" in forecast.columns:
                to_date = forecast.filter(pl.col("actual_to_date") > 0)
                if to_date.height:
                    ax.plot([x[m] for m in to_date["month"]], to_date["actual_to_date"].to_list(), color="#1f4e79",
                            marker="x", linestyle="none", label="actual to date")
            fx = [x[m] for m in forecast["month"]]
            ax.fill_between(fx, forecast["p10"].to_list(), forecast["p90"].to_list(), color="#f4a259", alpha=0.35,
                            linewidth=0, label="forecast P10-P90")
            ax.plot(fx, forecast["forecast"].to_list(), color="#c8553d", marker="o", linestyle="--", linewidth=1.8,
                    label="forecast")
            if backtest is not None and backtest.height:
                bt = backtest.filter(pl.col("month").is_in(list(x))).sort("month")
                ax.plot([x[m] for m in bt["month"]], bt["forecast"].to_list(), color="#588b8b", marker="s",
                        linestyle="none", markersize=5, label="backtest forecast (1 month ahead)")
            ax.set_xticks(range(len(months)))
            ax.set_xticklabels([month_label(m) for m in months], rotation=45, ha="right", fontsize=8)
            ax.set_title(title, fontsize=11)
            ax.set_ylabel(f"bookings ({currency})")
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
            ax.grid(axis="y", alpha=0.3)
            ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=5, frameon=False)
            fig.tight_layout()
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", metadata={"Software": None})
        finally:
            plt.close(fig)
    return buffer.getvalue()
