"""Prometheus text exposition of request counts and latencies (no extra dependency)."""

from __future__ import annotations

import threading
from collections import defaultdict

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """Counters and a latency histogram per (method, route, status)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count: dict[tuple[str, str, int], int] = defaultdict(int)
        self._sum: dict[tuple[str, str], float] = defaultdict(float)
        self._buckets: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * len(BUCKETS))
        self._obs: dict[tuple[str, str], int] = defaultdict(int)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self._count[(method, route, status)] += 1
            key = (method, route)
            self._sum[key] += seconds
            self._obs[key] += 1
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    self._buckets[key][i] += 1

    def render(self, extra: dict[str, float] | None = None) -> str:
        lines = [
            "# HELP graph_engine_http_requests_total HTTP requests by method, route, status.",
            "# TYPE graph_engine_http_requests_total counter",
        ]
        with self._lock:
            for (method, route, status), n in sorted(self._count.items()):
                lines.append(
                    f'graph_engine_http_requests_total{{method="{method}",route="{route}",'
                    f'status="{status}"}} {n}'
                )
            lines += [
                "# HELP graph_engine_http_request_seconds Request latency.",
                "# TYPE graph_engine_http_request_seconds histogram",
            ]
            for (method, route), counts in sorted(self._buckets.items()):
                label = f'method="{method}",route="{route}"'
                for bound, c in zip(BUCKETS, counts, strict=True):
                    lines.append(
                        f'graph_engine_http_request_seconds_bucket{{{label},le="{bound}"}} {c}'
                    )
                obs = self._obs[(method, route)]
                lines.append(f'graph_engine_http_request_seconds_bucket{{{label},le="+Inf"}} {obs}')
                total = self._sum[(method, route)]
                lines.append(f"graph_engine_http_request_seconds_sum{{{label}}} {total:.6f}")
                lines.append(f"graph_engine_http_request_seconds_count{{{label}}} {obs}")
        for name, value in (extra or {}).items():
            lines += [f"# TYPE {name} gauge", f"{name} {value}"]
        return "\n".join(lines) + "\n"
