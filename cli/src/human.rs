//! The human-readable form of an evaluation: the decision first, then the deciding statement
//! and its conditions, then the rest.

use std::fmt::Write as _;

use trustsim_evaluator::{Decision, Evaluation, Request};

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn good(&self, t: &str) -> String {
        self.wrap("32", t)
    }
    fn bad(&self, t: &str) -> String {
        self.wrap("31", t)
    }
    fn dim(&self, t: &str) -> String {
        self.wrap("2", t)
    }
    fn bold(&self, t: &str) -> String {
        self.wrap("1", t)
    }
}

fn mark(p: &Paint, ok: bool) -> String {
    if ok {
        p.good("✓")
    } else {
        p.bad("✗")
    }
}

/// Renders an evaluation.
pub fn render(request: &Request, e: &Evaluation, colour: bool) -> String {
    let p = Paint { on: colour };
    let mut s = String::new();
    let decision = match e.decision {
        Decision::Allow => p.good("Allow"),
        d => p.bad(d.as_str()),
    };
    let _ = writeln!(
        s,
        "{}  {} by {}",
        p.bold(&decision),
        request.action(),
        request.principal()
    );
    if e.actions.len() > 1 {
        for a in &e.actions {
            let _ = writeln!(
                s,
                "  {} {}: {}",
                mark(&p, a.decision == Decision::Allow),
                a.action,
                a.decision
            );
        }
    }
    let deciding = e.deciding();
    let mut order: Vec<&trustsim_evaluator::StatementTrace> = e.statements.iter().collect();
    order.sort_by_key(|t| !deciding.contains(&t.index));
    for t in order {
        let name = t
            .sid
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| format!(" \"{s}\""))
            .unwrap_or_default();
        let head = if deciding.contains(&t.index) {
            "decided by"
        } else if t.applies {
            "applies to the main action, but did not decide:"
        } else {
            "does not apply:"
        };
        let _ = writeln!(
            s,
            "\n  {head} statement {}{name} ({}) at {}",
            t.index,
            t.effect.as_str(),
            t.pointer
        );
        let _ = writeln!(
            s,
            "    {} principal: {}",
            mark(&p, t.principal),
            t.principal_explanation
        );
        let _ = writeln!(
            s,
            "    {} action: {}",
            mark(&p, t.action),
            t.action_explanation
        );
        for c in &t.conditions {
            let _ = writeln!(
                s,
                "    {} {} {}: {}",
                mark(&p, c.result),
                c.operator,
                c.key,
                c.explanation
            );
        }
    }
    if !e.notes.is_empty() {
        let _ = writeln!(s);
        for n in &e.notes {
            let _ = writeln!(s, "  {} {n}", p.dim("note:"));
        }
    }
    s
}
