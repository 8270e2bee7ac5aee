//! Generates the request lines of the differential test (`corpus/differential/run.sh`,
//! `docs/differential.md`): for each corpus policy, requests near its conditions, drawn with the
//! property-testing kit of `trustsim-evaluator` from a fixed seed per policy, so that every run
//! writes the same lines.
//!
//! Each output line is a `trustsim eval --batch` line: `{"id": "<policy id>#<n>", "policy":
//! {...}, "request": {...}}`, where the request always names the role (`"role"`).
//!
//! ```text
//! differential_cases [--per-policy N] [--at-least TOTAL] [--jsonl FILE | --generated N]
//! ```
//!
//! `--per-policy` (default 20) is raised, when needed, so that the policies give at least
//! `--at-least` lines in all (default 0).
//!
//! Without `--jsonl`, the policies are those of `corpus/manifest.json`. With it, each line of
//! FILE is an object with an `id` and a `policy` (for local experiments on other collections).
//! With `--generated N`, the policies are N arbitrary ones from the kit's `trust_policies`
//! strategy (fixed seed), named `generated-0000`, ...: they reach operators and shapes the corpus
//! may not have.

use std::collections::BTreeSet;
use std::io::Write;

use serde_json::{json, Value};
use trustsim_evaluator::testing::proptest::strategy::{BoxedStrategy, Strategy, ValueTree};
use trustsim_evaluator::testing::proptest::test_runner::{
    Config, RngAlgorithm, TestRng, TestRunner,
};
use trustsim_evaluator::testing::{
    attacker_requests, owner_requests, requests_near, trust_policies,
};
use trustsim_evaluator::{Request, Threat, TrustPolicy};

/// The account that owns every role of the test.
const OWNER: &str = "111122223333";
/// The role every request assumes.
const ROLE: &str = "arn:aws:iam::111122223333:role/differential";

fn main() {
    if let Err(e) = run() {
        eprintln!("differential_cases: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let mut per_policy: usize = 20;
    let mut at_least: usize = 0;
    let mut jsonl: Option<String> = None;
    let mut generated: Option<usize> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--per-policy" => {
                per_policy = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--per-policy takes a number")?;
            }
            "--at-least" => {
                at_least = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--at-least takes a number")?;
            }
            "--jsonl" => jsonl = Some(args.next().ok_or("--jsonl takes a file")?),
            "--generated" => {
                generated = Some(
                    args.next()
                        .and_then(|n| n.parse().ok())
                        .ok_or("--generated takes a number")?,
                );
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let policies = match (jsonl, generated) {
        (Some(file), _) => from_jsonl(&file)?,
        (None, Some(n)) => from_kit(n),
        (None, None) => from_corpus()?,
    };
    let valid: Vec<(&String, &Value, TrustPolicy)> = policies
        .iter()
        .filter_map(|(id, doc)| TrustPolicy::from_value(doc).ok().map(|p| (id, doc, p)))
        .collect();
    let skipped = policies.len() - valid.len();
    if !valid.is_empty() {
        per_policy = per_policy.max(at_least.div_ceil(valid.len()));
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (id, document, policy) in &valid {
        for (n, request) in cases(id, policy, per_policy).into_iter().enumerate() {
            let line =
                json!({"id": format!("{id}#{n:02}"), "policy": document, "request": request});
            writeln!(out, "{line}").map_err(|e| e.to_string())?;
        }
    }
    out.flush().map_err(|e| e.to_string())?;
    if skipped > 0 {
        eprintln!("differential_cases: {skipped} policies are not valid trust policies for trustsim and were skipped");
    }
    Ok(())
}

fn from_corpus() -> Result<Vec<(String, Value)>, String> {
    let mut out = Vec::new();
    for entry in trustsim_corpus::manifest()? {
        let path = trustsim_corpus::policy_path(&entry.id);
        let text = trustsim_corpus::read(&path)?;
        // A file kept as written that is not JSON at all is skipped (as `null`, no policy).
        let doc = serde_json::from_str::<Value>(&text).unwrap_or(Value::Null);
        out.push((entry.id, doc));
    }
    Ok(out)
}

fn from_jsonl(file: &str) -> Result<Vec<(String, Value)>, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line).map_err(|e| format!("{file}:{}: {e}", i + 1))?;
        let id = v
            .get("id")
            .and_then(Value::as_str)
            .map_or_else(|| format!("line{}", i + 1), str::to_owned);
        if let Some(policy) = v.get("policy") {
            out.push((id, policy.clone()));
        }
    }
    Ok(out)
}

fn from_kit(n: usize) -> Vec<(String, Value)> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed("generated")),
    );
    let strategy = trust_policies();
    (0..n)
        .filter_map(|i| {
            let tree = strategy.new_tree(&mut runner).ok()?;
            Some((format!("generated-{i:04}"), tree.current().document))
        })
        .collect()
}

/// A seed that depends only on the policy's id (FNV-1a), so that adding a policy to the corpus
/// does not change the cases of the others.
fn seed(id: &str) -> [u8; 32] {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut out = [0u8; 32];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        let word = h.rotate_left(i as u32 * 17) ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    out
}

/// Up to `n` distinct requests for one policy: half near its conditions from any caller, a
/// quarter from the owner's own kinds (which the policy usually allows), the rest from the
/// attackers of each threat in turn.
fn cases(id: &str, policy: &TrustPolicy, n: usize) -> Vec<Value> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed(id)),
    );
    let near = requests_near(policy, OWNER);
    let owner = owner_requests(policy, OWNER);
    let attackers: Vec<BoxedStrategy<Request>> = Threat::ALL
        .iter()
        .map(|t| {
            attacker_requests(policy, *t, Some(OWNER))
                .prop_map(|a| a.request)
                .boxed()
        })
        .collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut attempts = 0;
    while out.len() < n && attempts < n * 5 {
        let slot = attempts % 4;
        let strategy = match slot {
            0 | 1 => &near,
            2 => &owner,
            _ => match attackers.get((attempts / 4) % attackers.len().max(1)) {
                Some(s) => s,
                None => &near,
            },
        };
        attempts += 1;
        let Ok(tree) = strategy.new_tree(&mut runner) else {
            continue;
        };
        let mut request = tree.current().to_json();
        if let Some(obj) = request.as_object_mut() {
            obj.insert("role".to_owned(), Value::String(ROLE.to_owned()));
        }
        let key = request.to_string();
        if seen.insert(key) {
            out.push(request);
        }
    }
    out
}
