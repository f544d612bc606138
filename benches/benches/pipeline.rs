//! Compile-side and load-side costs: cold compile of the stdlib and every policy, incremental re-check after
//! a one-line edit through the salsa database, module load (cold and from the runtime's cache), and
//! instantiation (measured as the first evaluation on a runtime that does not reuse instances).

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use xince_bench::*;

fn pipeline(c: &mut Criterion) {
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    group.bench_function("cold_check_stdlib_and_all_policies", |b| {
        b.iter(|| load_compiler().map(|compiler| compiler.check_all().len()).unwrap_or(usize::MAX))
    });

    group.bench_function("cold_compile_stdlib_and_all_policies_to_wasm", |b| {
        b.iter(|| {
            let Ok(compiler) = load_compiler() else { return usize::MAX };
            let policies: Vec<_> = compiler.user_files().into_iter().filter(|f| compiler.is_policy(*f)).collect();
            policies.iter().filter_map(|f| compiler.build(compiler.file_name(*f)).ok()).map(|b| b.wasm.len()).sum::<usize>()
        })
    });

    if let Ok(mut compiler) = load_compiler() {
        let _ = compiler.check_all();
        let root = repo_root();
        let text = std::fs::read_to_string(root.join(POLICY_PATH)).unwrap_or_default();
        let mut flip = false;
        group.bench_function("incremental_recheck_after_one_line_edit", |b| {
            b.iter(|| {
                // Alternate a comment line so each iteration is a real change.
                flip = !flip;
                let edited = format!("{text}\n// 编辑 {}\n", if flip { "甲" } else { "乙" });
                compiler.set_file(POLICY_PATH, edited);
                black_box(compiler.check_all().len())
            })
        });
    }

    match compile_policy() {
        Ok(compiled) => {
            let config = xince_runtime::RuntimeConfig::default;
            group.bench_function("module_load_cold_new_runtime", |b| {
                b.iter(|| {
                    xince_runtime::Runtime::new(config()).ok().and_then(|rt| rt.load(black_box(&compiled.wasm)).ok()).is_some()
                })
            });
            if let Ok(rt) = xince_runtime::Runtime::new(config()) {
                let _ = rt.load(&compiled.wasm);
                group.sample_size(100);
                group.bench_function("module_load_from_cache", |b| b.iter(|| rt.load(black_box(&compiled.wasm)).is_ok()));
            }
            let no_reuse = xince_runtime::RuntimeConfig { reuse_instances: false, ..config() };
            if let (Ok(rt), Ok(inputs)) = (xince_runtime::Runtime::new(no_reuse), inputs(&compiled, 1, 1))
                && let Ok(policy) = rt.load(&compiled.wasm)
                && let Some(input) = inputs.encoded.first()
            {
                group.bench_function("instantiate_and_evaluate_one_subject", |b| {
                    b.iter(|| policy.evaluate_raw(black_box(input)).is_ok())
                });
            }
        }
        Err(e) => eprintln!("policy does not compile; load and instantiation skipped: {e:#}"),
    }
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
