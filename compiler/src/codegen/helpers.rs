//! The module's hand-assembled helper functions: `xince_alloc`, the two evaluate exports, month and
//! working-day arithmetic, and the memory growth they share.

use super::{CALENDAR_BASE, ERROR_HEADER, F_EVALUATE_ONE, MAX_PAGES, OutputLayout, PAGE, WORKDAY_OUT_OF_RANGE, mem};
use crate::ir::{MAX_CIVIL_DAY, MAX_MONTHS, MIN_CIVIL_DAY, Program};
use wasm_encoder::{BlockType, Function, InstructionSink, ValType};
use xince_abi::date::{CivilDate, NO_DATE};
use xince_abi::error::EvalErrorCode;
use xince_abi::layout::{
    self, INPUT_HEADER_SIZE, OBJECTION_ENTRY_SIZE, RECORD_SIZE, input_header as ih, output_header as oh,
};

/// Ensures memory holds `bytes` (an i64 on the stack); leaves 1 on success, 0 when the cap refuses.
/// The locals of a hand-assembled function, declared by name: each call gives the next index, in order.
pub(super) struct Locals {
    next: u32,
    types: Vec<ValType>,
}

impl Locals {
    pub(super) fn after_params(params: u32) -> Self {
        Locals { next: params, types: Vec::new() }
    }
    fn declare(&mut self, ty: ValType) -> u32 {
        self.types.push(ty);
        self.next += 1;
        self.next - 1
    }
    pub(super) fn i32(&mut self) -> u32 {
        self.declare(ValType::I32)
    }
    pub(super) fn i64(&mut self) -> u32 {
        self.declare(ValType::I64)
    }
    /// A function with these locals (runs of one type are declared together).
    pub(super) fn function(&self) -> Function {
        Function::new_with_locals_types(self.types.iter().copied())
    }
}

