"""The console of the CLI's runs (console logger style ``lines``): what a person reads.

Dagster's console logger writes a line of ~200 characters (job, run id, pid, step,
event type) for each of a run's ~2,000 events. The CLI asks for this instead: a
line per stage (the domain of a step's assets: ingest, the dbt build, payouts,
statements, ...) when its last step ends, with its counts and time; the latest
progress line of a long step (core/progress.py: a progress bar on a terminal, a
line every PROGRESS_EVERY_SECONDS otherwise); every warning and error in one
line on stderr. The Dagster event log (the UI) keeps every event.
"""

from __future__ import annotations

import logging
import re
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field

import dagster as dg

from core.progress import parse_progress
from orchestration.console import _DAGSTER_META, OneLineUserErrors, error_message

# A step whose assets belong to several domains is its own stage, under this name.
STAGE_NAMES = {"spm_dbt_models": "dbt build"}
# Without a terminal, a long step's progress is printed at most this often (per step).
PROGRESS_EVERY_SECONDS = 60.0
# Longest line printed (a progress line's detail or a warning is cut with "...").
MAX_LINE = 160
STAGE_WIDTH = 13
COUNTS_WIDTH = 48


def format_elapsed(seconds: float) -> str:
    """``0.4 s``, ``12 s``, ``3 min 05 s``, ``1 h 02 min``."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


def shorten(text: str, width: int = MAX_LINE) -> str:
    """The first line of ``text``, cut to ``width`` characters with "..."."""
    first = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return first if len(first) <= width else first[: width - 3].rstrip() + "..."


@dataclass
class StageTally:
    """What the steps of one stage did so far."""

    name: str
    steps: set[str] = field(default_factory=set)
    finished: set[str] = field(default_factory=set)
    failed: list[str] = field(default_factory=list)
    skipped: int = 0  # steps skipped, or not run because a step upstream failed
    assets: int = 0
    checks_passed: int = 0
    checks_warned: int = 0  # failed, with severity WARN: said, not stopping anything
    checks_failed: int = 0  # failed blocking checks
    seconds: float = 0.0

    @property
    def done(self) -> bool:
        return self.steps <= self.finished


def stage_line(stage: StageTally) -> str:
    """One line: the stage, its counts, its steps' time; ``FAILED`` names the failed steps."""
    counts = []
    if stage.assets:
        counts.append(_count(stage.assets, "asset"))
    if stage.checks_passed or stage.checks_warned or stage.checks_failed:
        counts.append(f"{_count(stage.checks_passed, 'check')} passed")
    if stage.checks_warned:
        counts.append(_count(stage.checks_warned, "warning"))
    if stage.checks_failed:
        counts.append(f"{stage.checks_failed} FAILED")
    if stage.skipped:
        counts.append(f"{_count(stage.skipped, 'step')} not run")
    text = ", ".join(counts) or "done"
    line = f"{stage.name:<{STAGE_WIDTH}} {text:<{COUNTS_WIDTH}} {format_elapsed(stage.seconds):>10}"
    if stage.failed:
        line += f"  FAILED: {', '.join(stage.failed)}"
    return line.rstrip()


def status_line(done: int, total: int, text: str, seconds: float, width: int) -> str:
    """The terminal's progress bar: steps done of the run, the latest progress, the time so far."""
    bar_width = 20
    filled = bar_width * done // total if total else 0
    head = f"[{'#' * filled}{'-' * (bar_width - filled)}] {done}/{total} steps"
    tail = format_elapsed(seconds)
    room = max(width - len(head) - len(tail) - 5, 0)
    middle = text if len(text) <= room else (text[: max(room - 3, 0)] + "..." if room > 3 else "")
    return f"{head}  {middle:<{room}}  {tail}"[: max(width - 1, 0)]


