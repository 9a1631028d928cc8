"""The ``graph-engine`` command.

Every command takes ``--db`` (a SQLite path or a store URL; default from settings)
and ``--json`` for machine output. Errors print one line and exit with code 2.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from graph_engine import __version__
from graph_engine.config import Settings, get_settings
from graph_engine.errors import (
    GraphEngineError,
    NotFoundError,
    SourceError,
    StoreUnavailableError,
)
from graph_engine.ingest import (
    EDGE_LIST_COLUMNS,
    Ingestor,
    IngestReport,
    Source,
    detect_format,
    expand_paths,
)
from graph_engine.ingest.synthetic import SyntheticConfig, generate
from graph_engine.model import EVENT_TYPES
from graph_engine.scoring.money import explain_details
from graph_engine.store import GraphStore, open_store
from graph_engine.store.demo import is_neo4j_url, open_demo_store

__all__ = ["main"]

err_console = Console(stderr=True)
out_console = Console()


def _fail(message: str) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    sys.exit(2)


def _store_url(db: str | None, settings: Settings) -> str:
    if db is None:
        return settings.store_url
    return db if "://" in db else f"sqlite:///{db}"


def _open(db: str | None, settings: Settings) -> GraphStore:
    return open_store(_store_url(db, settings), settings)


def _emit(as_json: bool, payload: dict[str, Any]) -> None:
    if as_json:
        click.echo(json.dumps(payload, indent=2, default=str))


@contextmanager
def _byte_progress(total: int, label: str, quiet: bool) -> Iterator[Callable[[int], None]]:
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=quiet,
    )
    with progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)


def _print_report(report: IngestReport) -> None:
    table = Table(title="ingest", show_header=False, title_justify="left")
    for key in ("accepted", "rejected", "duplicates", "merges", "self_loops_dropped"):
        table.add_row(key, f"{getattr(report, key):,}")
    table.add_row("quarantine", report.quarantine or "(nothing rejected)")
    table.add_row("seconds", f"{report.seconds:.1f}")
    out_console.print(table)
    if report.rejected_by_reason:
        reasons = Table("rejected because", "rows", title_justify="left")
        for reason, count in sorted(report.rejected_by_reason.items(), key=lambda kv: -kv[1]):
            reasons.add_row(reason, f"{count:,}")
        out_console.print(reasons)


def _print_stats(stats: dict[str, Any]) -> None:
    table = Table(title="store", show_header=False, title_justify="left")
    for key, value in stats.items():
        if isinstance(value, dict):
            for sub, count in value.items():
                table.add_row(f"{key}.{sub}", f"{count:,}")
        else:
            table.add_row(key, f"{value:,}")
    out_console.print(table)


def _ingest(
    store: GraphStore,
    settings: Settings,
    sources: Sequence[Source],
    quarantine: Path | None,
    quiet: bool,
) -> IngestReport:
    total = sum(s.path.stat().st_size for s in sources)
    ingestor = Ingestor(store, settings, quarantine)
    with _byte_progress(total, "ingesting", quiet) as advance:
        return ingestor.ingest(sources, progress=advance)


class _Group(click.Group):
    """Turns library errors into one clear line and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GraphEngineError as exc:
            _fail(exc.message)
        except OSError as exc:
            _fail(f"{exc.filename or ''}: {exc.strerror or exc}")


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="graph-engine")
def main() -> None:
    """graph_engine: social-CRM graph and influence engine."""


db_option = click.option(
    "--db",
    default=None,
    metavar="PATH|URL",
    help="SQLite database path or store URL (default: GRAPH_ENGINE_STORE_URL or "
    "./graph_engine.db).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")


