//! `xince serve` as its users meet it: the real binary on an ephemeral loopback port, spoken to over HTTP/1.1
//! from plain sockets. Every endpoint; access control; body, batch and rate limits; a bundle reload under load
//! with no failed request; a tampered module refused at start and at reload; and the crash test (kill -9 under
//! load: after a restart the log verifies and holds every decision that was answered 200).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers outside #[test] fns

use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target/tmp/serve").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn xince(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xince")).args(args).current_dir(root()).output().expect("run xince")
}

/// The seed policies built once: `xince build policies --out-dir`.
fn bundle() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch("bundle");
        let out = xince(&["build", "policies", "--out-dir", s(&dir)]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        dir
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

struct Server {
    child: Child,
    addr: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        Self::try_start(args).unwrap_or_else(|e| panic!("server did not start: {e}"))
    }

    fn try_start(args: &[&str]) -> Result<Server, String> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_xince"))
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .current_dir(root())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut reader = BufReader::new(child.stderr.take().unwrap());
        let mut seen = String::new();
        let addr = loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 {
                let _ = child.wait();
                return Err(seen);
            }
            seen.push_str(&line);
            if let Some(i) = line.find("http://") {
                break line[i + 7..].split_whitespace().next().unwrap().to_string();
            }
        };
        let stderr = Arc::new(Mutex::new(seen));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in reader.lines() {
                let Ok(line) = line else { break };
                sink.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        Ok(Server { child, addr, stderr })
    }

    fn signal(&self, name: &str) {
        let ok = Command::new("kill").args([&format!("-{name}"), &self.child.id().to_string()]).status().unwrap();
        assert!(ok.success());
    }

    /// SIGTERM, then wait for a clean exit.
    fn stop(mut self) -> String {
        self.signal("TERM");
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status:?}");
        std::thread::sleep(Duration::from_millis(50));
        self.stderr.lock().unwrap().clone()
    }

    fn get(&self, path: &str, token: Option<&str>) -> Answer {
        http(&self.addr, "GET", path, token, b"")
    }

    fn post(&self, path: &str, token: Option<&str>, body: &str) -> Answer {
        http(&self.addr, "POST", path, token, body.as_bytes())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Answer {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }
    fn code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or("").to_string()
    }
}

/// Percent-encodes a path's non-ASCII bytes.
fn encode(path: &str) -> String {
    path.bytes().map(|b| if b.is_ascii_graphic() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// One HTTP/1.1 request on its own connection (`Connection: close`); chunked answers are decoded.
fn http(addr: &str, method: &str, path: &str, token: Option<&str>, body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let head = format!(
        "{method} {} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n",
        encode(path),
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a header block");
    let headers = String::from_utf8_lossy(&raw[..split]).to_string();
    let status: u16 = headers.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut rest = raw[split + 4..].to_vec();
    if headers.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        let mut out = Vec::new();
        let mut at = 0;
        loop {
            let eol = at + rest[at..].windows(2).position(|w| w == b"\r\n").unwrap();
            let size = usize::from_str_radix(std::str::from_utf8(&rest[at..eol]).unwrap().trim(), 16).unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
            at = eol + 2 + size + 2;
        }
        rest = out;
    }
    Answer { status, headers, body: rest }
}

fn request_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(root().join("examples/requests").join(name)).unwrap()).unwrap()
}

fn envelope(jurisdiction: &str, request: &serde_json::Value) -> String {
    serde_json::json!({ "jurisdiction": jurisdiction, "request": request }).to_string()
}

fn dev_server(log: &Path, extra: &[&str]) -> Server {
    let mut args = vec!["--bundle", s(bundle()), "--dev-anonymous", "--log-dir", s(log), "--sources", "policies"];
    args.extend_from_slice(extra);
    Server::start(&args)
}

