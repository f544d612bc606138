//! [`Runtime`] (one wasmtime engine, its limits and module cache) and [`Policy`] (a loaded, checked module).

use crate::cache::ModuleCache;
use crate::config::RuntimeConfig;
use crate::error::{EvalError, LoadError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wasmtime::{
    Config, Engine, ExternType, InstanceAllocationStrategy, InstancePre, Linker, Memory, Module, Mutability,
    PoolingAllocationConfig, ResourceLimiter, Store, StoreLimits, StoreLimitsBuilder, Trap, TypedFunc, Val, ValType,
};
use xince_abi::decision::Decision;
use xince_abi::decode::{decide, encode_request};
use xince_abi::engine::{self, EngineError};
use xince_abi::error::EvalErrorCode;
use xince_abi::input::Input;
use xince_abi::layout::{self, output_header};
use xince_abi::manifest::Manifest;
use xince_abi::output::{OutputShape, RawOutput};
use xince_abi::request::Request;

/// Epoch tick length when a deadline is configured.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Per-store state: the limits, and whether a memory growth was refused (to tell a memory-limit trap from
/// any other).
struct StoreState {
    limits: StoreLimits,
    memory_refused: bool,
}

impl ResourceLimiter for StoreState {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        let r = self.limits.memory_growing(current, desired, maximum);
        if !matches!(r, Ok(true)) {
            self.memory_refused = true;
        }
        r
    }
    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.memory_refused = true;
        self.limits.memory_grow_failed(error)
    }
    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }
    fn instances(&self) -> usize {
        self.limits.instances()
    }
    fn tables(&self) -> usize {
        self.limits.tables()
    }
    fn memories(&self) -> usize {
        self.limits.memories()
    }
}

struct Shared {
    engine: Engine,
    config: RuntimeConfig,
    /// `config.deadline` in epoch ticks, worked out once (not on every evaluation).
    deadline_ticks: Option<u64>,
    cache: ModuleCache,
    ticker_stop: Arc<AtomicBool>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}

/// One sandbox configuration shared by every module it loads. Cheap to clone; safe to share across threads.
#[derive(Clone)]
pub struct Runtime {
    shared: Arc<Shared>,
}

/// Errors creating the engine itself (a configuration the platform cannot provide).
#[derive(Debug)]
pub struct RuntimeInitError(pub String);

impl std::fmt::Display for RuntimeInitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "无法创建 wasm 引擎：{0} / cannot create the wasm engine: {0}", self.0)
    }
}
impl std::error::Error for RuntimeInitError {}

