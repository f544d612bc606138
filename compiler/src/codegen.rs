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
    BlockType, CodeSection, ConstExpr, CustomSection, DataSection, ExportKind, ExportSection, Function,
    FunctionSection, GlobalSection, GlobalType, Ieee64, InstructionSink, MemArg, MemorySection, MemoryType, Module,
    TypeSection, ValType,
};
use xince_abi::date::{CivilDate, NO_DATE};
use xince_abi::error::EvalErrorCode;
use xince_abi::layout::{
    self, INPUT_HEADER_SIZE, LIST_ENTRY_SIZE, MEASURE_ENTRY_SIZE, NO_CODE, OBJECTION_ENTRY_SIZE, RECORD_SIZE,
    input_header as ih, list_entry as le, measure_entry as me, output_header as oh, record as rf,
};

use crate::interp::{MAX_CIVIL_DAY, MAX_MONTHS, MIN_CIVIL_DAY};
use crate::ir::{CmpOp, Duration, Expr, List, Period, Program, RecordField, SubjectField, Trigger, Unit, VersionRule};

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

impl std::fmt::Display for CodegenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CodegenError::Manifest(e) => write!(f, "清单无法序列化：{e} / manifest cannot be serialised: {e}"),
            CodegenError::TooLarge(what) => write!(f, "政策过大：{what} / policy too large: {what}"),
        }
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
    // Last: the integrity digest of everything above (code and manifest), checked by hosts at load.
    xince_abi::digest::seal(&module.finish()).map_err(|e| CodegenError::Manifest(e.to_string()))
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

/// Ensures memory holds `bytes` (an i64 on the stack); leaves 1 on success, 0 when the cap refuses.
fn ensure_memory(s: &mut InstructionSink<'_>, bytes_local: u32, pages_local: u32) {
    // pages needed = ceil(bytes / 64 KiB); over the cap → 0
    s.local_get(bytes_local).i64_const(PAGE * MAX_PAGES as i64).i64_gt_s();
    s.if_(BlockType::Result(ValType::I32)).i32_const(0).else_();
    s.local_get(bytes_local).i64_const(PAGE - 1).i64_add().i64_const(16).i64_shr_u().i32_wrap_i64();
    s.memory_size(0).i32_sub().local_tee(pages_local);
    s.i32_const(0).i32_gt_s();
    s.if_(BlockType::Result(ValType::I32));
    s.local_get(pages_local).memory_grow(0).i32_const(-1).i32_ne();
    s.else_().i32_const(1).end();
    s.end();
}

/// `xince_alloc(len) -> ptr`: the input address (always `input_base`: each call resets the arena), after
/// growing memory to hold `len` input bytes and the largest output they can produce; 0 on failure.
fn alloc_function(input_base: i32, layout: &OutputLayout) -> Function {
    // locals: 1 = bytes (i64), 2 = pages to grow (i32)
    let mut f = Function::new_with_locals_types([ValType::I64, ValType::I32]);
    let mut s = f.instructions();
    s.local_get(0).i32_const(0).i32_lt_s().if_(BlockType::Empty).i32_const(0).return_().end();
    // bytes = input_base + len + 8 + fixed + (len / RECORD_SIZE + 1) * OBJECTION_ENTRY_SIZE
    s.i64_const(i64::from(input_base) + 8 + layout.fixed as i64 + OBJECTION_ENTRY_SIZE as i64);
    s.local_get(0).i64_extend_i32_u().i64_add();
    s.local_get(0).i64_extend_i32_u().i64_const(RECORD_SIZE as i64).i64_div_u();
    s.i64_const(OBJECTION_ENTRY_SIZE as i64).i64_mul().i64_add().local_set(1);
    ensure_memory(&mut s, 1, 2);
    s.if_(BlockType::Result(ValType::I32)).i32_const(input_base).else_().i32_const(0).end();
    s.end();
    f
}

/// First year of the month table (the fast path of `add_months`).
const MONTH_TABLE_FIRST_YEAR: i32 = 1950;
/// Months in the table; it holds one more entry, the first day after the last month.
const MONTH_TABLE_MONTHS: i32 = 200 * 12;

/// The day number of the first day of every month from `MONTH_TABLE_FIRST_YEAR`-01, `MONTH_TABLE_MONTHS + 1`
/// of them.
fn month_starts() -> impl Iterator<Item = i32> {
    (0..=MONTH_TABLE_MONTHS)
        .map(|i| CivilDate { year: MONTH_TABLE_FIRST_YEAR + i / 12, month: (i % 12) as u32 + 1, day: 1 }.to_days())
}

/// The first day the month table covers and the first day after it.
fn month_table_span() -> (i32, i32) {
    let first = |year| CivilDate { year, month: 1, day: 1 }.to_days();
    (first(MONTH_TABLE_FIRST_YEAR), first(MONTH_TABLE_FIRST_YEAR + MONTH_TABLE_MONTHS / 12))
}

/// [`month_starts`] as little-endian i32s (the table's data segment).
fn month_table_bytes() -> Vec<u8> {
    month_starts().flat_map(i32::to_le_bytes).collect()
}

/// The month holding the day `offset` days after the table's first, or the one before it (never after it:
/// the unit test checks every day of the table): offset / 30.44 by a multiplication and a shift, so the
/// exact month is this or this + 1, one comparison with the table away (`add_months_function` and
/// `Gen::add_months` emit it).
#[cfg(test)]
fn month_index_estimate(offset: i32) -> i32 {
    (offset * MONTH_ESTIMATE_FACTOR) >> 16
}
/// 65536 / 30.44, the average month in a 2¹⁶ fixed point, rounded down.
const MONTH_ESTIMATE_FACTOR: i32 = 2153;

/// `xince_evaluate(ptr, len)`: the answer goes right after the input, 8-aligned.
fn evaluate_function() -> Function {
    let mut f = Function::new([]);
    let mut s = f.instructions();
    s.local_get(0).local_get(1);
    s.local_get(0).local_get(1).i32_add().i32_const(7).i32_add().i32_const(-8).i32_and();
    s.call(F_EVALUATE_ONE).end();
    f
}

/// Writes the 32-byte error header at `ERROR_HEADER`, naming `record_local` (-1: none), and pushes
/// `(code, ERROR_HEADER, 32)` from `code_local`.
fn error_header(s: &mut InstructionSink<'_>, code_local: u32, record_local: u32) {
    let e = ERROR_HEADER;
    let words: [(usize, i32); 7] = [
        (oh::MAGIC, layout::OUTPUT_MAGIC as i32),
        (oh::LIST_COUNT, 0),
        (oh::MEASURE_COUNT, 0),
        (oh::INCENTIVE_COUNT, 0),
        (oh::NOTIFICATION_COUNT, 0),
        (oh::GRADE, -1),
        (oh::OBJECTION_COUNT, 0),
    ];
    for (at, v) in words {
        s.i32_const(e + at as i32).i32_const(v).i32_store(mem(0, 2));
    }
    s.i32_const(e + oh::ERROR_DETAIL as i32).local_get(record_local).i32_store(mem(0, 2));
    s.local_get(code_local).i32_const(e).i32_const(layout::OUTPUT_HEADER_SIZE as i32);
}

