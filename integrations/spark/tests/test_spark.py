"""The Spark jobs in local mode on 100,000 subjects: the evaluate job's decisions are byte-equal with the
CLI's on the same Parquet input (the policy in force per subject's jurisdiction, from a bundle directory), and
the replay job's counts of who enters and leaves equal those computed from two CLI runs.

Needs pyspark (PyPI) and Java 17, the xince package installed, and the CLI (XINCE_BIN or target/*/xince).
SPARK_TEST_SUBJECTS changes the population size (default 100000)."""

import json
import os
import re
import pathlib
import shutil
import subprocess
import sys
from collections import Counter

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
SUBJECTS = int(os.environ.get("SPARK_TEST_SUBJECTS", "100000"))
JURISDICTIONS = ["重庆市/梁平区", "重庆市/潼南区", "重庆市/巫山县", "重庆市/巫山县/司法局", "湖北省/宜昌市/兴山县"]
POLICIES = {
    "重庆市/梁平区": "policies/重庆市/梁平区/政策.xince",
    "重庆市/潼南区": "policies/重庆市/潼南区/政策.xince",
    "重庆市/巫山县": "policies/重庆市/巫山县/政策.xince",
    "重庆市/巫山县/司法局": "policies/重庆市/巫山县/司法局/政策.xince",
    "湖北省/宜昌市/兴山县": "policies/湖北省/宜昌市/兴山县/政策.xince",
}


def cli_path():
    if os.environ.get("XINCE_BIN"):
        return os.environ["XINCE_BIN"]
    for profile in ("release", "debug"):
        p = ROOT / "target" / profile / "xince"
        if p.exists():
            return str(p)
    pytest.exit("the xince CLI is needed (cargo build, or XINCE_BIN)", returncode=2)


def xince(*args):
    out = subprocess.run([cli_path(), *map(str, args)], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode in (0, 1), f"xince {args}: {out.stderr}"
    return out


def spark_submit(script, *args):
    submit = shutil.which("spark-submit", path=os.path.dirname(sys.executable)) or shutil.which("spark-submit")
    assert submit, "spark-submit (pyspark) is not installed"
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    out = subprocess.run(
        [submit, "--master", "local[2]", "--driver-memory", "2g", "--conf", "spark.ui.enabled=false",
         str(ROOT / "integrations/spark" / script), *map(str, args)],
        cwd=ROOT, capture_output=True, text=True, env=env,
    )
    assert out.returncode == 0, f"spark-submit {script} failed:\n{out.stdout[-3000:]}\n{out.stderr[-6000:]}"
    return out.stdout


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    d = tmp_path_factory.mktemp("spark")
    bundle = d / "bundle"
    for j, src in POLICIES.items():
        xince("build", src, "-o", bundle / j / "政策.wasm")
    subjects = d / "subjects.parquet"
    args = ["gen", "--count", SUBJECTS, "--seed", 19, "-o", subjects]
    for j in JURISDICTIONS:
        args += ["--jurisdiction", j]
    xince(*args)
    return d, bundle, subjects


LINE = re.compile(r',"line":\d+\}$')


def read_sorted(path):
    """The decisions, the error objects' `line` taken off (under Spark a row has no input line: it is the row's
    place in its Arrow batch), sorted by subject id, then by that text (generated ids repeat now and then, 3 in
    100,000)."""
    table = pq.read_table(path)
    text = [LINE.sub("}", t) for t in table.column("decision").to_pylist()]
    table = table.set_column(table.schema.get_field_index("decision"), "decision", pa.array(text, pa.string()))
    return table.sort_by([("subject_id", "ascending"), ("decision", "ascending")])


def test_spark_decisions_equal_the_cli(work):
    d, bundle, subjects = work
    cli_out = d / "cli.parquet"
    xince("eval", "--policy", bundle, "--input", subjects, "--output", cli_out, "--decision-json")
    spark_out = d / "spark-decisions"
    log = spark_submit("evaluate.py", "--subjects", subjects, "--bundle", bundle, "--output", spark_out,
                       "--decision-json")
    assert f"xince-evaluate: {SUBJECTS} subjects" in log, log

    cli = read_sorted(cli_out)
    spark = read_sorted(spark_out)
    assert cli.num_rows == spark.num_rows == SUBJECTS
    ids = cli.column("subject_id").to_pylist()
    assert len(set(ids)) > SUBJECTS * 0.99, "subject ids are nearly unique (the sort key)"
    assert spark.column("subject_id").to_pylist() == ids
    # Several jurisdictions' policies decided subjects (a jurisdiction with none in force gives E_NO_POLICY rows).
    assert len(set(cli.column("policy_jurisdiction").to_pylist()) & set(JURISDICTIONS)) >= 3
    # The full decisions, byte for byte (error objects without their `line`).
    assert spark.column("decision").to_pylist() == cli.column("decision").to_pylist()
    decided = [t for t in cli.column("decision").to_pylist() if t.startswith('{"policy"')]
    assert len(decided) > SUBJECTS * 0.7, "most subjects are decided, not errors (兴山县 has none in force)"
    # And every queryable column but `row` (numbered per Arrow batch under Spark).
    names = [n for n in cli.schema.names if n != "row"]
    assert [n for n in spark.schema.names if n != "row"] == names
    for n in names:
        assert spark.column(n).to_pylist() == cli.column(n).to_pylist(), n


def test_spark_replay_counts_equal_two_cli_runs(work, tmp_path):
    d, _, subjects = work
    old, new = tmp_path / "old.wasm", tmp_path / "new.wasm"
    xince("build", "policies/重庆市/梁平区/政策.xince", "-o", old)
    # The proposed version: a 严重 record blacklists only in the named domains (the old one: in any domain).
    src = (ROOT / "policies/重庆市/梁平区/政策.xince").read_text(encoding="utf-8")
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "policies", tree / "policies")
    lines = src.split("\n")
    suffix = " 或 记录.严重程度 == 严重"
    at = next(i for i, l in enumerate(lines) if l.startswith("  纳入:") and l.endswith(suffix))
    lines[at] = lines[at][: -len(suffix)]
    changed = "\n".join(lines)
    assert changed != src, "the proposed change applies"
    (tree / "policies/重庆市/梁平区/政策.xince").write_text(changed, encoding="utf-8")
    out = subprocess.run([cli_path(), "build", "policies/重庆市/梁平区/政策.xince", "-o", new], cwd=tree,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr

    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    xince("eval", "--policy", old, "--input", subjects, "--output", a)
    xince("eval", "--policy", new, "--input", subjects, "--output", b)
    ta, tb = pq.read_table(a), pq.read_table(b)
    expected = Counter()
    for name in sorted(set(ta.schema.names) | set(tb.schema.names)):
        if not (name.startswith("list:") or name.startswith("measure:")) or name.count(":") != 1:
            continue
        xs = ta.column(name).to_pylist() if name in ta.schema.names else [None] * ta.num_rows
        ys = tb.column(name).to_pylist() if name in tb.schema.names else [None] * tb.num_rows
        for x, y in zip(xs, ys):
            if (x == "active") != (y == "active"):
                expected[(name, "enters" if y == "active" else "leaves")] += 1
    assert expected[("list:严重失信主体名单", "leaves")] > 0, "the change takes subjects off the black list"

    summary = tmp_path / "summary.json"
    spark_submit("replay.py", "--subjects", subjects, "--old", old, "--new", new, "--output", tmp_path / "changes",
                 "--summary", summary)
    got = {(r["item"], r["change"]): r["subjects"] for r in json.loads(summary.read_text(encoding="utf-8"))}
    assert got == dict(expected)