impl Runtime {
    /// The one place the engine is configured: no WASI, no imports, fuel and/or epoch deadlines, memory cap,
    /// pooling allocator.
    pub fn new(config: RuntimeConfig) -> Result<Runtime, RuntimeInitError> {
        let mut wasm = Config::new();
        wasm.consume_fuel(config.fuel_per_evaluation.is_some());
        wasm.epoch_interruption(config.deadline.is_some());
        wasm.max_wasm_stack(512 << 10);
        if config.pooling {
            let mut pool = PoolingAllocationConfig::default();
            pool.total_core_instances(config.pool_instances)
                .total_memories(config.pool_instances)
                .total_tables(config.pool_instances)
                .max_memory_size(config.memory_limit_bytes)
                .max_core_instance_size(1 << 20)
                .table_elements(10_000);
            wasm.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        }
        // Every memory is a 4 GiB virtual reservation plus a guard region (wasmtime's default on 64-bit hosts),
        // so a 32-bit wasm address can never leave it and the generated code carries no bounds checks: about a
        // quarter of a decision's cost with a smaller reservation. It is address space, not memory: the cap
        // (`memory_limit_bytes`) still limits what a module can commit.
        wasm.memory_reservation(4 << 30);
        wasm.memory_reservation_for_growth(0);
        let engine = Engine::new(&wasm).map_err(|e| RuntimeInitError(e.to_string()))?;
        let ticker_stop = Arc::new(AtomicBool::new(false));
        if config.deadline.is_some() {
            // A weak handle: the ticker ends when the engine is gone or the runtime is dropped.
            let weak = engine.weak();
            let stop = ticker_stop.clone();
            std::thread::Builder::new()
                .name("xince-epoch".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(EPOCH_TICK);
                        match weak.upgrade() {
                            Some(e) => e.increment_epoch(),
                            None => break,
                        }
                    }
                })
                .map_err(|e| RuntimeInitError(e.to_string()))?;
        }
        let cache = ModuleCache::new(&engine, config.precompiled.clone());
        let deadline_ticks = config.deadline.map(|d| (d.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64);
        Ok(Runtime { shared: Arc::new(Shared { engine, config, deadline_ticks, cache, ticker_stop }) })
    }

    pub fn config(&self) -> &RuntimeConfig {
        &self.shared.config
    }

    /// What the precompiled-module cache could not do since the last call (each time it fell back to
    /// compiling). Loading never fails because of the cache; hosts show these.
    pub fn take_cache_warnings(&self) -> Vec<crate::CacheWarning> {
        self.shared.cache.take_warnings()
    }

    /// Checks and compiles a module (or takes it from the cache). Refuses modules without a manifest, with
    /// any import, with a wrong ABI version or without the required exports.
    pub fn load(&self, bytes: &[u8]) -> Result<Policy, LoadError> {
        // Signature first: a module nobody authorised is not even compiled.
        if let Some(keys) = &self.shared.config.trusted_keys {
            xince_abi::signature::verify(bytes, keys).map_err(LoadError::Signature)?;
        }
        let crate::check::Scan { manifest, initial_memory_bytes } = crate::check::scan(bytes)?;
        let limit_bytes = self.shared.config.memory_limit_bytes;
        if initial_memory_bytes > limit_bytes as u64 {
            return Err(LoadError::InitialMemoryTooLarge { bytes: initial_memory_bytes, limit_bytes });
        }
        let module = self
            .shared
            .cache
            .get_or_compile(&self.shared.engine, bytes)
            .map_err(|e| LoadError::Compile(format!("{e:#}")))?;
        check_exports(&module)?;
        let linker: Linker<StoreState> = Linker::new(&self.shared.engine);
        let pre = linker.instantiate_pre(&module).map_err(|e| LoadError::Instantiate(format!("{e:#}")))?;
        let policy = Policy {
            inner: Arc::new(PolicyInner {
                runtime: self.clone(),
                shape: manifest.output_shape(),
                manifest,
                pre,
                sha256: crate::cache::module_sha256(bytes),
                idle: Mutex::new(Vec::new()),
            }),
        };
        // Instantiate once now: an ABI global mismatch or an initial memory above the cap is a load error.
        let slot = policy.inner.instantiate().map_err(|e| match e {
            EvalError::Instantiate(m) => LoadError::Instantiate(m),
            other => LoadError::Instantiate(other.to_string()),
        })?;
        let mut slot = slot;
        let version = slot.abi_version.get(&mut slot.store);
        let found = match version {
            Val::I32(v) => v as i64,
            Val::I64(v) => v,
            _ => -1,
        };
        if found != xince_abi::ABI_VERSION as i64 {
            return Err(LoadError::AbiVersionGlobal { found });
        }
        policy.inner.release(slot);
        Ok(policy)
    }
}

