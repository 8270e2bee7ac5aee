//! `trustsim eval`: one request (from a file or from flags), or a batch of JSON lines.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::{json, Value};
use trustsim_evaluator::{
    decide, evaluate, Decision, PolicyError, Principal, Request, TrustPolicy,
};

use trustsim_evaluator::limits::{
    thousands, MAX_BATCH_LINE_BYTES, MAX_POLICY_FILE_BYTES, MAX_REQUEST_BYTES,
};

use crate::context_arg::{self, ContextArg};
use crate::exit::Exit;
use crate::{human, Format, Io};
use trustsim_evaluator::sources::{self, read_text};

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
    // The text is clap's help too, where `[A,B]` is read as written, not as a link.
    #[allow(rustdoc::broken_intra_doc_links)]
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Mark a key absent, even one derived from the caller. Repeatable.
    #[arg(long = "absent", value_name = "KEY")]
    pub absent: Vec<String>,
    /// Evaluate a JSON-lines file of {"id", "policy", "request"} (`-`: standard input, each
    /// answer written as soon as it is decided).
    #[arg(long, conflicts_with_all = ["policy", "request", "principal"])]
    pub batch: Option<PathBuf>,
    /// Output format (default: human on a terminal, json otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

fn fail(err: &mut dyn Write, msg: &str) -> Exit {
    let _ = writeln!(err, "trustsim: error: {msg}");
    Exit::Invalid
}

/// Reports an input error with its file and JSON Pointer.
pub fn input_error(file: &Path, e: &PolicyError) -> String {
    trustsim_evaluator::sources::place_error(&file.display().to_string(), e)
}

/// Runs the command.
pub fn run(args: &EvalArgs, io: &mut Io<'_>) -> Exit {
    if args.format == Some(Format::Sarif) {
        return fail(
            io.err,
            "`--format sarif` is for `trustsim analyze`: SARIF reports findings at places in files, and `eval` answers one request\n  help: give --format json (the answer with its trace) or --format human",
        );
    }
    if let Some(batch) = &args.batch {
        return run_batch(batch, io);
    }
    let stdin = |p: &Option<PathBuf>| p.as_deref() == Some(Path::new("-"));
    if stdin(&args.policy) && stdin(&args.request) {
        return fail(
            io.err,
            "standard input can be read once: the policy and the request cannot both be `-`\n  help: give one of them as a file",
        );
    }
    let Some(policy_path) = &args.policy else {
        return fail(io.err, "give a trust policy file, or --batch FILE");
    };
    let policy = match read_text(policy_path, MAX_POLICY_FILE_BYTES, "a trust policy")
        .map_err(|e| sources::error_text(&e))
        .and_then(|t| TrustPolicy::from_json(&t).map_err(|e| input_error(policy_path, &e)))
    {
        Ok(p) => p,
        Err(e) => return fail(io.err, &e),
    };
    let request = match build_request(args) {
        Ok(r) => r,
        Err(e) => return fail(io.err, &e),
    };
    let format = args.format.unwrap_or(if io.terminal {
        Format::Human
    } else {
        Format::Json
    });
    let evaluation = evaluate(&policy, &request);
    let written = match format {
        Format::Json | Format::Sarif => writeln!(io.out, "{}", evaluation.to_json(&request)),
        Format::Human => {
            let colour = io.colour;
            for w in &policy.warnings {
                let _ = writeln!(
                    io.err,
                    "trustsim: warning: {}: {}: {}",
                    policy_path.display(),
                    w.pointer,
                    w.message
                );
            }
            write!(io.out, "{}", human::render(&request, &evaluation, colour))
        }
    };
    if written.is_err() {
        return Exit::Invalid;
    }
    match evaluation.decision {
        Decision::Allow => Exit::Success,
        _ => Exit::Denied,
    }
}

