"""The package as a user meets it: loading, errors as exceptions with code, message and path, a bundle
directory choosing by jurisdiction, bad Arrow rows as error rows at their place, and the GIL released."""

import json
import pathlib
import threading
import time

import pyarrow as pa
import pytest

import xince

REQUEST = "examples/requests/梁平区-食品企业.json"


@pytest.fixture(scope="module")
def liangping(cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("lp") / "梁平区.wasm"
    cli("build", "policies/重庆市/梁平区/政策.xince", "-o", out)
    return out


@pytest.fixture(scope="module")
def request_dict(root):
    return json.loads((root / REQUEST).read_text(encoding="utf-8"))


def test_a_missing_module_raises_with_a_code(tmp_path):
    with pytest.raises(xince.XinceError) as e:
        xince.load(tmp_path / "nope.wasm")
    assert e.value.code == "E_FILE_NOT_FOUND"


def test_a_bad_request_raises_with_code_message_and_path(liangping, request_dict):
    policy = xince.load(liangping)
    bad = json.loads(json.dumps(request_dict))
    bad["subject"]["records"][0]["domain"] = "不存在的领域"
    with pytest.raises(xince.XinceError) as e:
        policy.evaluate(bad)
    assert e.value.code == "E_REQ_VOCAB"
    assert e.value.path == "subject.records[0].domain"
    assert "不存在的领域" in e.value.message_zh
    assert e.value.path in str(e.value)


def test_a_bundle_directory_picks_by_jurisdiction(cli, tmp_path, request_dict):
    bundle = tmp_path / "bundle"
    cli("build", "policies/重庆市/梁平区/政策.xince", "-o", bundle / "重庆市/梁平区/政策.wasm")
    cli("build", "policies/重庆市/潼南区/政策.xince", "-o", bundle / "重庆市/潼南区/政策.wasm")
    policy = xince.load(bundle)
    assert {p["jurisdiction"] for p in policy.policies} == {"重庆市/梁平区", "重庆市/潼南区"}
    a = policy.evaluate(request_dict, jurisdiction="重庆市/梁平区")
    b = policy.evaluate(request_dict, jurisdiction="重庆市/潼南区")
    assert a["policy"]["jurisdiction"] == "重庆市/梁平区"
    assert b["policy"]["jurisdiction"] == "重庆市/潼南区"
    with pytest.raises(xince.XinceError) as e:
        policy.evaluate(request_dict)
    assert e.value.code == "E_NO_POLICY"
    # Arrow rows name their jurisdiction in a column; a row naming none is an error row in place.
    rows = pa.Table.from_pylist(
        [
            {"as_of": "2024-05-01", "subject": {"id": "a", "kind": "法人"}, "jurisdiction": "重庆市/潼南区"},
            {"as_of": "2024-05-01", "subject": {"id": "b", "kind": "法人"}, "jurisdiction": None},
            {"as_of": "2024-05-01", "subject": {"id": "c", "kind": "法人"}, "jurisdiction": "重庆市/梁平区"},
        ]
    )
    out = policy.evaluate(rows)
    assert out.column("subject_id").to_pylist() == ["a", "b", "c"]
    assert out.column("policy_jurisdiction").to_pylist() == ["重庆市/潼南区", None, "重庆市/梁平区"]
    assert out.column("error_code").to_pylist() == [None, "E_NO_POLICY", None]


def test_bad_arrow_rows_are_error_rows_at_their_place(liangping):
    policy = xince.load(liangping)
    rows = pa.Table.from_pylist(
        [
            {"as_of": "2024-05-01", "subject": {"id": "a", "kind": "法人"}},
            {"as_of": "2024-05-01", "subject": {"id": None, "kind": "法人"}},
            {"as_of": "2024-02-30", "subject": {"id": "c", "kind": "法人"}},
            {"as_of": "2024-05-01", "subject": {"id": "d", "kind": "火星人"}},
            {"as_of": "2024-05-01", "subject": {"id": "e", "kind": "法人"}},
        ]
    )
    out = policy.evaluate(rows)
    assert out.num_rows == 5
    assert out.column("row").to_pylist() == [1, 2, 3, 4, 5]
    assert out.column("error_code").to_pylist() == [None, "E_REQ_SHAPE", "E_REQ_DATE", "E_REQ_VOCAB", None]
    assert out.column("error_path").to_pylist() == [None, "subject.id", "as_of", "subject.kind", None]
    assert out.column("subject_id").to_pylist() == ["a", None, "c", "d", "e"]
    assert out.schema.field("as_of").type == pa.date32()


def test_a_table_of_the_wrong_shape_raises_naming_the_column(liangping):
    policy = xince.load(liangping)
    with pytest.raises(xince.XinceError) as e:
        policy.evaluate(pa.table({"as_of": [1, 2]}))
    assert e.value.code == "E_SCHEMA"
    assert e.value.path == "as_of"


def test_evaluation_releases_the_gil(cli, liangping, tmp_path):
    """While a large batch evaluates in Rust, a Python thread keeps running."""
    subjects = tmp_path / "s.parquet"
    cli("gen", "--count", "20000", "-o", subjects)
    import pyarrow.parquet as pq

    table = pq.read_table(subjects)
    policy = xince.load(liangping, threads=1)
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=tick)
    started = time.perf_counter()
    t.start()
    out = policy.evaluate(table)
    ended = time.perf_counter()
    stop.set()
    t.join()
    assert out.num_rows == 20000
    during = [x for x in ticks if started < x < ended]
    # With the GIL held for the whole call the ticker would stall; released, it ticks throughout.
    assert ended - started > 0.05
    assert len(during) >= 10, (len(during), ended - started)