fn check_exports(module: &Module) -> Result<(), LoadError> {
    let find = |name: &'static str| module.get_export(name).ok_or(LoadError::MissingExport { name });
    let func = |name: &'static str, params: &[ValType], results: &[ValType], expected: &'static str| match find(name)? {
        ExternType::Func(f) => {
            let p: Vec<ValType> = f.params().collect();
            let r: Vec<ValType> = f.results().collect();
            let same =
                |a: &[ValType], b: &[ValType]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| ValType::eq(x, y));
            if same(&p, params) && same(&r, results) {
                Ok(())
            } else {
                Err(LoadError::WrongExportType { name, expected, found: format!("{f}") })
            }
        }
        other => Err(LoadError::WrongExportType { name, expected, found: kind(&other) }),
    };
    match find("memory")? {
        ExternType::Memory(m) if !m.is_64() && !m.is_shared() => {}
        other => {
            return Err(LoadError::WrongExportType {
                name: "memory",
                expected: "memory (32-bit, unshared)",
                found: kind(&other),
            });
        }
    }
    match find("xince_abi_version")? {
        ExternType::Global(g) if g.content().is_i32() && g.mutability() == Mutability::Const => {}
        other => {
            return Err(LoadError::WrongExportType {
                name: "xince_abi_version",
                expected: "immutable global i32",
                found: kind(&other),
            });
        }
    }
    func("xince_alloc", &[ValType::I32], &[ValType::I32], "func (i32) -> i32")?;
    func(
        "xince_evaluate",
        &[ValType::I32, ValType::I32],
        &[ValType::I32, ValType::I32, ValType::I32],
        "func (i32, i32) -> (i32, i32, i32)",
    )?;
    // Optional (ABI §2.1): hosts that find no batch export call `xince_evaluate` once per input.
    if module.get_export("xince_evaluate_batch").is_some() {
        func(
            "xince_evaluate_batch",
            &[ValType::I32, ValType::I32, ValType::I32],
            &[ValType::I32, ValType::I32, ValType::I32],
            "func (i32, i32, i32) -> (i32, i32, i32)",
        )?;
    }
    Ok(())
}

fn kind(t: &ExternType) -> String {
    match t {
        ExternType::Func(f) => format!("{f}"),
        ExternType::Global(g) => {
            format!("global {}{}", if g.mutability() == Mutability::Var { "mut " } else { "" }, g.content())
        }
        ExternType::Memory(_) => "memory".into(),
        ExternType::Table(_) => "table".into(),
        ExternType::Tag(_) => "tag".into(),
    }
}

/// `xince_evaluate_batch`: `(ptr, len, count) -> (status, answers ptr, answers len)`.
type BatchFunc = TypedFunc<(i32, i32, i32), (i32, i32, i32)>;

/// A live instance with its typed entry points.
struct Slot {
    store: Store<StoreState>,
    memory: Memory,
    abi_version: wasmtime::Global,
    alloc: TypedFunc<i32, i32>,
    /// `(ptr, len) -> (status, output ptr, output len)`: the one call per decision.
    evaluate: TypedFunc<(i32, i32), (i32, i32, i32)>,
    /// `(ptr, len, count) -> (status, answers ptr, answers len)`, when the module has it.
    evaluate_batch: Option<BatchFunc>,
    /// The input area `xince_alloc` last granted (since ABI v2: valid for any later input up to its size).
    input_ptr: i32,
    input_capacity: usize,
}

struct PolicyInner {
    runtime: Runtime,
    manifest: Manifest,
    /// The manifest's answer shape.
    shape: OutputShape,
    pre: InstancePre<StoreState>,
    sha256: String,
    /// Instances that finished an evaluation cleanly, ready for the next (any thread).
    idle: Mutex<Vec<Slot>>,
}

/// A loaded, checked policy module. Cheap to clone; `evaluate` may be called from many threads at once.
#[derive(Clone)]
pub struct Policy {
    inner: Arc<PolicyInner>,
}

impl PolicyInner {
    fn instantiate(&self) -> Result<Slot, EvalError> {
        let config = &self.runtime.shared.config;
        let limits = StoreLimitsBuilder::new()
            .memory_size(config.memory_limit_bytes)
            .instances(1)
            .memories(1)
            .tables(1)
            .table_elements(10_000)
            .trap_on_grow_failure(true)
            .build();
        let mut store = Store::new(&self.runtime.shared.engine, StoreState { limits, memory_refused: false });
        store.limiter(|s| s);
        // A passed deadline traps (the store keeps this; `arm` only moves the deadline).
        store.epoch_deadline_trap();
        self.arm(&mut store, 1)?;
        let instance = self.pre.instantiate(&mut store).map_err(|e| EvalError::Instantiate(format!("{e:#}")))?;
        let missing = |what: &str| EvalError::Instantiate(format!("export {what}"));
        let typed = |e: wasmtime::Error| EvalError::Instantiate(format!("{e:#}"));
        Ok(Slot {
            memory: instance.get_memory(&mut store, "memory").ok_or_else(|| missing("memory"))?,
            abi_version: instance
                .get_global(&mut store, "xince_abi_version")
                .ok_or_else(|| missing("xince_abi_version"))?,
            alloc: instance.get_typed_func(&mut store, "xince_alloc").map_err(typed)?,
            evaluate: instance.get_typed_func(&mut store, "xince_evaluate").map_err(typed)?,
            evaluate_batch: match instance.get_export(&mut store, "xince_evaluate_batch") {
                Some(_) => Some(instance.get_typed_func(&mut store, "xince_evaluate_batch").map_err(typed)?),
                None => None,
            },
            input_ptr: 0,
            input_capacity: 0,
            store,
        })
    }