/// `xince_evaluate_batch(ptr, len, count)`: `count` encoded inputs back to back in `ptr..ptr+len`; the
/// answers follow them (8-aligned), each as `status: i32, size: i32` then `size` bytes (the answer, or the
/// 32-byte error header when `status` ≠ 0), the next one 8-aligned. Returns `(0, first, total size)`, or a
/// batch-level error (bad framing: `E_BAD_INPUT`; no room for an answer: `E_INPUT_TOO_LARGE`) with the error
/// header. Fuel and deadlines cover the whole call.
fn evaluate_batch_function() -> Function {
    let (ptr, len, count) = (0, 1, 2);
    // locals (i32): 3 cursor, 4 end, 5 first, 6 out, 7 k, 8 this_len, 9 status, 10 answer ptr, 11 answer len,
    // 12 code, 13 record (-1), 14 pages; (i64): 15 bytes
    let mut f = Function::new([(12, ValType::I32), (1, ValType::I64)]);
    let (cursor, end, first, out, k, this_len, status, answer, size, code, record, pages, bytes) =
        (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    let mut s = f.instructions();
    s.i32_const(-1).local_set(record);
    s.i32_const(EvalErrorCode::BadInput as i32).local_set(code);
    s.block(BlockType::Empty); // framing or room failure: br 0 from the top level
    // the whole input inside memory, count >= 0
    s.local_get(ptr).i64_extend_i32_u().local_get(len).i64_extend_i32_u().i64_add();
    s.memory_size(0).i64_extend_i32_u().i64_const(16).i64_shl().i64_gt_u();
    s.local_get(count).i32_const(0).i32_lt_s().i32_or().br_if(0);
    s.local_get(ptr).local_tee(cursor).local_get(len).i32_add().local_tee(end);
    s.i32_const(7).i32_add().i32_const(-8).i32_and().local_tee(first).local_set(out);
    s.block(BlockType::Empty).loop_(BlockType::Empty);
    {
        s.local_get(k).local_get(count).i32_ge_u().br_if(1);
        // this input: a whole header, then 64 bytes per record, all before `end`
        s.local_get(end).local_get(cursor).i32_sub().i32_const(INPUT_HEADER_SIZE as i32).i32_lt_u().br_if(2);
        s.local_get(cursor).i32_load(mem(ih::RECORD_COUNT as u64, 2)).i64_extend_i32_u();
        s.i64_const(RECORD_SIZE as i64).i64_mul().i64_const(INPUT_HEADER_SIZE as i64).i64_add();
        s.local_get(end).local_get(cursor).i32_sub().i64_extend_i32_u().i64_gt_u().br_if(2);
        s.local_get(cursor).i32_load(mem(ih::RECORD_COUNT as u64, 2)).i32_const(6).i32_shl();
        s.i32_const(INPUT_HEADER_SIZE as i32).i32_add().local_set(this_len);
        // room for the status word, the size word and an error header
        s.local_get(out).i64_extend_i32_u().i64_const(8 + layout::OUTPUT_HEADER_SIZE as i64).i64_add().local_set(bytes);
        s.i32_const(EvalErrorCode::InputTooLarge as i32).local_set(code);
        ensure_memory(&mut s, bytes, pages);
        s.i32_eqz().br_if(2);
        s.i32_const(EvalErrorCode::BadInput as i32).local_set(code);
        s.local_get(cursor).local_get(this_len).local_get(out).i32_const(8).i32_add().call(F_EVALUATE_ONE);
        s.local_set(size).local_set(answer).local_tee(status);
        s.if_(BlockType::Empty);
        {
            // copy the error header next to its status
            for word in 0..(layout::OUTPUT_HEADER_SIZE as u64 / 8) {
                s.local_get(out).local_get(answer).i64_load(mem(8 * word, 3)).i64_store(mem(8 + 8 * word, 3));
            }
            s.i32_const(layout::OUTPUT_HEADER_SIZE as i32).local_set(size);
        }
        s.end();
        s.local_get(out).local_get(status).i32_store(mem(0, 2));
        s.local_get(out).local_get(size).i32_store(mem(4, 2));
        s.local_get(out).i32_const(8 + 7).i32_add().local_get(size).i32_add().i32_const(-8).i32_and().local_set(out);
        s.local_get(cursor).local_get(this_len).i32_add().local_set(cursor);
        s.local_get(k).i32_const(1).i32_add().local_set(k).br(0);
    }
    s.end().end();
    // every byte of the input belongs to an input
    s.local_get(cursor).local_get(end).i32_ne().br_if(0);
    s.i32_const(0).local_get(first).local_get(out).local_get(first).i32_sub().return_();
    s.end();
    error_header(&mut s, code, record);
    s.end();
    f
}

/// `add_months(day, months) -> day` with the month-end rule; `NO_DATE` outside the guarded domain.
///
/// Fast path (both the day and the resulting month inside the month table): find the day's month in the
/// table (an estimate from the day count, corrected by at most a few steps), then the same day-of-month in
/// the target month, clamped to its length. Elsewhere: Hinnant's civil-from-days arithmetic. Both agree with
/// `CivilDate::add_months` (the differential tests compare them with the reference interpreter).
fn add_months_function(table: i32) -> Function {
    // params: 0 day, 1 months. locals (i32): 2 z/era scratch, 3 doe, 4 yoe, 5 y, 6 doy, 7 mp, 8 dd, 9 m,
    // 10 total, 11 q, 12 r, 13 dim, 14 month index, 15 offset
    let mut f = Function::new([(14, ValType::I32)]);
    let mut s = f.instructions();
    let (day, months, era, doe, yoe, y, doy, mp, dd, m, total, q, r, dim) =
        (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);
    let (index, offset) = (14, 15);
    let (table_start, table_end) = month_table_span();
    let entry = |i: u64| mem(table as u64 + 4 * i, 2);
    // offset = day - table_start; fast path when 0 <= offset < span and |months| <= MONTH_TABLE_MONTHS
    s.local_get(day).i32_const(table_start).i32_sub().local_tee(offset);
    s.i32_const(table_end - table_start).i32_lt_u();
    s.local_get(months).i32_const(MONTH_TABLE_MONTHS).i32_add().i32_const(2 * MONTH_TABLE_MONTHS).i32_le_u();
    s.i32_and().if_(BlockType::Empty);
    {
        // index = month_index_estimate(offset), plus one when the next month has already begun: no loop
        s.local_get(offset).i32_const(MONTH_ESTIMATE_FACTOR).i32_mul().i32_const(16).i32_shr_u().local_tee(index);
        s.local_get(index).i32_const(2).i32_shl().i32_load(entry(1)).local_get(day).i32_le_s();
        s.i32_add().local_set(index);
        // dd = day - table[index] (0-based day of month); target month = index + months
        s.local_get(day).local_get(index).i32_const(2).i32_shl().i32_load(entry(0)).i32_sub().local_set(dd);
        s.local_get(index).local_get(months).i32_add().local_tee(total);
        s.i32_const(MONTH_TABLE_MONTHS).i32_lt_u().if_(BlockType::Empty);
        {
            // table[total] + min(dd, days in the target month - 1)
            s.local_get(total).i32_const(2).i32_shl().local_tee(q).i32_load(entry(0)).local_set(r);
            s.local_get(q).i32_load(entry(1)).local_get(r).i32_sub().i32_const(1).i32_sub().local_set(dim);
            s.local_get(r);
            s.local_get(dd).local_get(dim).local_get(dd).local_get(dim).i32_lt_s().select();
            s.i32_add().return_();
        }
        s.end();
    }
    s.end();
    // guard
    s.local_get(day).i32_const(MIN_CIVIL_DAY).i32_lt_s();
    s.local_get(day).i32_const(MAX_CIVIL_DAY).i32_gt_s().i32_or();
    s.local_get(months).i32_const(-MAX_MONTHS).i32_lt_s().i32_or();
    s.local_get(months).i32_const(MAX_MONTHS).i32_gt_s().i32_or();
    s.if_(BlockType::Empty).i32_const(NO_DATE).return_().end();
    // civil from days (z >= 0 inside the domain)
    s.local_get(day).i32_const(719_468).i32_add().local_set(r); // r = z
    s.local_get(r).i32_const(146_097).i32_div_s().local_set(era);
    s.local_get(r).local_get(era).i32_const(146_097).i32_mul().i32_sub().local_set(doe);
    s.local_get(doe);
    s.local_get(doe).i32_const(1460).i32_div_s().i32_sub();
    s.local_get(doe).i32_const(36_524).i32_div_s().i32_add();
    s.local_get(doe).i32_const(146_096).i32_div_s().i32_sub();
    s.i32_const(365).i32_div_s().local_set(yoe);
    s.local_get(yoe).local_get(era).i32_const(400).i32_mul().i32_add().local_set(y);
    s.local_get(doe);
    s.local_get(yoe).i32_const(365).i32_mul();
    s.local_get(yoe).i32_const(4).i32_div_s().i32_add();
    s.local_get(yoe).i32_const(100).i32_div_s().i32_sub();
    s.i32_sub().local_set(doy);
    s.local_get(doy).i32_const(5).i32_mul().i32_const(2).i32_add().i32_const(153).i32_div_s().local_set(mp);
    s.local_get(doy);
    s.local_get(mp).i32_const(153).i32_mul().i32_const(2).i32_add().i32_const(5).i32_div_s();
    s.i32_sub().i32_const(1).i32_add().local_set(dd);
    s.local_get(mp).i32_const(3).i32_add();
    s.local_get(mp).i32_const(9).i32_sub();
    s.local_get(mp).i32_const(10).i32_lt_s().select().local_set(m);
    s.local_get(y).i32_const(1).i32_add();
    s.local_get(y);
    s.local_get(m).i32_const(2).i32_le_s().select().local_set(y);
    // total months, Euclidean division by 12
    s.local_get(y).i32_const(12).i32_mul().local_get(m).i32_add().i32_const(1).i32_sub();
    s.local_get(months).i32_add().local_set(total);
    s.local_get(total).i32_const(12).i32_div_s().local_set(q);
    s.local_get(total).i32_const(12).i32_rem_s().local_set(r);
    s.local_get(r).i32_const(0).i32_lt_s().if_(BlockType::Empty);
    s.local_get(r).i32_const(12).i32_add().local_set(r);
    s.local_get(q).i32_const(1).i32_sub().local_set(q);
    s.end();
    s.local_get(r).i32_const(1).i32_add().local_set(m); // m = new month, q = new year
    // days in month: February by leap year, else 30 + ((m + m/8) & 1)
    s.local_get(m).i32_const(2).i32_eq().if_(BlockType::Result(ValType::I32));
    s.i32_const(29).i32_const(28);
    s.local_get(q).i32_const(4).i32_rem_s().i32_eqz();
    s.local_get(q).i32_const(100).i32_rem_s().i32_const(0).i32_ne().i32_and();
    s.local_get(q).i32_const(400).i32_rem_s().i32_eqz().i32_or();
    s.select();
    s.else_();
    s.local_get(m).local_get(m).i32_const(3).i32_shr_u().i32_add().i32_const(1).i32_and().i32_const(30).i32_add();
    s.end().local_set(dim);
    s.local_get(dd).local_get(dim).local_get(dd).local_get(dim).i32_lt_s().select().local_set(dd);
    // days from civil
    s.local_get(q).i32_const(1).i32_sub().local_get(q).local_get(m).i32_const(2).i32_le_s().select().local_set(y);
    s.local_get(y).local_get(y).i32_const(399).i32_sub().local_get(y).i32_const(0).i32_ge_s().select();
    s.i32_const(400).i32_div_s().local_set(era);
    s.local_get(y).local_get(era).i32_const(400).i32_mul().i32_sub().local_set(yoe);
    s.local_get(m).i32_const(3).i32_sub().local_get(m).i32_const(9).i32_add().local_get(m).i32_const(2).i32_gt_s();
    s.select().local_set(mp);
    s.local_get(mp).i32_const(153).i32_mul().i32_const(2).i32_add().i32_const(5).i32_div_s();
    s.local_get(dd).i32_add().i32_const(1).i32_sub().local_set(doy);
    s.local_get(yoe).i32_const(365).i32_mul();
    s.local_get(yoe).i32_const(4).i32_div_s().i32_add();
    s.local_get(yoe).i32_const(100).i32_div_s().i32_sub();
    s.local_get(doy).i32_add().local_set(doe);
    s.local_get(era).i32_const(146_097).i32_mul().local_get(doe).i32_add().i32_const(719_468).i32_sub();
    s.end();
    f
}

/// `add_workdays(day, n) -> day`: the n-th working day after `day` (before it when n < 0);
/// `WORKDAY_OUT_OF_RANGE` when a day it must inspect is outside the calendar.
fn add_workdays_function(program: &Program) -> Function {
    let cal = &program.calendar;
    // params: 0 day, 1 n. locals: 2 step (i32), 3 remaining (i32, unsigned), 4 offset (i64)
    let mut f = Function::new_with_locals_types([ValType::I32, ValType::I32, ValType::I64]);
    let mut s = f.instructions();
    let (day, n, step, remaining, offset) = (0, 1, 2, 3, 4);
    s.local_get(day).i32_const(NO_DATE).i32_eq().if_(BlockType::Empty).i32_const(NO_DATE).return_().end();
    s.i32_const(-1).i32_const(1).local_get(n).i32_const(0).i32_lt_s().select().local_set(step);
    s.i32_const(0)
        .local_get(n)
        .i32_sub()
        .local_get(n)
        .local_get(n)
        .i32_const(0)
        .i32_lt_s()
        .select()
        .local_set(remaining);
    s.block(BlockType::Empty).loop_(BlockType::Empty);
    s.local_get(remaining).i32_eqz().br_if(1);
    s.local_get(day).local_get(step).i32_add().local_set(day);
    s.local_get(day).i64_extend_i32_s().i64_const(i64::from(cal.first_day)).i64_sub().local_tee(offset);
    s.i64_const(i64::from(cal.day_count))
        .i64_ge_u()
        .if_(BlockType::Empty)
        .i32_const(WORKDAY_OUT_OF_RANGE)
        .return_()
        .end();
    s.local_get(remaining);
    s.local_get(offset).i32_wrap_i64().i32_const(3).i32_shr_u().i32_load8_u(mem(CALENDAR_BASE as u64, 0));
    s.local_get(offset).i32_wrap_i64().i32_const(7).i32_and().i32_shr_u().i32_const(1).i32_and();
    s.i32_sub().local_set(remaining);
    s.br(0).end().end();
    s.local_get(day).end();
    f
}

/// A (minimum, maximum) period pair.
type Pair = (Option<Duration>, Duration);
/// A candidate regime: its index, (severity, pair index) in table order, and its default severity's pair.
type RegimeTable = (u32, Vec<(i32, usize)>, Option<usize>);

/// Static type of an expression's value on the wasm stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Bool,
    Int,
    Num,
    Date,
    Code,
}

