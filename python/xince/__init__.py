"""信策 xince for Python: evaluate subjects against compiled social-credit policy modules.

    import xince
    policy = xince.load("target/梁平区.wasm")            # a module, or a directory of modules (a bundle)
    decision = policy.evaluate({"as_of": "2024-06-01", "subject": {...}})   # dict -> dict
    decisions = policy.evaluate([req1, req2])           # list -> list (errors in place, as {"error": ...})
    table = policy.evaluate(pyarrow_table)              # RecordBatch / Table -> the decision schema
    frame = policy.evaluate(pandas_dataframe)           # DataFrame -> DataFrame

Evaluation runs in Rust with the GIL released, through the same path as `xince eval --input`, so decisions
are the CLI's, byte for byte. Arrow data uses the subject and decision schemas in `docs/schema/`.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional, Union

from . import _native

__all__ = ["XinceError", "Policy", "load", "subject_schema", "__version__"]
__version__ = _native.__version__


class XinceError(Exception):
    """A request that cannot be evaluated, or modules that cannot be loaded.

    `code` is stable (`E_REQ_VOCAB`, `E_NO_POLICY`, `E_LOAD`, `E_SCHEMA`, ...), `message` is English,
    `message_zh` Chinese, and `path` the JSON path of the offending value (`subject.records[2].domain`), or the
    column for a schema error, or None.
    """

    def __init__(self, code: str, message: str, path: Optional[str] = None, message_zh: Optional[str] = None):
        super().__init__(code, message, path, message_zh)
        self.code = code
        self.message = message
        self.path = path
        self.message_zh = message_zh if message_zh is not None else message

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{where}{self.message} [{self.code}]"


def _raise(error_json: str) -> None:
    e = json.loads(error_json)["error"]
    raise XinceError(e["code"], e["message_en"], e.get("path"), e["message_zh"])


class Policy:
    """Loaded modules: one module file, or every module under a directory (the one in force for the
    subject's jurisdiction on the request's date is chosen)."""

    def __init__(
        self,
        path: Union[str, "os.PathLike[str]"],
        *,
        jurisdiction: Optional[str] = None,
        as_of: Optional[str] = None,
        scenario: Optional[str] = None,
        explain: bool = False,
        threads: int = 0,
    ):
        self._engine = _native.Engine(
            os.fspath(path),
            jurisdiction,
            as_of,
            scenario,
            explain,
            threads,
        )

    @property
    def policies(self) -> List[Dict[str, str]]:
        """The loaded modules: id, version, jurisdiction, effective_from."""
        return [
            {"id": i, "version": v, "jurisdiction": j, "effective_from": f}
            for (i, v, j, f) in self._engine.policies()
        ]

    def evaluate(self, data: Any, *, jurisdiction: Optional[str] = None, decision_json: bool = False) -> Any:
        """Evaluates a request dict (returns the decision dict, raises XinceError), a list of request dicts
        (returns a list, failures in place as {"error": {...}, "line": n}), a pyarrow RecordBatch or Table
        in the subject schema (returns the same kind in the decision schema), or a pandas DataFrame (returns a
        DataFrame). `jurisdiction` picks the module from a directory for dicts and lists; Arrow data names it in
        a `jurisdiction` column. `decision_json` adds the full decision as a JSON column to Arrow results."""
        if isinstance(data, dict):
            return self.evaluate_request(data, jurisdiction=jurisdiction)
        if isinstance(data, (list, tuple)):
            return self.evaluate_many(data, jurisdiction=jurisdiction)
        kind = type(data).__module__.split(".")[0]
        if kind == "pyarrow":
            return self.evaluate_arrow(data, decision_json=decision_json)
        if kind == "pandas":
            return self.evaluate_pandas(data, decision_json=decision_json)
        raise TypeError(f"cannot evaluate a {type(data).__name__}: give a dict, a list, a pyarrow RecordBatch or "
                        "Table, or a pandas DataFrame")

    def evaluate_request(self, request: Dict[str, Any], *, jurisdiction: Optional[str] = None) -> Dict[str, Any]:
        failed, text = self._engine.evaluate_json(json.dumps(request, ensure_ascii=False), jurisdiction)
        if failed:
            _raise(text)
        return json.loads(text)

    def evaluate_json(self, text: str, *, jurisdiction: Optional[str] = None) -> str:
        """One request as JSON text -> the decision as JSON text (the CLI's bytes); raises XinceError."""
        failed, out = self._engine.evaluate_json(text, jurisdiction)
        if failed:
            _raise(out)
        return out

    def evaluate_many(self, requests: List[Dict[str, Any]], *, jurisdiction: Optional[str] = None) -> List[Dict[str, Any]]:
        texts = [json.dumps(r, ensure_ascii=False) for r in requests]
        return [json.loads(t) for (_, t) in self._engine.evaluate_json_many(texts, jurisdiction)]

    def evaluate_arrow(self, data: Any, *, decision_json: bool = False) -> Any:
        import pyarrow as pa

        if isinstance(data, pa.RecordBatch):
            return self._engine.evaluate_arrow(data, decision_json, 1)
        if isinstance(data, pa.Table):
            batches, row = [], 1
            for batch in data.to_batches():
                batches.append(self._engine.evaluate_arrow(batch, decision_json, row))
                row += batch.num_rows
            return pa.Table.from_batches(batches, schema=self.decision_schema(decision_json=decision_json))
        raise TypeError(f"not a pyarrow RecordBatch or Table: {type(data).__name__}")

    def evaluate_pandas(self, frame: Any, *, decision_json: bool = False) -> Any:
        import pyarrow as pa

        table = pa.Table.from_pandas(frame, preserve_index=False)
        return self.evaluate_arrow(table, decision_json=decision_json).to_pandas()

    def decision_schema(self, *, decision_json: bool = False) -> Any:
        """The pyarrow schema of this policy's decisions."""
        return self._engine.decision_schema(decision_json)


def load(path: Union[str, "os.PathLike[str]"], **options: Any) -> Policy:
    """Loads a module (.wasm) or a directory of modules; options as for Policy."""
    return Policy(path, **options)


def subject_schema(*, jurisdiction: bool = False) -> Any:
    """The pyarrow schema of subjects (requests as Arrow rows), optionally with a jurisdiction column."""
    return _native.subject_schema(jurisdiction)