fn build_request(args: &EvalArgs) -> Result<Request, String> {
    if let Some(path) = &args.request {
        let text =
            read_text(path, MAX_REQUEST_BYTES, "a request").map_err(|e| sources::error_text(&e))?;
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

/// `--batch FILE` (`-`: standard input): one JSON line in, one JSON line out. When the input is
/// a pipe or a terminal, each answer is written as soon as it is decided, so that a program can
/// write one request and wait for its answer; from a regular file, answers are buffered. A
/// reader that closes the output (a broken pipe) ends the batch quietly; any other write error
/// is an error.
fn run_batch(path: &Path, io: &mut Io<'_>) -> Exit {
    let (reader, interactive): (Box<dyn std::io::Read>, bool) = if path == Path::new("-") {
        (Box::new(std::io::stdin()), true)
    } else {
        match std::fs::File::open(path) {
            Ok(f) => {
                let regular = f.metadata().map(|m| m.is_file()).unwrap_or(false);
                (Box::new(f), !regular)
            }
            Err(e) => return fail(io.err, &format!("{}: cannot read: {e}", path.display())),
        }
    };
    let mut out = std::io::BufWriter::new(&mut *io.out);
    let mut reader = std::io::BufReader::new(reader);
    let shown = if path == Path::new("-") {
        "(standard input)".to_owned()
    } else {
        path.display().to_string()
    };
    // Lines are read as bytes so that one line that is not UTF-8 is reported and skipped rather
    // than ending the batch; a line longer than the limit is skipped without being kept.
    // Interactively each line is answered at once; from a file, chunks of lines are answered in
    // parallel and written in input order.
    const CHUNK: usize = 4096;
    let mut n = 0;
    let mut policies = Policies::default();
    let mut ended = false;
    let mut failed: Option<String> = None;
    while !ended {
        let mut chunk: Vec<(usize, Line)> = Vec::new();
        while chunk.len() < if interactive { 1 } else { CHUNK } {
            n += 1;
            match bounded_line(&mut reader, MAX_BATCH_LINE_BYTES) {
                Ok(Some(l)) => chunk.push((n, l)),
                Ok(None) => {
                    ended = true;
                    break;
                }
                Err(e) => {
                    // The lines before it are still answered.
                    failed = Some(format!("{shown}: line {n}: {e}"));
                    ended = true;
                    break;
                }
            }
        }
        let answers: Vec<Option<Value>> = if interactive {
            chunk
                .into_iter()
                .map(|(n, l)| answer(n, l, &mut policies))
                .collect()
        } else {
            use rayon::prelude::*;
            chunk
                .into_par_iter()
                .map_init(Policies::default, |cache, (n, l)| answer(n, l, cache))
                .collect()
        };
        for result in answers.into_iter().flatten() {
            let written =
                writeln!(out, "{result}")
                    .and_then(|()| if interactive { out.flush() } else { Ok(()) });
            if let Err(e) = written {
                return write_failed(io.err, &e);
            }
        }
    }
    match (out.flush(), failed) {
        (Err(e), _) => write_failed(io.err, &e),
        (Ok(()), Some(e)) => fail(io.err, &e),
        (Ok(()), None) => Exit::Success,
    }
}

/// The answer to line `n` of a batch (`None` for a blank line).
fn answer(n: usize, line: Line, policies: &mut Policies) -> Option<Value> {
    Some(match line {
        Line::TooLong => json!({"id": Value::Null, "error": format!(
            "line {n}: the line is longer than {} bytes, more than trustsim reads for a policy and a request; give the policy as compact JSON of at most {} bytes",
            thousands(MAX_BATCH_LINE_BYTES),
            thousands(trustsim_evaluator::limits::MAX_POLICY_BYTES)
        )}),
        Line::Text(mut bytes) => {
            // A byte-order mark before the first line, as for every other input.
            if n == 1 && bytes.starts_with(b"\xEF\xBB\xBF") {
                bytes.drain(..3);
            }
            match std::str::from_utf8(&bytes) {
                Ok(text) if text.trim().is_empty() => return None,
                Ok(text) => batch_line(text, n, policies),
                Err(e) => {
                    json!({"id": Value::Null, "error": format!("line {n}: not UTF-8: {e}")})
                }
            }
        }
    })
}

/// A write to standard output failed: quietly when the reader has gone (a broken pipe), else an
/// error.
fn write_failed(err: &mut dyn Write, e: &std::io::Error) -> Exit {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return Exit::Success;
    }
    fail(err, &format!("cannot write the answers: {e}"))
}

enum Line {
    Text(Vec<u8>),
    TooLong,
}

/// The next line (without its `\n`), holding at most `limit` bytes of it; `None` at the end.
fn bounded_line(r: &mut impl BufRead, limit: usize) -> std::io::Result<Option<Line>> {
    let mut line = Vec::new();
    let mut too_long = false;
    let mut any = false;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        any = true;
        let (chunk, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (buf.get(..i).unwrap_or_default(), Some(i + 1)),
            None => (buf, None),
        };
        if !too_long {
            if line.len() + chunk.len() > limit {
                too_long = true;
                line = Vec::new();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        let used = done.unwrap_or(buf.len());
        r.consume(used);
        if done.is_some() {
            break;
        }
    }
    Ok(match (any, too_long) {
        (false, _) => None,
        (true, true) => Some(Line::TooLong),
        (true, false) => Some(Line::Text(line)),
    })
}

/// The batch's policies, compiled once each (by their text as read): a batch usually asks many
/// questions of few policies. Bounded: past [`Policies::MAX`] it starts again.
#[derive(Default)]
struct Policies {
    compiled: std::collections::HashMap<String, Result<std::rc::Rc<TrustPolicy>, String>>,
}

impl Policies {
    const MAX: usize = 1024;

    /// The policy compiled, or the error line's text.
    fn get(&mut self, policy: &Value) -> Result<std::rc::Rc<TrustPolicy>, String> {
        let compile = |p: &Value| {
            TrustPolicy::from_value(p)
                .map(std::rc::Rc::new)
                .map_err(|e| format!("policy: {}: {}", e.pointer, e.message))
        };
        let Ok(key) = serde_json::to_string(policy) else {
            return compile(policy);
        };
        if let Some(known) = self.compiled.get(&key) {
            return known.clone();
        }
        let result = compile(policy);
        if self.compiled.len() >= Self::MAX {
            self.compiled.clear();
        }
        self.compiled.insert(key, result.clone());
        result
    }
}

fn batch_line(line: &str, n: usize, policies: &mut Policies) -> Value {
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
    let Some(fields) = value.as_object() else {
        return json!({"id": Value::Null, "error": format!("line {n}: not a JSON object with `policy` and `request`")});
    };
    if let Some(other) = fields
        .keys()
        .find(|k| !matches!(k.as_str(), "id" | "policy" | "request"))
    {
        return json!({"id": id, "error": format!("line {n}: unknown field `{other}`; a line has `id`, `policy` and `request`")});
    }
    let Some(policy) = value.get("policy") else {
        return json!({"id": id, "error": format!("line {n}: no `policy`")});
    };
    let Some(request) = value.get("request") else {
        return json!({"id": id, "error": format!("line {n}: no `request`")});
    };
    let policy = match policies.get(policy) {
        Ok(p) => p,
        Err(e) => return json!({"id": id, "error": e}),
    };
    let request = match Request::from_value(request) {
        Ok(r) => r,
        Err(e) => {
            return json!({"id": id, "error": format!("request: {}: {}", e.pointer, e.message)})
        }
    };
    json!({"id": id, "decision": decide(&policy, &request).as_str()})
}