class RunConsole:
    """The console of one run, fed step by step (``RunConsoleHandler`` turns Dagster's records
    into these calls); ``out`` and ``err`` write a line; ``tty``: redraw a progress bar on ``out``.

    The plan (``planned``) names each node of the job with its stage: a step, or a
    graph-backed asset whose steps (``<node>.<op>``, some only known when they run)
    are done when the node's assets are materialized, or one of them failed."""

    def __init__(self, out, err, tty: bool = False, clock=time.monotonic, width: int = 100):
        self.out, self.err, self.tty, self.clock, self.width = out, err, tty, clock, width
        self.stages: dict[str, StageTally] = {}
        self.stage_of: dict[str, str] = {}  # node -> stage
        self.graph_assets: dict[str, int] = {}  # graph node -> assets it materializes
        self.materialized_by: dict[str, int] = {}
        self.running: dict[str, int] = {}  # node -> steps running
        self.finished_nodes: set[str] = set()
        self.started: dict[str, float] = {}
        self.last_progress: dict[str, float] = {}
        self.status_text = ""
        self.run_started = clock()
        self._status_shown = False

    # -- what Dagster planned and what the steps did
    def planned(self, node: str, stage: str, graph_assets: int = 0) -> None:
        self.stage_of[node] = stage
        if graph_assets:
            self.graph_assets[node] = graph_assets
        self.stages.setdefault(stage, StageTally(stage)).steps.add(node)

    def node_of(self, step: str) -> str:
        prefix = step.split(".", 1)[0]
        return prefix if prefix in self.graph_assets else step

    def _stage(self, step: str) -> StageTally:
        node = self.node_of(step)
        name = self.stage_of.get(node)
        if name is None:  # not in the plan: a stage of its own
            self.planned(node, node)
            name = node
        stage = self.stages.setdefault(name, StageTally(name))
        stage.steps.add(node)
        return stage

    def step_started(self, step: str) -> None:
        stage = self._stage(step)
        node = self.node_of(step)
        self.running[node] = self.running.get(node, 0) + 1
        self.started[step] = self.clock()
        self._status(f"{stage.name}: {step}")

    def step_finished(self, step: str, outcome: str) -> None:
        stage = self._stage(step)
        node = self.node_of(step)
        self.running[node] = max(self.running.get(node, 0) - 1, 0)
        if step in self.started:
            stage.seconds += self.clock() - self.started.pop(step)
        if outcome == "failed":
            stage.failed.append(step)
        elif outcome == "skipped":
            stage.skipped += 1
        node_done = node not in self.graph_assets or outcome != "succeeded" or (
            not self.running[node] and self.materialized_by.get(node, 0) >= self.graph_assets[node]
        )
        if node_done:
            stage.finished.add(node)
            self.finished_nodes.add(node)
        if stage.done:
            self._line(stage_line(stage))
            # A later step of the same stage (a retry, a re-execution) starts a new tally.
            self.stages[stage.name] = StageTally(stage.name)
        else:
            self._status(f"{stage.name}: {step} done")

    def materialized(self, step: str) -> None:
        self._stage(step).assets += 1
        node = self.node_of(step)
        self.materialized_by[node] = self.materialized_by.get(node, 0) + 1

    def check_evaluated(self, step: str, passed: bool, warn_only: bool, label: str, description: str) -> None:
        stage = self._stage(step)
        if passed:
            stage.checks_passed += 1
            return
        if warn_only:  # a blocking check's failure is said by the run's closing lines
            stage.checks_warned += 1
            self.warning(step, f"check {label} failed" + (f": {description}" if description else ""))
        else:
            stage.checks_failed += 1

    def progress(self, step: str, message: str) -> None:
        stage = self._stage(step).name if step else ""
        text = f"{stage}: {message}" if stage and not message.startswith(stage) else message
        if self.tty:
            self._status(text)
            return
        now = self.clock()
        since = self.last_progress.get(step, self.started.get(step, self.run_started))
        if now - since >= PROGRESS_EVERY_SECONDS:
            self.last_progress[step] = now
            self._line(f"{'':<{STAGE_WIDTH}} {shorten(text, MAX_LINE - STAGE_WIDTH - 1)}")

    def warning(self, step: str | None, message: str, level: str = "warning") -> None:
        where = f"{step}: " if step else ""
        self._line(shorten(f"{level}: {where}{message}"), stream=self.err)

    def finished(self) -> None:
        """The run ended: each stage still open gets its line (``not run`` when none of its steps ran)."""
        for stage in self.stages.values():
            if stage.finished or stage.failed or stage.assets or stage.checks_passed or stage.checks_warned \
                    or stage.checks_failed:
                self._line(stage_line(stage))
            elif stage.steps:
                self._line(f"{stage.name:<{STAGE_WIDTH}} not run")
        self.stages.clear()
        self._clear_status()

    # -- output
    def _clear_status(self) -> None:
        if self.tty and self._status_shown:
            self.out("\r\x1b[K", end="")
            self._status_shown = False

    def _status(self, text: str) -> None:
        if not self.tty:
            return
        self.status_text = text
        total = len(self.stage_of)
        done = min(len(self.finished_nodes), total)
        self.out("\r" + status_line(done, total, text, self.clock() - self.run_started, self.width) + "\x1b[K", end="")
        self._status_shown = True

    def _line(self, text: str, stream=None) -> None:
        self._clear_status()
        (stream or self.out)(text)
        if self.tty and self.status_text:
            self._status(self.status_text)


