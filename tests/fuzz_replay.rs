//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/*`: seeds plus every input the fuzzer kept and
//! every crash found, once fixed) through the fuzz targets' own bodies, on the stable toolchain, in `cargo test`.
//! The fuzzers themselves run with `fuzz/run.sh SECONDS` (nightly, cargo-fuzz); see docs/reliability.md.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod targets;

use std::path::Path;

#[test]
fn the_committed_fuzz_corpus_replays_without_a_failure() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut replayed = 0usize;
    for target in targets::TARGETS {
        let dir = corpus.join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else { panic!("no corpus for {target} in {}", dir.display()) };
        let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        assert!(!files.is_empty(), "empty corpus for {target}");
        for file in files {
            let data = std::fs::read(&file).unwrap_or_default();
            let result = std::panic::catch_unwind(|| targets::run(target, &data));
            assert!(result.is_ok(), "{target}: {} fails", file.display());
            replayed += 1;
        }
    }
    eprintln!("replayed {replayed} corpus inputs");
}