#[test]
fn every_endpoint_answers_as_documented() {
    let dir = scratch("endpoints");
    let log = dir.join("log");
    let srv = dev_server(&log, &[]);
    let food = request_json("梁平区-食品企业.json");

    // One evaluation: the same decision `xince eval` gives for the same directory, jurisdiction and request.
    let one = srv.post("/v1/evaluate", None, &envelope("重庆市/梁平区", &food));
    assert_eq!(one.status, 200, "{}", one.text());
    let cli = xince(&[
        "eval",
        "--policy",
        s(bundle()),
        "--jurisdiction",
        "重庆市/梁平区",
        "--request",
        "examples/requests/梁平区-食品企业.json",
    ]);
    assert!(cli.status.success());
    let from_cli: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(one.json(), from_cli);
    assert!(!one.json()["lists"].as_array().unwrap().is_empty(), "the food company is listed");

    // By policy id instead of jurisdiction.
    let id = one.json()["policy"]["id"].as_str().unwrap().to_string();
    let by_id = srv.post("/v1/evaluate", None, &serde_json::json!({ "policy": id, "request": food }).to_string());
    assert_eq!(by_id.json(), from_cli);

    // A batch answers in order, a bad item as an error at its place.
    let good = request_json("梁平区-诚信企业.json");
    let batch = format!(
        "[{},{{\"jurisdiction\":\"重庆市/梁平区\",\"request\":{{\"as_of\":\"2024-13-01\",\"subject\":{{\"id\":\"x\",\"kind\":\"法人\"}}}}}},{}]",
        envelope("重庆市/梁平区", &food),
        envelope("重庆市/梁平区", &good)
    );
    let b = srv.post("/v1/evaluate/batch", None, &batch);
    assert_eq!(b.status, 200, "{}", b.text());
    let items = b.json();
    assert_eq!(items.as_array().unwrap().len(), 3);
    assert_eq!(items[0], from_cli);
    assert!(items[1]["error"]["code"].as_str().unwrap().starts_with("E_REQ"), "{}", items[1]);
    assert_eq!(items[1]["error"]["path"], "request.as_of");
    assert_eq!(items[2]["subject"]["id"], good["subject"]["id"]);

    // A streamed NDJSON body: one line out per line in, in order, errors carrying their line number.
    let stream = format!("{}\n{{not json\n\n{}\n", envelope("重庆市/梁平区", &good), envelope("重庆市/梁平区", &food));
    let st = srv.post("/v1/evaluate/stream", None, &stream);
    assert_eq!(st.status, 200);
    assert!(st.headers.contains("application/x-ndjson"), "{}", st.headers);
    let lines: Vec<serde_json::Value> = st.text().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "{}", st.text());
    assert_eq!(lines[0]["subject"]["id"], good["subject"]["id"]);
    assert_eq!(lines[1]["error"]["code"], "E_BODY_MALFORMED");
    assert_eq!(lines[1]["line"], 2);
    assert_eq!(lines[2], from_cli);

    // Policies, a manifest, module bytes.
    let list = srv.get("/v1/policies", None).json();
    assert_eq!(list["policies"].as_array().unwrap().len(), 5);
    let lp = list["policies"].as_array().unwrap().iter().find(|p| p["id"] == id.as_str()).unwrap().clone();
    assert_eq!(lp["jurisdiction"], "重庆市/梁平区");
    let manifest = srv.get(&format!("/v1/manifests/{id}"), None);
    assert_eq!(manifest.status, 200);
    assert_eq!(manifest.json()["policy"]["id"], id.as_str());
    let module = srv.get(&format!("/v1/modules/{id}"), None);
    assert_eq!(module.status, 200);
    assert!(module.headers.contains("application/wasm"));
    let sha = format!("sha256:{}", hex(&Sha256::digest(&module.body)));
    assert_eq!(lp["module_sha256"], sha.as_str());
    assert_eq!(module.body, std::fs::read(bundle().join("重庆市/梁平区/政策.wasm")).unwrap());
    assert_eq!(srv.get("/v1/manifests/没有这个政策", None).code(), "E_POLICY_NOT_FOUND");

    // Check and build a source: diagnostics as JSON; the built module is byte-identical to the bundle's.
    let bad = srv.post("/v1/check", None, &serde_json::json!({ "source": "政策 x {" }).to_string()).json();
    assert!(bad["errors"].as_u64().unwrap() > 0);
    let d = &bad["diagnostics"][0];
    assert!(d["code"].as_str().unwrap().starts_with('E') && d["line"] == 1, "{d}");
    let source = std::fs::read_to_string(root().join("policies/重庆市/梁平区/政策.xince")).unwrap();
    let built = srv.post("/v1/build", None, &serde_json::json!({ "source": source }).to_string());
    assert_eq!(built.status, 200, "{}", built.text());
    let built = built.json();
    assert_eq!(built["errors"], 0, "{built}");
    assert_eq!(built["module_sha256"], sha.as_str(), "reproducible: same source, same bytes");

    // Health, readiness, status, metrics, the OpenAPI document, unknown routes.
    assert_eq!(srv.get("/v1/health", None).json()["status"], "ok");
    let ready = srv.get("/v1/ready", None).json();
    assert_eq!(ready["ready"], true);
    assert_eq!(ready["revision"], list["revision"]);
    let status = srv.get("/v1/status", None).json();
    assert_eq!(status["policies"], 5);
    assert_eq!(status["log"]["enabled"], true);
    let metrics = srv.get("/metrics", None).text();
    assert!(metrics.contains("xince_http_requests_total{route=\"evaluate\",status=\"200\"} 2"), "{metrics}");
    assert!(metrics.contains(&format!("xince_decisions_total{{policy=\"{id}\",outcome=\"ok\"}}")), "{metrics}");
    assert!(metrics.contains(&format!("xince_bundle_info{{revision=\"{}\"}} 1", list["revision"].as_str().unwrap())));
    assert!(metrics.contains("xince_log_entries_total 6"), "{metrics}");
    let doc = srv.get("/v1/openapi.json", None).json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/v1/evaluate"]["post"].is_object());
    let missing = srv.get("/v1/nothing", None);
    assert_eq!((missing.status, missing.code()), (404, "E_NOT_FOUND".to_string()));

    // The log: six decisions answered 200 (one, by id, two in the batch, two streamed), read back by caller.
    let entries = srv.get("/v1/log?caller=anonymous", None).text();
    assert_eq!(entries.lines().count(), 6, "{entries}");
    let stderr = srv.stop();
    assert!(stderr.contains("决定日志已写完"), "{stderr}");
    let verify = xince(&["log", "verify", s(&log)]);
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
    let show = xince(&["log", "show", s(&log), "--subject", good["subject"]["id"].as_str().unwrap()]);
    assert_eq!(String::from_utf8_lossy(&show.stdout).lines().count(), 2);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

