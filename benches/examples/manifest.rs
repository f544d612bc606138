fn main() -> anyhow::Result<()> {
    let c = xince_bench::compile_policy()?;
    let m = &c.program.manifest;
    for l in &m.lists { println!("list {} {} prec {:?} exits {:?}", l.name, l.category, l.precedence_over, l.exits); }
    for x in &m.measures { println!("measure {} {:?} {}", x.name, x.scenarios, x.trigger); }
    for x in &m.incentives { println!("incentive {} {:?}", x.name, x.clauses); }
    for x in &c.program.lists { println!("{:?}", x.period); }
    for x in &c.program.regimes { println!("regime {} {} {:?} def {}", x.effective_from, x.effective_until, x.periods, x.default_severity); }
    println!("{:?}", c.program.objection);
    Ok(())
}