@main.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option(
    "--type",
    "event_type",
    type=click.Choice(EVENT_TYPES),
    default=None,
    help="Event type of rows without a 'type' field (CSV, Parquet, edge lists).",
)
@click.option(
    "--columns",
    default=None,
    help="Edge lists: comma-separated meaning of the columns, e.g. "
    "'viewer,sharer,count' ('_' skips a column; 'count' repeats the row).",
)
@click.option(
    "--action",
    default=None,
    help="Edge lists of shares: the share action (view, click or convert).",
)
@click.option(
    "--at",
    "at",
    default=None,
    help="Edge lists: timestamp of every row (default: the file's mtime).",
)
@click.option(
    "--quarantine",
    type=click.Path(path_type=Path),
    default=None,
    help="Quarantine file for rejected rows.",
)
@click.option("--strict", is_flag=True, help="Exit 1 if any row was rejected.")
@json_option
def ingest_command(
    paths: tuple[str, ...],
    db: str | None,
    event_type: str | None,
    columns: str | None,
    action: str | None,
    at: str | None,
    quarantine: Path | None,
    strict: bool,
    as_json: bool,
) -> None:
    """Ingest event files (JSONL, CSV, Parquet or SNAP edge lists; .gz ok)."""
    settings = get_settings()
    files = expand_paths(paths)
    sources = []
    for path in files:
        fmt = detect_format(path)
        cols: tuple[str, ...] = ()
        defaults: list[tuple[str, Any]] = []
        if fmt == "edgelist":
            if event_type not in EDGE_LIST_COLUMNS:
                raise SourceError(
                    f"{path}: an edge list needs --type {' or '.join(EDGE_LIST_COLUMNS)}"
                )
            if columns:
                cols = tuple(c.strip() for c in columns.split(","))
            if action:
                defaults.append(("action", action))
            elif event_type == "share":
                defaults.append(("action", "view"))
        if at:
            defaults.append(("at", at))
        sources.append(Source(path, fmt, event_type, cols, tuple(defaults)))
    store = _open(db, settings)
    try:
        report = _ingest(store, settings, sources, quarantine, as_json)
    finally:
        store.close()
    if as_json:
        _emit(True, report.to_dict())
    else:
        _print_report(report)
    if strict and report.rejected:
        sys.exit(1)


@main.command("stats")
@db_option
@json_option
def stats_command(db: str | None, as_json: bool) -> None:
    """Counts of customers, identities, merges, edges by type, orders, engagements."""
    settings = get_settings()
    url = _store_url(db, settings)
    if url.startswith("sqlite:///") and not Path(url[10:]).exists() and url[10:] != ":memory:":
        raise StoreUnavailableError(f"no database at {url[10:]!r}")
    store = open_store(url, settings)
    try:
        stats = store.stats().to_dict()
    finally:
        store.close()
    if as_json:
        _emit(True, stats)
    else:
        _print_stats(stats)


@main.command("schema")
@db_option
@json_option
def schema_command(db: str | None, as_json: bool) -> None:
    """Create or migrate the store's schema (Neo4j: constraints and indexes, idempotent)."""
    settings = get_settings()
    store = _open(db, settings)
    try:
        setup = getattr(store, "setup_schema", None)
        ran = setup() if setup is not None else []
    finally:
        store.close()
    payload = {"store": store.url, "statements": ran}
    if as_json:
        _emit(True, payload)
        return
    if not ran:
        out_console.print(f"{store.url}: schema is up to date (migrated on open)")
        return
    out_console.print(f"{store.url}: {len(ran)} schema statements applied (IF NOT EXISTS)")
    for line in ran:
        out_console.print(f"  {line}", highlight=False)


@main.command("customer")
@click.argument("reference")
@db_option
@json_option
def customer_command(reference: str, db: str | None, as_json: bool) -> None:
    """One customer by id, merged id or identity key: profile, scores, history."""
    settings = get_settings()
    store = _open(db, settings)
    try:
        record = asdict(store.customer(reference))
        scores: dict[str, Any] | None = None
        explained: list[str] | None = None
        history: list[dict[str, Any]] = []
        current = store.current_run()
        if current is not None:
            try:
                found = store.scores(record["id"])
                scores = found.to_dict()
                explained = explain_details(found.details, current.config, current.summary)
            except NotFoundError:
                scores = None
            history = [
                {
                    k: h.to_dict()[k]
                    for k in (
                        "run_id",
                        "tier",
                        "tier_level",
                        "social_value",
                        "community_id",
                        "expected_reach",
                    )
                }
                for h in store.score_history(record["id"])
            ]
    finally:
        store.close()
    if as_json:
        _emit(True, {**record, "scores": scores, "value_explained": explained, "history": history})
        return
    table = Table(title=f"customer {record['id']}", show_header=False, title_justify="left")
    for key, value in record.items():
        table.add_row(key, json.dumps(value, default=str) if not isinstance(value, str) else value)
    out_console.print(table)
    if scores is not None:
        sc = Table(title="scores (current run)", show_header=False, title_justify="left")
        for key, value in scores.items():
            sc.add_row(key, value if isinstance(value, str) else json.dumps(value, default=str))
        out_console.print(sc)
    if explained:
        out_console.print("[bold]social value, explained[/]")
        for line in explained:
            out_console.print(f"  {line}", highlight=False, soft_wrap=True)
    if len(history) > 1:
        hist = Table(
            "run", "tier", "level", "value", "community", title="history", title_justify="left"
        )
        for h in history:
            hist.add_row(
                h["run_id"],
                h["tier"],
                h["tier_level"] or "",
                f"{h['social_value']:,.2f}",
                str(h["community_id"]),
            )
        out_console.print(hist)


