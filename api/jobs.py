"""Background recompute jobs with stage progress (one at a time, in a worker thread)."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from graph_engine.config import Settings
from graph_engine.errors import ConflictError, GraphEngineError, NotFoundError
from graph_engine.pipeline import STAGES, compute
from graph_engine.store import open_store


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Jobs:
    """Runs ``compute`` off the event loop; ``get`` reports state, stage and progress."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._jobs: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recompute")

    def submit_recompute(self) -> dict[str, Any]:
        with self._lock:
            active = [j for j in self._jobs.values() if j["state"] in ("queued", "running")]
            if active:
                raise ConflictError(
                    f"a recompute is already {active[0]['state']} (job {active[0]['job_id']})",
                    details={"job_id": active[0]["job_id"]},
                )
            job_id = f"job-{uuid.uuid4().hex[:12]}"
            job = {
                "job_id": job_id,
                "kind": "recompute",
                "state": "queued",
                "stage": None,
                "progress": 0.0,
                "error": None,
                "run_id": None,
                "created_at": _now(),
                "finished_at": None,
            }
            self._jobs[job_id] = job
        self._pool.submit(self._run, job_id)
        return dict(job)

    def _update(self, job_id: str, **fields: Any) -> None:
        with self._lock:
            self._jobs[job_id].update(fields)

    def _run(self, job_id: str) -> None:
        self._update(job_id, state="running")

        def progress(stage: str, fraction: float) -> None:
            done = STAGES.index(stage) + min(max(fraction, 0.0), 1.0)
            self._update(job_id, stage=stage, progress=round(100.0 * done / len(STAGES), 1))

        store = open_store(self.settings.store_url, self.settings)
        try:
            run = compute(store, self.settings, progress=progress)
            self._update(
                job_id, state="succeeded", progress=100.0, run_id=run.run_id, finished_at=_now()
            )
        except GraphEngineError as exc:
            self._update(job_id, state="failed", error=exc.message, finished_at=_now())
        except Exception as exc:
            self._update(
                job_id, state="failed", error=f"{type(exc).__name__}: {exc}", finished_at=_now()
            )
        finally:
            store.close()

    def get(self, job_id: str) -> dict[str, Any]:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise NotFoundError(f"no job {job_id!r}")
            return dict(job)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