#[test]
fn access_control_limits_and_malformed_bodies_get_coded_answers() {
    let dir = scratch("authz");
    let config = dir.join("serve.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[server]
bundle = "{bundle}"
max_body_bytes = 16384
max_batch = 3

[log]
dir = "{log}"
personal_ids = "mask"

[[callers]]
name = "梁平区财政局"
token_sha256 = "{a}"
jurisdictions = ["重庆市/梁平区"]
scopes = ["evaluate", "read"]

[[callers]]
name = "审计"
token_sha256 = "{b}"
jurisdictions = [""]
scopes = ["read-log"]

[[callers]]
name = "限流测试"
token_sha256 = "{c}"
jurisdictions = [""]
scopes = ["evaluate"]
rate_per_second = 0.01
burst = 2
"#,
            bundle = s(bundle()),
            log = s(&dir.join("log")),
            a = token_hash("token-a"),
            b = token_hash("token-b"),
            c = token_hash("token-c"),
        ),
    )
    .unwrap();
    let srv = Server::start(&["--config", s(&config)]);
    let food = envelope("重庆市/梁平区", &request_json("梁平区-食品企业.json"));

    let missing = srv.post("/v1/evaluate", None, &food);
    assert_eq!((missing.status, missing.code()), (401, "E_AUTH_MISSING".into()));
    assert!(missing.headers.to_ascii_lowercase().contains("www-authenticate: bearer"));
    let message = missing.json();
    assert!(message["error"]["message_zh"].as_str().unwrap().contains("令牌"));
    assert!(message["error"]["message_en"].as_str().unwrap().contains("token"));
    let wrong = srv.post("/v1/evaluate", Some("token-x"), &food);
    assert_eq!((wrong.status, wrong.code()), (401, "E_AUTH_INVALID".into()));

    let ok = srv.post("/v1/evaluate", Some("token-a"), &food);
    assert_eq!(ok.status, 200, "{}", ok.text());
    // Another county: the caller is limited to 梁平区.
    let other =
        srv.post("/v1/evaluate", Some("token-a"), &envelope("重庆市/巫山县", &request_json("梁平区-食品企业.json")));
    assert_eq!((other.status, other.code()), (403, "E_FORBIDDEN_JURISDICTION".into()));
    assert!(other.json()["error"]["message_zh"].as_str().unwrap().contains("重庆市/巫山县"));
    // By id, a policy of another jurisdiction is refused as well.
    let list = srv.get("/v1/policies", Some("token-a")).json();
    assert_eq!(list["policies"].as_array().unwrap().len(), 1, "only what the caller may see");
    let by_id = srv.post(
        "/v1/evaluate",
        Some("token-a"),
        &serde_json::json!({ "policy": "重庆市/巫山县/信用体系建设实施方案", "request": request_json("梁平区-食品企业.json") })
            .to_string(),
    );
    assert_eq!(by_id.status, 403, "{}", by_id.text());
    // Missing scope.
    let scope = srv.post("/v1/evaluate", Some("token-b"), &food);
    assert_eq!((scope.status, scope.code()), (403, "E_FORBIDDEN_SCOPE".into()));
    assert_eq!(srv.get("/v1/status", Some("token-a")).code(), "E_FORBIDDEN_SCOPE");
    // The log reader sees the decision, with the legal representative's 身份证号 and name masked.
    let log = srv.get("/v1/log", Some("token-b"));
    assert_eq!(log.status, 200);
    let entry: serde_json::Value = serde_json::from_str(log.text().lines().next().unwrap()).unwrap();
    assert_eq!(entry["caller"], "梁平区财政局");
    let original = request_json("梁平区-食品企业.json");
    if let Some(person) = original["subject"]["related"].as_array().and_then(|r| r.first()) {
        let id = person["id"].as_str().unwrap();
        assert!(!log.text().contains(id), "a resident id reached the log");
        assert_eq!(entry["request"]["subject"]["related"][0]["id"], format!("{}********{}", &id[..6], &id[14..]));
    }

    // Limits: body size, batch size, malformed and ill-shaped bodies, rate.
    let big = format!("{{\"jurisdiction\":\"重庆市/梁平区\",\"request\":{{\"pad\":\"{}\"}}}}", "x".repeat(20_000));
    let too_big = srv.post("/v1/evaluate", Some("token-a"), &big);
    assert_eq!((too_big.status, too_big.code()), (413, "E_BODY_TOO_LARGE".into()));
    let four = format!("[{food},{food},{food},{food}]");
    let batch = srv.post("/v1/evaluate/batch", Some("token-a"), &four);
    assert_eq!((batch.status, batch.code()), (413, "E_BATCH_TOO_LARGE".into()));
    let malformed = srv.post("/v1/evaluate", Some("token-a"), "{\"jurisdiction\":");
    assert_eq!((malformed.status, malformed.code()), (400, "E_BODY_MALFORMED".into()));
    let shape =
        srv.post("/v1/evaluate", Some("token-a"), "{\"jurisdiction\":\"重庆市/梁平区\",\"request\":{},\"extra\":1}");
    assert_eq!((shape.status, shape.code()), (422, "E_BODY_SHAPE".into()));
    let not_array = srv.post("/v1/evaluate/batch", Some("token-a"), "{}");
    assert_eq!(not_array.status, 422, "{}", not_array.text());
    let bad_vocab = srv.post(
        "/v1/evaluate",
        Some("token-a"),
        &envelope("重庆市/梁平区", &serde_json::json!({"as_of":"2024-05-01","subject":{"id":"x","kind":"法人人"}})),
    );
    assert_eq!(bad_vocab.status, 422);
    assert_eq!(bad_vocab.json()["error"]["path"], "request.subject.kind");
    let none = srv.post(
        "/v1/evaluate",
        Some("token-a"),
        &envelope("重庆市/梁平区", &serde_json::json!({"as_of":"2001-01-01","subject":{"id":"x","kind":"法人"}})),
    );
    assert_eq!((none.status, none.code()), (404, "E_NO_POLICY".into()));
    let codes: Vec<u16> = (0..3).map(|_| srv.post("/v1/evaluate", Some("token-c"), &food).status).collect();
    assert_eq!(codes, [200, 200, 429]);
    srv.stop();

    // No callers and no development flag: the server refuses to start rather than serve anonymously.
    let refused = Server::try_start(&["--bundle", s(bundle()), "--no-log"]).err().expect("refused");
    assert!(refused.contains("--dev-anonymous"), "{refused}");
}

