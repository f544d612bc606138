//! `xince_batch::run` against the one-request path: same bytes as `Policy::evaluate` + `serde_json`, in input
//! order, whatever the thread count and chunk size; bad lines reported with their numbers and written at
//! their place; blank lines skipped; read and write failures stop the batch without hanging it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers outside #[test] fns

use std::io::{self, BufRead, Read, Write};
use std::sync::OnceLock;
use xince_abi::decode::parse_request;
use xince_batch::{BatchError, Event, Failure, Options, run};
use xince_runtime::{Policy, Runtime, RuntimeConfig};
use xince_testkit::population;

const POLICY: &str = "policies/重庆市/梁平区/政策.xince";

/// The 梁平区 policy (the benchmark's), compiled once.
fn policy() -> &'static Policy {
    static POLICY_MODULE: OnceLock<Policy> = OnceLock::new();
    POLICY_MODULE.get_or_init(|| {
        let compiler = xince_testkit::seeds::seed_compiler().unwrap();
        let build =
            compiler.build(POLICY).unwrap_or_else(|d| panic!("{}", compiler.render(&d, xince_lang::Lang::En, false)));
        Runtime::new(RuntimeConfig::default()).unwrap().load(&build.wasm).unwrap()
    })
}

/// Generated subjects (a third with `explain`), with bad and blank lines among them.
fn input() -> Vec<u8> {
    let population = population::Population::new(7, "2025-06-30").unwrap();
    let mut text = Vec::new();
    for (i, mut request) in population.iter(600).enumerate() {
        request.explain = i % 3 == 0;
        text.extend(serde_json::to_vec(&request).unwrap());
        text.extend(match i % 50 {
            // CRLF endings, blank and whitespace-only lines (skipped, but counted in line numbers).
            5 => &b"\r\n"[..],
            6 => b"\n\n   \n",
            7 => "\n\u{3000}\n".as_bytes(),
            // Not JSON, not a request, an unknown vocabulary value, a bad date, invalid UTF-8.
            10 => b"\n{\"as_of\": \n",
            11 => b"\n{\"as_of\":\"2025-06-30\"}\n",
            12 => "\n{\"as_of\":\"2025-06-30\",\"subject\":{\"id\":\"x\",\"kind\":\"法 人\"}}\n".as_bytes(),
            13 => "\n{\"as_of\":\"2025-02-30\",\"subject\":{\"id\":\"x\",\"kind\":\"法人\"}}\n".as_bytes(),
            14 => b"\n{\"as_of\":\"\xff\xfe\"}\n",
            _ => b"\n",
        });
    }
    text.extend(r#"{"as_of":"2025-06-30","subject":{"id":"last","kind":"法人"}}"#.as_bytes()); // no final newline
    text
}

/// What the batch must write: one line per non-blank line, computed one request at a time.
fn expected(input: &[u8], options: &Options) -> (Vec<u8>, Vec<usize>) {
    let mut out = Vec::new();
    let mut failed = Vec::new();
    for (i, line) in input.split(|b| *b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let result = match std::str::from_utf8(line) {
            Ok(s) if s.trim().is_empty() => continue,
            Ok(s) => parse_request(s).map_err(Failure::from_request).and_then(|mut r| {
                options.apply(&mut r);
                policy().evaluate(&r).map_err(Failure::from_eval)
            }),
            Err(_) => Err(Failure {
                code: "E_REQ_JSON".into(),
                path: Some("$".into()),
                message_zh: String::new(),
                message_en: String::new(),
            }),
        };
        match result {
            Ok(d) => out.extend(serde_json::to_vec(&d).unwrap()),
            Err(f) => {
                failed.push(i + 1);
                out.extend(serde_json::to_vec(&f.json(Some(i + 1))).unwrap());
            }
        }
        out.push(b'\n');
    }
    (out, failed)
}

fn batch(input: &[u8], options: &Options) -> (Vec<u8>, Vec<usize>, xince_batch::Summary) {
    let mut out = Vec::new();
    let mut failed = Vec::new();
    let summary = run(policy(), options, input, &mut out, |e| {
        if let Event::Failed { line, .. } = e {
            failed.push(line);
        }
    })
    .unwrap();
    (out, failed, summary)
}

/// Lines of output, with the messages of the invalid-UTF-8 error (built by the batch) blanked for comparison.
fn lines(out: &[u8]) -> Vec<String> {
    String::from_utf8(out.to_vec())
        .unwrap()
        .lines()
        .map(|l| {
            if l.contains("UTF-8") {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["error"]["message_zh"] = "".into();
                v["error"]["message_en"] = "".into();
                v.to_string()
            } else {
                l.to_string()
            }
        })
        .collect()
}

#[test]
fn same_bytes_as_one_request_at_a_time_in_input_order() {
    let input = input();
    for options in [
        Options { threads: 1, ..Options::default() },
        Options { threads: 3, chunk_lines: 7, ..Options::default() },
        Options { threads: 4, chunk_lines: 1, scenario: Some("政府采购".into()), ..Options::default() },
        Options { threads: 2, chunk_lines: 64, explain: true, as_of: Some("2024-01-31".into()), ..Options::default() },
    ] {
        let (want, want_failed) = expected(&input, &options);
        let (got, got_failed, summary) = batch(&input, &options);
        assert_eq!(lines(&got), lines(&want), "{options:?}");
        assert_eq!(got_failed, want_failed, "failures reported in line order, with their numbers");
        assert_eq!(summary.failed, want_failed.len());
        assert_eq!(summary.requests, lines(&want).len());
    }
}

#[test]
fn bad_lines_are_written_at_their_place_and_reported() {
    let mut input = Vec::new();
    input.extend("\n{\"as_of\":\"2025-06-30\",\"subject\":{\"id\":\"a\",\"kind\":\"法人\"}}\nnot json\n\n".as_bytes());
    input.extend("{\"as_of\":\"2025-06-30\",\"subject\":{\"id\":\"b\",\"kind\":\"法 人\"}}\n".as_bytes());
    input.extend(b"\xff\n");
    let input = &input[..];
    let (out, failed, summary) = batch(input, &Options { threads: 2, chunk_lines: 1, ..Options::default() });
    assert_eq!(failed, vec![3, 5, 6]);
    assert_eq!(summary, xince_batch::Summary { requests: 4, failed: 3 });
    let out: Vec<serde_json::Value> =
        String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(out[0]["subject"]["id"], "a");
    assert_eq!((out[1]["line"].as_u64(), out[1]["error"]["code"].as_str()), (Some(3), Some("E_REQ_JSON")));
    assert_eq!(out[2]["line"], 5);
    assert_eq!(out[2]["error"]["code"], "E_REQ_VOCAB");
    assert_eq!(out[2]["error"]["path"], "subject.kind");
    assert_eq!(out[3]["line"], 6);
    assert_eq!(out[3]["error"]["message_en"], "not valid UTF-8 from byte 1");
}

#[test]
fn empty_input_writes_nothing() {
    let (out, failed, summary) = batch(b"", &Options::default());
    assert!(out.is_empty() && failed.is_empty());
    assert_eq!(summary, xince_batch::Summary::default());
}

/// Accepts `limit` bytes, then fails.
struct Full {
    limit: usize,
}

impl Write for Full {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.len() > self.limit {
            return Err(io::Error::other("disk full"));
        }
        self.limit -= buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_write_failure_stops_the_batch() {
    let input = input();
    let options = Options { threads: 2, chunk_lines: 5, ..Options::default() };
    let result = run(policy(), &options, &input[..], Full { limit: 20_000 }, |_| {});
    assert!(matches!(result, Err(BatchError::Write(_))), "{result:?}");
}

/// Gives `good` bytes, then fails.
struct Broken<'a> {
    good: &'a [u8],
}

impl Read for Broken<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.good.is_empty() {
            return Err(io::Error::other("device gone"));
        }
        self.good.read(buf)
    }
}

#[test]
fn a_read_failure_stops_the_batch_and_names_the_line() {
    let input = input();
    let cut = input.iter().position(|b| *b == b'\n').unwrap() + 1; // exactly one line
    let reader = io::BufReader::with_capacity(16, Broken { good: &input[..cut] });
    let reader: Box<dyn BufRead + Send> = Box::new(reader);
    let result = run(policy(), &Options { chunk_lines: 3, ..Options::default() }, reader, Vec::new(), |_| {});
    match result {
        Err(BatchError::Read { line, .. }) => assert_eq!(line, 1, "one line was read before the failure"),
        other => panic!("{other:?}"),
    }
}