    /// Gives the store a fresh budget for `evaluations` evaluations (one call).
    fn arm(&self, store: &mut Store<StoreState>, evaluations: usize) -> Result<(), EvalError> {
        let config = &self.runtime.shared.config;
        if let Some(fuel) = config.fuel_per_evaluation {
            let budget = fuel.saturating_mul(evaluations.max(1) as u64);
            store.set_fuel(budget).map_err(|e| EvalError::Instantiate(format!("{e:#}")))?;
        }
        if let Some(ticks) = self.runtime.shared.deadline_ticks {
            store.set_epoch_deadline(ticks);
        }
        Ok(())
    }

    fn take(&self) -> Result<Slot, EvalError> {
        let reused = self.idle.lock().ok().and_then(|mut v| v.pop());
        match reused {
            Some(slot) => Ok(slot),
            None => self.instantiate(),
        }
    }

    fn release(&self, slot: Slot) {
        if self.runtime.shared.config.reuse_instances
            && let Ok(mut idle) = self.idle.lock()
        {
            // Bounded: never keep more instances than could run at once.
            if idle.len() < 64 {
                idle.push(slot);
            }
        }
    }

    fn classify(&self, slot: &Slot, error: wasmtime::Error) -> EvalError {
        if slot.store.data().memory_refused {
            return EvalError::MemoryLimit { limit_bytes: self.runtime.shared.config.memory_limit_bytes };
        }
        match error.downcast_ref::<Trap>() {
            Some(Trap::OutOfFuel) => EvalError::OutOfFuel,
            Some(Trap::Interrupt) => EvalError::Timeout,
            Some(t) => EvalError::Trap(t.to_string()),
            None => EvalError::Trap(format!("{error:#}")),
        }
    }

    /// Asks the module for an input area of at least `len` bytes, unless the last one granted is big enough.
    fn reserve_input(&self, slot: &mut Slot, len: usize) -> Result<i32, EvalError> {
        if len <= slot.input_capacity && slot.input_ptr != 0 {
            return Ok(slot.input_ptr);
        }
        // Room to spare, so a subject with a few more records than the last does not call again.
        let wanted = len.max(slot.input_capacity.saturating_mul(2)).max(MIN_INPUT_AREA);
        let mut ask = i32::try_from(wanted).unwrap_or(i32::MAX);
        let mut ptr = slot.alloc.call(&mut slot.store, ask).map_err(|e| self.classify(slot, e))?;
        if ptr == 0 && (ask as usize) > len {
            // The spare room did not fit under the memory cap: ask for exactly what this input needs.
            ask = i32::try_from(len).map_err(|_| input_too_large())?;
            ptr = slot.alloc.call(&mut slot.store, ask).map_err(|e| self.classify(slot, e))?;
        }
        if ptr == 0 {
            // The ABI's allocator returns 0 when the input does not fit.
            return Err(input_too_large());
        }
        slot.input_ptr = ptr;
        slot.input_capacity = ask as usize;
        Ok(ptr)
    }

    /// One evaluation on one instance: the input is encoded straight into guest memory and the answer decoded
    /// straight from it into `out` (no intermediate copies, no allocation once `out` has grown: this is the
    /// per-decision hot path, one wasm call).
    // Inlined into the caller: its result would otherwise be copied through memory on every decision.
    #[inline(always)]
    fn run(&self, slot: &mut Slot, input: &Input, out: &mut RawOutput) -> Result<(), EvalError> {
        self.arm(&mut slot.store, 1)?;
        let encoded_len = input.encoded_len();
        let len = i32::try_from(encoded_len).map_err(|_| input_too_large())?;
        let ptr = self.reserve_input(slot, encoded_len)?;
        input.write_into(input_area(slot, ptr, encoded_len)?);
        let (status, out_ptr, out_len) =
            slot.evaluate.call(&mut slot.store, (ptr, len)).map_err(|e| self.classify(slot, e))?;
        let answer = answer_region(slot, status, out_ptr, out_len)?;
        Ok(out.decode_from(answer, &self.shape, input.records.len())?)
    }

