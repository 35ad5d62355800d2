"""The house's import rules, on the tree: the floor imports nothing above it, domains never
import the code location, and no two packages import each other (directly or round a circle).

Packages: ``core``, each domain ``assets.<domain>``, ``orchestration``,
``expectations``, ``demo``, ``bench``. Imports are read from the source (``ast``),
also the ones inside functions, so a lazy import does not hide a circle.
"""

from __future__ import annotations

import ast
import subprocess
from collections import defaultdict

from core.settings import REPO_ROOT

PACKAGES_ABOVE_CORE = ("assets", "orchestration", "expectations", "demo", "bench")


def package_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "assets" and len(parts) > 1:
        return "assets." + parts[1]
    return parts[0] if parts[0] in ("core", *PACKAGES_ABOVE_CORE) else None


def module_name(path: str) -> str:
    name = path[: -len(".py")].replace("/", ".")
    return name[: -len(".__init__")] if name.endswith(".__init__") else name


def imports() -> dict[str, set[str]]:
    """Module -> the project modules it imports (anywhere in its body)."""
    listed = subprocess.run(["git", "ls-files", "*.py"], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    found: dict[str, set[str]] = {}
    for path in listed.stdout.split():
        if path.startswith("tests/") or package_of(module_name(path)) is None:
            continue
        tree = ast.parse((REPO_ROOT / path).read_text(), filename=path)
        names: set[str] = set()
        for node in ast.walk(_without_type_checking_blocks(tree)):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
        found[module_name(path)] = {n for n in names if package_of(n) is not None}
    return found


def _without_type_checking_blocks(tree: ast.Module) -> ast.Module:
    """The module without its ``if TYPE_CHECKING:`` blocks: annotations only, never imported at run time."""

    class Strip(ast.NodeTransformer):
        def visit_If(self, node: ast.If):
            if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
                return None
            return self.generic_visit(node)

    return Strip().visit(tree)


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, targets in imports().items():
        source = package_of(module)
        for target in targets:
            destination = package_of(target)
            if destination not in (None, source, "assets"):
                graph[source].add(destination)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one package (Tarjan)."""
    index, low, stack, on_stack, groups, counter = {}, {}, [], set(), [], [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for child in sorted(graph.get(node, ())):
            if child not in index:
                visit(child)
                low[node] = min(low[node], low[child])
            elif child in on_stack:
                low[node] = min(low[node], index[child])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(set(graph) | {t for ts in graph.values() for t in ts}):
        if node not in index:
            visit(node)
    return groups


def test_the_floor_imports_nothing_above_it():
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in imports().items()
        if module.startswith("core")
        for target in targets
        if not target.startswith("core")
    )
    assert not upward, "\n".join(upward)


def test_no_domain_imports_the_code_location():
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in imports().items()
        if module.startswith("assets.")
        for target in targets
        if target.startswith("orchestration")
    )
    assert not upward, "\n".join(upward)


def test_no_import_circle_between_packages():
    assert not cycles(package_graph())


def test_no_import_circle_between_modules():
    graph = {module: {t for t in targets if t in imports_cache} for module, targets in imports_cache.items()}
    assert not cycles(graph)


def test_the_circle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


imports_cache = imports()


def test_python_reads_only_marts():
    """No Python module queries a staging or intermediate relation (dbt_project/README.md: the seam is the marts)."""
    import re

    relation = re.compile(r"\b(?:from|join)\s+((?:stg|int)_[a-z0-9_]+)", re.IGNORECASE)
    listed = subprocess.run(["git", "ls-files", "*.py"], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    readers = sorted(
        f"{path}: {match.group(1)}"
        for path in listed.stdout.split()
        if not path.startswith("tests/")
        for match in relation.finditer((REPO_ROOT / path).read_text())
    )
    assert not readers, "\n".join(readers)


# The incremental engine's state (docs/incremental.md) is outside the layers: every incremental
# model reads the scope, staging tables and marts included, and the record of the loads the
# deal-level models reflect waits for all of them (an ordering edge: it reads none of them).
ENGINE_SCOPE = "model.spm.int_engine_touched_opportunities"
ENGINE_RECORD = "model.spm.int_engine_loads"


def test_dbt_layers_point_one_way():
    """dbt_project/README.md's layer rules, on the manifest: only staging reads sources; no
    intermediate model reads a mart; staging reads no model of a later layer (but the engine's
    scope and record, above)."""
    import json

    from core.dbt import DBT_PROJECT

    manifest = json.loads(DBT_PROJECT.manifest_path.read_text())
    layer_of = {
        node_id: node["fqn"][1]
        for node_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
    }
    broken = []
    for node_id, layer in sorted(layer_of.items()):
        for parent in manifest["nodes"][node_id]["depends_on"]["nodes"]:
            if parent.startswith("source.") and layer != "staging":
                broken.append(f"{node_id} ({layer}) reads the source {parent}")
            elif layer_of.get(parent) == "marts" and layer != "marts" and node_id != ENGINE_RECORD:
                broken.append(f"{node_id} ({layer}) reads the mart {parent}")
            elif layer == "staging" and layer_of.get(parent) == "intermediate" and parent != ENGINE_SCOPE:
                broken.append(f"{node_id} (staging) reads {parent}")
    assert layer_of and not broken, "\n".join(broken)