fn type_of(e: &Expr) -> Ty {
    match e {
        Expr::Bool(_)
        | Expr::Cmp(..)
        | Expr::InSet(..)
        | Expr::RecordHasFlags(_)
        | Expr::HasRole(_)
        | Expr::And(_)
        | Expr::Or(_)
        | Expr::Not(_)
        | Expr::Exists { .. }
        | Expr::OnList(_) => Ty::Bool,
        Expr::Int(_) | Expr::Count { .. } => Ty::Int,
        Expr::Num(_) | Expr::Record(RecordField::Amount) => Ty::Num,
        Expr::Date(_) | Expr::Record(RecordField::Date) | Expr::AsOf | Expr::AddDuration(..) => Ty::Date,
        Expr::Code(_) | Expr::Record(_) | Expr::Subject(_) | Expr::Scenario => Ty::Code,
    }
}

/// The memo key of a quantifier: equal keys count the same records.
fn quantifier_key(condition: &Expr, within: Option<Duration>, first_only: bool) -> String {
    format!("{condition:?}|{within:?}|{first_only}")
}

/// Calls `f` on `e` and on every expression inside it.
fn each_subexpr<'e>(e: &'e Expr, f: &mut dyn FnMut(&'e Expr)) {
    f(e);
    for c in children(e) {
        each_subexpr(c, f);
    }
}

/// `(condition, window, first only)` of an `Exists` (first only) or a `Count`.
fn as_quantifier(e: &Expr) -> Option<(&Expr, Option<Duration>, bool)> {
    match e {
        Expr::Exists { condition, within } => Some((condition, *within, true)),
        Expr::Count { condition, within } => Some((condition, *within, false)),
        _ => None,
    }
}

/// The distinct quantifiers (condition, window, first only) that the first list's scan can count: used
/// outside the lists only (a list's criterion needs its counts before the scan ends), reading no list, with
/// no quantifier inside, and unable to fail.
fn quantifiers_outside_lists(p: &Program) -> Vec<(&Expr, Option<Duration>, bool)> {
    let mut in_lists = std::collections::HashSet::new();
    for list in &p.lists {
        for e in std::iter::once(&list.criterion).chain(list.non_repairable.as_ref()) {
            each_subexpr(e, &mut |x| {
                if let Some((c, w, first)) = as_quantifier(x) {
                    in_lists.insert(quantifier_key(c, w, first));
                }
            });
        }
    }
    let outside = p
        .measures
        .iter()
        .filter_map(|m| match &m.trigger {
            Trigger::Condition(c) => Some(c),
            Trigger::List(_) => None,
        })
        .chain(p.incentives.iter().flat_map(|i| &i.clauses))
        .chain(p.notifications.iter().map(|n| &n.condition))
        .chain(p.grading.iter().flat_map(|g| &g.levels));
    let mut found: Vec<(&Expr, Option<Duration>, bool)> = Vec::new();
    let mut keys = in_lists;
    for e in outside {
        each_subexpr(e, &mut |x| {
            if let Some((c, w, first)) = as_quantifier(x) {
                let mut nested = false;
                each_subexpr(c, &mut |y| nested |= as_quantifier(y).is_some());
                if !nested && !mentions_a_list(c) && !can_fail(x) && keys.insert(quantifier_key(c, w, first)) {
                    found.push((c, w, first));
                }
            }
        });
    }
    found
}

/// The expressions directly inside `e`.
fn children(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::Cmp(_, a, b) => vec![a, b],
        Expr::InSet(a, _) | Expr::Not(a) | Expr::AddDuration(a, _) => vec![a],
        Expr::And(v) | Expr::Or(v) => v.iter().collect(),
        Expr::Exists { condition, .. } | Expr::Count { condition, .. } => vec![condition],
        Expr::Bool(_)
        | Expr::Int(_)
        | Expr::Num(_)
        | Expr::Date(_)
        | Expr::Code(_)
        | Expr::Record(_)
        | Expr::Subject(_)
        | Expr::AsOf
        | Expr::Scenario
        | Expr::RecordHasFlags(_)
        | Expr::HasRole(_)
        | Expr::OnList(_) => vec![],
    }
}

/// Whether `e` reads a list's status anywhere.
fn mentions_a_list(e: &Expr) -> bool {
    matches!(e, Expr::OnList(_)) || children(e).into_iter().any(mentions_a_list)
}

/// Whether `e` is a handful of loads and comparisons that cannot fail: evaluating it where short-circuit
/// evaluation would not is invisible and cheaper than a branch.
fn is_cheap(e: &Expr) -> bool {
    match e {
        Expr::Exists { .. } | Expr::Count { .. } | Expr::AddDuration(..) => false,
        Expr::And(v) | Expr::Or(v) if v.len() > 4 => false,
        _ => children(e).into_iter().all(is_cheap),
    }
}

/// Whether evaluating `e` can fail: working-day arithmetic (the calendar has a range) is the only way.
fn can_fail(e: &Expr) -> bool {
    let working_days = |d: &Duration| d.unit == Unit::WorkDay;
    let here = match e {
        Expr::AddDuration(_, d) => working_days(d),
        Expr::Exists { within, .. } | Expr::Count { within, .. } => within.as_ref().is_some_and(working_days),
        _ => false,
    };
    here || children(e).into_iter().any(can_fail)
}

/// The record a predicate refers to: locals holding its index and its address.
#[derive(Clone, Copy)]
struct Rec {
    index: u32,
    base: u32,
}

/// Builder of `xince_evaluate`: instruction bytes, locals, and the block depth for branch targets.
struct Gen<'p> {
    program: &'p Program,
    layout: &'p OutputLayout,
    /// Address of the month-start table (`add_months`' fast path, also emitted inline).
    month_table: i32,
    code: Vec<u8>,
    locals: Vec<ValType>,
    depth: u32,
    fail_label: u32,
    /// Lists whose entries are already written (`OnList` on a later one is false, as in the interpreter).
    lists_done: usize,
    /// Quantifiers already emitted, by (condition, window, first only): the locals holding "computed" and
    /// the count, so a repeated `存在 记录(…)` scans the records once per evaluation.
    quantifiers: std::collections::HashMap<String, (u32, u32)>,
    /// The first list's record scan writes the objection entries too (decided before the lists).
    objections_in_first_list: bool,
    /// Quantifiers the first list's scan counts too, and the i64 local holding each count.
    counted_in_first_list: Vec<(&'p Expr, Option<Duration>, bool, u32)>,
    /// Their memo keys: `quantify_once` reads the count instead of scanning.
    precomputed: std::collections::HashMap<String, u32>,
    // fixed locals
    ptr: u32,
    len: u32,
    count: u32,
    as_of: u32,
    scenario: u32,
    out: u32,
    err_record: u32,
    scratch64: u32,
}

/// `(ptr, len, out)`: the input, and where the answer goes.
const PARAMS: u32 = 3;