/// Clients that evaluate in a loop until told to stop, counting answers by status.
struct Load {
    stop: Arc<AtomicBool>,
    ok: Arc<AtomicUsize>,
    failed: Arc<Mutex<Vec<String>>>,
    answered: Arc<Mutex<Vec<String>>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

fn load(addr: &str, clients: usize, unique_ids: bool) -> Load {
    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(Mutex::new(Vec::new()));
    let answered = Arc::new(Mutex::new(Vec::new()));
    let base = request_json("梁平区-食品企业.json");
    let threads = (0..clients)
        .map(|t| {
            let (stop, ok, failed, answered, addr, base) =
                (stop.clone(), ok.clone(), failed.clone(), answered.clone(), addr.to_string(), base.clone());
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let mut request = base.clone();
                    let id = format!("CRASH-{t}-{n}");
                    if unique_ids {
                        request["subject"]["id"] = id.clone().into();
                    }
                    let body = envelope("重庆市/梁平区", &request);
                    let Ok(mut stream) = TcpStream::connect(&addr) else {
                        failed.lock().unwrap().push("connect".into());
                        continue;
                    };
                    let head = format!(
                        "POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
                        body.len()
                    );
                    let mut raw = Vec::new();
                    let sent = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body.as_bytes()));
                    if sent.is_err() || stream.read_to_end(&mut raw).is_err() {
                        failed.lock().unwrap().push("io".into());
                        continue;
                    }
                    let text = String::from_utf8_lossy(&raw);
                    if text.starts_with("HTTP/1.1 200") {
                        ok.fetch_add(1, Ordering::Relaxed);
                        answered.lock().unwrap().push(id);
                    } else {
                        failed.lock().unwrap().push(text.chars().take(300).collect());
                    }
                }
            })
        })
        .collect();
    Load { stop, ok, failed, answered, threads }
}