    /// One `xince_evaluate_batch` call for all of `inputs` (or one `xince_evaluate` call each, for a module
    /// without it); `answers[k]` gets input k's answer or its module error. Errors that concern the whole
    /// call (a trap, a limit, a malformed answer, a batch-level module error) are returned.
    fn run_batch(
        &self,
        slot: &mut Slot,
        inputs: &[Input],
        answers: &mut [Result<RawOutput, EvalError>],
    ) -> Result<(), EvalError> {
        let Some(evaluate_batch) = slot.evaluate_batch.clone() else {
            for (input, answer) in inputs.iter().zip(answers.iter_mut()) {
                let mut raw = reusable(answer);
                *answer = match self.run(slot, input, &mut raw) {
                    Ok(()) => Ok(raw),
                    Err(e @ EvalError::Module { .. }) => Err(e),
                    Err(e) => return Err(e),
                };
            }
            return Ok(());
        };
        self.arm(&mut slot.store, inputs.len())?;
        let total: usize = inputs.iter().map(Input::encoded_len).sum();
        let len = i32::try_from(total).map_err(|_| input_too_large())?;
        let count = i32::try_from(inputs.len()).map_err(|_| input_too_large())?;
        let ptr = self.reserve_input(slot, total)?;
        let mut area = input_area(slot, ptr, total)?;
        for input in inputs {
            let (head, tail) = area.split_at_mut(input.encoded_len());
            input.write_into(head);
            area = tail;
        }
        let (status, out_ptr, out_len) =
            evaluate_batch.call(&mut slot.store, (ptr, len, count)).map_err(|e| self.classify(slot, e))?;
        let region = answer_region(slot, status, out_ptr, out_len)?;
        let malformed = |what: String| EvalError::MalformedAnswer(what);
        let mut at = 0usize;
        for (k, (input, answer)) in inputs.iter().zip(answers.iter_mut()).enumerate() {
            let word =
                |at: usize| region.get(at..at + 4).and_then(|b| <[u8; 4]>::try_from(b).ok()).map(i32::from_le_bytes);
            let missing = || malformed(format!("批量输出缺少第 {k} 个回答 / batch answer {k} is missing"));
            let (code, size) = (word(at).ok_or_else(missing)?, word(at + 4).ok_or_else(missing)? as u32 as usize);
            let body = at.checked_add(8 + size).and_then(|end| region.get(at + 8..end)).ok_or_else(missing)?;
            if code == 0 {
                // Decoded in place: the vectors a previous batch left in this slot are reused.
                if answer.is_err() {
                    *answer = Ok(RawOutput::default());
                }
                if let Ok(raw) = answer {
                    raw.decode_from(body, &self.shape, input.records.len())?;
                }
            } else {
                match module_error(code, Some(body)) {
                    e @ EvalError::Module { .. } => *answer = Err(e),
                    other => return Err(other),
                }
            }
            at = (at + 8 + size).next_multiple_of(8);
        }
        if at != region.len() {
            return Err(malformed(format!(
                "批量输出长度 {} 与回答不符 / batch output is {} bytes, the answers take {at}",
                region.len(),
                region.len()
            )));
        }
        Ok(())
    }

    /// Runs one evaluation on `slot`, which is `None` when the previous instance had to be dropped; a fresh
    /// instance replaces it. After a trap, a limit or a malformed answer the instance is dropped (a module
    /// that answers nonsense once is not trusted with the next request); module error codes are clean returns
    /// and keep it.
    fn run_in<T>(
        &self,
        slot: &mut Option<Slot>,
        run: impl FnOnce(&Self, &mut Slot) -> Result<T, EvalError>,
    ) -> Result<T, EvalError> {
        let live = match slot {
            Some(live) => live,
            None => slot.insert(self.take()?),
        };
        let result = run(self, live);
        if matches!(result, Err(ref e) if !matches!(e, EvalError::Module { .. })) {
            *slot = None;
        }
        result
    }
}

