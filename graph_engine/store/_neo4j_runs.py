"""Neo4j side of versioned runs, scores, write-back, API keys and the audit log.

Mixed into :class:`~graph_engine.store.neo4j.Neo4jStore`. A run's scores are
``(:Score {run_id, customer_id, ...})`` nodes written while the run is ``running``;
publishing is one transaction that marks the run complete and moves the
``current_run`` pointer (readers see the whole previous run or the whole new one).
After that, the run is written back onto the ``Customer`` nodes in batches of
``neo4j_write_batch_size`` (one transaction each, server-side copy), with the
``:KOL`` / ``:KOC`` / ``:Employee`` labels kept in sync and ``score_run_id`` stamped,
and customers the run did not score are cleared. Expired, failed and abandoned runs'
rows are deleted in batches too.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from graph_engine.errors import NotFoundError, ParameterError
from graph_engine.store._common import (
    check_top_args,
    now_iso,
    score_record,
    secret_hash,
    verify_secret,
)
from graph_engine.store.base import ROLES, ApiKey, RunRecord, ScoreColumns, ScoreRecord

__all__ = ["Neo4jRunsMixin"]


def _run_record(r: dict[str, Any]) -> RunRecord:
    return RunRecord(
        run_id=r["run_id"],
        seq=r["seq"],
        status=r["status"],
        started_at=r["started_at"],
        finished_at=r.get("finished_at"),
        config=json.loads(r["config"]),
        counts=json.loads(r["counts"]),
        timings=json.loads(r.get("timings") or "{}"),
        summary=json.loads(r.get("summary") or "{}"),
        error=r.get("error"),
    )


def _score_row(r: ScoreRecord) -> dict[str, Any]:
    platforms = r.details.get("audience_by_platform") or {}
    return {
        "customer_id": r.customer_id,
        "tier": r.tier,
        "tier_level": r.tier_level,
        "tier_reason": r.tier_reason,
        "community_id": r.community_id,
        "social_value": float(r.social_value),
        "influence": float(r.influence),
        "expected_reach": float(r.expected_reach),
        "audience": int(r.audience),
        "participation": float(r.participation),
        "revenue": float(r.revenue),
        "bridge": float(r.bridge),
        "conversions": int(r.conversions),
        "details": json.dumps(r.details, default=float),
        "platforms": sorted(str(p).lower() for p, v in platforms.items() if v and v > 0),
    }


def _api_key(k: dict[str, Any]) -> ApiKey:
    return ApiKey(
        k["key_id"],
        k["role"],
        bool(k["pii"]),
        k["name"],
        k["created_at"],
        k["revoked_at"],
        k["last_used_at"],
    )


class Neo4jRunsMixin:
    """Runs, scores, write-back, keys and audit for :class:`Neo4jStore`."""

    _batch: int
    _page: int
    _query: Callable[..., list[dict[str, Any]]]
    _paged: Callable[..., Iterator[dict[str, Any]]]
    _command: Callable[..., list[dict[str, Any]]]
    _write: Callable[..., Any]
    _read: Callable[..., Any]
    _rows: Callable[..., list[dict[str, Any]]]
    _resolve: Callable[..., tuple[int, str]]
    _customer_row: Callable[[int], dict[str, Any]]

    # -- runs --------------------------------------------------------------------------
    def begin_run(self, config: dict[str, Any], counts: dict[str, Any]) -> RunRecord:
        """Start a run; runs that died while running are marked abandoned and purged."""

        def work(tx: Any) -> tuple[dict[str, Any], list[str]]:
            stale = self._rows(tx, "runs/stale")
            for r in stale:
                if r["status"] == "running":
                    self._rows(tx, "runs/abandon", run_id=r["run_id"])
            seq = self._rows(tx, "meta/next_seq", counter="seq:run")[0]["seq"]
            run_id = f"run-{seq:05d}-{secrets.token_hex(4)}"
            created = self._rows(
                tx,
                "runs/create",
                run={
                    "run_id": run_id,
                    "seq": seq,
                    "started_at": now_iso(),
                    "config": json.dumps(config, default=str),
                    "counts": json.dumps(counts),
                },
            )
            return created[0]["run"], [r["run_id"] for r in stale]

        run, stale = self._write(work)
        self._purge(stale)
        return _run_record(run)

    def _purge(self, run_ids: list[str]) -> int:
        """Delete the runs' scores (a batch per transaction), profiles, expired run nodes."""
        if not run_ids:
            return 0
        total = 0
        while True:
            deleted = self._command("runs/purge_scores", run_ids=run_ids, batch_size=self._batch)[
                0
            ]["deleted"]
            if not deleted:
                break
            total += deleted
        self._command("runs/purge_finish", run_ids=run_ids)
        return total

    def _run(self, run_id: str) -> RunRecord:
        found = self._query("runs/get", run_id=run_id)
        if not found:
            raise NotFoundError(f"no run {run_id!r}")
        return _run_record(found[0]["run"])

    def _running(self, tx: Any, run_id: str) -> None:
        found = self._rows(tx, "runs/get", run_id=run_id)
        status = found[0]["run"]["status"] if found else None
        if status != "running":
            raise ParameterError(f"run {run_id!r} is not running (status {status!r})")

    def write_scores(
        self,
        run_id: str,
        rows: Iterable[ScoreRecord] | ScoreColumns,
        *,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Write scores of a running run, ``neo4j_write_batch_size`` per transaction
        (columns are written as their rows)."""
        written = 0
        it = iter(rows.records(run_id) if isinstance(rows, ScoreColumns) else rows)
        while batch := [_score_row(r) for r in islice(it, self._batch)]:

            def work(tx: Any, batch: list[dict[str, Any]] = batch) -> None:
                self._running(tx, run_id)
                self._rows(tx, "runs/write_scores", run_id=run_id, rows=batch)

            self._write(work)
            written += len(batch)
            if progress is not None:
                progress(written)
        return written

    def write_communities(self, run_id: str, profiles: Iterable[dict[str, Any]]) -> int:
        """Write community profiles of a running run (one transaction)."""
        items = [
            {
                "community_id": int(p["community_id"]),
                "size": int(p["size"]),
                "profile": json.dumps(p, default=float),
            }
            for p in profiles
        ]

        def work(tx: Any) -> None:
            self._running(tx, run_id)
            for i in range(0, len(items), self._batch):
                chunk = items[i : i + self._batch]
                self._rows(tx, "runs/write_communities", run_id=run_id, rows=chunk)

        self._write(work)
        return len(items)

    def publish_run(
        self, run_id: str, timings: dict[str, float], summary: dict[str, Any], keep: int
    ) -> RunRecord:
        """Atomically make the run current; purge runs beyond ``keep``; write back."""
        if keep < 1:
            raise ParameterError(f"keep must be >= 1, got {keep!r}")

        def work(tx: Any) -> list[str]:
            self._running(tx, run_id)
            self._rows(
                tx,
                "runs/publish",
                run_id=run_id,
                finished_at=now_iso(),
                timings=json.dumps(timings),
                summary=json.dumps(summary, default=str),
            )
            return [r["run_id"] for r in self._rows(tx, "runs/expire", keep=keep)]

        expired = self._write(work)
        self._purge(expired)
        self._copy_to_customers(run_id)
        return self._run(run_id)

    def write_back(self, run_id: str | None = None) -> dict[str, int]:
        """Copy a run's scores onto the Customer nodes (tier labels synced), in batches.

        Returns customers written and stale customers cleared. Called by
        :meth:`publish_run`; callable again to repair an interrupted write-back.
        """
        return self._copy_to_customers(self._current_id(run_id))

    def _copy_to_customers(self, run: str) -> dict[str, int]:
        written, after = 0, ""
        while True:
            (r,) = self._command(
                "writeback/customers", run_id=run, after=after, batch_size=self._batch
            )
            if not r["written"]:
                break
            written += r["written"]
            after = r["last"]
        cleared = 0
        while n := self._command("writeback/clear_stale", run_id=run, batch_size=self._batch)[0][
            "cleared"
        ]:
            cleared += n
        return {"written": written, "cleared": cleared}

    def fail_run(self, run_id: str, error: str) -> None:
        """Mark a running run failed and drop what it wrote (a run no longer running, e.g.
        published before a later step failed, is left as it is)."""
        if self._command("runs/fail", run_id=run_id, finished_at=now_iso(), error=error[:2000]):
            self._purge([run_id])

    def _forget_current(self) -> None:
        self._current_cache: RunRecord | None = None

    def current_run(self) -> RunRecord | None:
        """The run readers see (pointer read every time; a published record is reused)."""
        found = self._query("meta/get", key="current_run")
        if not found:
            return None
        cached: RunRecord | None = getattr(self, "_current_cache", None)
        if cached is not None and cached.run_id == found[0]["value"]:
            return cached
        run = self._run(found[0]["value"])
        self._current_cache = run
        return run

    def runs(self, limit: int = 20) -> list[RunRecord]:
        """Runs, newest first (complete, failed, abandoned and running)."""
        return [_run_record(r["run"]) for r in self._query("runs/list", limit=limit)]

    # -- reading scores ----------------------------------------------------------------
    def _current_id(self, run_id: str | None) -> str:
        if run_id is not None:
            self._run(run_id)
            return run_id
        current = self.current_run()
        if current is None:
            raise NotFoundError("no complete run yet: run `graph-engine compute` first")
        return current.run_id

    def scores(self, reference: str, run_id: str | None = None) -> ScoreRecord:
        """A customer's scores (any identity key or merged id works)."""
        if run_id is not None:
            self._run(run_id)  # an unknown run id is a NotFoundError of its own

        def read(tx: Any) -> tuple[str, list[dict[str, Any]]]:
            # pointer, lookup and score in one read transaction (one snapshot, one commit)
            run = self._pointer(tx) if run_id is None else run_id
            _, customer_id = self._resolve(reference, tx)
            return run, self._rows(tx, "scores/get", run_id=run, customer_id=customer_id)

        run, found = self._read(read)
        if not found:
            raise NotFoundError(f"customer {reference!r} has no scores in run {run} (new since?)")
        return score_record(found[0]["score"])

    def score_history(self, reference: str) -> list[ScoreRecord]:
        """Scores in every kept complete run, oldest first (ids merged into it included)."""
        pk, customer_id = self._resolve(reference)
        merged = [a["id"] for a in self._customer_row(pk)["merged"]]
        rows = self._query("scores/history", customer_ids=[customer_id, *merged])
        return [score_record(r["score"]) for r in rows]

    def top_scores(
        self,
        *,
        by: str = "social_value",
        tier: str | None = None,
        tier_level: str | None = None,
        community_id: int | None = None,
        limit: int = 20,
        offset: int = 0,
        tag: str | None = None,
        platform: str | None = None,
        min_audience: int | None = None,
        min_expected_reach: float | None = None,
    ) -> list[ScoreRecord]:
        """Current run, filtered, sorted by ``by`` descending (ties by customer id)."""
        check_top_args(by, limit, offset, community_id, min_audience)
        rows = self._read(
            lambda tx: self._rows(
                tx,
                "scores/top",
                run_id=self._pointer(tx),
                by=by,
                tier=tier,
                tier_level=tier_level,
                community_id=community_id,
                tag=tag,
                platform=None if platform is None else platform.lower(),
                min_audience=min_audience,
                min_expected_reach=min_expected_reach,
                offset=offset,
                limit=limit,
            )
        )
        return [score_record(r["score"]) for r in rows]

    def _pointer(self, tx: Any) -> str:
        """The current run's id, read in ``tx`` (so the read it serves sees the same run)."""
        pointer = self._rows(tx, "meta/get", key="current_run")
        if not pointer:
            raise NotFoundError("no complete run yet: run `graph-engine compute` first")
        return str(pointer[0]["value"])

    def tier_summary(self) -> list[dict[str, Any]]:
        """Customers, mean social value, revenue and audience per tier and level."""
        return self._query("scores/tier_summary", run_id=self._current_id(None))

    def run_scores(self, run_id: str | None = None) -> Iterator[ScoreRecord]:
        """Every score of a run, by customer id, read in pages (constant memory)."""
        run = self._current_id(run_id)
        after = ""
        while True:
            rows = self._query("scores/page", run_id=run, after=after, page=self._page)
            yield from (score_record(r["score"]) for r in rows)
            if len(rows) < self._page:
                return
            after = rows[-1]["score"]["customer_id"]

    def run_communities(self, run_id: str | None = None) -> dict[str, int]:
        """Community id of every customer of a run that has one (one property read)."""
        run = self._current_id(run_id)
        return {
            str(r["customer_id"]): int(r["community_id"])
            for r in self._paged("scores/run_communities", "customer_id", "", run_id=run)
            if r["community_id"] is not None
        }

    def community_profiles(
        self, community_id: int | None = None, run_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Community profiles of the current run, largest first."""
        run = self._current_id(run_id)
        rows = self._query("scores/communities", run_id=run, community_id=community_id)
        if community_id is not None and not rows:
            raise NotFoundError(f"no community {community_id} in run {run}")
        return [json.loads(r["profile"]) for r in rows]

    # -- API keys and audit ------------------------------------------------------------
    def create_key(
        self, role: str, *, name: str | None = None, pii: bool = False
    ) -> tuple[ApiKey, str]:
        """Create a key; returns the record and the full key (shown only this once)."""
        if role not in ROLES:
            raise ParameterError(f"role: unknown role {role!r} (known: {', '.join(ROLES)})")
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(24)
        self._command(
            "keys/create",
            key={
                "key_id": key_id,
                "secret_hash": secret_hash(secret),
                "role": role,
                "pii": bool(pii),
                "name": name,
                "created_at": now_iso(),
            },
        )
        return self._key(key_id), f"ge_{key_id}_{secret}"

    def _key(self, key_id: str) -> ApiKey:
        found = self._query("keys/get", key_id=key_id)
        if not found:
            raise NotFoundError(f"no API key {key_id!r}")
        return _api_key(found[0]["key"])

    def list_keys(self) -> list[ApiKey]:
        """Every key (revoked ones too), oldest first; secrets are never stored."""
        return [_api_key(r["key"]) for r in self._query("keys/list")]

    def revoke_key(self, key_id: str) -> ApiKey:
        """Revoke a key (it stops working at once)."""
        self._key(key_id)
        self._command("keys/revoke", key_id=key_id, now=now_iso())
        return self._key(key_id)

    def verify_key(self, presented: str) -> ApiKey:
        """The active key ``presented`` belongs to.

        Raises
        ------
        AuthenticationError
            Malformed, unknown or revoked key (one message for all, no oracle).
        """

        def stored(key_id: str) -> tuple[str, str | None] | None:
            found = self._query("keys/secret", key_id=key_id)
            return (found[0]["secret_hash"], found[0]["revoked_at"]) if found else None

        return self._key(verify_secret(presented, stored))

    def audit(self, key_id: str | None, action: str, detail: dict[str, Any]) -> None:
        """Append to the audit log."""
        self._command(
            "keys/audit",
            entry={
                "at": now_iso(),
                "key_id": key_id,
                "action": action,
                "detail": json.dumps(detail, default=str),
            },
        )

    def audit_log(self, limit: int = 100) -> list[dict[str, Any]]:
        """The latest audit entries, newest first."""
        rows = self._query("keys/audit_log", limit=limit)
        return [{**r["entry"], "detail": json.loads(r["entry"]["detail"])} for r in rows]