impl Load {
    fn finish(self) -> (usize, Vec<String>, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads {
            t.join().unwrap();
        }
        let failed = self.failed.lock().unwrap().clone();
        let answered = self.answered.lock().unwrap().clone();
        (self.ok.load(Ordering::Relaxed), failed, answered)
    }
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < Duration::from_secs(60), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_bundle_reloads_under_load_without_a_failed_request_and_a_bad_one_is_refused() {
    let dir = scratch("reload");
    let live = dir.join("bundle");
    copy_dir(bundle(), &live);
    let xingshan = live.join("湖北省");
    std::fs::remove_dir_all(&xingshan).unwrap();
    let srv = Server::start(&["--bundle", s(&live), "--dev-anonymous", "--reload-poll-ms", "0", "--no-log"]);
    let before = srv.get("/v1/status", None).json();
    assert_eq!(before["policies"], 4);

    let load = load(&srv.addr, 4, false);
    std::thread::sleep(Duration::from_millis(300));
    // A new module arrives (written beside, then renamed into place) and SIGHUP reloads.
    copy_dir(&bundle().join("湖北省"), &dir.join("staging/湖北省"));
    std::fs::rename(dir.join("staging/湖北省"), &xingshan).unwrap();
    srv.signal("HUP");
    wait_for("the reload", || srv.get("/v1/status", None).json()["policies"] == 5);
    let after = srv.get("/v1/status", None).json();
    assert_ne!(after["revision"], before["revision"]);
    assert_eq!(after["reload"]["last_ok"], true);
    std::thread::sleep(Duration::from_millis(300));

    // A broken module: refused, named, visible in status and metrics; the good bundle keeps serving.
    std::fs::write(live.join("坏.wasm"), b"\0asm\x01\0\0\0garbage").unwrap();
    srv.signal("HUP");
    wait_for("the refusal", || srv.get("/v1/status", None).json()["reload"]["reloads_refused"] == 1);
    let refused = srv.get("/v1/status", None).json();
    assert_eq!(refused["revision"], after["revision"]);
    assert_eq!(refused["policies"], 5);
    assert_eq!(refused["reload"]["last_ok"], false);
    assert_eq!(refused["reload"]["last_error"]["file"], "坏.wasm");
    assert!(srv.get("/metrics", None).text().contains("xince_bundle_last_reload_success 0"));
    std::thread::sleep(Duration::from_millis(300));

    // The admin endpoint says the same, with a coded error.
    let again = srv.post("/v1/reload", None, "");
    assert_eq!(again.status, 409);
    assert_eq!(again.json()["error"]["path"], "坏.wasm");

    let (ok, failed, _) = load.finish();
    assert!(failed.is_empty(), "{} failed: {:?}", failed.len(), &failed[..failed.len().min(3)]);
    assert!(ok > 20, "only {ok} requests during the reloads");
    let stderr = srv.stop();
    assert!(stderr.contains("坏.wasm"), "{stderr}");
}

#[test]
fn unsigned_or_tampered_modules_are_refused_and_named() {
    let dir = scratch("signed");
    let live = dir.join("bundle");
    copy_dir(bundle(), &live);
    let key = dir.join("信用办");
    assert!(xince(&["sign", "keygen", "--issuer", "信用办", "--out", s(&key)]).status.success());
    let public: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("信用办.public")).unwrap()).unwrap();
    let trust = dir.join("trusted.json");
    let store = serde_json::json!({ "keys": [{ "key_id": public["key_id"], "public_key": public["public_key"],
        "jurisdiction": "", "issuer": "信用办" }] });
    std::fs::write(&trust, store.to_string()).unwrap();
    let secret = dir.join("信用办.secret");
    let modules = ["湖北省/宜昌市/兴山县", "重庆市/巫山县/司法局", "重庆市/巫山县", "重庆市/梁平区", "重庆市/潼南区"];
    for m in modules {
        let file = live.join(m).join("政策.wasm");
        let out = xince(&["sign", "--key", s(&secret), s(&file)]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let args = ["--bundle", s(&live), "--dev-anonymous", "--no-log", "--require-signatures", "--trust", s(&trust)];
    let srv = Server::start(&[&args[..], &["--reload-poll-ms", "100"]].concat());
    let list = srv.get("/v1/policies", None).json();
    assert!(list["policies"].as_array().unwrap().iter().all(|p| p["signed_by"] == public["key_id"]), "{list}");

    // A signed module changed after signing appears in the bundle: the poll refuses it, the old one serves.
    let target = live.join("重庆市/梁平区/政策.wasm");
    let mut bytes = std::fs::read(&target).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&target, &bytes).unwrap();
    wait_for("the refusal", || srv.get("/v1/status", None).json()["reload"]["reloads_refused"].as_u64() >= Some(1));
    let status = srv.get("/v1/status", None).json();
    assert_eq!(status["reload"]["last_error"]["code"], "E_LOAD_SIGNATURE");
    assert_eq!(status["reload"]["last_error"]["file"], "重庆市/梁平区/政策.wasm");
    let food = envelope("重庆市/梁平区", &request_json("梁平区-食品企业.json"));
    assert_eq!(srv.post("/v1/evaluate", None, &food).status, 200);
    srv.stop();

    // Starting on a bundle with a tampered module: refused, naming the file.
    let refused = Server::try_start(&args).err().expect("refused");
    assert!(refused.contains("E_LOAD_SIGNATURE") && refused.contains("梁平区"), "{refused}");
    // And an unsigned one.
    let unsigned_dir = dir.join("unsigned");
    copy_dir(bundle(), &unsigned_dir);
    let unsigned = Server::try_start(&[
        "--bundle",
        s(&unsigned_dir),
        "--dev-anonymous",
        "--no-log",
        "--require-signatures",
        "--trust",
        s(&trust),
    ])
    .err()
    .expect("refused");
    assert!(unsigned.contains("E_LOAD_SIGNATURE"), "{unsigned}");
}