/// The `len` bytes at `ptr` in the instance's memory, where `xince_alloc` said the input goes.
#[inline(always)]
fn input_area(slot: &mut Slot, ptr: i32, len: usize) -> Result<&mut [u8], EvalError> {
    let at = ptr as u32 as usize;
    at.checked_add(len).and_then(|end| slot.memory.data_mut(&mut slot.store).get_mut(at..end)).ok_or_else(|| {
        EvalError::MalformedAnswer(format!(
            "xince_alloc 返回的地址 {ptr} 超出内存 / xince_alloc returned {ptr}, outside memory"
        ))
    })
}

/// The answer `xince_evaluate[_batch]` pointed at, or the error its status stands for.
#[inline(always)]
fn answer_region(slot: &Slot, status: i32, out_ptr: i32, out_len: i32) -> Result<&[u8], EvalError> {
    let (out_ptr, out_len) = (out_ptr as u32 as usize, out_len as u32 as usize);
    let data = slot.memory.data(&slot.store);
    let region = out_ptr.checked_add(out_len).and_then(|end| data.get(out_ptr..end));
    if status != 0 {
        return Err(module_error(status, region));
    }
    region.ok_or_else(|| {
        EvalError::MalformedAnswer(format!(
            "输出区间 [{out_ptr}, +{out_len}) 超出内存 / output range [{out_ptr}, +{out_len}) is outside memory"
        ))
    })
}

/// The error a non-zero status stands for; the error header (when readable) may name the record.
fn module_error(status: i32, header: Option<&[u8]>) -> EvalError {
    let Some(code) = EvalErrorCode::from_code(status) else { return EvalError::UnknownStatus(status) };
    let record = header
        .filter(|a| a.len() >= layout::OUTPUT_HEADER_SIZE)
        .and_then(|a| a.get(output_header::ERROR_DETAIL..output_header::ERROR_DETAIL + 4))
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(i32::from_le_bytes)
        .and_then(|r| usize::try_from(r).ok());
    EvalError::Module { code, record }
}

/// The answer buffer kept in `answer` (its vectors reused), leaving an empty one in its place.
fn reusable(answer: &mut Result<RawOutput, EvalError>) -> RawOutput {
    std::mem::replace(answer, Ok(RawOutput::default())).unwrap_or_default()
}

fn input_too_large() -> EvalError {
    EvalError::Module { code: EvalErrorCode::InputTooLarge, record: None }
}

/// Encoded input per `xince_evaluate_batch` call in [`Evaluator::evaluate_raw_batch`]: a few thousand typical
/// subjects, far below the module's 16 MiB memory cap with their answers, and short enough for one deadline.
pub const BATCH_INPUT_BYTES: usize = 1 << 20;

/// Smallest input area asked of `xince_alloc` (room for 500 records): most subjects never ask twice, and a
/// fresh instance's first page usually holds it, so a first evaluation does not grow memory.
const MIN_INPUT_AREA: usize = layout::INPUT_HEADER_SIZE + 500 * layout::RECORD_SIZE;

/// One thread's handle on a policy: owns an instance for as long as it lives, so a loop of evaluations pays
/// no lock and no instance hand-over per decision (`Policy::evaluate*` take one from the shared pool per
/// call). Get one with [`Policy::evaluator`]; the instance returns to the pool when it is dropped.
pub struct Evaluator {
    policy: Policy,
    slot: Option<Slot>,
    /// Answers a shorter batch left over, kept for the next longer one (so varying batch sizes allocate
    /// nothing once every answer buffer has grown).
    spare_answers: Vec<Result<RawOutput, EvalError>>,
}

impl Evaluator {
    /// Evaluates an already encoded input into `out`, reusing its vectors (the allocation-free path).
    pub fn evaluate_raw_into(&mut self, input: &Input, out: &mut RawOutput) -> Result<(), EvalError> {
        self.policy.inner.run_in(&mut self.slot, |inner, slot| inner.run(slot, input, out))
    }

