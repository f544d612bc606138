//! Profiling aid for the generated code: runs the 梁平区 module in a bare wasmtime engine (fuel on, as the
//! runtime's default; `FUEL=0` turns it off), one `xince_evaluate` per subject (`BATCH=64`: 64 per
//! `xince_evaluate_batch` call), and writes the compiled module
//! as an ELF (`/tmp/module.elf`) with its load address (`/tmp/module.base`) so `jitmap.py` can attribute
//! `perf` samples in `[JIT]` code to the module's functions (`perf annotate` cannot see JIT code).
use std::time::Instant;
use xince_bench::*;
fn w<T>(r: wasmtime::Result<T>) -> anyhow::Result<T> {
    r.map_err(|e| anyhow::anyhow!("{e:#}"))
}

fn main() -> anyhow::Result<()> {
    // `POLICY_FILE=<path>` profiles a variant of the bench policy (same path, other text): how much each part
    // of the policy costs.
    let compiled = match std::env::var("POLICY_FILE") {
        Ok(file) => {
            let mut compiler = load_compiler()?;
            compiler.set_file(POLICY_PATH.to_string(), std::fs::read_to_string(&file)?);
            let build = compiler.build(POLICY_PATH).map_err(|_| anyhow::anyhow!("{file} does not compile"))?;
            Compiled { program: build.program, wasm: build.wasm }
        }
        Err(_) => compile_policy()?,
    };
    let inputs = inputs(&compiled, 42, 1000)?;
    let mut cfg = wasmtime::Config::new();
    let fuel = std::env::var("FUEL").map_or(true, |v| v != "0");
    cfg.consume_fuel(fuel);
    let engine = w(wasmtime::Engine::new(&cfg))?;
    let elf = w(engine.precompile_module(&compiled.wasm))?;
    std::fs::write("/tmp/module.elf", &elf)?;
    let module = w(unsafe { wasmtime::Module::deserialize(&engine, &elf) })?;
    let base = module.image_range().start as usize;
    println!("image base {base:#x}");
    std::fs::write("/tmp/module.base", format!("{base}"))?;
    let mut store = wasmtime::Store::new(&engine, ());
    if fuel {
        w(store.set_fuel(u64::MAX / 2))?;
    }
    let instance = w(wasmtime::Instance::new(&mut store, &module, &[]))?;
    let memory = instance.get_memory(&mut store, "memory").ok_or_else(|| anyhow::anyhow!("memory"))?;
    let alloc = w(instance.get_typed_func::<i32, i32>(&mut store, "xince_alloc"))?;
    let evaluate = w(instance.get_typed_func::<(i32, i32), (i32, i32, i32)>(&mut store, "xince_evaluate"))?;
    let ptr = w(alloc.call(&mut store, 1 << 20))?;
    // `BATCH=<n>`: n subjects per `xince_evaluate_batch` call instead of one `xince_evaluate` each.
    let batch: usize = std::env::var("BATCH").ok().and_then(|b| b.parse().ok()).unwrap_or(0);
    let evaluate_batch =
        w(instance.get_typed_func::<(i32, i32, i32), (i32, i32, i32)>(&mut store, "xince_evaluate_batch"))?;
    let t = Instant::now();
    let mut n = 0u64;
    for _ in 0..30000 {
        if batch > 0 {
            for chunk in inputs.encoded.chunks(batch) {
                let mut at = ptr as usize;
                for i in chunk {
                    let len = i.encoded_len();
                    i.write_into(&mut memory.data_mut(&mut store)[at..at + len]);
                    at += len;
                }
                let len = (at - ptr as usize) as i32;
                let r = w(evaluate_batch.call(&mut store, (ptr, len, chunk.len() as i32)))?;
                n += r.2 as u64;
            }
            continue;
        }
        for i in &inputs.encoded {
            let len = i.encoded_len();
            i.write_into(&mut memory.data_mut(&mut store)[ptr as usize..ptr as usize + len]);
            let r = w(evaluate.call(&mut store, (ptr, len as i32)))?;
            n += r.2 as u64;
        }
    }
    println!("{:.1} ns per decision ({n})", t.elapsed().as_nanos() as f64 / (30000.0 * inputs.encoded.len() as f64));
    Ok(())
}
