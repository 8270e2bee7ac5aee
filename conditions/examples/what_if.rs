//! What-if: the seed article's EventBridge role condition, `StringEquals aws:SourceAccount`,
//! against the owner's own rule and a forged request from another account; then the traps
//! that fool presence-checking tools.

use trustsim_conditions::{CompileOptions, Condition, ContextMap};

fn show(label: &str, cond: &Condition, ctx: &ContextMap) {
    let outcome = cond.evaluate(ctx);
    println!(
        "{:<48} {:<5}  {}",
        label,
        outcome.result,
        cond.explain(&outcome, ctx)
    );
}

fn main() -> Result<(), trustsim_conditions::ConditionError> {
    let owner = "111122223333";
    let attacker = "444455556666";
    let opts = CompileOptions::default();

    let guard = Condition::compile("StringEquals", "aws:SourceAccount", &[owner], opts)?;
    let mut own = ContextMap::new();
    own.insert("aws:SourceAccount", owner);
    let mut forged = ContextMap::new();
    forged.insert("aws:SourceAccount", attacker);
    let absent = ContextMap::new();

    println!("condition: StringEquals aws:SourceAccount {owner}");
    show("owner's EventBridge rule", &guard, &own);
    show("attacker's EventBridge rule", &guard, &forged);
    show("service sends no aws:SourceAccount", &guard, &absent);

    println!("\ntraps:");
    let like_star = Condition::compile("StringLike", "aws:SourceAccount", &["*"], opts)?;
    show(
        "StringLike \"*\" vs attacker's account",
        &like_star,
        &forged,
    );
    let if_exists =
        Condition::compile("StringEqualsIfExists", "aws:SourceAccount", &[owner], opts)?;
    show(
        "StringEqualsIfExists with the key absent",
        &if_exists,
        &absent,
    );
    let negated = Condition::compile("StringNotEquals", "aws:SourceAccount", &[attacker], opts)?;
    show("StringNotEquals with the key absent", &negated, &absent);
    let for_all = Condition::compile("ForAllValues:StringEquals", "aws:TagKeys", &["team"], opts)?;
    show("ForAllValues with no tags at all", &for_all, &absent);
    let upper = Condition::compile("StringEquals", "AWS:SOURCEACCOUNT", &[owner], opts)?;
    show("upper-case key name still matches", &upper, &own);
    Ok(())
}