impl<'p> Gen<'p> {
    fn new(program: &'p Program, layout: &'p OutputLayout, month_table: i32) -> Self {
        let mut g = Gen {
            program,
            layout,
            month_table,
            code: Vec::with_capacity(4096),
            locals: Vec::new(),
            depth: 0,
            fail_label: 0,
            lists_done: 0,
            quantifiers: std::collections::HashMap::new(),
            objections_in_first_list: false,
            counted_in_first_list: Vec::new(),
            precomputed: std::collections::HashMap::new(),
            ptr: 0,
            len: 1,
            count: 0,
            as_of: 0,
            scenario: 0,
            out: 0,
            err_record: 0,
            scratch64: 0,
        };
        g.count = g.local(ValType::I32);
        g.as_of = g.local(ValType::I32);
        g.scenario = g.local(ValType::I32);
        g.out = 2;
        g.err_record = g.local(ValType::I32);
        g.scratch64 = g.local(ValType::I64);
        g
    }

    fn s(&mut self) -> InstructionSink<'_> {
        InstructionSink::new(&mut self.code)
    }

    fn local(&mut self, ty: ValType) -> u32 {
        self.locals.push(ty);
        PARAMS + self.locals.len() as u32 - 1
    }

    fn block(&mut self, bt: BlockType) -> u32 {
        self.s().block(bt);
        self.depth += 1;
        self.depth
    }
    fn loop_(&mut self) -> u32 {
        self.s().loop_(BlockType::Empty);
        self.depth += 1;
        self.depth
    }
    fn if_(&mut self, bt: BlockType) {
        self.s().if_(bt);
        self.depth += 1;
    }
    fn else_(&mut self) {
        self.s().else_();
    }
    fn end(&mut self) {
        self.s().end();
        self.depth -= 1;
    }
    fn br(&mut self, label: u32) {
        let rel = self.depth - label;
        self.s().br(rel);
    }
    fn br_if(&mut self, label: u32) {
        let rel = self.depth - label;
        self.s().br_if(rel);
    }

    /// Leaves evaluation with `code`, noting the record being examined.
    fn fail(&mut self, code: EvalErrorCode, rec: Option<Rec>) {
        match rec {
            Some(r) => self.s().local_get(r.index),
            None => self.s().i32_const(-1),
        };
        let err = self.err_record;
        self.s().local_set(err).i32_const(code as i32);
        let label = self.fail_label;
        self.br(label);
    }

    /// `if <condition on stack> { fail }`.
    fn fail_if(&mut self, code: EvalErrorCode, rec: Option<Rec>) {
        self.if_(BlockType::Empty);
        self.fail(code, rec);
        self.end();
    }

    fn evaluate_function(mut self) -> Result<Function, CodegenError> {
        let (ptr, len, count, as_of, out) = (self.ptr, self.len, self.count, self.as_of, self.out);
        let program = self.program;
        let fixed = self.layout.fixed;
        let err_record = self.err_record;
        self.s().i32_const(-1).local_set(err_record);
        self.fail_label = self.block(BlockType::Result(ValType::I32));

        // Input validation: in bounds, long enough, magic, version, exact length.
        let bad = EvalErrorCode::BadInput;
        self.s().local_get(ptr).i64_extend_i32_u().local_get(len).i64_extend_i32_u().i64_add();
        self.s().memory_size(0).i64_extend_i32_u().i64_const(16).i64_shl().i64_gt_u();
        self.fail_if(bad, None);
        self.s().local_get(len).i32_const(INPUT_HEADER_SIZE as i32).i32_lt_u();
        self.fail_if(bad, None);
        self.s().local_get(ptr).i32_load(mem(ih::MAGIC as u64, 2)).i32_const(layout::INPUT_MAGIC as i32).i32_ne();
        self.fail_if(bad, None);
        self.s()
            .local_get(ptr)
            .i32_load(mem(ih::ABI_VERSION as u64, 2))
            .i32_const(xince_abi::ABI_VERSION as i32)
            .i32_ne();
        self.fail_if(bad, None);
        self.s().local_get(ptr).i32_load(mem(ih::RECORD_COUNT as u64, 2)).local_tee(count).i64_extend_i32_u();
        self.s().i64_const(RECORD_SIZE as i64).i64_mul().i64_const(INPUT_HEADER_SIZE as i64).i64_add();
        self.s().local_get(len).i64_extend_i32_u().i64_ne();
        self.fail_if(bad, None);

        // 0. in force
        self.s()
            .local_get(ptr)
            .i32_load(mem(ih::AS_OF as u64, 2))
            .local_tee(as_of)
            .i32_const(program.effective_from)
            .i32_lt_s();
        self.fail_if(EvalErrorCode::NotYetInForce, None);
        self.s().local_get(as_of).i32_const(program.effective_until).i32_gt_s();
        self.fail_if(EvalErrorCode::NoLongerInForce, None);
        let scenario = self.scenario;
        self.s().local_get(ptr).i32_load(mem(ih::SCENARIO as u64, 2)).local_set(scenario);

        // Grow memory for the largest answer at `out` (chosen by the caller, after the input).
        let bytes = self.scratch64;
        let pages = self.local(ValType::I32);
        self.s().local_get(out).i64_extend_i32_u().i64_const(fixed as i64).i64_add();
        self.s().local_get(count).i64_extend_i32_u().i64_const(OBJECTION_ENTRY_SIZE as i64).i64_mul().i64_add();
        self.s().local_set(bytes);
        {
            let mut s = self.s();
            ensure_memory(&mut s, bytes, pages);
        }
        self.s().i32_eqz();
        self.fail_if(EvalErrorCode::InputTooLarge, None);

        // 2. lists; the first list's scan also writes the objection entries (step 7) when computing them
        // cannot fail: writing them early is invisible (they go after everything else in the answer, in
        // record order either way) and saves a pass over the records.
        let cursor = self.local(ValType::I32);
        self.s().local_get(out).i32_const(fixed as i32).i32_add().local_set(cursor);
        let deadline = program.objection.as_ref().and_then(|o| o.deadline);
        self.objections_in_first_list = !program.lists.is_empty() && deadline.is_none_or(|d| d.unit != Unit::WorkDay);
        // Likewise the quantifiers that only steps 3–6 use, when computing them cannot fail: counting them
        // during the scan gives the counts the lazy scans would (the expressions are pure), one pass fewer each.
        if !program.lists.is_empty() {
            for (condition, within, first_only) in quantifiers_outside_lists(program) {
                let n = self.local(ValType::I64);
                self.precomputed.insert(quantifier_key(condition, within, first_only), n);
                self.counted_in_first_list.push((condition, within, first_only, n));
            }
        }
        for (k, list) in program.lists.iter().enumerate() {
            self.list(k, list, cursor)?;
            self.lists_done = k + 1;
        }
        self.precedence();
        // 3. measures
        self.measures()?;
        // 4. incentives
        for (j, incentive) in program.incentives.iter().enumerate() {
            let failed = self.local(ValType::I32);
            self.s().i32_const(-1).local_set(failed);
            let done = self.block(BlockType::Empty);
            for (k, clause) in incentive.clauses.iter().enumerate() {
                self.bool_expr(clause, None)?;
                self.s().i32_eqz();
                self.if_(BlockType::Empty);
                self.s().i32_const(k as i32).local_set(failed);
                self.br(done);
                self.end();
            }
            self.end();
            let at = self.layout.incentives + (j * layout::INCENTIVE_ENTRY_SIZE) as u64;
            self.s().local_get(out).local_get(failed).i32_store(mem(at, 2));
        }
        // 5. notifications
        for (j, notification) in program.notifications.iter().enumerate() {
            let at = self.layout.notifications + (j * layout::NOTIFICATION_ENTRY_SIZE) as u64;
            self.s().local_get(out);
            self.bool_expr(&notification.condition, None)?;
            self.s().i32_store(mem(at, 2));
        }
        // 6. grade
        self.s().local_get(out);
        let levels = program.grading.as_ref().map_or(&[][..], |g| &g.levels[..]);
        let grade = self.block(BlockType::Result(ValType::I32));
        for (k, level) in levels.iter().enumerate() {
            self.s().i32_const(k as i32);
            self.bool_expr(level, None)?;
            self.br_if(grade);
            self.s().drop();
        }
        self.s().i32_const(-1);
        self.end();
        self.s().i32_store(mem(oh::GRADE as u64, 2));
        // 7. objections (unless the first list's scan wrote them)
        if !self.objections_in_first_list {
            self.objections(cursor)?;
        }
        // header
        let header: [(usize, i32); 5] = [
            (oh::MAGIC, layout::OUTPUT_MAGIC as i32),
            (oh::LIST_COUNT, program.lists.len() as i32),
            (oh::MEASURE_COUNT, program.measures.len() as i32),
            (oh::INCENTIVE_COUNT, program.incentives.len() as i32),
            (oh::NOTIFICATION_COUNT, program.notifications.len() as i32),
        ];
        for (at, v) in header {
            self.s().local_get(out).i32_const(v).i32_store(mem(at as u64, 2));
        }
        self.s().local_get(out).local_get(cursor).local_get(out).i32_sub().i32_const(fixed as i32).i32_sub();
        self.s().i32_const(OBJECTION_ENTRY_SIZE as i32).i32_div_u().i32_store(mem(oh::OBJECTION_COUNT as u64, 2));
        self.s().local_get(out).i32_const(-1).i32_store(mem(oh::ERROR_DETAIL as u64, 2));
        self.s().i32_const(0).local_get(out).local_get(cursor).local_get(out).i32_sub().return_();
        self.end();

        // Failure: the code is on the stack; write the error header.
        let code = self.local(ValType::I32);
        let mut s = self.s();
        s.local_set(code);
        error_header(&mut s, code, err_record);
        s.end();

        let mut f = Function::new_with_locals_types(self.locals.iter().copied());
        f.raw(self.code.iter().copied());
        Ok(f)
    }

    /// `for i in 0..count { body }`; the body gets the record and a label that skips to the next record, and
    /// the loop's exit label.
    fn for_each_record(
        &mut self,
        body: impl FnOnce(&mut Self, Rec, u32, u32) -> Result<(), CodegenError>,
    ) -> Result<(), CodegenError> {
        let rec = Rec { index: self.local(ValType::I32), base: self.local(ValType::I32) };
        let (ptr, count) = (self.ptr, self.count);
        self.s().i32_const(0).local_set(rec.index);
        let exit = self.block(BlockType::Empty);
        let next = self.loop_();
        self.s().local_get(rec.index).local_get(count).i32_ge_u();
        self.br_if(exit);
        self.s().local_get(ptr).local_get(rec.index).i32_const(6).i32_shl().i32_add();
        self.s().i32_const(INPUT_HEADER_SIZE as i32).i32_add().local_set(rec.base);
        let skip = self.block(BlockType::Empty);
        body(self, rec, skip, exit)?;
        self.end();
        self.s().local_get(rec.index).i32_const(1).i32_add().local_set(rec.index);
        self.br(next);
        self.end();
        self.end();
        Ok(())
    }

    fn load_field(&mut self, rec: Rec, field: usize) {
        self.s().local_get(rec.base).i32_load(mem(field as u64, 2));
    }

    /// Pushes the duration added to the date on the stack (errors noted against `rec`).
    fn add(&mut self, duration: Duration, rec: Option<Rec>) {
        match duration.unit {
            Unit::Day => {
                let t = self.local(ValType::I32);
                self.s().local_tee(t).i32_const(duration.amount).i32_add();
                self.s().i32_const(NO_DATE).local_get(t).i32_const(NO_DATE).i32_ne().select();
            }
            Unit::Month => self.add_months(duration.amount),
            Unit::Year => match duration.amount.checked_mul(12) {
                Some(months) => self.add_months(months),
                None => {
                    self.s().drop().i32_const(NO_DATE);
                }
            },
            Unit::WorkDay => {
                let t = self.local(ValType::I32);
                self.s().i32_const(duration.amount).call(F_ADD_WORKDAYS).local_tee(t);
                self.s().i32_const(WORKDAY_OUT_OF_RANGE).i32_eq();
                self.fail_if(EvalErrorCode::CalendarRange, rec);
                self.s().local_get(t);
            }
        }
    }

    /// `add_months(day on the stack, months)`, the table fast path inline: a call (with its spills of the
    /// caller's registers and the fuel counter) only for a day or a result outside the table.
    fn add_months(&mut self, months: i32) {
        if months.unsigned_abs() > MONTH_TABLE_MONTHS as u32 {
            self.s().i32_const(months).call(F_ADD_MONTHS);
            return;
        }
        let (day, index, total) = (self.local(ValType::I32), self.local(ValType::I32), self.local(ValType::I32));
        let table = self.month_table;
        let entry = |i: u64| mem(table as u64 + 4 * i, 2);
        let (start, end) = month_table_span();
        self.s().local_tee(day).i32_const(start).i32_sub().local_tee(index).i32_const(end - start).i32_lt_u();
        self.if_(BlockType::Result(ValType::I32));
        // index of the day's month: the estimate, or the next month when it has begun
        let mut s = self.s();
        s.local_get(index).i32_const(MONTH_ESTIMATE_FACTOR).i32_mul().i32_const(16).i32_shr_u().local_tee(index);
        s.i32_const(2).i32_shl().i32_load(entry(1)).local_get(day).i32_le_s().local_get(index).i32_add();
        s.local_tee(index).i32_const(months).i32_add().local_tee(total).i32_const(MONTH_TABLE_MONTHS).i32_lt_u();
        self.if_(BlockType::Result(ValType::I32));
        // the same day of the target month, or its last day: table[total] + min(dd, days in it - 1)
        let (dd, dim) = (index, self.local(ValType::I32));
        let mut s = self.s();
        s.local_get(day).local_get(index).i32_const(2).i32_shl().i32_load(entry(0)).i32_sub().local_set(dd);
        s.local_get(total).i32_const(2).i32_shl().i32_load(entry(1));
        s.local_get(total).i32_const(2).i32_shl().i32_load(entry(0)).i32_sub().i32_const(1).i32_sub().local_set(dim);
        s.local_get(total).i32_const(2).i32_shl().i32_load(entry(0));
        s.local_get(dd).local_get(dim).local_get(dd).local_get(dim).i32_lt_s().select().i32_add();
        self.else_();
        self.s().local_get(day).i32_const(months).call(F_ADD_MONTHS);
        self.end();
        self.else_();
        self.s().local_get(day).i32_const(months).call(F_ADD_MONTHS);
        self.end();
    }

    /// Pushes a Bool (0/1); a value of another type counts as false, as in the interpreter.
    fn bool_expr(&mut self, e: &Expr, rec: Option<Rec>) -> Result<(), CodegenError> {
        if self.expr(e, rec)? != Ty::Bool {
            self.s().drop().i32_const(0);
        }
        Ok(())
    }

    fn expr(&mut self, e: &Expr, rec: Option<Rec>) -> Result<Ty, CodegenError> {
        let ty = type_of(e);
        match e {
            Expr::Bool(b) => {
                self.s().i32_const(*b as i32);
            }
            Expr::Int(n) => {
                self.s().i64_const(*n);
            }
            Expr::Num(x) => {
                self.s().f64_const(Ieee64::from(*x));
            }
            Expr::Date(v) | Expr::Code(v) => {
                self.s().i32_const(*v);
            }
            Expr::Record(field) => match rec {
                Some(r) => {
                    let at = match field {
                        RecordField::Type => rf::TYPE,
                        RecordField::Domain => rf::DOMAIN,
                        RecordField::Severity => rf::SEVERITY,
                        RecordField::Grade => rf::GRADE,
                        RecordField::Procedure => rf::PROCEDURE,
                        RecordField::Date => rf::DATE,
                        RecordField::Amount => rf::AMOUNT,
                    };
                    if *field == RecordField::Amount {
                        self.s().local_get(r.base).f64_load(mem(at as u64, 3));
                    } else {
                        self.load_field(r, at);
                    }
                }
                None => match field {
                    RecordField::Amount => {
                        self.s().f64_const(Ieee64::from(f64::NAN));
                    }
                    RecordField::Date => {
                        self.s().i32_const(NO_DATE);
                    }
                    _ => {
                        self.s().i32_const(NO_CODE);
                    }
                },
            },
            Expr::Subject(field) => {
                let at = match field {
                    SubjectField::Kind => ih::SUBJECT_KIND,
                    SubjectField::Sector => ih::SUBJECT_SECTOR,
                };
                let ptr = self.ptr;
                self.s().local_get(ptr).i32_load(mem(at as u64, 2));
            }
            Expr::AsOf => {
                let as_of = self.as_of;
                self.s().local_get(as_of);
            }
            Expr::Scenario => {
                let scenario = self.scenario;
                self.s().local_get(scenario);
            }
            Expr::Cmp(op, a, b) => self.compare(*op, a, b, rec)?,
            Expr::InSet(value, codes) => {
                if self.expr(value, rec)? != Ty::Code {
                    self.s().drop().i32_const(0);
                } else {
                    let codes: Vec<i32> = codes.iter().copied().filter(|&c| c != NO_CODE).collect();
                    self.in_set(&codes);
                }
            }
            Expr::RecordHasFlags(mask) => match rec {
                Some(r) => {
                    self.s().local_get(r.base).i64_load(mem(rf::FLAGS as u64, 3)).i64_const(*mask as i64).i64_and();
                    self.s().i64_const(0).i64_ne();
                }
                None => {
                    self.s().i32_const(0);
                }
            },
            Expr::HasRole(mask) => {
                let ptr = self.ptr;
                self.s().local_get(ptr).i32_load(mem(ih::RELATED_ROLES as u64, 2)).i32_const(*mask as i32).i32_and();
                self.s().i32_const(0).i32_ne();
            }
            Expr::And(items) | Expr::Or(items) => {
                let is_and = matches!(e, Expr::And(_));
                match items.split_last() {
                    None => {
                        self.s().i32_const(is_and as i32);
                    }
                    Some(_) if items.len() <= 8 && items.iter().all(is_cheap) => {
                        // A few loads and comparisons: all evaluated and combined without a branch (a branch
                        // per operand costs more, in mispredictions and fuel metering, than the operands).
                        for (k, item) in items.iter().enumerate() {
                            self.bool_expr(item, rec)?;
                            if k > 0 {
                                if is_and {
                                    self.s().i32_and();
                                } else {
                                    self.s().i32_or();
                                }
                            }
                        }
                    }
                    Some((last, rest)) => {
                        // block (result i32): for each but the last, leave early with its deciding value.
                        let done = self.block(BlockType::Result(ValType::I32));
                        for item in rest {
                            self.s().i32_const(!is_and as i32);
                            self.bool_expr(item, rec)?;
                            if is_and {
                                self.s().i32_eqz();
                            }
                            self.br_if(done);
                            self.s().drop();
                        }
                        self.bool_expr(last, rec)?;
                        self.end();
                    }
                }
            }
            Expr::Not(inner) => {
                self.bool_expr(inner, rec)?;
                self.s().i32_eqz();
            }
            Expr::Exists { condition, within } => {
                let n = self.quantify_once(condition, *within, true)?;
                self.s().local_get(n).i64_const(0).i64_ne();
            }
            Expr::Count { condition, within } => {
                let n = self.quantify_once(condition, *within, false)?;
                self.s().local_get(n);
            }
            Expr::OnList(l) => {
                let l = *l as usize;
                if l < self.lists_done {
                    let (out, at) = (self.out, self.layout.list(l, le::STATUS));
                    self.s().local_get(out).i32_load(mem(at, 2)).i32_const(1).i32_sub().i32_const(2).i32_lt_u();
                } else {
                    self.s().i32_const(0);
                }
            }
            Expr::AddDuration(date, duration) => {
                if self.expr(date, rec)? == Ty::Date {
                    self.add(*duration, rec);
                } else {
                    self.s().drop().i32_const(NO_DATE);
                }
            }
        }
        Ok(ty)
    }

    /// Membership of the code on the stack (never `NO_CODE`-valued: those codes were filtered out).
    fn in_set(&mut self, codes: &[i32]) {
        let t = self.local(ValType::I32);
        self.s().local_set(t);
        if codes.len() > 2 && codes.iter().all(|&c| (0..64).contains(&c)) {
            let mask = codes.iter().fold(0u64, |m, &c| m | 1 << c);
            self.s().i64_const(mask as i64).local_get(t).i64_extend_i32_u().i64_shr_u().i64_const(1).i64_and();
            self.s().i32_wrap_i64().local_get(t).i32_const(64).i32_lt_u().i32_and();
            return;
        }
        if codes.is_empty() {
            self.s().i32_const(0);
            return;
        }
        for (k, &c) in codes.iter().enumerate() {
            self.s().local_get(t).i32_const(c).i32_eq();
            if k > 0 {
                self.s().i32_or();
            }
        }
    }

    fn compare(&mut self, op: CmpOp, a: &Expr, b: &Expr, rec: Option<Rec>) -> Result<(), CodegenError> {
        let (ta, tb) = (type_of(a), type_of(b));
        let numeric = |t: Ty| matches!(t, Ty::Int | Ty::Num);
        if ta == Ty::Int && tb == Ty::Int {
            self.expr(a, rec)?;
            self.expr(b, rec)?;
            let mut s = self.s();
            match op {
                CmpOp::Eq => s.i64_eq(),
                CmpOp::Ne => s.i64_ne(),
                CmpOp::Gt => s.i64_gt_s(),
                CmpOp::Ge => s.i64_ge_s(),
                CmpOp::Lt => s.i64_lt_s(),
                CmpOp::Le => s.i64_le_s(),
            };
        } else if numeric(ta) && numeric(tb) {
            // IEEE comparisons already give the absent rule for NaN: false, except `!=`.
            self.expr(a, rec)?;
            if ta == Ty::Int {
                self.s().f64_convert_i64_s();
            }
            self.expr(b, rec)?;
            if tb == Ty::Int {
                self.s().f64_convert_i64_s();
            }
            let mut s = self.s();
            match op {
                CmpOp::Eq => s.f64_eq(),
                CmpOp::Ne => s.f64_ne(),
                CmpOp::Gt => s.f64_gt(),
                CmpOp::Ge => s.f64_ge(),
                CmpOp::Lt => s.f64_lt(),
                CmpOp::Le => s.f64_le(),
            };
        } else if ta == tb && matches!(ta, Ty::Date | Ty::Code | Ty::Bool) {
            let sentinel = match ta {
                Ty::Date => Some(NO_DATE),
                Ty::Code => Some(NO_CODE),
                _ => None,
            };
            let (x, y) = (self.local(ValType::I32), self.local(ValType::I32));
            self.expr(a, rec)?;
            self.s().local_set(x);
            self.expr(b, rec)?;
            self.s().local_set(y);
            self.s().local_get(x).local_get(y);
            let mut s = self.s();
            match op {
                CmpOp::Eq => s.i32_eq(),
                CmpOp::Ne => s.i32_ne(),
                CmpOp::Gt => s.i32_gt_s(),
                CmpOp::Ge => s.i32_ge_s(),
                CmpOp::Lt => s.i32_lt_s(),
                CmpOp::Le => s.i32_le_s(),
            };
            if let Some(sentinel) = sentinel {
                // A constant other than the sentinel needs no check; with `==`/`!=` against such a constant the
                // plain comparison already gives the absent rule.
                let known = |e: &Expr| matches!(e, Expr::Code(c) | Expr::Date(c) if *c != sentinel);
                let short = matches!(op, CmpOp::Eq | CmpOp::Ne) && (known(a) || known(b));
                if !short {
                    for (v, e) in [(x, a), (y, b)] {
                        if known(e) {
                            continue;
                        }
                        let mut s = self.s();
                        if op == CmpOp::Ne {
                            s.local_get(v).i32_const(sentinel).i32_eq().i32_or();
                        } else {
                            s.local_get(v).i32_const(sentinel).i32_ne().i32_and();
                        }
                    }
                }
            }
        } else {
            // Ill-typed: evaluate both sides (their errors count), then never equal.
            self.expr(a, rec)?;
            self.s().drop();
            self.expr(b, rec)?;
            self.s().drop().i32_const((op == CmpOp::Ne) as i32);
        }
        Ok(())
    }

    /// [`Gen::quantify`], computed at most once per evaluation for each distinct quantifier: its value depends
    /// on the input alone, so later occurrences (and repeats inside a record loop) reuse it. A condition that
    /// reads a list (`在 名单`) is recomputed each time, since list statuses change while lists and
    /// precedence are evaluated.
    fn quantify_once(
        &mut self,
        condition: &Expr,
        within: Option<Duration>,
        first_only: bool,
    ) -> Result<u32, CodegenError> {
        if mentions_a_list(condition) {
            return self.quantify(condition, within, first_only);
        }
        let key = quantifier_key(condition, within, first_only);
        if let Some(&n) = self.precomputed.get(&key) {
            return Ok(n);
        }
        let (done, n) = match self.quantifiers.get(&key) {
            Some(&locals) => locals,
            None => {
                let locals = (self.local(ValType::I32), self.local(ValType::I64));
                self.quantifiers.insert(key, locals);
                locals
            }
        };
        // Locals start at zero on every call: `done` is 0 until the first scan on this evaluation's path.
        self.s().local_get(done).i32_eqz();
        self.if_(BlockType::Empty);
        let found = self.quantify(condition, within, first_only)?;
        self.s().local_get(found).local_set(n).i32_const(1).local_set(done);
        self.end();
        Ok(n)
    }

    /// Loops over counting records satisfying `condition` (and inside `within`); returns the i64 local holding
    /// the number found (stopping at the first when `first_only`).
    fn quantify(&mut self, condition: &Expr, within: Option<Duration>, first_only: bool) -> Result<u32, CodegenError> {
        let n = self.local(ValType::I64);
        self.s().i64_const(0).local_set(n);
        self.for_each_record(|g, r, skip, exit| {
            g.count_record(r, skip, condition, within, false, n)?;
            if first_only {
                g.br(exit);
            }
            Ok(())
        })?;
        Ok(n)
    }

    /// Adds 1 to the i64 `n` when record `r` counts (step 1), satisfies `condition` and is inside `within`;
    /// otherwise branches to `skip`. With `first_only`, a record is not even looked at once `n` is 1.
    fn count_record(
        &mut self,
        r: Rec,
        skip: u32,
        condition: &Expr,
        within: Option<Duration>,
        first_only: bool,
        n: u32,
    ) -> Result<(), CodegenError> {
        let as_of = self.as_of;
        if first_only {
            self.s().local_get(n).i64_eqz().i32_eqz();
            self.br_if(skip);
        }
        // The condition is usually the most selective test (`记录.类型 == 荣誉`), so it goes first when
        // evaluating it for a record that turns out not to count cannot fail (no working-day arithmetic); the
        // order is otherwise invisible, every test being pure.
        let condition_first = !can_fail(condition);
        if condition_first {
            self.bool_expr(condition, Some(r))?;
            self.s().i32_eqz();
            self.br_if(skip);
        }
        self.load_field(r, rf::DATE);
        self.s().local_get(as_of).i32_gt_s();
        self.br_if(skip);
        self.load_field(r, rf::OBJECTION_UPHELD);
        self.s().i32_const(0).i32_ne();
        self.load_field(r, rf::OBJECTION_RESOLVED);
        self.s().local_get(as_of).i32_le_s().i32_and();
        self.br_if(skip);
        if !condition_first {
            self.bool_expr(condition, Some(r))?;
            self.s().i32_eqz();
            self.br_if(skip);
        }
        if let Some(w) = within {
            self.s().local_get(as_of);
            self.load_field(r, rf::DATE);
            self.add(w, Some(r));
            self.s().i32_gt_s();
            self.br_if(skip);
        }
        self.s().local_get(n).i64_const(1).i64_add().local_set(n);
        Ok(())
    }

    /// Step 2 for list `k`: scan the records, keep the governing one, write the entry (before precedence).
    /// The best record so far lives in the entry itself, not in locals: a record that does not qualify (the
    /// common case) then carries no state around the loop, which Cranelift would otherwise spill and reload.
    fn list(&mut self, k: usize, list: &List, cursor: u32) -> Result<(), CodegenError> {
        let c: Vec<u32> = (0..8).map(|_| self.local(ValType::I32)).collect();
        let (c_status, c_last, c_earliest, c_ended, c_regime, c_rank, date, b_rank) =
            (c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]);
        let period = self.local(ValType::I32);
        let (as_of, out) = (self.as_of, self.out);
        let at = |field: usize| mem(self.layout.list(k, field), 2);
        let initial = [
            (le::STATUS, 0),
            (le::RECORD, -1),
            (le::ENTERED, NO_DATE),
            (le::LAST_DAY, NO_DATE),
            (le::EARLIEST_REPAIR, NO_DATE),
            (le::ENDED_ON, NO_DATE),
            (le::REGIME, -1),
            (le::OVERRIDDEN_BY, -1),
        ];
        for (field, v) in initial {
            let to = at(field);
            self.s().local_get(out).i32_const(v).i32_store(to);
        }
        // Distinct (minimum, maximum) pairs this list can use; `period` indexes them at run time.
        let (pairs, regimes) = self.period_pairs(list);
        let suspends = self.program.objection.as_ref().is_some_and(|o| o.suspends);

        let with_objections = k == 0 && self.objections_in_first_list;
        let counted = if k == 0 { std::mem::take(&mut self.counted_in_first_list) } else { Vec::new() };
        self.for_each_record(|g, r, skip, _exit| {
            if with_objections {
                let no_objection = g.block(BlockType::Empty);
                g.objection_entry(r, no_objection, cursor)?;
                g.end();
            }
            for &(condition, within, first_only, n) in &counted {
                let not_counted = g.block(BlockType::Empty);
                g.count_record(r, not_counted, condition, within, first_only, n)?;
                g.end();
            }
            g.load_field(r, rf::DATE);
            g.s().local_tee(date).local_get(as_of).i32_gt_s();
            g.br_if(skip);
            g.bool_expr(&list.criterion, Some(r))?;
            g.s().i32_eqz();
            g.br_if(skip);
            // period → (c_regime, period index)
            match &list.period {
                Period::Fixed { .. } => {
                    g.s().i32_const(-1).local_set(c_regime).i32_const(0).local_set(period);
                }
                Period::Regime(candidates) => g.choose_regime(candidates, &regimes, &pairs, r, date, c_regime, period),
            }
            g.pair_day(&pairs, period, date, false, r);
            g.s().local_set(c_last);
            // earliest repair
            let non_repairable = list.non_repairable.as_ref();
            if list.exit_on_repair {
                match non_repairable {
                    Some(e) => g.bool_expr(e, Some(r))?,
                    None => {
                        g.s().i32_const(0);
                    }
                }
                g.if_(BlockType::Result(ValType::I32));
                g.s().i32_const(NO_DATE);
                g.else_();
                g.pair_day(&pairs, period, date, true, r);
                g.end();
            } else {
                g.s().i32_const(NO_DATE);
            }
            g.s().local_set(c_earliest);
            // status
            g.load_field(r, rf::OBJECTION_UPHELD);
            g.s().i32_const(0).i32_ne();
            g.load_field(r, rf::OBJECTION_RESOLVED);
            g.s().local_get(as_of).i32_le_s().i32_and();
            g.if_(BlockType::Empty);
            g.s().i32_const(ListStatusCode::REVOKED).local_set(c_status);
            g.load_field(r, rf::OBJECTION_RESOLVED);
            g.s().local_set(c_ended);
            g.else_();
            if list.exit_on_repair {
                g.load_field(r, rf::REPAIR_DATE);
                g.s().local_get(as_of).i32_le_s();
                g.load_field(r, rf::REPAIR_DATE);
                g.s().local_get(c_earliest).i32_ge_s().i32_and();
                g.s().local_get(r.base).i64_load(mem(rf::REPAIR_CONDITIONS as u64, 3));
                g.s()
                    .i64_const(list.repair_conditions as i64)
                    .i64_and()
                    .i64_const(list.repair_conditions as i64)
                    .i64_eq();
                g.s().i32_and();
            } else {
                g.s().i32_const(0);
            }
            g.if_(BlockType::Empty);
            g.s().i32_const(ListStatusCode::REPAIRED).local_set(c_status);
            g.load_field(r, rf::REPAIR_DATE);
            g.s().local_set(c_ended);
            g.else_();
            g.s().local_get(as_of).local_get(c_last).i32_gt_s();
            g.if_(BlockType::Empty);
            g.s().i32_const(ListStatusCode::EXPIRED).local_set(c_status);
            g.s().local_get(c_last).i32_const(1).i32_add().local_set(c_ended);
            g.else_();
            g.s().i32_const(NO_DATE).local_set(c_ended);
            if suspends {
                g.s().i32_const(ListStatusCode::SUSPENDED).i32_const(ListStatusCode::ACTIVE);
                g.load_field(r, rf::OBJECTION_FILED);
                g.s().local_get(as_of).i32_le_s();
                g.load_field(r, rf::OBJECTION_RESOLVED);
                g.s().local_get(as_of).i32_gt_s().i32_and();
                g.s().select();
            } else {
                g.s().i32_const(ListStatusCode::ACTIVE);
            }
            g.s().local_set(c_status);
            g.end();
            g.end();
            g.end();
            // rank (Active 2, Suspended 1, ended 0) and comparison with the best so far, read from the entry
            let rank = |g: &mut Self, status: u32, into: u32| {
                g.s().local_get(status).i32_const(ListStatusCode::ACTIVE).i32_eq().i32_const(1).i32_shl();
                g.s().local_get(status).i32_const(ListStatusCode::SUSPENDED).i32_eq().i32_or().local_set(into);
            };
            rank(g, c_status, c_rank);
            let b_status = g.local(ValType::I32);
            g.s().local_get(out).i32_load(at(le::STATUS)).local_set(b_status);
            rank(g, b_status, b_rank);
            g.s().local_get(b_status).i32_eqz();
            g.s().local_get(c_rank).local_get(b_rank).i32_gt_u().i32_or();
            g.s().local_get(c_rank).local_get(b_rank).i32_eq();
            g.s().local_get(c_last).local_get(out).i32_load(at(le::LAST_DAY)).i32_gt_s();
            g.s().local_get(c_ended).local_get(out).i32_load(at(le::ENDED_ON)).i32_gt_s();
            g.s().local_get(c_rank).select();
            g.s().i32_and().i32_or();
            g.if_(BlockType::Empty);
            let fields = [
                (le::STATUS, c_status),
                (le::RECORD, r.index),
                (le::ENTERED, date),
                (le::LAST_DAY, c_last),
                (le::EARLIEST_REPAIR, c_earliest),
                (le::ENDED_ON, c_ended),
                (le::REGIME, c_regime),
            ];
            for (field, local) in fields {
                let to = at(field);
                g.s().local_get(out).local_get(local).i32_store(to);
            }
            g.end();
            Ok(())
        })?;
        Ok(())
    }

    /// The distinct period pairs of a list and, for a regime period, each candidate's
    /// (regime, [(severity, pair index)], default pair index).
    fn period_pairs(&self, list: &List) -> (Vec<Pair>, Vec<RegimeTable>) {
        let mut pairs: Vec<Pair> = Vec::new();
        let mut index = |p: Pair| match pairs.iter().position(|q| *q == p) {
            Some(i) => i,
            None => {
                pairs.push(p);
                pairs.len() - 1
            }
        };
        let mut regimes = Vec::new();
        match &list.period {
            Period::Fixed { minimum, maximum } => {
                index((*minimum, *maximum));
            }
            Period::Regime(candidates) => {
                for &c in candidates {
                    let Some(regime) = self.program.regimes.get(c as usize) else { continue };
                    let mut by_severity = Vec::new();
                    for (sev, min, max) in &regime.periods {
                        // the first entry for a severity wins, as in the interpreter's `find`
                        if !by_severity.iter().any(|(s, _)| s == sev) {
                            by_severity.push((*sev, index((*min, *max))));
                        }
                    }
                    let default = by_severity.iter().find(|(s, _)| *s == regime.default_severity).map(|(_, p)| *p);
                    regimes.push((c, by_severity, default));
                }
            }
        }
        (pairs, regimes)
    }

    /// Pushes the regime (index into `Program::regimes`) in force on the day in `day_local` among `candidates`,
    /// or -1.
    fn regime_in_force(&mut self, candidates: &[u32], day_local: u32) {
        let done = self.block(BlockType::Result(ValType::I32));
        for &c in candidates {
            let Some(regime) = self.program.regimes.get(c as usize) else { continue };
            self.s().i32_const(c as i32);
            self.s().local_get(day_local).i32_const(regime.effective_from).i32_ge_s();
            self.s().local_get(day_local).i32_const(regime.effective_until).i32_le_s().i32_and();
            self.br_if(done);
            self.s().drop();
        }
        self.s().i32_const(-1);
        self.end();
    }

    /// Pushes the pair index for (regime in `regime_local`, the record's severity); fails with `NoRegime` when
    /// the regime has neither the severity nor its default.
    fn pair_of(&mut self, regimes: &[RegimeTable], regime_local: u32, r: Rec) {
        let sev = self.local(ValType::I32);
        self.load_field(r, rf::SEVERITY);
        self.s().local_set(sev);
        let done = self.block(BlockType::Result(ValType::I32));
        for (regime, by_severity, default) in regimes {
            self.s().local_get(regime_local).i32_const(*regime as i32).i32_eq();
            self.if_(BlockType::Empty);
            for (s, p) in by_severity {
                self.s().i32_const(*p as i32).local_get(sev).i32_const(*s).i32_eq();
                self.br_if(done);
                self.s().drop();
            }
            match default {
                Some(p) => {
                    self.s().i32_const(*p as i32);
                    self.br(done);
                }
                None => self.fail(EvalErrorCode::NoRegime, Some(r)),
            }
            self.end();
        }
        self.fail(EvalErrorCode::NoRegime, Some(r));
        self.end();
    }

    /// Regime choice by the version rule; sets `regime_out` and `period_out`.
    #[allow(clippy::too_many_arguments)]
    fn choose_regime(
        &mut self,
        candidates: &[u32],
        regimes: &[RegimeTable],
        pairs: &[Pair],
        r: Rec,
        date: u32,
        regime_out: u32,
        period_out: u32,
    ) {
        let (old, new, p_old, p_new) =
            (self.local(ValType::I32), self.local(ValType::I32), self.local(ValType::I32), self.local(ValType::I32));
        self.regime_in_force(candidates, date);
        self.s().local_tee(old).i32_const(-1).i32_eq();
        self.fail_if(EvalErrorCode::NoRegime, Some(r));
        let as_of = self.as_of;
        self.regime_in_force(candidates, as_of);
        self.s().local_tee(new).local_get(old).local_get(new).i32_const(-1).i32_ne().select().local_set(new);
        self.pair_of(regimes, old, r);
        self.s().local_set(p_old);
        self.pair_of(regimes, new, r);
        self.s().local_set(p_new);
        match self.program.version_rule {
            VersionRule::Old => {
                self.s().local_get(old).local_set(regime_out).local_get(p_old).local_set(period_out);
            }
            VersionRule::New => {
                self.s().local_get(new).local_set(regime_out).local_get(p_new).local_set(period_out);
            }
            VersionRule::OldUnlessLenient => {
                let (max_old, max_new) = (self.local(ValType::I32), self.local(ValType::I32));
                self.pair_day(pairs, p_old, date, false, r);
                self.s().local_set(max_old);
                self.pair_day(pairs, p_new, date, false, r);
                self.s().local_tee(max_new).local_get(max_old).i32_ne();
                self.if_(BlockType::Result(ValType::I32));
                self.s().local_get(max_new).local_get(max_old).i32_lt_s();
                self.else_();
                self.pair_min_compare(pairs, p_new, date, r);
                self.pair_min_compare(pairs, p_old, date, r);
                self.s().i32_lt_s();
                self.end();
                self.if_(BlockType::Empty);
                self.s().local_get(new).local_set(regime_out).local_get(p_new).local_set(period_out);
                self.else_();
                self.s().local_get(old).local_set(regime_out).local_get(p_old).local_set(period_out);
                self.end();
            }
        }
    }

    /// Pushes `add(date, minimum)` (or `date` without a minimum) for the pair in `pair_local`.
    fn pair_min_compare(&mut self, pairs: &[Pair], pair_local: u32, date: u32, r: Rec) {
        self.switch_pairs(pairs, pair_local, &mut |g, (min, _)| {
            g.s().local_get(date);
            if let Some(min) = min {
                g.add(min, Some(r));
            }
        });
    }

    /// Pushes the day of the pair in `pair_local`: `add(date, maximum)`, or with `earliest` the earliest repair
    /// day (`add(date, minimum) + 1`, or `date` without a minimum).
    fn pair_day(&mut self, pairs: &[Pair], pair_local: u32, date: u32, earliest: bool, r: Rec) {
        self.switch_pairs(pairs, pair_local, &mut |g, (min, max)| {
            g.s().local_get(date);
            if !earliest {
                g.add(max, Some(r));
            } else if let Some(min) = min {
                g.add(min, Some(r));
                g.s().i32_const(1).i32_add();
            }
        });
    }

    /// `if pair == 0 { f(pairs[0]) } else if pair == 1 { … }`, each branch pushing one i32.
    fn switch_pairs(&mut self, pairs: &[Pair], pair_local: u32, f: &mut dyn FnMut(&mut Self, Pair)) {
        match pairs.split_last() {
            None => {
                self.s().i32_const(NO_DATE);
            }
            Some((last, rest)) => {
                for (k, pair) in rest.iter().enumerate() {
                    self.s().local_get(pair_local).i32_const(k as i32).i32_eq();
                    self.if_(BlockType::Result(ValType::I32));
                    f(self, *pair);
                    self.else_();
                }
                f(self, *last);
                for _ in rest {
                    self.end();
                }
            }
        }
    }

    /// Step 2's precedence: statuses before precedence decide; the first overriding list wins.
    fn precedence(&mut self) {
        let program = self.program;
        if program.lists.iter().all(|l| l.precedence_over.is_empty()) {
            return;
        }
        let out = self.out;
        let before: Vec<u32> = (0..program.lists.len()).map(|_| self.local(ValType::I32)).collect();
        for (l, local) in before.iter().enumerate() {
            let at = self.layout.list(l, le::STATUS);
            self.s()
                .local_get(out)
                .i32_load(mem(at, 2))
                .i32_const(1)
                .i32_sub()
                .i32_const(2)
                .i32_lt_u()
                .local_set(*local);
        }
        for (l, list) in program.lists.iter().enumerate() {
            if list.precedence_over.is_empty() {
                continue;
            }
            self.s().local_get(before[l]);
            self.if_(BlockType::Empty);
            for &m in &list.precedence_over {
                let m = m as usize;
                let Some(&on) = before.get(m) else { continue };
                let (status_at, by_at) = (self.layout.list(m, le::STATUS), self.layout.list(m, le::OVERRIDDEN_BY));
                self.s().local_get(on);
                self.s().local_get(out).i32_load(mem(status_at, 2)).i32_const(ListStatusCode::OVERRIDDEN).i32_ne();
                self.s().i32_and();
                self.if_(BlockType::Empty);
                self.s().local_get(out).i32_const(ListStatusCode::OVERRIDDEN).i32_store(mem(status_at, 2));
                self.s().local_get(out).i32_const(l as i32).i32_store(mem(by_at, 2));
                self.end();
            }
            self.end();
        }
    }

    /// Step 3: each measure's status (the answer carries nothing else of a measure). What measures share is
    /// computed once, straight-line, before the first: each triggering list's status mapped to a measure
    /// status, and for each distinct scenario set whether the request's scenario falls outside it.
    fn measures(&mut self) -> Result<(), CodegenError> {
        let (out, scenario) = (self.out, self.scenario);
        let program = self.program;
        let mut from_list = std::collections::HashMap::new();
        let mut outside = std::collections::HashMap::new();
        for measure in &program.measures {
            if let Trigger::List(l) = measure.trigger
                && (l as usize) < program.lists.len()
                && !from_list.contains_key(&l)
            {
                // ListStatus → MeasureStatus as a nibble table: 0→0 1→1 2→2 3→3 4→3 5→0 6→3
                let table: i64 = [0i64, 1, 2, 3, 3, 0, 3].iter().enumerate().fold(0, |t, (s, m)| t | m << (4 * s));
                let status = self.local(ValType::I32);
                let at = self.layout.list(l as usize, le::STATUS);
                self.s().i64_const(table).local_get(out).i32_load(mem(at, 2)).i32_const(2).i32_shl();
                self.s().i64_extend_i32_u().i64_shr_u().i32_wrap_i64().i32_const(15).i32_and().local_set(status);
                from_list.insert(l, status);
            }
            if !measure.scenarios.is_empty() && !outside.contains_key(&measure.scenarios) {
                let flag = self.local(ValType::I32);
                self.s().local_get(scenario).i32_const(NO_CODE).i32_ne();
                self.s().local_get(scenario);
                let codes: Vec<i32> = measure.scenarios.iter().copied().filter(|&c| c != NO_CODE).collect();
                self.in_set(&codes);
                self.s().i32_eqz().i32_and().local_set(flag);
                outside.insert(measure.scenarios.clone(), flag);
            }
        }
        for (j, measure) in program.measures.iter().enumerate() {
            let at = self.layout.measure(j, me::STATUS);
            self.s().local_get(out);
            match &measure.trigger {
                Trigger::List(l) => match from_list.get(l) {
                    Some(&status) => {
                        self.s().local_get(status);
                    }
                    // A list this module does not evaluate is never entered.
                    None => {
                        self.s().i32_const(0);
                    }
                },
                Trigger::Condition(c) => self.bool_expr(c, None)?,
            }
            if let Some(&flag) = outside.get(&measure.scenarios) {
                // Triggered but for another scenario → OtherScenario (4), without a branch.
                let status = self.local(ValType::I32);
                self.s().local_set(status).i32_const(4).local_get(status);
                self.s().local_get(flag).local_get(status).i32_const(0).i32_ne().i32_and().select();
            }
            self.s().i32_store(mem(at, 2));
        }
        Ok(())
    }

    /// Step 7: one entry per record whose objection was filed by `as_of`, appended at `cursor`.
    fn objections(&mut self, cursor: u32) -> Result<(), CodegenError> {
        self.for_each_record(|g, r, skip, _exit| g.objection_entry(r, skip, cursor))
    }

    /// Step 7 for record `r`: its objection entry at `cursor`, or a branch to `skip` when it has none.
    fn objection_entry(&mut self, r: Rec, skip: u32, cursor: u32) -> Result<(), CodegenError> {
        let as_of = self.as_of;
        let deadline = self.program.objection.as_ref().and_then(|o| o.deadline);
        let due = self.local(ValType::I32);
        self.load_field(r, rf::OBJECTION_FILED);
        self.s().local_get(as_of).i32_gt_s();
        self.br_if(skip);
        match deadline {
            Some(d) => {
                self.load_field(r, rf::OBJECTION_FILED);
                self.add(d, Some(r));
            }
            None => {
                self.s().i32_const(NO_DATE);
            }
        }
        self.s().local_set(due);
        self.s().local_get(cursor).local_get(r.index).i32_store(mem(0, 2));
        self.s().local_get(cursor).local_get(due).i32_store(mem(4, 2));
        // Resolved (2) if resolved by as_of, else Overdue (1) / Pending (0) = as_of > due
        self.s().local_get(cursor).i32_const(2).local_get(as_of).local_get(due).i32_gt_s();
        self.load_field(r, rf::OBJECTION_RESOLVED);
        self.s().local_get(as_of).i32_le_s().select().i32_store(mem(8, 2));
        self.s().local_get(cursor).i32_const(OBJECTION_ENTRY_SIZE as i32).i32_add().local_set(cursor);
        Ok(())
    }
}

/// `ListStatus` codes as they are written to memory.
struct ListStatusCode;
impl ListStatusCode {
    const ACTIVE: i32 = 1;
    const SUSPENDED: i32 = 2;
    const EXPIRED: i32 = 3;
    const REPAIRED: i32 = 4;
    const OVERRIDDEN: i32 = 5;
    const REVOKED: i32 = 6;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_month_estimate_is_the_month_or_the_one_before_on_every_day_of_the_table() {
        let starts: Vec<i32> = month_starts().collect();
        let first = starts[0];
        for day in first..starts[MONTH_TABLE_MONTHS as usize] {
            let month = starts.partition_point(|&s| s <= day) as i32 - 1;
            let estimate = month_index_estimate(day - first);
            assert!(estimate == month || estimate + 1 == month, "day {day}: month {month}, estimate {estimate}");
        }
    }
}
