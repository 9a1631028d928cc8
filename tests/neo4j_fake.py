"""A recording fake at the Neo4j driver-session boundary.

The driver, sessions, transactions and results are ``create_autospec`` / ``spec=`` mocks
of the real ``neo4j`` classes, so the store can only call what the driver offers.
Every ``tx.run`` is matched back to the ``cypher/`` file its text came from (text
that is in no file fails the test: no string-built Cypher), its parameters are checked
against the file's declared parameters and against the types Bolt can carry, and the
call is recorded with its transaction and access mode. Answers are canned per
statement name (a list of records, or a function of the parameters).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from unittest.mock import MagicMock, create_autospec

import neo4j

from graph_engine.config import Settings
from graph_engine.store.cypher import statement, statement_names
from graph_engine.store.neo4j import SCHEMA_VERSION, Neo4jStore

Answer = list[dict[str, Any]] | Callable[[dict[str, Any]], list[dict[str, Any]]]
URL = "neo4j://recorded.invalid:7687"


@dataclass
class Call:
    """One statement run: its file name, parameters, transaction number and mode."""

    name: str
    params: dict[str, Any]
    tx: int
    mode: str


def _bolt_value(value: Any, where: str) -> None:
    if value is None or isinstance(value, bool | int | float | str):
        if isinstance(value, int) and not isinstance(value, bool):
            assert -(2**63) <= value < 2**63, f"{where}: integer {value} out of range"
        return
    if isinstance(value, list):
        for i, v in enumerate(value):
            _bolt_value(v, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for k, v in value.items():
            assert isinstance(k, str), f"{where}: map key {k!r} is not a string"
            _bolt_value(v, f"{where}.{k}")
        return
    raise AssertionError(f"{where}: {type(value).__name__} {value!r} is not a Bolt value")


def _without_nulls(node: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if v is not None}


class Recorder:
    """Owns the fake driver and what ran through it."""

    def __init__(self, answers: dict[str, Answer] | None = None) -> None:
        self.calls: list[Call] = []
        self.answers: dict[str, Answer] = {
            "meta/get": lambda p: {
                "schema_version": [{"value": SCHEMA_VERSION}],
                "identity_salt": [{"value": "test-salt"}],
            }.get(p["key"], []),
            **(answers or {}),
        }
        self._names: dict[str, str] = {}
        for name in statement_names():
            texts = statement(name).texts
            for i, text in enumerate(texts):
                self._names[text] = name if len(texts) == 1 else f"{name}#{i}"
        self._tx = 0
        self.driver = create_autospec(neo4j.Driver, instance=True)
        self.driver.session.side_effect = self._session
        self.sessions: list[dict[str, Any]] = []

    def _session(self, **config: Any) -> Any:
        self.sessions.append(config)
        session = create_autospec(neo4j.Session, instance=True)
        session.__enter__.return_value = session
        session.execute_read.side_effect = lambda work, *a, **k: self._transaction(
            "read", work, a, k
        )
        session.execute_write.side_effect = lambda work, *a, **k: self._transaction(
            "write", work, a, k
        )
        session.run.side_effect = self._auto_commit
        return session

    def _auto_commit(self, query: Any, parameters: Any = None, **kw: Any) -> Any:
        self._tx += 1
        return self._run(self._tx, "auto", query, parameters, kw)

    def _transaction(self, mode: str, work: Any, args: Any, kwargs: Any) -> Any:
        self._tx += 1
        number = self._tx
        tx = create_autospec(neo4j.ManagedTransaction, instance=True)
        tx.run.side_effect = lambda query, parameters=None, **kw: self._run(
            number, mode, query, parameters, kw
        )
        return work(tx, *args, **kwargs)

    def _run(self, number: int, mode: str, query: Any, parameters: Any, kw: dict[str, Any]) -> Any:
        assert isinstance(query, str), f"query must be a str, got {type(query).__name__}"
        name = self._names.get(query)
        assert name is not None, f"Cypher text in no cypher/ file (string-built?): {query!r}"
        params = {**(parameters or {}), **kw}
        base = name.partition("#")[0]
        declared = set(statement(base).parameters)
        assert set(params) == declared, f"{name}: parameters {sorted(params)} != {sorted(declared)}"
        for key, value in params.items():
            _bolt_value(value, f"{name} ${key}")
        self.calls.append(Call(name, params, number, mode))
        answer = self.answers.get(base, [])
        rows = answer(params) if callable(answer) else answer
        if "{.*}" in query:  # Neo4j leaves null properties out of `n {.*}` maps
            rows = [
                {k: _without_nulls(v) if isinstance(v, dict) else v for k, v in r.items()}
                for r in rows
            ]
        result = MagicMock(spec=neo4j.Result)
        result.data.return_value = [dict(r) for r in rows]
        result.consume.return_value = MagicMock(spec=neo4j.ResultSummary)
        return result

    # -- what tests ask -----------------------------------------------------------------
    def names(self, prefix: str = "") -> list[str]:
        """Names of the statements run, in order (optionally only those under a prefix)."""
        return [c.name for c in self.calls if c.name.startswith(prefix)]

    def of(self, name: str) -> list[Call]:
        """The calls of one statement."""
        return [c for c in self.calls if c.name == name]

    def clear(self) -> None:
        """Forget the calls so far."""
        self.calls.clear()


def recorded_store(
    answers: dict[str, Answer] | None = None, **settings: Any
) -> tuple[Neo4jStore, Recorder]:
    """A Neo4jStore over a fresh recorder (schema present, salt ``test-salt``)."""
    recorder = Recorder(answers)
    config = Settings(identity_salt="test-salt", **settings)
    store = Neo4jStore(URL, config, driver=recorder.driver, identity_salt="test-salt")
    return store, recorder
