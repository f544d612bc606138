"""The package decides every policy test case (`policies/**/tests/*.json`) exactly as the CLI does: the same
JSON bytes for `evaluate_json`, the same dict for `evaluate`, the same error code and path for a failing case,
and the same decisions through a list, a pyarrow Table and a pandas DataFrame."""

import json
import pathlib

import pyarrow as pa
import pytest

import xince


def policy_dirs(root):
    return sorted({p.parent.parent for p in root.glob("policies/**/tests/*.json")})


def cases(root):
    out = []
    for d in policy_dirs(root):
        for case in sorted((d / "tests").glob("*.json")):
            out.append((d, case))
    return out


@pytest.fixture(scope="session")
def modules(cli, root, tmp_path_factory):
    """Each policy with test cases, built once by the CLI."""
    out = tmp_path_factory.mktemp("modules")
    built = {}
    for d in policy_dirs(root):
        target = out / (d.relative_to(root / "policies").as_posix().replace("/", "_") + ".wasm")
        cli("build", d / "政策.xince", "-o", target)
        built[d] = target
    return built


def test_there_are_cases(root):
    assert len(cases(root)) >= 20, "the seed policies ship their test cases"


def test_every_case_matches_the_cli(cli, root, modules, tmp_path):
    checked = failed_cases = 0
    for d, module in modules.items():
        policy = xince.load(module)
        requests = [json.loads(c.read_text(encoding="utf-8"))["request"] for c in sorted((d / "tests").glob("*.json"))]
        jsonl = tmp_path / "in.jsonl"
        jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in requests), encoding="utf-8")
        out = tmp_path / "out.jsonl"
        cli("eval", "--policy", module, "--input", jsonl, "--output", out, check=False)
        expected = out.read_text(encoding="utf-8").splitlines()
        assert len(expected) == len(requests)
        for request, line in zip(requests, expected):
            text = json.dumps(request, ensure_ascii=False)
            want = json.loads(line)
            if "error" in want:
                with pytest.raises(xince.XinceError) as e:
                    policy.evaluate(request)
                assert (e.value.code, e.value.path) == (want["error"]["code"], want["error"].get("path"))
                assert e.value.message == want["error"]["message_en"]
                assert e.value.message_zh == want["error"]["message_zh"]
                failed_cases += 1
            else:
                assert policy.evaluate_json(text) == line, "the CLI's bytes"
                assert policy.evaluate(request) == want
            checked += 1
        # A list: the same, failures in place as the CLI's error objects (with their line numbers).
        assert policy.evaluate(requests) == [json.loads(x) for x in expected]
        # Arrow: the decision column carries the CLI's bytes.
        table = pa.Table.from_pylist([arrow_row(r) for r in requests], schema=xince.subject_schema())
        decided = policy.evaluate(table, decision_json=True)
        assert isinstance(decided, pa.Table)
        assert decided.column("decision").to_pylist() == expected
        # pandas.
        frame = policy.evaluate(table.to_pandas(), decision_json=True)
        assert list(frame["decision"]) == expected
    assert checked == len(cases(root))


DATE_FIELDS = ("date", "filed", "resolved")


def arrow_row(request):
    """A request dict in the subject schema's shape (dates as datetime.date, absent fields as None)."""
    import datetime

    def day(s):
        return None if s is None else datetime.date.fromisoformat(s)

    subject = dict(request["subject"])
    records = []
    for r in subject.get("records", []):
        r = dict(r)
        for f in DATE_FIELDS:
            r[f] = day(r.get(f))
        records.append(r)
    subject["records"] = records
    subject.setdefault("related", [])
    return {
        "as_of": day(request["as_of"]),
        "scenario": request.get("scenario"),
        "explain": request.get("explain"),
        "subject": subject,
    }
