//! WebAssembly code generation with wasm-encoder (the ABI is `docs/abi.md`).
//!
//! One self-contained module per policy, no imports. Every criterion is compiled to straight-line wasm over the
//! fixed record layout (loads at constant offsets, short-circuit `且`/`或`, one loop per record scan); the
//! working-day calendar is a data segment; month arithmetic and working-day counting are two helper
//! functions. The semantics are those of [`crate::ir`], with the open points fixed in [`crate::interp`].
//!
//! Memory map (addresses in bytes):
//! - `ERROR_HEADER` .. +32: the 32-byte output header written when evaluation fails;
//! - `CALENDAR_BASE` ..: calendar bits;
//! - `month_table` (16-aligned, after the calendar): the first day of every month 1950-01..=2150-01, the
//!   fast path of month arithmetic;
//! - `input_base` (16-aligned, after the month table): where `xince_alloc` places the input, and right after it
//!   (8-aligned) the output. Both are rewritten by every evaluation.

use wasm_encoder::{
    CodeSection, ConstExpr, CustomSection, DataSection, ExportKind, ExportSection, FunctionSection, GlobalSection,
    GlobalType, MemArg, MemorySection, MemoryType, Module, TypeSection, ValType,
};
use xince_abi::layout::{self, LIST_ENTRY_SIZE, MEASURE_ENTRY_SIZE};

use crate::ir::Program;

/// Memory cap declared on the module (16 MiB): every engine enforces the same limit.
pub const MAX_PAGES: u64 = 256;
const PAGE: i64 = 65536;
/// Where the error header lives (a fixed 32 bytes so it is valid whatever the input).
pub const ERROR_HEADER: i32 = 16;
/// Where the calendar bits start.
pub const CALENDAR_BASE: i32 = 48;

/// Export names (ABI v3; unchanged since v2).
pub mod exports {
    pub const MEMORY: &str = "memory";
    pub const ABI_VERSION: &str = "xince_abi_version";
    pub const ALLOC: &str = "xince_alloc";
    pub const EVALUATE: &str = "xince_evaluate";
    pub const EVALUATE_BATCH: &str = "xince_evaluate_batch";
    /// Every export, in the order the module declares them.
    pub const ALL: [&str; 5] = [MEMORY, ABI_VERSION, ALLOC, EVALUATE, EVALUATE_BATCH];
}

/// Why a program cannot be compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodegenError {
    /// The manifest could not be serialised.
    Manifest(String),
    /// The program is too large for a 32-bit module (names what overflowed).
    TooLarge(&'static str),
}

impl CodegenError {
    pub fn message_zh(&self) -> String {
        match self {
            CodegenError::Manifest(e) => format!("清单无法序列化：{e}"),
            CodegenError::TooLarge(what) => format!("政策过大：{what}"),
        }
    }
    pub fn message_en(&self) -> String {
        match self {
            CodegenError::Manifest(e) => format!("the manifest cannot be serialised: {e}"),
            CodegenError::TooLarge(what) => format!("the policy is too large: {what}"),
        }
    }
}

impl std::fmt::Display for CodegenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} / {}", self.message_zh(), self.message_en())
    }
}

impl std::error::Error for CodegenError {}

// Function indexes.
const F_ALLOC: u32 = 0;
const F_EVALUATE: u32 = 1;
const F_EVALUATE_BATCH: u32 = 2;
/// The evaluation itself, `(ptr, len, out) -> (status, output ptr, output len)`: both exports call it.
const F_EVALUATE_ONE: u32 = 3;
const F_ADD_MONTHS: u32 = 4;
const F_ADD_WORKDAYS: u32 = 5;
// Type indexes.
const T_I32_I32: u32 = 0;
const T_I32X2_I32: u32 = 1;
/// `xince_evaluate`: `(ptr, len) -> (status, output ptr, output len)`, one call per decision.
const T_EVALUATE: u32 = 2;
/// `xince_evaluate_batch(ptr, len, count)` and the internal `(ptr, len, out)`: three i32 in, three out.
const T_I32X3_I32X3: u32 = 3;
// Global indexes.
const G_ABI_VERSION: u32 = 0;

/// Returned by the working-day helper when it leaves the calendar.
const WORKDAY_OUT_OF_RANGE: i32 = i32::MIN;

fn mem(offset: u64, align: u32) -> MemArg {
    MemArg { offset, align, memory_index: 0 }
}

