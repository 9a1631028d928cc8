"""Analyst commands of ``graph-engine``: compute, runs, top, communities, lift, reach,
select-seeds, shortlist, referrals (registered on :data:`graph_engine.cli.main`)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph_engine import campaigns, planning
from graph_engine.cli import (
    _emit,
    _fail,
    _open,
    _store_url,
    db_option,
    err_console,
    json_option,
    main,
    out_console,
)
from graph_engine.config import Settings, get_settings
from graph_engine.engines import EngineName
from graph_engine.errors import ParameterError
from graph_engine.pipeline import STAGES, compute
from graph_engine.store import GraphStore
from graph_engine.store.base import SCORE_FIELDS, RunRecord, ScoreRecord

__all__ = ["run_compute"]


def run_compute(
    store: GraphStore, settings: Settings, quiet: bool, engine: EngineName | None = None
) -> RunRecord:
    """``compute`` with a stage-by-stage progress bar on stderr."""
    progress = Progress(
        TextColumn("computing: {task.description:<13}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=quiet,
    )
    with progress:
        task = progress.add_task("start", total=len(STAGES))

        def report(stage: str, fraction: float) -> None:
            done = STAGES.index(stage) + min(max(fraction, 0.0), 1.0)
            progress.update(task, description=stage, completed=done)

        return compute(store, settings, progress=report, engine=engine)


def _print_run(run: RunRecord) -> None:
    s = run.summary
    out_console.print(
        f"[bold]run {run.run_id}[/] published: {s.get('customers', 0):,} customers, "
        f"{s.get('communities', 0):,} communities (modularity {s.get('modularity') or 0:.3f}), "
        f"as of {s.get('as_of')}"
    )
    engine = run.config.get("engine")
    if engine:
        version = run.config.get("engine_version")
        out_console.print(f"engine: {engine}" + (f" {version}" if version else ""))
    tiers = Table("tier", "customers", title="tiers", title_justify="left")
    for tier, count in sorted(s.get("tiers", {}).items(), key=lambda kv: -kv[1]):
        tiers.add_row(tier, f"{count:,}")
    out_console.print(tiers)
    stab = s.get("community_stability", {})
    if stab.get("compared"):
        out_console.print(
            f"communities vs previous run: {stab['matched']} kept their id, {stab['new']} new, "
            f"{stab['moved']:,} of {stab['compared']:,} customers moved"
        )
    stages = Table("stage", "seconds", title="timings", title_justify="left")
    for stage, seconds in run.timings.items():
        stages.add_row(stage, f"{seconds:.2f}")
    out_console.print(stages)


@main.command("compute")
@db_option
@click.option(
    "--engine",
    type=click.Choice(["auto", "gds", "python"]),
    default=None,
    help="Where influence and communities run: Neo4j Graph Data Science on the store's "
    "server (gds), this process (python), or gds when the store is Neo4j with GDS "
    "installed (auto). Default: GRAPH_ENGINE_COMPUTE_ENGINE, else auto.",
)
@json_option
def compute_command(db: str | None, engine: EngineName | None, as_json: bool) -> None:
    """Recompute influence, reach, communities, value and tiers; publish a new run."""
    settings = get_settings()
    store = _open(db, settings)
    try:
        run = run_compute(store, settings, as_json, engine)
    finally:
        store.close()
    if as_json:
        _emit(True, run.to_dict())
    else:
        _print_run(run)


@main.command("runs")
@db_option
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@json_option
def runs_command(db: str | None, limit: int, as_json: bool) -> None:
    """Recompute runs, newest first (the current one marked)."""
    settings = get_settings()
    store = _open(db, settings)
    try:
        runs = store.runs(limit)
        current = store.current_run()
    finally:
        store.close()
    if as_json:
        _emit(
            True,
            {
                "data": [r.to_dict() for r in runs],
                "count": len(runs),
                "current": current.run_id if current else None,
            },
        )
        return
    table = Table(
        "run",
        "status",
        "started",
        "finished",
        "customers",
        "seconds",
        title="runs",
        title_justify="left",
    )
    for r in runs:
        mark = " (current)" if current and r.run_id == current.run_id else ""
        table.add_row(
            r.run_id + mark,
            r.status,
            r.started_at[:19],
            (r.finished_at or "")[:19],
            f"{r.summary.get('customers', 0):,}",
            f"{sum(r.timings.values()):.1f}",
        )
    out_console.print(table)


csv_option = click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path, dir_okay=False, writable=True),
    help="Also write the rows to this CSV file (UTF-8, a header line).",
)


def _write_csv(path: Path | None, rows: list[dict[str, Any]], columns: list[str]) -> None:
    """Write ``rows`` (their ``columns``, in order) to ``path`` as CSV; say where."""
    if path is None:
        return
    try:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    except OSError as exc:
        _fail(f"--csv {path}: cannot write ({exc.strerror or exc})")
    click.echo(f"wrote {len(rows):,} rows to {path}", err=True)


#: The columns of score rows in CSV exports (``top``).
SCORE_CSV = ["customer_id", "name", "tier", "tier_level", "community_id", *SCORE_FIELDS,
             "tier_reason"]  # fmt: skip


def _score_table(
    title: str, rows: list[ScoreRecord], by: str, names: dict[str, str | None] | None = None
) -> Table:
    table = Table(
        "customer",
        "name",
        "tier",
        "level",
        "community",
        by,
        "reason",
        title=title,
        title_justify="left",
    )
    for s in rows:
        table.add_row(
            s.customer_id,
            (names or {}).get(s.customer_id) or "",
            s.tier,
            s.tier_level or "",
            str(s.community_id),
            f"{getattr(s, by):,.0f}"
            if by in ("social_value", "revenue")
            else f"{getattr(s, by):,.4g}",
            s.tier_reason,
        )
    return table


@main.command("top")
@db_option
@click.option("--tier", type=click.Choice(["employee", "kol", "koc", "consumer"]))
@click.option("--level", type=click.Choice(["nano", "micro", "mid", "macro", "mega"]))
@click.option("--community", type=int)
@click.option("--by", type=click.Choice(SCORE_FIELDS), default="social_value", show_default=True)
@click.option("--limit", type=click.IntRange(min=1, max=10_000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0)
@csv_option
@json_option
def top_command(
    db: str | None,
    tier: str | None,
    level: str | None,
    community: int | None,
    by: str,
    limit: int,
    offset: int,
    csv_path: Path | None,
    as_json: bool,
) -> None:
    """Top customers of the current run, filtered by tier / level / community."""
    settings = get_settings()
    store = _open(db, settings)
    try:
        rows = store.top_scores(
            by=by, tier=tier, tier_level=level, community_id=community, limit=limit, offset=offset
        )
        names = store.customer_names([r.customer_id for r in rows])
    finally:
        store.close()
    data = [{**r.to_dict(), "name": names.get(r.customer_id)} for r in rows]
    _write_csv(csv_path, data, SCORE_CSV)
    if as_json:
        _emit(True, {"data": data, "count": len(rows)})
    else:
        out_console.print(_score_table(f"top {limit} by {by}", rows, by, names))


@main.command("communities")
@db_option
@click.option("--id", "community_id", type=int, help="One community's full profile.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@json_option
def communities_command(
    db: str | None, community_id: int | None, limit: int, as_json: bool
) -> None:
    """Community profiles of the current run (largest first)."""
    settings = get_settings()
    store = _open(db, settings)
    try:
        profiles = store.community_profiles(community_id)[:limit]
    finally:
        store.close()
    if as_json:
        _emit(True, {"data": profiles, "count": len(profiles)})
        return
    if community_id is not None:
        out_console.print_json(json.dumps(profiles[0], default=str))
        return
    table = Table(
        "community",
        "size",
        "density",
        "conductance",
        "kol",
        "koc",
        "revenue",
        "key influencers",
        title="communities",
        title_justify="left",
    )
    for p in profiles:
        mix = p["tier_mix"]
        table.add_row(
            str(p["community_id"]),
            f"{p['size']:,}",
            f"{p['density']:.3f}",
            f"{p['conductance']:.3f}",
            str(mix.get("kol", 0)),
            str(mix.get("koc", 0)),
            f"{p['revenue_total']:,.0f}",
            ", ".join(t["id"] for t in p["top_influencers"][:3]),
        )
    out_console.print(table)


@main.command("lift")
@db_option
@click.option("--tag", help="Segment: customers with this tag.")
@click.option("--campaign", help="Segment: converters of this campaign.")
@click.option(
    "--ids",
    "ids_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Segment: a file with one customer reference per line.",
)
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option(
    "--min-size",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Leave out communities smaller than this.",
)
@click.option(
    "--alpha",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.05,
    show_default=True,
    help="False discovery rate: a community is significant when its q-value is below it.",
)
@csv_option
@json_option
def lift_command(
    db: str | None,
    tag: str | None,
    campaign: str | None,
    ids_file: Path | None,
    limit: int,
    min_size: int,
    alpha: float,
    csv_path: Path | None,
    as_json: bool,
) -> None:
    """Which communities over-index on a segment (lift versus the whole base), with a
    hypergeometric p-value and Benjamini-Hochberg q-value; significant ones first."""
    settings = get_settings()
    store = _open(db, settings)
    try:
        refs = None
        if ids_file is not None:
            refs = [ln.strip() for ln in ids_file.read_text().splitlines() if ln.strip()]
        result = planning.segment_lift(
            store,
            tag=tag,
            campaign=campaign,
            ids=refs,
            ids_name=f"--ids {ids_file}",
            min_size=min_size,
            alpha=alpha,
        )
    finally:
        store.close()
    _write_csv(
        csv_path,
        result["communities"],
        ["community_id", "size", "members", "rate", "lift", "p_value", "q_value", "significant"],
    )
    result["communities"] = result["communities"][:limit]
    if as_json:
        _emit(True, result)
        return
    out_console.print(
        f"segment: {result['segment_size']:,} customers, base rate {result['base_rate']:.2%}"
    )
    table = Table(
        "community",
        "size",
        "members",
        "rate",
        "lift",
        "p",
        "q",
        "significant",
        title=f"lift (communities of {min_size}+, significant at q < {alpha:g} first)",
        title_justify="left",
    )
    for c in result["communities"]:
        table.add_row(
            str(c["community_id"]),
            f"{c['size']:,}",
            f"{c['members']:,}",
            f"{c['rate']:.2%}",
            f"{c['lift']:.2f}",
            f"{c['p_value']:.2g}",
            f"{c['q_value']:.2g}",
            "yes" if c["significant"] else "",
        )
    out_console.print(table)


@main.command("reach")
@click.argument("seeds", nargs=-1, required=True)
@db_option
@click.option("--model", type=click.Choice(["ic", "lt"]), default="ic", show_default=True)
@click.option(
    "--simulations", type=click.IntRange(min=1, max=1_000_000), default=10_000, show_default=True
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--target-community", "communities", type=int, multiple=True)
@json_option
def reach_command(
    seeds: tuple[str, ...],
    db: str | None,
    model: str,
    simulations: int,
    seed: int,
    communities: tuple[int, ...],
    as_json: bool,
) -> None:
    """Expected word-of-mouth reach of SEEDS (mean, 95% CI, by hop)."""
    settings = get_settings()
    store = _open(db, settings)
    try:
        est = planning.reach_of(
            store,
            seeds,
            model=model,
            n_simulations=simulations,
            seed=seed,
            target_communities=list(communities),
            settings=settings,
        )
    finally:
        store.close()
    if as_json:
        _emit(True, est.to_dict())
        return
    out_console.print(
        f"expected reach of {len(est.seeds)} seeds: [bold]{est.mean:,.1f}[/] "
        f"(95% CI {est.ci_low:,.1f}-{est.ci_high:,.1f}, {simulations:,} "
        f"{model.upper()} cascades)"
    )
    table = Table("hop", "newly reached", title="by hop", title_justify="left")
    for hop, value in enumerate(est.by_hop):
        table.add_row(str(hop), f"{value:,.2f}")
    out_console.print(table)


def _read_costs(path: Path) -> dict[str, float]:
    costs: dict[str, float] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for line, row in enumerate(csv.reader(fh), start=1):
            if not row or (line == 1 and not _is_number(row[-1])):
                continue
            if len(row) != 2 or not _is_number(row[1]):
                raise ParameterError(f"{path}:{line}: expected 'customer,cost', got {row!r}")
            costs[row[0]] = float(row[1])
    return costs


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@main.command("select-seeds")
@db_option
@click.option("--k", type=click.IntRange(min=1, max=10_000), help="Number of seeds.")
@click.option("--budget", type=click.FloatRange(min=0, min_open=True), help="Total budget.")
@click.option(
    "--cost-field",
    type=click.Choice(SCORE_FIELDS),
    help="Cost = this score x --cost-rate (e.g. audience).",
)
@click.option("--cost-rate", type=float, default=1.0, show_default=True)
@click.option(
    "--costs",
    "costs_file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="CSV 'customer,cost'.",
)
@click.option(
    "--tier",
    "tiers",
    multiple=True,
    type=click.Choice(["employee", "kol", "koc", "consumer"]),
    help="Only these tiers may be seeds (repeatable).",
)
@click.option("--target-community", "communities", type=int, multiple=True)
@click.option(
    "--exclude",
    "exclude_file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="File of customers who may not be seeds.",
)
@click.option("--epsilon", type=float, default=0.1, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@csv_option
@json_option
def select_seeds_command(
    db: str | None,
    k: int | None,
    budget: float | None,
    cost_field: str | None,
    cost_rate: float,
    costs_file: Path | None,
    tiers: tuple[str, ...],
    communities: tuple[int, ...],
    exclude_file: Path | None,
    epsilon: float,
    seed: int,
    csv_path: Path | None,
    as_json: bool,
) -> None:
    """Pick seeds for the most expected word-of-mouth reach (k or budget)."""
    settings = get_settings()
    store = _open(db, settings)
    try:
        exclude = None
        if exclude_file is not None:
            exclude = [ln.strip() for ln in exclude_file.read_text().splitlines() if ln.strip()]
        result = planning.plan_seeds(
            store,
            k=k,
            budget=budget,
            cost_field=cost_field,
            cost_rate=cost_rate,
            costs=_read_costs(costs_file) if costs_file else None,
            candidate_tiers=list(tiers) or None,
            target_communities=list(communities),
            exclude=exclude,
            epsilon=epsilon,
            seed=seed,
            settings=settings,
        )
        seeds = planning.describe(result, store)
    finally:
        store.close()
    payload: dict[str, Any] = {**result.to_dict(), "seeds": seeds, "budget": budget}
    _write_csv(
        csv_path,
        [{"rank": i, **s} for i, s in enumerate(seeds, start=1)],
        ["rank", "id", "name", "tier", "cost", "marginal_gain", "tier_reason"],
    )
    if as_json:
        _emit(True, payload)
        return
    _print_seeds(payload, seeds)


def _print_seeds(summary: dict[str, Any], seeds: list[dict[str, Any]]) -> None:
    _seed_table(seeds, summary.get("budget"))
    out_console.print(
        f"expected reach {summary['expected_spread']:,.1f} (95% CI {summary['ci95'][0]:,.1f}-"
        f"{summary['ci95'][1]:,.1f}); certified ≥ {summary['certified_ratio']:.0%} of the best "
        f"possible ({summary['rr_sets']:,} RR sets, {summary['seconds']:.2f} s)"
    )


def _seed_table(seeds: list[dict[str, Any]], budget: float | None) -> None:
    """The seeds with their cost, and the total against the budget."""
    table = Table(
        "#",
        "customer",
        "name",
        "tier",
        "marginal reach",
        "cost",
        title="seeds",
        title_justify="left",
    )
    for i, s in enumerate(seeds, start=1):
        table.add_row(
            str(i),
            str(s["id"]),
            s.get("name") or "",
            s["tier"] or "",
            f"{s['marginal_gain']:,.1f}",
            f"{s['cost']:,.2f}",
        )
    out_console.print(table)
    total = sum(float(s["cost"]) for s in seeds)
    out_console.print(
        f"total cost {total:,.0f} of the budget {budget:,.0f} ({total / budget:.0%}, "
        f"{budget - total:,.0f} left)"
        if budget
        else f"total cost {total:,.0f}"
    )


@main.command("shortlist")
@click.argument("candidates", nargs=-1, required=True)
@db_option
@click.option("--seed", type=int, default=0, show_default=True)
@csv_option
@json_option
def shortlist_command(
    candidates: tuple[str, ...], db: str | None, seed: int, csv_path: Path | None, as_json: bool
) -> None:
    """Unique and marginal reach of CANDIDATES, with pairwise audience overlap."""
    settings = get_settings()
    store = _open(db, settings)
    try:
        report = planning.shortlist(store, candidates, seed=seed, settings=settings)
        data = report.to_dict()
        names = store.customer_names([str(c["id"]) for c in data["candidates"]])
    finally:
        store.close()
    for c in data["candidates"]:
        c["name"] = names.get(str(c["id"]))
    _write_csv(csv_path, data["candidates"], ["id", "name", "alone", "unique", "added"])
    if as_json:
        _emit(True, data)
        return
    table = Table(
        "candidate", "alone", "unique", "added (greedy)", title="shortlist", title_justify="left"
    )
    for c in data["candidates"]:
        table.add_row(
            str(c["id"]), f"{c['alone']:,.1f}", f"{c['unique']:,.1f}", f"{c['added']:,.1f}"
        )
    out_console.print(table)
    out_console.print(
        f"whole list reaches {data['union']:,.1f}; adding up individual reach "
        f"would claim {data['sum_of_alone']:,.1f}"
    )


@main.command("referrals")
@db_option
@click.option("--campaign", help="One campaign.")
@json_option
def referrals_command(db: str | None, campaign: str | None, as_json: bool) -> None:
    """Referral trees and viral coefficient per campaign, by generation and tier."""
    settings = get_settings()
    store = _open(db, settings)
    try:
        stats = planning.campaign_referrals(store, campaign)
    finally:
        store.close()
    if as_json:
        _emit(True, {"data": [s.to_dict() for s in stats.values()], "count": len(stats)})
        return
    table = Table(
        "campaign",
        "invites",
        "conv. rate",
        "K",
        "trees",
        "depth",
        "users",
        "cycle time (h)",
        "users after 3 waves",
        title="referrals",
        title_justify="left",
    )
    for s in stats.values():
        table.add_row(
            s.campaign_id,
            f"{s.invites:,}",
            f"{s.conversion_rate:.1%}",
            f"{s.k_factor:.2f}",
            f"{s.trees:,}",
            str(s.depth),
            f"{s.users:,}",
            "" if s.cycle_time_median_hours is None else f"{s.cycle_time_median_hours:.1f}",
            f"{s.project(3):,.0f}",
        )
    out_console.print(table)


@main.group("keys")
def keys_group() -> None:
    """API keys: create, list, revoke (stored hashed; shown once)."""


@keys_group.command("create")
@click.option("--role", type=click.Choice(["reader", "marketer", "ingest", "admin"]), required=True)
@click.option("--name", help="A note: who or what uses the key.")
@click.option("--pii", is_flag=True, help="May see raw identity values (never phone/e-mail).")
@db_option
@json_option
def keys_create(role: str, name: str | None, pii: bool, db: str | None, as_json: bool) -> None:
    """Create a key and print it once."""
    settings = get_settings()
    store = _open(db, settings)
    try:
        key, secret = store.create_key(role, name=name, pii=pii)
        store.audit(None, "keys.create", {"key_id": key.key_id, "role": role, "via": "cli"})
    finally:
        store.close()
    if as_json:
        _emit(True, {**key.to_dict(), "key": secret})
    else:
        out_console.print(f"created {role} key {key.key_id}; store it now, it is not shown again:")
        click.echo(secret)


@keys_group.command("list")
@db_option
@json_option
def keys_list(db: str | None, as_json: bool) -> None:
    """Every key (never the secrets)."""
    settings = get_settings()
    store = _open(db, settings)
    try:
        keys = store.list_keys()
    finally:
        store.close()
    if as_json:
        _emit(True, {"data": [k.to_dict() for k in keys], "count": len(keys)})
        return
    table = Table(
        "key id",
        "role",
        "pii",
        "name",
        "created",
        "revoked",
        title="API keys",
        title_justify="left",
    )
    for k in keys:
        table.add_row(
            k.key_id,
            k.role,
            "yes" if k.pii else "",
            k.name or "",
            k.created_at[:19],
            (k.revoked_at or "")[:19],
        )
    out_console.print(table)


@keys_group.command("revoke")
@click.argument("key_id")
@db_option
@json_option
def keys_revoke(key_id: str, db: str | None, as_json: bool) -> None:
    """Revoke a key (it stops working at once)."""
    settings = get_settings()
    store = _open(db, settings)
    try:
        key = store.revoke_key(key_id)
        store.audit(None, "keys.revoke", {"key_id": key_id, "via": "cli"})
    finally:
        store.close()
    if as_json:
        _emit(True, key.to_dict())
    else:
        out_console.print(f"revoked {key_id}")


@main.command("serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option(
    "--access-log/--no-access-log",
    default=False,
    show_default=True,
    help="Log every request (costs throughput; /metrics counts them anyway).",
)
def serve_command(db: str | None, host: str, port: int, workers: int, access_log: bool) -> None:
    """Serve the HTTP API with uvicorn (docs at /docs, schema at /openapi.json) and the
    web explorer at /."""
    settings = get_settings()
    serve(_store_url(db, settings), settings, host, port, workers, access_log)


def serve(
    url: str,
    settings: Settings,
    host: str,
    port: int,
    workers: int = 1,
    access_log: bool = False,
    log_level: str = "info",
) -> None:
    """Serve the API and the explorer over the store at ``url`` until interrupted; in
    development, print a fresh admin key first, and in any case where the explorer is."""
    import os

    import uvicorn
    from graph_engine_api.webapp import explorer_built

    os.environ["GRAPH_ENGINE_STORE_URL"] = url
    store = _open(url, settings)
    try:
        if settings.environment == "development":
            key, secret = store.create_key("admin", name="serve (development)")
            store.audit(
                None, "keys.create", {"key_id": key.key_id, "role": "admin", "via": "serve"}
            )
            click.echo(f"development admin key (shown once, id {key.key_id}): {secret}", err=True)
    finally:
        store.close()
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"http://{shown}:{port}"
    if explorer_built():
        click.echo(f"explorer: {base}/ (sign in with an API key) · API docs: {base}/docs", err=True)
    else:
        click.echo(
            f"explorer not built (run scripts/install; needs npm) · API docs: {base}/docs", err=True
        )
    if workers == 1:
        from graph_engine_api import create_app

        app = create_app(settings.model_copy(update={"store_url": url}))
        uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=access_log)
    else:  # worker processes build the app from the environment (store URL set above)
        uvicorn.run(
            "graph_engine_api.asgi:app",
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            access_log=access_log,
        )


@main.group("campaign")
def campaign_group() -> None:
    """The campaign loop: plan on the current run, simulate (synthetic), report."""


@campaign_group.command("plan")
@click.argument("campaign_id")
@db_option
@click.option("--k", type=click.IntRange(min=1, max=10_000), help="Number of seeds.")
@click.option("--budget", type=click.FloatRange(min=0, min_open=True), help="Total budget.")
@click.option("--cost-field", type=click.Choice(SCORE_FIELDS), help="Cost = this score x rate.")
@click.option("--cost-rate", type=float, default=1.0, show_default=True)
@click.option(
    "--tier", "tiers", multiple=True, type=click.Choice(["employee", "kol", "koc", "consumer"])
)
@click.option("--target-community", "communities", type=int, multiple=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--replace", is_flag=True, help="Replace the campaign's existing plan.")
@json_option
def campaign_plan(
    campaign_id: str,
    db: str | None,
    k: int | None,
    budget: float | None,
    cost_field: str | None,
    cost_rate: float,
    tiers: tuple[str, ...],
    communities: tuple[int, ...],
    seed: int,
    replace: bool,
    as_json: bool,
) -> None:
    """Plan CAMPAIGN_ID: seeds, reach forecast, predicted conversions and revenue."""
    settings = get_settings()
    store = _open(db, settings)
    try:
        plan = campaigns.plan_campaign(
            store,
            campaign_id,
            k=k,
            budget=budget,
            cost_field=cost_field,
            cost_rate=cost_rate,
            candidate_tiers=list(tiers) or None,
            target_communities=list(communities),
            seed=seed,
            replace=replace,
            settings=settings,
        )
    finally:
        store.close()
    if as_json:
        _emit(True, plan)
        return
    _seed_table(plan["seeds"], budget)
    reach = plan["reach"]
    out_console.print(
        f"plan {campaign_id} on {plan['run_id']}: reach {reach['mean']:,.1f} "
        f"(95% of runs {reach['range95'][0]:,.0f}-{reach['range95'][1]:,.0f}), "
        f"{plan['predicted_conversions']:,.1f} conversions, revenue "
        f"{plan['predicted_revenue']:,.0f} {plan['currency']}"
    )


@campaign_group.command("simulate")
@click.argument("campaign_id")
@db_option
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="Events JSONL."
)
@click.option("--seed", type=int, default=0, show_default=True)
@json_option
def campaign_simulate(
    campaign_id: str, db: str | None, out: Path, seed: int, as_json: bool
) -> None:
    """Run CAMPAIGN_ID's plan as a simulated cascade: write its tagged events to --out
    (ingest them to see the report) and print the planted truth."""
    settings = get_settings()
    store = _open(db, settings)
    try:
        truth = campaigns.simulate_campaign(store, campaign_id, out, seed=seed, settings=settings)
    finally:
        store.close()
    if as_json:
        _emit(True, truth)
        return
    out_console.print(
        f"wrote {truth['events']:,} events to {out}: {truth['reached']:,} reached, "
        f"{truth['conversions']:,} converted, revenue {truth['revenue']:,.2f}"
    )


@campaign_group.command("report")
@click.argument("campaign_id")
@db_option
@csv_option
@json_option
def campaign_report_command(
    campaign_id: str, db: str | None, csv_path: Path | None, as_json: bool
) -> None:
    """Planned against actual for CAMPAIGN_ID: reach, conversions, revenue, K-factor,
    cost per acquisition, ROI, per seed."""
    settings = get_settings()
    store = _open(db, settings)
    try:
        report = campaigns.campaign_report(store, campaign_id, settings)
    finally:
        store.close()
    _write_csv(csv_path, campaigns.report_rows(report), ["seed", "cost", "reached",
                                                          "conversions", "revenue"])  # fmt: skip
    if as_json:
        _emit(True, report.to_dict())
        return
    planned, actual = report.planned, report.actual
    table = Table("", "planned", "actual", title=f"campaign {campaign_id}", title_justify="left")
    for name in ("reached", "conversions", "revenue"):
        table.add_row(name, f"{planned[name]:,.1f}", f"{actual[name]:,.1f}")
    table.add_row("cost", f"{planned['cost']:,.0f}", f"{actual['cost']:,.0f}")
    out_console.print(table)
    cpa, roi = actual["cost_per_acquisition"], actual["roi"]
    out_console.print(
        f"K-factor {actual['k_factor']:.2f}; cost per acquisition "
        + ("-" if cpa is None else f"{cpa:,.2f}")
        + "; ROI "
        + ("-" if roi is None else f"{roi:.1%}")
    )
    seeds = Table("seed", "cost", "reached", "conversions", "revenue", title="per seed",
                  title_justify="left")  # fmt: skip
    for row in report.per_seed:
        seeds.add_row(
            str(row["seed"]),
            f"{row['cost']:,.2f}",
            f"{row['reached']:,}",
            f"{row['conversions']:,}",
            f"{row['revenue']:,.2f}",
        )
    out_console.print(seeds)
