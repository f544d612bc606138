//! Prometheus metrics in the text exposition format: requests and latency by route, decisions and errors by
//! policy and code, the bundle's revision and reloads, and the decision log's commits.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 14] =
    [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                self.counts[i] += 1;
            }
        }
        self.sum += seconds;
        self.count += 1;
    }
}

#[derive(Default)]
pub struct Metrics {
    /// (route, status) → count.
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    /// route → latency.
    latency: Mutex<BTreeMap<&'static str, Histogram>>,
    /// (policy id, outcome code or "ok") → count.
    decisions: Mutex<BTreeMap<(String, String), u64>>,
    pub reloads_ok: AtomicU64,
    pub reloads_refused: AtomicU64,
    pub last_reload_ok: AtomicU64,
    pub in_flight: AtomicU64,
}

impl Metrics {
    pub fn request(&self, route: &'static str, status: u16, seconds: f64) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((route, status)).or_default() += 1;
        }
        if let Ok(mut m) = self.latency.lock() {
            m.entry(route).or_default().observe(seconds);
        }
    }

    pub fn decision(&self, policy: &str, outcome: &str) {
        if let Ok(mut m) = self.decisions.lock() {
            // Look up by reference first: no allocation on the hot path once the pair has been seen.
            if let Some(n) = m.iter_mut().find(|((p, o), _)| p == policy && o == outcome).map(|(_, n)| n) {
                *n += 1;
            } else {
                m.insert((policy.to_string(), outcome.to_string()), 1);
            }
        }
    }

    /// The exposition text.
    pub fn render(&self, revision: &str, policies: usize, log: Option<&crate::log::LogStats>) -> String {
        let mut out = String::new();
        let label = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
        let _ = writeln!(out, "# HELP xince_http_requests_total HTTP requests by route and status.");
        let _ = writeln!(out, "# TYPE xince_http_requests_total counter");
        if let Ok(m) = self.requests.lock() {
            for ((route, status), n) in m.iter() {
                let _ = writeln!(out, "xince_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}");
            }
        }
        let _ = writeln!(out, "# HELP xince_http_request_duration_seconds Time to answer, by route.");
        let _ = writeln!(out, "# TYPE xince_http_request_duration_seconds histogram");
        if let Ok(m) = self.latency.lock() {
            for (route, h) in m.iter() {
                for (i, b) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "xince_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "xince_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(out, "xince_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum);
                let _ = writeln!(out, "xince_http_request_duration_seconds_count{{route=\"{route}\"}} {}", h.count);
            }
        }
        let _ = writeln!(out, "# HELP xince_decisions_total Decisions by policy and outcome (ok or an error code).");
        let _ = writeln!(out, "# TYPE xince_decisions_total counter");
        if let Ok(m) = self.decisions.lock() {
            for ((policy, outcome), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "xince_decisions_total{{policy=\"{}\",outcome=\"{}\"}} {n}",
                    label(policy),
                    label(outcome)
                );
            }
        }
        let _ = writeln!(out, "# HELP xince_bundle_info The loaded bundle's revision.");
        let _ = writeln!(out, "# TYPE xince_bundle_info gauge");
        let _ = writeln!(out, "xince_bundle_info{{revision=\"{}\"}} 1", label(revision));
        let _ = writeln!(out, "# HELP xince_bundle_policies Modules in the loaded bundle.");
        let _ = writeln!(out, "# TYPE xince_bundle_policies gauge");
        let _ = writeln!(out, "xince_bundle_policies {policies}");
        let _ = writeln!(out, "# HELP xince_bundle_reloads_total Bundle reloads by result.");
        let _ = writeln!(out, "# TYPE xince_bundle_reloads_total counter");
        let _ = writeln!(out, "xince_bundle_reloads_total{{result=\"ok\"}} {}", self.reloads_ok.load(Relaxed));
        let _ =
            writeln!(out, "xince_bundle_reloads_total{{result=\"refused\"}} {}", self.reloads_refused.load(Relaxed));
        let _ = writeln!(out, "# HELP xince_bundle_last_reload_success 1 when the last reload attempt succeeded.");
        let _ = writeln!(out, "# TYPE xince_bundle_last_reload_success gauge");
        let _ = writeln!(out, "xince_bundle_last_reload_success {}", self.last_reload_ok.load(Relaxed));
        let _ = writeln!(out, "# HELP xince_http_in_flight Requests being answered.");
        let _ = writeln!(out, "# TYPE xince_http_in_flight gauge");
        let _ = writeln!(out, "xince_http_in_flight {}", self.in_flight.load(Relaxed));
        if let Some(log) = log {
            let _ = writeln!(out, "# HELP xince_log_entries_total Decision log entries committed.");
            let _ = writeln!(out, "# TYPE xince_log_entries_total counter");
            let _ = writeln!(out, "xince_log_entries_total {}", log.entries.load(Relaxed));
            let _ = writeln!(out, "# HELP xince_log_commits_total Group commits (one write and sync each).");
            let _ = writeln!(out, "# TYPE xince_log_commits_total counter");
            let _ = writeln!(out, "xince_log_commits_total {}", log.commits.load(Relaxed));
            let _ = writeln!(out, "# HELP xince_log_commit_seconds_total Time spent in group commits.");
            let _ = writeln!(out, "# TYPE xince_log_commit_seconds_total counter");
            let _ = writeln!(out, "xince_log_commit_seconds_total {}", log.commit_micros.load(Relaxed) as f64 / 1e6);
            let _ = writeln!(out, "# HELP xince_log_failures_total Entries the log could not commit.");
            let _ = writeln!(out, "# TYPE xince_log_failures_total counter");
            let _ = writeln!(out, "xince_log_failures_total {}", log.failures.load(Relaxed));
        }
        out
    }
}
