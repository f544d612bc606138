//! A procurement system (政府采购) checking bidders against a directory of compiled xince modules.
//!
//! Each bidder names the jurisdiction of the tender and its records; the host picks the module in force there
//! on the bid date (`PolicySet`), asks for the 政府采购 scenario, and admits the bidder only when no 惩戒 measure
//! is active — printing, for each refusal, the measure, the list behind it, and their citations.
//!
//! ```sh
//! cargo run -- build policies --out-dir target/modules
//! cargo run --example procurement -- target/modules examples/procurement/bidders.jsonl
//! ```

use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;
use xince_abi::layout::MeasureStatus;
use xince_abi::request::Request;
use xince_runtime::{PolicySet, Runtime, RuntimeConfig};

#[derive(serde::Deserialize)]
struct Bid {
    tender: String,
    jurisdiction: String,
    request: Request,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("用法 / usage: procurement <模块目录 modules-dir> <投标人 bidders.jsonl>");
        return ExitCode::from(2);
    }
    match run(Path::new(&args[1]), Path::new(&args[2])) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误 / error: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(modules: &Path, bidders: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let runtime = Runtime::new(RuntimeConfig::default())?;
    let set = PolicySet::from_modules(&runtime, xince_loader::read_bundle(modules)?)?;
    let file = std::io::BufReader::new(std::fs::File::open(bidders)?);
    for (n, line) in file.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let mut bid: Bid = match serde_json::from_str(&line) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("第 {} 行无效 / line {} is invalid: {e}", n + 1, n + 1);
                continue;
            }
        };
        bid.request.scenario = Some("政府采购".to_string());
        let name = bid.request.subject.name.clone().unwrap_or_else(|| bid.request.subject.id.clone());
        let policy = match set.select(&bid.jurisdiction, &bid.request.as_of) {
            Ok(p) => p,
            Err(e) => {
                println!("{} | {name} | 无法判定 / undecidable: {e}", bid.tender);
                continue;
            }
        };
        let decision = match policy.evaluate(&bid.request) {
            Ok(d) => d,
            Err(e) => {
                println!("{} | {name} | 无法判定 / undecidable: {e}", bid.tender);
                continue;
            }
        };
        let blocking: Vec<_> =
            decision.measures.iter().filter(|m| m.kind == "惩戒" && m.status == MeasureStatus::Active).collect();
        if blocking.is_empty() {
            println!(
                "{} | {name} | 准予参加 / admitted（{} {}）",
                bid.tender, decision.policy.id, decision.policy.version
            );
            continue;
        }
        println!("{} | {name} | 不予参加 / refused（{} {}）", bid.tender, decision.policy.id, decision.policy.version);
        for m in blocking {
            let because = m.because_of_list.as_deref().unwrap_or("条件触发 / condition");
            println!(
                "    - {}（{}）因 {}，至 {}；出处 {} {}",
                m.measure,
                if m.mandatory { "强制" } else { "推荐" },
                because,
                m.until.map(|d| d.to_string()).as_deref().unwrap_or("—"),
                m.citation.document,
                m.citation.article
            );
        }
    }
    Ok(())
}