pub(super) fn ensure_memory(s: &mut InstructionSink<'_>, bytes_local: u32, pages_local: u32) {
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
pub(super) fn alloc_function(input_base: i32, layout: &OutputLayout) -> Function {
    let mut locals = Locals::after_params(1);
    let len = 0;
    let (bytes, pages) = (locals.i64(), locals.i32());
    let mut f = locals.function();
    let mut s = f.instructions();
    s.local_get(len).i32_const(0).i32_lt_s().if_(BlockType::Empty).i32_const(0).return_().end();
    // bytes = input_base + len + 8 + fixed + (len / RECORD_SIZE + 1) * OBJECTION_ENTRY_SIZE
    s.i64_const(i64::from(input_base) + 8 + layout.fixed as i64 + OBJECTION_ENTRY_SIZE as i64);
    s.local_get(0).i64_extend_i32_u().i64_add();
    s.local_get(0).i64_extend_i32_u().i64_const(RECORD_SIZE as i64).i64_div_u();
    s.i64_const(OBJECTION_ENTRY_SIZE as i64).i64_mul().i64_add().local_set(bytes);
    ensure_memory(&mut s, bytes, pages);
    s.if_(BlockType::Result(ValType::I32)).i32_const(input_base).else_().i32_const(0).end();
    s.end();
    f
}

/// First year of the month table (the fast path of `add_months`).
pub(super) const MONTH_TABLE_FIRST_YEAR: i32 = 1950;
/// Months in the table; it holds one more entry, the first day after the last month.
pub(super) const MONTH_TABLE_MONTHS: i32 = 200 * 12;

/// The day number of the first day of every month from `MONTH_TABLE_FIRST_YEAR`-01, `MONTH_TABLE_MONTHS + 1`
/// of them.
pub(super) fn month_starts() -> impl Iterator<Item = i32> {
    (0..=MONTH_TABLE_MONTHS)
        .map(|i| CivilDate { year: MONTH_TABLE_FIRST_YEAR + i / 12, month: (i % 12) as u32 + 1, day: 1 }.to_days())
}

/// The first day the month table covers and the first day after it.
pub(super) fn month_table_span() -> (i32, i32) {
    let first = |year| CivilDate { year, month: 1, day: 1 }.to_days();
    (first(MONTH_TABLE_FIRST_YEAR), first(MONTH_TABLE_FIRST_YEAR + MONTH_TABLE_MONTHS / 12))
}

/// [`month_starts`] as little-endian i32s (the table's data segment).
pub(super) fn month_table_bytes() -> Vec<u8> {
    month_starts().flat_map(i32::to_le_bytes).collect()
}

/// The month holding the day `offset` days after the table's first, or the one before it (never after it:
/// the unit test checks every day of the table): offset / 30.44 by a multiplication and a shift, so the
/// exact month is this or this + 1, one comparison with the table away (`add_months_function` and
/// `Gen::add_months` emit it).
#[cfg(test)]
pub(super) fn month_index_estimate(offset: i32) -> i32 {
    (offset * MONTH_ESTIMATE_FACTOR) >> 16
}
/// 65536 / 30.44, the average month in a 2¹⁶ fixed point, rounded down.
pub(super) const MONTH_ESTIMATE_FACTOR: i32 = 2153;

/// `xince_evaluate(ptr, len)`: the answer goes right after the input, 8-aligned.
pub(super) fn evaluate_function() -> Function {
    let (ptr, len) = (0, 1);
    let mut f = Function::new([]);
    let mut s = f.instructions();
    s.local_get(ptr).local_get(len);
    s.local_get(ptr).local_get(len).i32_add().i32_const(7).i32_add().i32_const(-8).i32_and();
    s.call(F_EVALUATE_ONE).end();
    f
}

/// Writes the 32-byte error header at `ERROR_HEADER`, naming `record_local` (-1: none), and pushes
/// `(code, ERROR_HEADER, 32)` from `code_local`.
pub(super) fn error_header(s: &mut InstructionSink<'_>, code_local: u32, record_local: u32) {
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
pub(super) fn evaluate_batch_function() -> Function {
    let (ptr, len, count) = (0, 1, 2);
    let mut locals = Locals::after_params(3);
    let (cursor, end, first, out, k) = (locals.i32(), locals.i32(), locals.i32(), locals.i32(), locals.i32());
    // this input's length; its answer's status, address and size
    let (this_len, status, answer, size) = (locals.i32(), locals.i32(), locals.i32(), locals.i32());
    // the batch-level error code and record (-1), pages to grow, bytes needed
    let (code, record, pages, bytes) = (locals.i32(), locals.i32(), locals.i32(), locals.i64());
    let mut f = locals.function();
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
pub(super) fn add_months_function(table: i32) -> Function {
    let (day, months) = (0, 1);
    let mut locals = Locals::after_params(2);
    // Hinnant's civil-date arithmetic: era, day/year of era, year, day of year, shifted month, day, month
    let (era, doe, yoe, y) = (locals.i32(), locals.i32(), locals.i32(), locals.i32());
    let (doy, mp, dd, m) = (locals.i32(), locals.i32(), locals.i32(), locals.i32());
    // months since year 0, quotient and remainder by 12 (`r` also holds the day shifted to year 0), month length
    let (total, q, r, dim) = (locals.i32(), locals.i32(), locals.i32(), locals.i32());
    // the table path: the day's month index and the day's offset from the table's start
    let (index, offset) = (locals.i32(), locals.i32());
    let mut f = locals.function();
    let mut s = f.instructions();
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
pub(super) fn add_workdays_function(program: &Program) -> Function {
    let cal = &program.calendar;
    let (day, n) = (0, 1);
    let mut locals = Locals::after_params(2);
    // ±1; working days still to find (unsigned); the day's offset into the calendar
    let (step, remaining, offset) = (locals.i32(), locals.i32(), locals.i64());
    let mut f = locals.function();
    let mut s = f.instructions();
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
