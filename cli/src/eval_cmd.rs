//! `trustsim eval`: one request (from a file or from flags), or a batch of JSON lines.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use serde_json::{json, Value};
use trustsim_evaluator::{
    decide, evaluate, Decision, PolicyError, Principal, Request, TrustPolicy,
};

use crate::context_arg::{self, ContextArg};
use crate::{human, Format};

/// Arguments of `trustsim eval`.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The trust policy (JSON file).
    #[arg(required_unless_present = "batch")]
    pub policy: Option<PathBuf>,
    /// The request (JSON file in the contract's format).
    #[arg(long, conflicts_with_all = ["principal", "action", "role", "context", "absent", "batch"])]
    pub request: Option<PathBuf>,
    /// The caller, for a what-if question: an account ID, IAM/STS ARN, service principal or
    /// identity provider.
    #[arg(long)]
    pub principal: Option<String>,
    /// The action (default sts:AssumeRole).
    #[arg(long)]
    pub action: Option<String>,
    /// The role's ARN.
    #[arg(long)]
    pub role: Option<String>,
    /// A context key: KEY=VALUE, or KEY=[A,B] for a multivalued key. Repeatable.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Mark a key absent, even one derived from the caller. Repeatable.
    #[arg(long = "absent", value_name = "KEY")]
    pub absent: Vec<String>,
    /// Evaluate a JSON-lines file of {"id", "policy", "request"}.
    #[arg(long, conflicts_with_all = ["policy", "request", "principal"])]
    pub batch: Option<PathBuf>,
    /// Output format (default: human on a terminal, json otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Exit statuses of the contract.
const INVALID: u8 = 1;
const DENIED: u8 = 2;

fn fail(msg: &str) -> ExitCode {
    eprintln!("trustsim: error: {msg}");
    ExitCode::from(INVALID)
}

/// Reports an input error with its file and JSON Pointer.
pub fn input_error(file: &Path, e: &PolicyError) -> String {
    let mut s = format!("{}: {}: {}", file.display(), e.pointer, e.message);
    if let Some(h) = &e.help {
        s.push_str("\n  help: ");
        s.push_str(h);
    }
    s
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))
}

/// Runs the command.
pub fn run(args: &EvalArgs) -> ExitCode {
    if let Some(batch) = &args.batch {
        return run_batch(batch);
    }
    let Some(policy_path) = &args.policy else {
        return fail("give a trust policy file, or --batch FILE");
    };
    let policy = match read(policy_path)
        .and_then(|t| TrustPolicy::from_json(&t).map_err(|e| input_error(policy_path, &e)))
    {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let request = match build_request(args) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        Format::Human
    } else {
        Format::Json
    });
    let evaluation = evaluate(&policy, &request);
    let mut out = std::io::stdout().lock();
    let written = match format {
        Format::Json | Format::Sarif => writeln!(out, "{}", evaluation.to_json(&request)),
        Format::Human => {
            let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            for w in &policy.warnings {
                eprintln!(
                    "trustsim: warning: {}: {}: {}",
                    policy_path.display(),
                    w.pointer,
                    w.message
                );
            }
            write!(
                out,
                "{}",
                human::render(&policy, &request, &evaluation, colour)
            )
        }
    };
    if written.is_err() {
        return ExitCode::from(INVALID);
    }
    match evaluation.decision {
        Decision::Allow => ExitCode::SUCCESS,
        _ => ExitCode::from(DENIED),
    }
}

fn build_request(args: &EvalArgs) -> Result<Request, String> {
    if let Some(path) = &args.request {
        let text = read(path)?;
        return Request::from_json(&text).map_err(|e| input_error(path, &e));
    }
    let Some(p) = &args.principal else {
        return Err(
            "give the request: --request FILE, or --principal (with --context KEY=VALUE ...)"
                .to_owned(),
        );
    };
    let principal = Principal::infer(p).map_err(|e| format!("--principal: {e}"))?;
    let mut b = Request::builder(principal);
    if let Some(a) = &args.action {
        b = b.action(a);
    }
    if let Some(r) = &args.role {
        b = b.role(r);
    }
    for c in &args.context {
        b = match context_arg::parse(c).map_err(|e| format!("--context: {e}"))? {
            ContextArg::One(k, v) => b.context(&k, v),
            ContextArg::Many(k, v) => b.context_many(&k, v),
        };
    }
    for k in &args.absent {
        b = b.absent(k);
    }
    b.build()
        .map_err(|e| format!("{}: {}", e.pointer, e.message))
}

fn run_batch(path: &Path) -> ExitCode {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return fail(&format!("{}: cannot read: {e}", path.display())),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // Lines are read as bytes so that one line that is not UTF-8 is reported and skipped rather
    // than ending the batch.
    for (n, line) in std::io::BufReader::new(file).split(b'\n').enumerate() {
        let line = match line {
            Ok(l) => l,
            Err(e) => return fail(&format!("{}: line {}: {e}", path.display(), n + 1)),
        };
        let result = match std::str::from_utf8(&line) {
            Ok(text) if text.trim().is_empty() => continue,
            Ok(text) => batch_line(text, n + 1),
            Err(e) => {
                json!({"id": Value::Null, "error": format!("line {}: not UTF-8: {e}", n + 1)})
            }
        };
        if writeln!(out, "{result}").is_err() {
            return ExitCode::from(INVALID);
        }
    }
    if out.flush().is_err() {
        return ExitCode::from(INVALID);
    }
    ExitCode::SUCCESS
}

fn batch_line(line: &str, n: usize) -> Value {
    let value: Value = match trustsim_evaluator::json::parse(line, &format!("line {n}")) {
        Ok(v) => v,
        Err(e) if e.pointer.as_str().is_empty() => {
            return json!({"id": Value::Null, "error": e.message})
        }
        Err(e) => {
            return json!({"id": Value::Null, "error": format!("line {n}: {}: {}", e.pointer, e.message)})
        }
    };
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    let Some(policy) = value.get("policy") else {
        return json!({"id": id, "error": format!("line {n}: no `policy`")});
    };
    let Some(request) = value.get("request") else {
        return json!({"id": id, "error": format!("line {n}: no `request`")});
    };
    let policy = match TrustPolicy::from_value(policy) {
        Ok(p) => p,
        Err(e) => {
            return json!({"id": id, "error": format!("policy: {}: {}", e.pointer, e.message)})
        }
    };
    let request = match Request::from_value(request) {
        Ok(r) => r,
        Err(e) => {
            return json!({"id": id, "error": format!("request: {}: {}", e.pointer, e.message)})
        }
    };
    json!({"id": id, "decision": decide(&policy, &request).as_str()})
}
