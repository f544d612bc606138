//! Compiles every policy under `policies/` and says which compile to wasm (a sanity check for the
//! `cold_compile_stdlib_and_all_policies_to_wasm` bench, which counts only successes).
fn main() -> anyhow::Result<()> {
    let compiler = xince_bench::load_compiler()?;
    for f in compiler.user_files().into_iter().filter(|f| compiler.is_policy(*f)) {
        let name = compiler.file_name(f);
        let result = compiler.build(name).map(|b| b.wasm.len()).map_err(|d| format!("{} errors", d.len()));
        println!("{name}: {result:?}");
    }
    Ok(())
}
