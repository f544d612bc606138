//! Parquet in the batch path, end to end through the binary: the same subjects give the same decisions
//! whichever format carries them in and out (JSON Lines ↔ Parquet, in all four combinations), bad rows become
//! error rows at their place, the decision schema's columns agree with the JSON decisions, and `xince gen
//! --format parquet` writes the population `xince gen` writes as JSON Lines.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers outside #[test] fns

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn xince(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xince")).args(args).current_dir(root()).output().expect("run xince")
}

fn ok(o: Output) -> Output {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target/tmp/columnar").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn read_parquet(path: &Path) -> Vec<RecordBatch> {
    let file = std::fs::File::open(path).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
    reader.map(|b| b.unwrap()).collect()
}

/// The `decision` column's values, in row order.
fn decision_column(batches: &[RecordBatch]) -> Vec<String> {
    let mut out = Vec::new();
    for b in batches {
        let col = b.column_by_name("decision").unwrap().as_string::<i32>();
        out.extend((0..col.len()).map(|i| col.value(i).to_string()));
    }
    out
}

fn build(dir: &Path) -> PathBuf {
    let module = dir.join("梁平区.wasm");
    ok(xince(&["build", "policies/重庆市/梁平区/政策.xince", "-o", s(&module)]));
    module
}

#[test]
fn every_format_combination_gives_the_json_lines_decisions() {
    let dir = scratch("combinations");
    let module = build(&dir);
    let (jsonl, parquet) = (dir.join("subjects.jsonl"), dir.join("subjects.parquet"));
    ok(xince(&["gen", "--count", "3000", "--seed", "5", "-o", s(&jsonl)]));
    ok(xince(&["gen", "--count", "3000", "--seed", "5", "-o", s(&parquet)]));

    let reference = dir.join("ref.jsonl");
    ok(xince(&["eval", "--policy", s(&module), "--input", s(&jsonl), "--output", s(&reference)]));
    let reference = std::fs::read_to_string(&reference).unwrap();
    let lines: Vec<&str> = reference.lines().collect();
    assert_eq!(lines.len(), 3000);
    assert!(lines.iter().all(|l| l.starts_with("{\"policy\"")), "every subject is decided");

    // Parquet in, JSON Lines out: byte for byte.
    let out = dir.join("from-parquet.jsonl");
    ok(xince(&["eval", "--policy", s(&module), "--input", s(&parquet), "--output", s(&out), "--threads", "2"]));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), reference);

    // JSON Lines in, Parquet out, and Parquet in, Parquet out: the decision column is the same bytes.
    for (input, name) in [(&jsonl, "j2p.parquet"), (&parquet, "p2p.parquet")] {
        let out = dir.join(name);
        ok(xince(&["eval", "--policy", s(&module), "--input", s(input), "--output", s(&out), "--decision-json"]));
        let batches = read_parquet(&out);
        assert_eq!(decision_column(&batches), lines, "{name}");
        assert_decision_columns_agree(&batches);
    }
}

/// The queryable columns say what the JSON decision says.
fn assert_decision_columns_agree(batches: &[RecordBatch]) {
    let mut listed = 0;
    for b in batches {
        let json = b.column_by_name("decision").unwrap().as_string::<i32>();
        let id = b.column_by_name("subject_id").unwrap().as_string::<i32>();
        let black = b.column_by_name("list:严重失信主体名单").unwrap().as_string::<i32>();
        let entered =
            b.column_by_name("list:严重失信主体名单:entered").unwrap().as_primitive::<arrow_array::types::Date32Type>();
        let as_of = b.column_by_name("as_of").unwrap().as_primitive::<arrow_array::types::Date32Type>();
        for i in 0..b.num_rows() {
            let d: serde_json::Value = serde_json::from_str(json.value(i)).unwrap();
            assert_eq!(id.value(i), d["subject"]["id"].as_str().unwrap());
            let day = |v: i32| xince_abi::date::CivilDate::from_days(v).to_string();
            assert_eq!(day(as_of.value(i)), d["as_of"].as_str().unwrap());
            let item = d["lists"].as_array().unwrap().iter().find(|l| l["list"] == "严重失信主体名单");
            match item {
                Some(l) => {
                    assert_eq!(black.value(i), l["status"].as_str().unwrap());
                    assert_eq!(day(entered.value(i)), l["entered"].as_str().unwrap());
                    listed += 1;
                }
                None => {
                    assert_eq!(black.value(i), "not_listed");
                    assert!(entered.is_null(i));
                }
            }
        }
    }
    assert!(listed > 50, "the population puts some subjects on the black list ({listed})");
}

#[test]
fn bad_rows_are_error_rows_at_their_place() {
    let dir = scratch("bad-rows");
    let module = build(&dir);
    let good = std::fs::read_to_string(root().join("examples/requests/梁平区-食品企业.json")).unwrap();
    let good: serde_json::Value = serde_json::from_str(&good).unwrap();
    let good = serde_json::to_string(&good).unwrap();
    let bad_vocab = good.replacen("\"法人\"", "\"外星人\"", 1);
    assert_ne!(bad_vocab, good);
    let input = dir.join("in.jsonl");
    std::fs::write(&input, format!("{good}\nnot json\n\n{bad_vocab}\n{good}\n")).unwrap();
    let out = dir.join("out.parquet");
    let o = xince(&["eval", "--policy", s(&module), "--input", s(&input), "--output", s(&out), "--decision-json"]);
    assert_eq!(o.status.code(), Some(1), "failures make exit code 1");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains(":2:") && stderr.contains(":4:"), "{stderr}");
    let batches = read_parquet(&out);
    let b = &batches[0];
    assert_eq!(b.num_rows(), 4, "the blank line is skipped, nothing else");
    let rows: Vec<i64> =
        b.column_by_name("row").unwrap().as_primitive::<arrow_array::types::Int64Type>().values().to_vec();
    assert_eq!(rows, vec![1, 2, 4, 5]);
    let code = b.column_by_name("error_code").unwrap().as_string::<i32>();
    let path = b.column_by_name("error_path").unwrap().as_string::<i32>();
    assert!(code.is_null(0) && code.is_null(3));
    assert_eq!(code.value(1), "E_REQ_JSON");
    assert_eq!(code.value(2), "E_REQ_VOCAB");
    assert_eq!(path.value(2), "subject.kind");
    // The subject of a row that parsed is still named.
    let id = b.column_by_name("subject_id").unwrap().as_string::<i32>();
    assert!(id.is_null(1) && !id.is_null(2));
    // And the JSON Lines path writes the same error objects.
    let jsonl = dir.join("out.jsonl");
    let _ = xince(&["eval", "--policy", s(&module), "--input", s(&input), "--output", s(&jsonl)]);
    let expected: Vec<String> = std::fs::read_to_string(&jsonl).unwrap().lines().map(str::to_string).collect();
    assert_eq!(decision_column(&batches), expected);
}

#[test]
fn the_output_may_not_overwrite_the_input() {
    let dir = scratch("overwrite");
    let module = build(&dir);
    let input = dir.join("s.parquet");
    ok(xince(&["gen", "--count", "10", "-o", s(&input)]));
    let before = std::fs::read(&input).unwrap();
    let o = xince(&["eval", "--policy", s(&module), "--input", s(&input), "--output", s(&input)]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read(&input).unwrap(), before);
}
