//! The evaluate function's builder (`Gen`): locals, blocks and branches, record scans, and expressions.

use super::helpers::{MONTH_ESTIMATE_FACTOR, MONTH_TABLE_MONTHS, month_table_span};
use super::{CodegenError, F_ADD_MONTHS, F_ADD_WORKDAYS, OutputLayout, WORKDAY_OUT_OF_RANGE, mem};
use crate::ir::{CmpOp, Duration, Expr, Program, RecordField, SubjectField, Unit};
use wasm_encoder::{BlockType, Ieee64, InstructionSink, ValType};
use xince_abi::date::NO_DATE;
use xince_abi::error::EvalErrorCode;
use xince_abi::layout::{INPUT_HEADER_SIZE, NO_CODE, input_header as ih, list_entry as le, record as rf};

/// Static type of an expression's value on the wasm stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ty {
    Bool,
    Int,
    Num,
    Date,
    Code,
}

pub(super) fn type_of(e: &Expr) -> Ty {
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

/// The record a predicate refers to: locals holding its index and its address.
/// A quantifier owned, the key of the memo tables: equal keys count the same records.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct QuantifierKey {
    pub(super) condition: Expr,
    pub(super) within: Option<Duration>,
    pub(super) first_only: bool,
}

#[derive(Clone, Copy)]
pub(super) struct Rec {
    pub(super) index: u32,
    pub(super) base: u32,
}

/// Builder of `xince_evaluate`: instruction bytes, locals, and the block depth for branch targets.
pub(super) struct Gen<'p> {
    pub(super) program: &'p Program,
    pub(super) layout: &'p OutputLayout,
    /// Address of the month-start table (`add_months`' fast path, also emitted inline).
    pub(super) month_table: i32,
    pub(super) code: Vec<u8>,
    pub(super) locals: Vec<ValType>,
    pub(super) depth: u32,
    pub(super) fail_label: u32,
    /// Lists whose entries are already written (`OnList` on a later one is false, as in the interpreter).
    pub(super) lists_done: usize,
    /// Quantifiers already emitted, by (condition, window, first only): the locals holding "computed" and
    /// the count, so a repeated `存在 记录(…)` scans the records once per evaluation.
    pub(super) quantifiers: Vec<(QuantifierKey, (u32, u32))>,
    /// The first list's record scan writes the objection entries too (decided before the lists).
    pub(super) objections_in_first_list: bool,
    /// Quantifiers the first list's scan counts too, and the i64 local holding each count.
    pub(super) counted_in_first_list: Vec<(&'p Expr, Option<Duration>, bool, u32)>,
    /// Their memo keys: `quantify_once` reads the count instead of scanning.
    pub(super) precomputed: Vec<(QuantifierKey, u32)>,
    // fixed locals
    pub(super) ptr: u32,
    pub(super) len: u32,
    pub(super) count: u32,
    pub(super) as_of: u32,
    pub(super) scenario: u32,
    pub(super) out: u32,
    pub(super) err_record: u32,
    pub(super) scratch64: u32,
}

/// `(ptr, len, out)`: the input, and where the answer goes.
pub(super) const PARAMS: u32 = 3;

impl<'p> Gen<'p> {
    pub(super) fn new(program: &'p Program, layout: &'p OutputLayout, month_table: i32) -> Self {
        let mut g = Gen {
            program,
            layout,
            month_table,
            code: Vec::with_capacity(4096),
            locals: Vec::new(),
            depth: 0,
            fail_label: 0,
            lists_done: 0,
            quantifiers: Vec::new(),
            objections_in_first_list: false,
            counted_in_first_list: Vec::new(),
            precomputed: Vec::new(),
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

    pub(super) fn s(&mut self) -> InstructionSink<'_> {
        InstructionSink::new(&mut self.code)
    }

    pub(super) fn local(&mut self, ty: ValType) -> u32 {
        self.locals.push(ty);
        PARAMS + self.locals.len() as u32 - 1
    }

    pub(super) fn block(&mut self, bt: BlockType) -> u32 {
        self.s().block(bt);
        self.depth += 1;
        self.depth
    }
    pub(super) fn loop_(&mut self) -> u32 {
        self.s().loop_(BlockType::Empty);
        self.depth += 1;
        self.depth
    }
    pub(super) fn if_(&mut self, bt: BlockType) {
        self.s().if_(bt);
        self.depth += 1;
    }
    pub(super) fn else_(&mut self) {
        self.s().else_();
    }
    pub(super) fn end(&mut self) {
        self.s().end();
        self.depth -= 1;
    }
    pub(super) fn br(&mut self, label: u32) {
        let rel = self.depth - label;
        self.s().br(rel);
    }
    pub(super) fn br_if(&mut self, label: u32) {
        let rel = self.depth - label;
        self.s().br_if(rel);
    }

    /// Leaves evaluation with `code`, noting the record being examined.
    pub(super) fn fail(&mut self, code: EvalErrorCode, rec: Option<Rec>) {
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
    pub(super) fn fail_if(&mut self, code: EvalErrorCode, rec: Option<Rec>) {
        self.if_(BlockType::Empty);
        self.fail(code, rec);
        self.end();
    }
    /// `for i in 0..count { body }`; the body gets the record and a label that skips to the next record, and
    /// the loop's exit label.
    pub(super) fn for_each_record(
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

    pub(super) fn load_field(&mut self, rec: Rec, field: usize) {
        self.s().local_get(rec.base).i32_load(mem(field as u64, 2));
    }

    /// Pushes the duration added to the date on the stack (errors noted against `rec`).
    pub(super) fn add(&mut self, duration: Duration, rec: Option<Rec>) {
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
    pub(super) fn add_months(&mut self, months: i32) {
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
    pub(super) fn bool_expr(&mut self, e: &Expr, rec: Option<Rec>) -> Result<(), CodegenError> {
        if self.expr(e, rec)? != Ty::Bool {
            self.s().drop().i32_const(0);
        }
        Ok(())
    }

    pub(super) fn expr(&mut self, e: &Expr, rec: Option<Rec>) -> Result<Ty, CodegenError> {
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
                    Some(_) if items.len() <= 8 && items.iter().all(Expr::is_cheap) => {
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
    pub(super) fn in_set(&mut self, codes: &[i32]) {
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

    pub(super) fn compare(&mut self, op: CmpOp, a: &Expr, b: &Expr, rec: Option<Rec>) -> Result<(), CodegenError> {
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
    pub(super) fn quantify_once(
        &mut self,
        condition: &Expr,
        within: Option<Duration>,
        first_only: bool,
    ) -> Result<u32, CodegenError> {
        if condition.reads_a_list() {
            return self.quantify(condition, within, first_only);
        }
        let key = QuantifierKey { condition: condition.clone(), within, first_only };
        if let Some((_, n)) = self.precomputed.iter().find(|(k, _)| *k == key) {
            return Ok(*n);
        }
        let (done, n) = match self.quantifiers.iter().find(|(k, _)| *k == key) {
            Some((_, locals)) => *locals,
            None => {
                let locals = (self.local(ValType::I32), self.local(ValType::I64));
                self.quantifiers.push((key, locals));
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
    pub(super) fn quantify(
        &mut self,
        condition: &Expr,
        within: Option<Duration>,
        first_only: bool,
    ) -> Result<u32, CodegenError> {
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
    pub(super) fn count_record(
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
        let condition_first = !condition.can_fail();
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
}
