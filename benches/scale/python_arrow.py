"""The Python package over Arrow, for the scale table: read subjects Parquet, evaluate, write decisions Parquet,
batch by batch (`iter_batches`, so memory stays flat like the CLI's). Prints the time inside evaluate()."""

import sys
import time

import pyarrow.parquet as pq

import xince

module, subjects, out = sys.argv[1:4]
policy = xince.load(module)
schema = policy.decision_schema()
source = pq.ParquetFile(subjects)
evaluating = 0.0
rows = 0
with pq.ParquetWriter(out, schema, compression="snappy") as writer:
    for batch in source.iter_batches(batch_size=65536):
        t = time.perf_counter()
        decided = policy.evaluate(batch)
        evaluating += time.perf_counter() - t
        rows += decided.num_rows
        writer.write_batch(decided)
print(f"{rows} subjects, {evaluating:.2f} s in evaluate(), {evaluating / rows * 1e6:.2f} µs per subject (wall)",
      file=sys.stderr)
