"""Evaluate a Parquet population against the policy in force for each subject's jurisdiction, on Spark.

    spark-submit --master local[2] integrations/spark/evaluate.py \
        --subjects subjects.parquet --bundle bundle/ --output decisions.parquet [--decision-json]

`--subjects` is Parquet in the subject schema (docs/schema/subjects.arrow.md), with a `jurisdiction` column
when `--bundle` is a directory of modules (`xince build <dir> --out-dir bundle/`); `--bundle` may also be one
module. Each executor evaluates its Arrow batches with the xince package (mapInArrow); the output is Parquet in
the decision schema (docs/schema/decisions.arrow.md). On a cluster, ship the wheel and the bundle (docs/scale.md).
"""

import argparse
import time

from pyspark.sql import SparkSession

from xince.spark import evaluate_frame


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--subjects", required=True, help="Parquet subjects (file or directory)")
    p.add_argument("--bundle", required=True, help="a module (.wasm) or a directory of modules, on every executor")
    p.add_argument("--output", required=True, help="Parquet decisions (a directory, overwritten)")
    p.add_argument("--jurisdiction", help="default jurisdiction for rows without one")
    p.add_argument("--as-of", help="override every request's evaluation date")
    p.add_argument("--decision-json", action="store_true", help="add the full decision as a JSON column")
    p.add_argument("--partitions", type=int, default=0, help="repartition the subjects first (0: as read)")
    p.add_argument("--batch-rows", type=int, default=4096, help="rows per Arrow batch handed to xince")
    args = p.parse_args()

    spark = (
        SparkSession.builder.appName("xince-evaluate")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(args.batch_rows))
        .getOrCreate()
    )
    subjects = spark.read.parquet(args.subjects)
    if args.partitions:
        subjects = subjects.repartition(args.partitions)
    options = {k: v for k, v in (("jurisdiction", args.jurisdiction), ("as_of", args.as_of)) if v is not None}
    started = time.time()
    decisions = evaluate_frame(subjects, args.bundle, args.decision_json, **options)
    decisions.write.mode("overwrite").parquet(args.output)
    elapsed = time.time() - started
    written = spark.read.parquet(args.output)
    total = written.count()
    failed = written.where("error_code IS NOT NULL").count()
    print(f"xince-evaluate: {total} subjects, {total - failed} ok, {failed} failed, in {elapsed:.1f} s "
          f"({total / max(elapsed, 1e-9):.0f}/s) -> {args.output}")
    spark.stop()


if __name__ == "__main__":
    main()