def _print_to(stream_name: str):
    def write(text: str, end: str = "\n") -> None:
        stream = getattr(sys, stream_name)
        stream.write(text + end)
        stream.flush()

    return write


def _first_line_of_error(event) -> str:
    data = event.event_specific_data
    error = getattr(data, "error", None)
    return error_message(error).splitlines()[0] if error is not None else ""


def stage_name(step: str, groups: set[str]) -> str:
    """A step's stage: the one group (domain) of its assets and checks, else its own name."""
    return next(iter(groups)) if len(groups) == 1 else STAGE_NAMES.get(step, step)


def job_stages(job_def) -> dict[str, tuple[str, int]]:
    """Each top-level node of ``job_def`` (a step, or the graph of a graph-backed asset's steps):
    its stage (``stage_name``, from the groups of its assets and checks) and, for a graph, the
    number of assets it materializes (0 for a step)."""
    from dagster._core.definitions.dependency import GraphNode, NodeHandle

    layer = getattr(job_def, "asset_layer", None)
    if layer is None:
        return {}
    stages = {}
    for node in job_def.graph.nodes:
        assets_def = layer.get_assets_def_for_node(NodeHandle(node.name, None))
        if assets_def is None:
            continue
        keys = [*assets_def.keys, *(check.asset_key for check in assets_def.check_keys)]
        groups = {layer.asset_graph.get(key).group_name or "default" for key in keys if layer.asset_graph.has(key)}
        graph_assets = len(assets_def.keys) if isinstance(node, GraphNode) else 0
        stages[node.name] = (stage_name(node.name, groups), graph_assets)
    return stages


# What Dagster logs (as an error) for a step it does not run because a step upstream failed.
_ABANDONED = re.compile(r"^Dependencies for step \S+ (failed|were not executed)")


