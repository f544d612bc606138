"""Spark helpers: evaluate a population with `DataFrame.mapInArrow`, the xince package on every executor.

The jobs in `integrations/spark/` use these; so can a platform's own jobs:

    from xince.spark import evaluate_frame
    decisions = evaluate_frame(subjects_df, "bundle", decision_json=True)

Each executor's Python worker loads the modules once (cached per process) and evaluates Arrow batches in Rust
with the GIL released, through the same path as `xince eval`, so the decisions are the CLI's, byte for byte.
The `row` column counts within each Arrow batch under Spark: join on `subject_id`.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, Optional, Tuple

_POLICIES: Dict[Tuple[Any, ...], Any] = {}


def _policy(path: str, **options: Any) -> Any:
    """The modules at `path`, loaded once per Python process."""
    import xince

    key = (path, tuple(sorted(options.items())))
    if key not in _POLICIES:
        _POLICIES[key] = xince.load(path, **options)
    return _POLICIES[key]


def spark_schema(arrow_schema: Any) -> Any:
    """A pyspark StructType for a pyarrow schema of the decision or replay shape."""
    import pyarrow as pa
    from pyspark.sql import types as T

    def convert(t: Any) -> Any:
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            return T.StringType()
        if pa.types.is_date32(t):
            return T.DateType()
        if pa.types.is_boolean(t):
            return T.BooleanType()
        if pa.types.is_int64(t):
            return T.LongType()
        if pa.types.is_float64(t):
            return T.DoubleType()
        raise TypeError(f"no Spark type for {t}")

    return T.StructType([T.StructField(f.name, convert(f.type), f.nullable) for f in arrow_schema])


def decision_schema(path: str, decision_json: bool = False, **options: Any) -> Any:
    """The pyarrow decision schema for the modules at `path` (loaded on the driver to learn it)."""
    return _policy(path, **options).decision_schema(decision_json=decision_json)


def evaluate_batches(path: str, decision_json: bool = False, **options: Any):
    """A function for `mapInArrow`: subject batches in, decision batches out."""

    def evaluate(batches: Iterator[Any]) -> Iterator[Any]:
        policy = _policy(path, **options)
        for batch in batches:
            if batch.num_rows:
                yield policy._engine.evaluate_arrow(batch, decision_json, 1)

    return evaluate


def evaluate_frame(subjects: Any, path: str, decision_json: bool = False, **options: Any) -> Any:
    """Decisions for a Spark DataFrame of subjects (the subject schema) against the modules at `path`."""
    schema = spark_schema(decision_schema(path, decision_json, **options))
    return subjects.mapInArrow(evaluate_batches(path, decision_json, **options), schema)


REPLAY_COLUMNS = [
    ("subject_id", "string"),
    ("jurisdiction", "string"),
    ("item", "string"),
    ("change", "string"),
    ("old_status", "string"),
    ("new_status", "string"),
]


def replay_arrow_schema() -> Any:
    import pyarrow as pa

    return pa.schema([pa.field(name, pa.string(), name not in ("item", "change")) for name, _ in REPLAY_COLUMNS])


def _status_columns(table: Any) -> Dict[str, Any]:
    """`list:<名单>` and `measure:<措施>` status columns of a decision batch, by name."""
    return {
        n: table.column(n)
        for n in table.schema.names
        if (n.startswith("list:") or n.startswith("measure:")) and n.count(":") == 1
    }


def changes(old: Any, new: Any, jurisdictions: Optional[Any] = None) -> Any:
    """Who enters and who leaves each list and measure between two decision batches of the same subjects:
    one row per (subject, item) whose active state differs (`enters`: active under the new version only;
    `leaves`: under the old only), and one per subject whose decision failed under one version only
    (`item` = `error`)."""
    import pyarrow as pa

    old_cols, new_cols = _status_columns(old), _status_columns(new)
    ids = new.column("subject_id").to_pylist()
    juris = jurisdictions.to_pylist() if jurisdictions is not None else [None] * len(ids)
    out = {name: [] for name, _ in REPLAY_COLUMNS}

    def emit(i: int, item: str, change: str, a: Any, b: Any) -> None:
        for name, value in zip(
            ("subject_id", "jurisdiction", "item", "change", "old_status", "new_status"),
            (ids[i], juris[i], item, change, a, b),
        ):
            out[name].append(value)

    for item in sorted(set(old_cols) | set(new_cols)):
        a = old_cols[item].to_pylist() if item in old_cols else [None] * len(ids)
        b = new_cols[item].to_pylist() if item in new_cols else [None] * len(ids)
        for i, (x, y) in enumerate(zip(a, b)):
            if (x == "active") != (y == "active"):
                emit(i, item, "enters" if y == "active" else "leaves", x, y)
    old_err, new_err = old.column("error_code").to_pylist(), new.column("error_code").to_pylist()
    for i, (x, y) in enumerate(zip(old_err, new_err)):
        if (x is None) != (y is None):
            emit(i, "error", "fails" if y is not None else "recovers", x, y)
    return pa.RecordBatch.from_pydict(out, schema=replay_arrow_schema())


def replay_batches(old_path: str, new_path: str, **options: Any):
    """A function for `mapInArrow`: subject batches in, the changes between two policy versions out."""

    def replay(batches: Iterator[Any]) -> Iterator[Any]:
        old, new = _policy(old_path, **options), _policy(new_path, **options)
        for batch in batches:
            if not batch.num_rows:
                continue
            a = old._engine.evaluate_arrow(batch, False, 1)
            b = new._engine.evaluate_arrow(batch, False, 1)
            j = batch.column("jurisdiction") if "jurisdiction" in batch.schema.names else None
            yield changes(a, b, j)

    return replay


def replay_frame(subjects: Any, old_path: str, new_path: str, **options: Any) -> Any:
    """The changes (see `changes`) for a Spark DataFrame of subjects between two policy versions."""
    return subjects.mapInArrow(replay_batches(old_path, new_path, **options), spark_schema(replay_arrow_schema()))