@main.command("merges")
@db_option
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@json_option
def merges_command(db: str | None, limit: int, as_json: bool) -> None:
    """The identity merge log: who was merged into whom, why and when."""
    settings = get_settings()
    store = _open(db, settings)
    try:
        rows = [asdict(m) for m in store.merges(limit)]
    finally:
        store.close()
    if as_json:
        _emit(True, {"data": rows, "count": len(rows)})
        return
    table = Table("survivor", "merged", "reason", "at", title="merges", title_justify="left")
    for m in rows:
        table.add_row(m["survivor_id"], m["merged_id"], m["reason"], m["at"])
    out_console.print(table)


def _generate(customers: int, seed: int, out: Path, quiet: bool) -> dict[str, Any]:
    progress = Progress(
        SpinnerColumn(),
        TextColumn("generating: {task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=quiet,
    )
    with progress:
        task = progress.add_task("start", total=None)
        truth = generate(
            out,
            SyntheticConfig(customers=customers, seed=seed),
            progress=lambda stage: progress.update(task, description=stage),
        )
    return {
        "out": str(out),
        "events_file": truth.events_file,
        "valid_events": truth.valid_events,
        "dirty": truth.dirty,
        "duplicates": truth.duplicates,
        "expected": truth.expected,
    }


@main.command("generate")
@click.option("--customers", type=click.IntRange(min=10), default=20_000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True)
@json_option
def generate_command(customers: int, seed: int, out: Path, as_json: bool) -> None:
    """Write realistic synthetic social-CRM events and their ground truth to OUT."""
    summary = _generate(customers, seed, out, as_json)
    if as_json:
        _emit(True, summary)
    else:
        out_console.print(
            f"wrote {summary['events_file']} ({summary['valid_events']:,} valid "
            f"events, {sum(summary['dirty'].values()):,} dirty rows, "
            f"{summary['duplicates']:,} replays) and ground truth in {out}"
        )


@main.command("demo")
@click.option("--customers", type=click.IntRange(min=10), default=20_000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--db",
    default=None,
    metavar="PATH|URL",
    help="Demo store, replaced on each run (only ever a demo store or an empty one): a "
    "SQLite path, or a Neo4j URL. Default: GRAPH_ENGINE_STORE_URL when it is a Neo4j URL "
    '(eval "$(scripts/neo4j env)"), else demo.db.',
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Keep the generated files here (default: a temporary directory).",
)
@click.option(
    "--serve/--no-serve",
    default=False,
    show_default=True,
    help="Then serve the API and the web explorer over the demo store (until Ctrl-C).",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@json_option
def demo_command(
    customers: int,
    seed: int,
    db: str | None,
    out: Path | None,
    serve: bool,
    port: int,
    as_json: bool,
) -> None:
    """Generate realistic data, ingest it, compute every score, print a summary (and,
    with --serve, serve the explorer over it)."""
    settings = get_settings()
    target = db or (settings.store_url if is_neo4j_url(settings.store_url) else "demo.db")
    with tempfile.TemporaryDirectory(prefix="graph-engine-demo-") as tmp:
        data_dir = out or Path(tmp)
        try:
            store = open_demo_store(target, settings)
        except GraphEngineError as exc:
            _fail(exc.message)
        on_neo4j = is_neo4j_url(target)
        shown = target if on_neo4j else str(Path(target))
        quarantine_dir = Path.cwd() if on_neo4j else Path(target).parent
        try:
            summary = _generate(customers, seed, data_dir, as_json)
            source = Source(Path(summary["events_file"]), "jsonl")
            quarantine = quarantine_dir / "quarantine" / f"demo-{_stamp()}.jsonl"
            report = _ingest(store, settings, [source], quarantine, as_json)
            stats = store.stats().to_dict()
            from graph_engine.cli_scores import run_compute

            run = run_compute(store, settings, as_json)
            showcase = _showcase(store, settings)
        finally:
            store.close()
    payload = {
        "generated": summary,
        "ingest": report.to_dict(),
        "stats": stats,
        "db": shown,
        "run": run.to_dict(),
        **showcase,
        "top_kols": [s.to_dict() for s in showcase["top_kols"]],
        "top_kocs": [s.to_dict() for s in showcase["top_kocs"]],
    }
    if as_json:
        _emit(True, payload)
    else:
        _print_demo(summary, report, stats, run, showcase, customers, seed, shown)
    if serve:
        from graph_engine.cli_scores import serve as serve_store

        # quiet server logs: the demo ends with the explorer's URL (and errors, if any)
        url = target if on_neo4j else f"sqlite:///{Path(target).resolve()}"
        serve_store(url, settings, "127.0.0.1", port, log_level="warning")
    elif not as_json:
        out_console.print(
            f"explorer: graph-engine serve --db {shown}, then open http://127.0.0.1:8000/"
        )


def _print_demo(
    summary: dict[str, Any],
    report: Any,
    stats: dict[str, Any],
    run: Any,
    showcase: dict[str, Any],
    customers: int,
    seed: int,
    shown: str,
) -> None:
    out_console.print(
        f"[bold]graph_engine demo[/]: {customers:,} synthetic customers (seed {seed}) into {shown}"
    )
    _print_report(report)
    _print_stats(stats)
    expected = summary["expected"]
    same = {k: expected[k] == stats[k] for k in expected}
    verdict = "matches" if all(same.values()) else "DIFFERS from"
    out_console.print(f"store counts {verdict} the planted ground truth minus quarantined rows")
    from graph_engine.cli_scores import _print_run, _print_seeds, _score_table

    _print_run(run)
    names = showcase["names"]
    out_console.print(_score_table("top KOLs", showcase["top_kols"], "social_value", names))
    out_console.print(_score_table("top KOCs", showcase["top_kocs"], "expected_reach", names))
    table = Table(
        "community",
        "size",
        "kol",
        "koc",
        "key influencers",
        title="largest communities",
        title_justify="left",
    )
    for p in showcase["communities"]:
        mix = p["tier_mix"]
        table.add_row(
            str(p["community_id"]),
            f"{p['size']:,}",
            str(mix.get("kol", 0)),
            str(mix.get("koc", 0)),
            ", ".join(t["id"] for t in p["top_influencers"][:3]),
        )
    out_console.print(table)
    out_console.print("[bold]seed selection example[/]: 10 seeds among KOLs, KOCs and employees")
    _print_seeds(showcase["seed_selection"], showcase["seed_selection"]["seeds"])
    out_console.print(
        f"next: graph-engine top --tier kol --db {shown} | communities | customer ID | "
        "reach ID... | select-seeds --k 10 | referrals"
    )


def _showcase(store: GraphStore, settings: Settings) -> dict[str, Any]:
    """What the demo prints after compute: top KOLs / KOCs, communities, a seed plan."""
    from graph_engine import planning

    seeds = planning.plan_seeds(
        store, k=10, candidate_tiers=["kol", "koc", "employee"], settings=settings
    )
    kols = store.top_scores(tier="kol", limit=5)
    kocs = store.top_scores(tier="koc", by="expected_reach", limit=5)
    return {
        "top_kols": kols,
        "top_kocs": kocs,
        "names": store.customer_names([s.customer_id for s in (*kols, *kocs)]),
        "communities": store.community_profiles()[:5],
        "seed_selection": {**seeds.to_dict(), "seeds": planning.describe(seeds, store)},
    }


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


from graph_engine import cli_scores  # noqa: E402,F401  (registers the analyst commands)

if __name__ == "__main__":  # pragma: no cover
    # run the importable module's group (the one cli_scores registered its commands on)
    from graph_engine.cli import main as _main

    _main()