class RunConsoleHandler(logging.Handler):
    """Turns the records of a run's log manager into ``RunConsole`` calls.

    ``job_def`` gives each step's stage (``job_stages``); ``user_level`` is the
    threshold for the steps' own messages (only progress lines and warnings are
    printed at all)."""

    def __init__(self, console: RunConsole, job_def=None, user_level: int = logging.INFO):
        super().__init__(level=logging.DEBUG)
        self.console, self.user_level = console, user_level
        try:
            stages = job_stages(job_def) if job_def is not None else {}
        except Exception:  # the console must never fail a run: each step is then its own stage
            stages = {}
        for node, (stage, graph_assets) in stages.items():
            console.planned(node, stage, graph_assets)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._emit(record)
        except Exception:  # the console must never fail a run
            self.handleError(record)

    def _emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, _DAGSTER_META, None) or {}
        event = meta.get("dagster_event")
        step = meta.get("step_key")
        console = self.console
        if event is None:
            message = meta.get("orig_message") or record.getMessage()
            if step and _ABANDONED.match(message):  # said by the stage line ("not run") and the failure
                console.step_finished(step, "skipped")
            elif record.levelno >= logging.WARNING:
                console.warning(step, message, "error" if record.levelno >= logging.ERROR else "warning")
            elif record.levelno >= self.user_level and step and parse_progress(message):
                console.progress(step, message)
            return
        kind = event.event_type
        data = event.event_specific_data
        if kind == dg.DagsterEventType.RUN_START:
            console.run_started = console.clock()
            console._line(f"run {meta.get('run_id')}: every event in the Dagster UI (`spm dev`, Runs)")
        elif kind == dg.DagsterEventType.STEP_START:
            console.step_started(step)
        elif kind == dg.DagsterEventType.STEP_SUCCESS:
            console.step_finished(step, "succeeded")
        elif kind == dg.DagsterEventType.STEP_FAILURE:
            console.step_finished(step, "failed")
        elif kind == dg.DagsterEventType.STEP_SKIPPED:
            console.step_finished(step, "skipped")
        elif kind == dg.DagsterEventType.STEP_UP_FOR_RETRY:
            console.warning(step, f"retrying after: {_first_line_of_error(event)}")
        elif kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            console.materialized(step)
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            warn_only = data.severity != dg.AssetCheckSeverity.ERROR
            label = f"{data.asset_key.to_user_string()}:{data.check_name}"
            console.check_evaluated(step, data.passed, warn_only, label, shorten(data.description or ""))
        elif kind in (dg.DagsterEventType.RUN_SUCCESS, dg.DagsterEventType.RUN_FAILURE):
            console.finished()
        elif record.levelno >= logging.WARNING and kind != dg.DagsterEventType.STEP_FAILURE:
            console.warning(step, meta.get("orig_message") or record.getMessage())


# Dagster builds a run's loggers more than once (the run's own events, its steps' events):
# they share the run's console.
_RUN_CONSOLES: dict[str, RunConsole] = {}
_RUN_CONSOLES_LOCK = threading.Lock()


def run_console_logger(name: str, level: int, job_def=None, run_id: str | None = None) -> logging.Logger:
    """A logger printing a run as ``RunConsole`` does, on this process's stdout and stderr."""
    with _RUN_CONSOLES_LOCK:
        console = _RUN_CONSOLES.get(run_id) if run_id else None
        if console is None:
            tty = sys.stdout.isatty()
            width = shutil.get_terminal_size((100, 24)).columns if tty else 100
            console = RunConsole(_print_to("stdout"), _print_to("stderr"), tty=tty, width=width)
            if run_id:
                _RUN_CONSOLES.clear()  # one run at a time prints: an earlier run's console is done
                _RUN_CONSOLES[run_id] = console
            planned = True
        else:
            planned = False
    logger = logging.Logger(name, level=logging.DEBUG)
    logger.addHandler(RunConsoleHandler(console, job_def if planned else None, user_level=level))
    return logger


# The console's styles (logger config ``style``).
EVENTS, LINES = "events", "lines"


@dg.logger(
    {
        "log_level": dg.Field(str, is_required=False, default_value="INFO", description="The logger's threshold."),
        "name": dg.Field(str, is_required=False, default_value="dagster", description="The name of the logger."),
        "style": dg.Field(
            dg.Enum("ConsoleStyle", [dg.EnumValue(EVENTS), dg.EnumValue(LINES)]),
            is_required=False,
            default_value=EVENTS,
            description="events: Dagster's colored line per event; lines: a line per stage with its counts and "
            "time, long steps' progress, warnings and errors in one line (the CLI's runs).",
        ),
    },
    description="Dagster's colored console logger, failures from user errors in one line without a stack trace; "
    "or (style lines) the console a person reads: a line per stage, progress, warnings.",
)
def spm_console_logger(init_context) -> logging.Logger:
    config = init_context.logger_config
    if config.get("style") == LINES:
        level = logging.getLevelName(str(config["log_level"]).upper())
        return run_console_logger(
            config["name"], level if isinstance(level, int) else logging.INFO, init_context.job_def, init_context.run_id
        )
    logger = dg.colored_console_logger.logger_fn(init_context)
    logger.addFilter(OneLineUserErrors())
    return logger