/// Compiles a program to a module (same program → same bytes).
pub fn emit(program: &Program) -> Result<Vec<u8>, CodegenError> {
    let manifest = serde_json::to_vec(&program.manifest).map_err(|e| CodegenError::Manifest(e.to_string()))?;
    let layout = OutputLayout::of(program)?;
    let calendar = calendar_bytes(program);
    let month_table_base = align_up(CALENDAR_BASE as i64 + calendar.len() as i64, 16);
    let month_table = month_table_bytes();
    let input_base = align_up(month_table_base + month_table.len() as i64, 16);
    if input_base >= PAGE * MAX_PAGES as i64 {
        return Err(CodegenError::TooLarge("calendar"));
    }
    let input_base = input_base as i32;

    let mut module = Module::new();
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32], [ValType::I32]);
    types.ty().function([ValType::I32, ValType::I32], [ValType::I32]);
    types.ty().function([ValType::I32, ValType::I32], [ValType::I32, ValType::I32, ValType::I32]);
    types.ty().function([ValType::I32, ValType::I32, ValType::I32], [ValType::I32, ValType::I32, ValType::I32]);
    module.section(&types);

    let mut functions = FunctionSection::new();
    for ty in [T_I32_I32, T_EVALUATE, T_I32X3_I32X3, T_I32X3_I32X3, T_I32X2_I32, T_I32X2_I32] {
        functions.function(ty);
    }
    module.section(&functions);

    let mut memories = MemorySection::new();
    let minimum = (input_base as u64).div_ceil(PAGE as u64).max(1);
    memories.memory(MemoryType {
        minimum,
        maximum: Some(MAX_PAGES),
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    module.section(&memories);

    let mut globals = GlobalSection::new();
    let constant = GlobalType { val_type: ValType::I32, mutable: false, shared: false };
    globals.global(constant, &ConstExpr::i32_const(xince_abi::ABI_VERSION as i32));
    module.section(&globals);

    let mut export = ExportSection::new();
    export.export(exports::MEMORY, ExportKind::Memory, 0);
    export.export(exports::ABI_VERSION, ExportKind::Global, G_ABI_VERSION);
    export.export(exports::ALLOC, ExportKind::Func, F_ALLOC);
    export.export(exports::EVALUATE, ExportKind::Func, F_EVALUATE);
    export.export(exports::EVALUATE_BATCH, ExportKind::Func, F_EVALUATE_BATCH);
    module.section(&export);

    let mut code = CodeSection::new();
    code.function(&alloc_function(input_base, &layout));
    code.function(&evaluate_function());
    code.function(&evaluate_batch_function());
    code.function(&Gen::new(program, &layout, month_table_base as i32).evaluate_function()?);
    code.function(&add_months_function(month_table_base as i32));
    code.function(&add_workdays_function(program));
    module.section(&code);

    let mut data = DataSection::new();
    if !calendar.is_empty() {
        data.active(0, &ConstExpr::i32_const(CALENDAR_BASE), calendar);
    }
    data.active(0, &ConstExpr::i32_const(month_table_base as i32), month_table);
    module.section(&data);

    module.section(&CustomSection { name: xince_abi::MANIFEST_SECTION.into(), data: manifest.into() });
    Ok(module.finish())
}

fn align_up(n: i64, to: i64) -> i64 {
    (n + to - 1) / to * to
}

/// The calendar's bytes, exactly `ceil(day_count / 8)` long (missing bytes are non-working days).
fn calendar_bytes(program: &Program) -> Vec<u8> {
    let cal = &program.calendar;
    let len = (cal.day_count as usize).div_ceil(8);
    let mut bytes = cal.bits.iter().copied().take(len).collect::<Vec<u8>>();
    bytes.resize(len, 0);
    bytes
}

/// Byte offsets of the output sections (all fixed per program, objections last).
struct OutputLayout {
    lists: u64,
    measures: u64,
    incentives: u64,
    notifications: u64,
    /// Size of everything before the objection entries.
    fixed: u64,
}

impl OutputLayout {
    fn of(p: &Program) -> Result<Self, CodegenError> {
        let lists = layout::OUTPUT_HEADER_SIZE as u64;
        let measures = lists + p.lists.len() as u64 * LIST_ENTRY_SIZE as u64;
        let incentives = measures + p.measures.len() as u64 * MEASURE_ENTRY_SIZE as u64;
        let notifications = incentives + p.incentives.len() as u64 * layout::INCENTIVE_ENTRY_SIZE as u64;
        let fixed = notifications + p.notifications.len() as u64 * layout::NOTIFICATION_ENTRY_SIZE as u64;
        if fixed > (PAGE as u64) * MAX_PAGES / 2 {
            return Err(CodegenError::TooLarge("output"));
        }
        Ok(OutputLayout { lists, measures, incentives, notifications, fixed })
    }
    fn list(&self, l: usize, field: usize) -> u64 {
        self.lists + (l * LIST_ENTRY_SIZE + field) as u64
    }
    fn measure(&self, m: usize, field: usize) -> u64 {
        self.measures + (m * MEASURE_ENTRY_SIZE + field) as u64
    }
}

mod expr;
mod helpers;
mod rules;

use expr::Gen;
use helpers::{
    add_months_function, add_workdays_function, alloc_function, evaluate_batch_function, evaluate_function,
    month_table_bytes,
};