#[test]
fn kill_9_under_load_loses_no_answered_decision_and_the_log_verifies() {
    let dir = scratch("crash");
    let log = dir.join("log");
    let mut srv = dev_server(&log, &[]);
    let load = load(&srv.addr, 6, true);
    wait_for("some answers", || load.ok.load(Ordering::Relaxed) > 200);
    srv.child.kill().unwrap(); // SIGKILL
    srv.child.wait().unwrap();
    let (ok, _failed, answered) = load.finish();
    assert!(ok > 200);

    // Restart on the same log (an unfinished last line is cut), answer a little more, stop cleanly.
    let srv = dev_server(&log, &[]);
    let after = srv.post("/v1/evaluate", None, &envelope("重庆市/梁平区", &request_json("梁平区-诚信企业.json")));
    assert_eq!(after.status, 200);
    srv.stop();
    let verify = xince(&["log", "verify", s(&log)]);
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));

    let mut logged = std::collections::HashSet::new();
    for file in std::fs::read_dir(&log).unwrap() {
        let path = file.unwrap().path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            for line in std::fs::read_to_string(&path).unwrap().lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                logged.insert(v["request"]["subject"]["id"].as_str().unwrap().to_string());
            }
        }
    }
    let lost: Vec<&String> = answered.iter().filter(|id| !logged.contains(*id)).collect();
    assert!(lost.is_empty(), "{} answered decisions are not in the log: {:?}", lost.len(), &lost[..lost.len().min(5)]);
}
