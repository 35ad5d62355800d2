"""Actuals vs forecast with its P10-P90 interval, one PNG per series (matplotlib, Agg); the payout
forecast's P10 / P50 / P90 scenarios against the actual payout, one PNG per currency.

The bytes are stable: fixed size and dpi, the bundled DejaVu font, no
timestamp, and the PNG "Software" text chunk removed (it names the version).

Cheap enough for a plot per team: one bare Agg figure (no pyplot registry),
cleared between the plots of a run (``ForecastPlotter``: its renderer keeps the
text measurements, and the month labels and legend entries recur); the margins
``tight_layout`` would set, measured on the few artists that decide them
(``subplot_margins``) rather than on every artist, and without the second
layout pass that ``tight_layout`` leaves to savefig; and the PNG compressed
lightly (``PNG_COMPRESS_LEVEL``: zlib's default level took twice as long, for a
few percent of bytes). The pictures are the same, pixel for pixel.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import polars as pl  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from assets.forecasts.calendar import month_label  # noqa: E402

HISTORY_MONTHS_SHOWN = 12
FIGSIZE = (10, 5)  # inches
DPI = 100
STYLE = {"font.family": "DejaVu Sans", "svg.hashsalt": "spm", "path.simplify": False}
TIGHT_LAYOUT_PAD = 1.08  # tight_layout's default: the space around the artists, in font sizes
PNG_COMPRESS_LEVEL = 1


def forecast_png(title: str, currency: str, history: pl.DataFrame, forecast: pl.DataFrame,
                 backtest: pl.DataFrame | None = None) -> bytes:
    """One plot (see ``ForecastPlotter.png``)."""
    return ForecastPlotter().png(title, currency, history, forecast, backtest)


_WORKER_PLOTTER: ForecastPlotter | None = None


def bookings_png(plot: tuple) -> bytes:
    """``ForecastPlotter.png(*plot)`` on this process's plotter: a run's plots printed by
    core/parallel.py ``map_in_order`` (one plotter per worker process), the same bytes as a loop."""
    global _WORKER_PLOTTER
    if _WORKER_PLOTTER is None:
        _WORKER_PLOTTER = ForecastPlotter()
    return _WORKER_PLOTTER.png(*plot)


def _finished_png(fig: Figure, ax, month_labels: list[str], title: str, ylabel: str, legend_columns: int) -> bytes:
    """The month axis, title, amount axis, grid and legend every forecast plot shares, and its PNG bytes
    (no software or date metadata: a rerun writes the same bytes)."""
    ax.set_xticks(range(len(month_labels)))
    ax.set_xticklabels(month_labels, rotation=45, ha="right", fontsize=8)
    ax.set_title(title, fontsize=11)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=legend_columns, frameon=False)
    fig.subplots_adjust(**subplot_margins(fig, ax))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None}, pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    return buffer.getvalue()


class ForecastPlotter:
    """Draws plots one after another on one figure, cleared in between; a plot's bytes do not
    depend on the plots drawn before it. Not for use by two threads at once."""

    def __init__(self) -> None:
        self._figure: Figure | None = None

    def _cleared_figure(self) -> Figure:
        if self._figure is None:
            self._figure = Figure(figsize=FIGSIZE, dpi=DPI)
            FigureCanvasAgg(self._figure)
        self._figure.clear()
        # the subplot where a new figure puts it: subplot_margins measures from there
        self._figure.subplots_adjust(**{side: matplotlib.rcParams[f"figure.subplot.{side}"]
                                        for side in ("left", "right", "bottom", "top")})
        return self._figure

    def png(self, title: str, currency: str, history: pl.DataFrame, forecast: pl.DataFrame,
            backtest: pl.DataFrame | None = None) -> bytes:
        """``history``: month, actual; ``forecast``: month, forecast, p10, p90 (and actual_to_date);
        ``backtest``: month, forecast (one-month-ahead backtest forecasts), optional."""
        history = history.sort("month").tail(HISTORY_MONTHS_SHOWN)
        forecast = forecast.sort("month")
        months = sorted(set(history["month"].to_list()) | set(forecast["month"].to_list()))
        x = {m: i for i, m in enumerate(months)}
        with matplotlib.rc_context(STYLE):
            fig = self._cleared_figure()
            ax = fig.add_subplot()
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
            return _finished_png(fig, ax, [month_label(m) for m in months], title, f"bookings ({currency})", 5)


    def payout_png(self, title: str, currency: str, summary: pl.DataFrame, open_period: str) -> bytes:
        """``summary``: scenario (``actual``, ``P10``, ``P50``, ``P90``), period, payable_amount of one
        currency (``payout_summary.parquet``). One line per scenario over the periods it has; the
        actual up to ``open_period`` (the as-of month, paid to date: what the engine pays today for a
        later period, a draw say, is no actual yet). The scenarios are drawn as lines, not a
        band: a scenario is a company-bookings quantile, and one period may pay more under P10
        than under P50 (docs/forecasts.md)."""
        summary = summary.sort("scenario", "period")
        months = sorted(set(summary["period"].to_list()))
        x = {m: i for i, m in enumerate(months)}
        series = [("actual", "actual payout (open month: to date)", "#1f4e79", "-", "o"),
                  ("P10", "P10 scenario", "#f4a259", "--", "v"),
                  ("P50", "P50 scenario", "#c8553d", "--", "o"),
                  ("P90", "P90 scenario", "#588b8b", "--", "^")]
        with matplotlib.rc_context(STYLE):
            fig = self._cleared_figure()
            ax = fig.add_subplot()
            for scenario, label, color, style, marker in series:
                rows = summary.filter(pl.col("scenario") == scenario)
                if scenario == "actual":
                    rows = rows.filter(pl.col("period") <= open_period)
                if rows.height:
                    # a picture of the amounts: float only for the drawing, the files keep the DECIMAL
                    ax.plot([x[m] for m in rows["period"]], [float(a) for a in rows["payable_amount"]],
                            color=color, linestyle=style, marker=marker, linewidth=1.8, label=label)
            ax.set_ylim(bottom=0)
            return _finished_png(fig, ax, months, title, f"payout ({currency})", 4)


def payout_plot_name(currency: str) -> str:
    """The payout plot of a currency, under ``forecasts/plots/``."""
    return f"payout_{currency}.png"


def subplot_margins(fig: Figure, ax) -> dict[str, float]:
    """The subplot parameters ``fig.tight_layout()`` sets for a plot of ``forecast_png`` (figure
    fractions), from the artists that reach furthest out of the axes: the bookings axis (ticks,
    labels, axis label) on the left, the title above, the legend below (under the month labels);
    nothing passes the axes on the right. Measured as tight_layout measures, with the axes where
    the figure first put them."""
    renderer = fig.canvas.get_renderer()
    to_figure = fig.transFigure.inverted()
    box = ax.get_position(original=True)
    y_axis = to_figure.transform_bbox(ax.yaxis.get_tightbbox(renderer, for_layout_only=True))
    title = to_figure.transform_bbox(ax.title.get_window_extent(renderer))
    legend = to_figure.transform_bbox(ax.get_legend().get_window_extent(renderer))
    pad_inch = TIGHT_LAYOUT_PAD * FontProperties(size=matplotlib.rcParams["font.size"]).get_size_in_points() / 72
    width_inch, height_inch = fig.get_size_inches()
    return {
        "left": max(box.xmin - y_axis.xmin, 0) + pad_inch / width_inch,
        "right": 1 - pad_inch / width_inch,
        "top": 1 - (max(title.ymax - box.ymax, 0) + pad_inch / height_inch),
        "bottom": max(box.ymin - legend.ymin, 0) + pad_inch / height_inch,
    }
