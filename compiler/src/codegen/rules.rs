//! The evaluate function's body: the lists (record scan, periods, regimes, precedence), measures,
//! incentives, notifications, grade and objections, in the order `crate::ir` states.

use super::expr::{Gen, QuantifierKey, Rec};
use super::helpers::{ensure_memory, error_header};
use super::{CodegenError, mem};
use crate::ir::{Duration, List, Period, Program, Quantifier, Trigger, Unit, VersionRule};
use wasm_encoder::{BlockType, Function, ValType};
use xince_abi::date::NO_DATE;
use xince_abi::error::EvalErrorCode;
use xince_abi::layout::{
    self, INPUT_HEADER_SIZE, ListStatus, NO_CODE, OBJECTION_ENTRY_SIZE, RECORD_SIZE, input_header as ih,
    list_entry as le, measure_entry as me, output_header as oh, record as rf,
};

/// A (minimum, maximum) period pair.
pub(super) type Pair = (Option<Duration>, Duration);
/// A candidate regime: its index, (severity, pair index) in table order, and its default severity's pair.
pub(super) type RegimeTable = (u32, Vec<(i32, usize)>, Option<usize>);

/// The distinct quantifiers (condition, window, first only) that the first list's scan can count: used
/// outside the lists only (a list's criterion needs its counts before the scan ends), reading no list, with
/// no quantifier inside, and unable to fail.
pub(super) fn quantifiers_outside_lists(p: &Program) -> Vec<Quantifier<'_>> {
    let mut seen: Vec<Quantifier<'_>> = Vec::new();
    for list in &p.lists {
        for e in std::iter::once(&list.criterion).chain(list.non_repairable.as_ref()) {
            e.walk(&mut |x| {
                if let Some(q) = x.as_quantifier()
                    && !seen.contains(&q)
                {
                    seen.push(q);
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
    let mut found: Vec<Quantifier<'_>> = Vec::new();
    for e in outside {
        e.walk(&mut |x| {
            if let Some(q) = x.as_quantifier() {
                let mut nested = false;
                q.condition.walk(&mut |y| nested |= y.as_quantifier().is_some());
                if !nested && !q.condition.reads_a_list() && !x.can_fail() && !seen.contains(&q) {
                    seen.push(q);
                    found.push(q);
                }
            }
        });
    }
    found
}

impl<'p> Gen<'p> {
    pub(super) fn evaluate_function(mut self) -> Result<Function, CodegenError> {
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
            for Quantifier { condition, within, first_only } in quantifiers_outside_lists(program) {
                let n = self.local(ValType::I64);
                self.precomputed.push((QuantifierKey { condition: condition.clone(), within, first_only }, n));
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
    /// Step 2 for list `k`: scan the records, keep the governing one, write the entry (before precedence).
    /// The best record so far lives in the entry itself, not in locals: a record that does not qualify (the
    /// common case) then carries no state around the loop, which Cranelift would otherwise spill and reload.
    pub(super) fn list(&mut self, k: usize, list: &List, cursor: u32) -> Result<(), CodegenError> {
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
            g.s().i32_const(ListStatus::Revoked as i32).local_set(c_status);
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
            g.s().i32_const(ListStatus::Repaired as i32).local_set(c_status);
            g.load_field(r, rf::REPAIR_DATE);
            g.s().local_set(c_ended);
            g.else_();
            g.s().local_get(as_of).local_get(c_last).i32_gt_s();
            g.if_(BlockType::Empty);
            g.s().i32_const(ListStatus::Expired as i32).local_set(c_status);
            g.s().local_get(c_last).i32_const(1).i32_add().local_set(c_ended);
            g.else_();
            g.s().i32_const(NO_DATE).local_set(c_ended);
            if suspends {
                g.s().i32_const(ListStatus::Suspended as i32).i32_const(ListStatus::Active as i32);
                g.load_field(r, rf::OBJECTION_FILED);
                g.s().local_get(as_of).i32_le_s();
                g.load_field(r, rf::OBJECTION_RESOLVED);
                g.s().local_get(as_of).i32_gt_s().i32_and();
                g.s().select();
            } else {
                g.s().i32_const(ListStatus::Active as i32);
            }
            g.s().local_set(c_status);
            g.end();
            g.end();
            g.end();
            // rank (Active 2, Suspended 1, ended 0) and comparison with the best so far, read from the entry
            let rank = |g: &mut Self, status: u32, into: u32| {
                g.s().local_get(status).i32_const(ListStatus::Active as i32).i32_eq().i32_const(1).i32_shl();
                g.s().local_get(status).i32_const(ListStatus::Suspended as i32).i32_eq().i32_or().local_set(into);
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
    pub(super) fn period_pairs(&self, list: &List) -> (Vec<Pair>, Vec<RegimeTable>) {
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
    pub(super) fn regime_in_force(&mut self, candidates: &[u32], day_local: u32) {
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
    pub(super) fn pair_of(&mut self, regimes: &[RegimeTable], regime_local: u32, r: Rec) {
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
    pub(super) fn choose_regime(
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
    pub(super) fn pair_min_compare(&mut self, pairs: &[Pair], pair_local: u32, date: u32, r: Rec) {
        self.switch_pairs(pairs, pair_local, &mut |g, (min, _)| {
            g.s().local_get(date);
            if let Some(min) = min {
                g.add(min, Some(r));
            }
        });
    }

    /// Pushes the day of the pair in `pair_local`: `add(date, maximum)`, or with `earliest` the earliest repair
    /// day (`add(date, minimum) + 1`, or `date` without a minimum).
    pub(super) fn pair_day(&mut self, pairs: &[Pair], pair_local: u32, date: u32, earliest: bool, r: Rec) {
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
    pub(super) fn switch_pairs(&mut self, pairs: &[Pair], pair_local: u32, f: &mut dyn FnMut(&mut Self, Pair)) {
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
    pub(super) fn precedence(&mut self) {
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
                self.s().local_get(out).i32_load(mem(status_at, 2)).i32_const(ListStatus::Overridden as i32).i32_ne();
                self.s().i32_and();
                self.if_(BlockType::Empty);
                self.s().local_get(out).i32_const(ListStatus::Overridden as i32).i32_store(mem(status_at, 2));
                self.s().local_get(out).i32_const(l as i32).i32_store(mem(by_at, 2));
                self.end();
            }
            self.end();
        }
    }

    /// Step 3: each measure's status (the answer carries nothing else of a measure). What measures share is
    /// computed once, straight-line, before the first: each triggering list's status mapped to a measure
    /// status, and for each distinct scenario set whether the request's scenario falls outside it.
    pub(super) fn measures(&mut self) -> Result<(), CodegenError> {
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
    pub(super) fn objections(&mut self, cursor: u32) -> Result<(), CodegenError> {
        self.for_each_record(|g, r, skip, _exit| g.objection_entry(r, skip, cursor))
    }

    /// Step 7 for record `r`: its objection entry at `cursor`, or a branch to `skip` when it has none.
    pub(super) fn objection_entry(&mut self, r: Rec, skip: u32, cursor: u32) -> Result<(), CodegenError> {
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