    /// Evaluates many encoded inputs with few calls into the module (`xince_evaluate_batch`, one call per
    /// [`BATCH_INPUT_BYTES`] of encoded input; one call per input for a module without it). `answers` is
    /// resized to `inputs.len()`; entry k is input k's answer or its own module error, and answers left there by
    /// an earlier batch are reused (no allocation once they have grown). A trap, a limit or a malformed answer
    /// fails the batch (answers already decoded stay in place) and the instance is replaced. Each call gets
    /// `fuel_per_evaluation` per input and one deadline.
    pub fn evaluate_raw_batch(
        &mut self,
        inputs: &[Input],
        answers: &mut Vec<Result<RawOutput, EvalError>>,
    ) -> Result<(), EvalError> {
        while answers.len() > inputs.len() {
            self.spare_answers.extend(answers.pop());
        }
        while answers.len() < inputs.len() {
            answers.push(self.spare_answers.pop().unwrap_or_else(|| Ok(RawOutput::default())));
        }
        let mut start = 0;
        while start < inputs.len() {
            // As many inputs as fit in the call's byte budget, and always at least one.
            let mut end = start + 1;
            let mut bytes = inputs[start].encoded_len();
            while let Some(next) = inputs.get(end) {
                bytes += next.encoded_len();
                if bytes > BATCH_INPUT_BYTES {
                    break;
                }
                end += 1;
            }
            let (chunk, chunk_answers) = (&inputs[start..end], &mut answers[start..end]);
            self.policy.inner.run_in(&mut self.slot, |inner, slot| inner.run_batch(slot, chunk, chunk_answers))?;
            start = end;
        }
        Ok(())
    }

    /// Evaluates an already encoded input and validates the answer against the manifest's shape.
    pub fn evaluate_raw(&mut self, input: &Input) -> Result<RawOutput, EvalError> {
        let mut out = RawOutput::default();
        self.evaluate_raw_into(input, &mut out)?;
        Ok(out)
    }

    /// Encodes the request against the module's vocabularies, evaluates it and decodes the decision (owned;
    /// `encode_request` + [`Evaluator::evaluate_raw_into`] + `decide` give one that borrows, without copies).
    pub fn evaluate(&mut self, request: &Request) -> Result<Decision<'static>, EvalError> {
        let policy = self.policy.clone();
        let encoded = encode_request(&policy.inner.manifest, request)?;
        let raw = self.evaluate_raw(&encoded.input)?;
        Ok(decide(&policy.inner.manifest, &encoded, &raw).into_owned())
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }
}

impl engine::Engine for Evaluator {
    fn name(&self) -> &'static str {
        "wasm"
    }

    fn run(&mut self, input: &Input) -> Result<RawOutput, EngineError> {
        self.evaluate_raw(input).map_err(|e| EngineError {
            code: e.code(),
            message_zh: e.message_zh(),
            message_en: e.message_en(),
        })
    }
}

impl Drop for Evaluator {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            self.policy.inner.release(slot);
        }
    }
}

impl Policy {
    pub fn manifest(&self) -> &Manifest {
        &self.inner.manifest
    }

    /// `sha256:<hex>` of the module bytes.
    pub fn module_sha256(&self) -> &str {
        &self.inner.sha256
    }

    /// A handle that keeps one instance for a loop of evaluations on this thread (see [`Evaluator`]).
    pub fn evaluator(&self) -> Evaluator {
        Evaluator { policy: self.clone(), slot: None, spare_answers: Vec::new() }
    }

    /// Evaluates an already encoded input and validates the answer against the manifest's shape (one
    /// instance from the shared pool for this call; [`Policy::evaluator`] keeps one across calls).
    pub fn evaluate_raw(&self, input: &Input) -> Result<RawOutput, EvalError> {
        self.evaluator().evaluate_raw(input)
    }

    /// Encodes the request against this module's vocabularies, evaluates it and decodes the decision (owned).
    pub fn evaluate(&self, request: &Request) -> Result<Decision<'static>, EvalError> {
        let encoded = encode_request(&self.inner.manifest, request)?;
        let raw = self.evaluate_raw(&encoded.input)?;
        Ok(decide(&self.inner.manifest, &encoded, &raw).into_owned())
    }
}
