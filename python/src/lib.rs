//! `trustsim._native`: the Rust half of the Python package `trustsim` (python/trustsim/).
//!
//! Each function takes policies and requests as a `dict` or a JSON `str`, releases the GIL while
//! trustsim evaluates or analyses, and returns the JSON contract of the command line as Python
//! values (docs/cli.md): `evaluate` gives what `trustsim eval --format json` prints, `analyze`
//! and `scan` what `trustsim analyze --format json` prints. A policy trustsim cannot read raises
//! `trustsim.PolicyError` with the JSON Pointer of the bad element.

use std::path::{Path, PathBuf};

use pyo3::exceptions::{PyKeyError, PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyString};
use serde_json::Value;
use trustsim_evaluator::analysis::owner_from;
use trustsim_evaluator::limits::{MAX_POLICY_FILE_BYTES, MAX_REQUEST_BYTES};
use trustsim_evaluator::{AnalysisOptions, PolicyError, Request, TrustPolicy};

/// A policy or a request as the caller gave it.
enum Document {
    /// A JSON text.
    Text(String),
    /// A `dict` (or a list, for an invalid document), converted to JSON values.
    Value(Value),
}

impl Document {
    /// Reads a `str` (or UTF-8 `bytes`) as JSON text, an `os.PathLike` (`pathlib.Path`) as the
    /// file it names (within trustsim's limit for `what`: `limit` bytes), and anything else as
    /// JSON values (`dict`, `list`, numbers, booleans and `None`). The path, for errors.
    fn from_py(
        obj: &Bound<'_, PyAny>,
        what: &str,
        limit: usize,
    ) -> PyResult<(Self, Option<PathBuf>)> {
        if obj.is_instance_of::<PyString>() {
            return Ok((Document::Text(obj.extract::<String>()?), None));
        }
        if let Ok(bytes) = obj.cast::<PyBytes>() {
            let text = String::from_utf8(bytes.as_bytes().to_vec())
                .map_err(|e| PyValueError::new_err(format!("{what}: not UTF-8 text: {e}")))?;
            return Ok((Document::Text(text), None));
        }
        if obj.hasattr("__fspath__")? {
            let path: PathBuf = obj.extract()?;
            let text = trustsim_evaluator::sources::read_text(&path, limit, what)
                .map_err(|e| PyOSError::new_err(trustsim_evaluator::sources::error_text(&e)))?;
            return Ok((Document::Text(text), Some(path)));
        }
        pythonize::depythonize::<Value>(obj)
            .map(|v| (Document::Value(v), None))
            .map_err(|e| {
                PyTypeError::new_err(format!("{what}: not a dict, a JSON str or a path: {e}"))
            })
    }

    /// The document as compact JSON text.
    fn text(&self) -> String {
        match self {
            Document::Text(t) => t.clone(),
            Document::Value(v) => v.to_string(),
        }
    }
}

/// The line a JSON syntax error names (`... at line 3 column 7`), if any.
fn line_of(message: &str) -> Option<usize> {
    let at = message.rfind("line ")?;
    let digits: String = message
        .get(at + 5..)?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// `trustsim.PolicyError` for a policy or request error (the class is in `trustsim._errors`).
fn policy_error(py: Python<'_>, e: &PolicyError, what: &str, path: Option<&Path>) -> PyErr {
    let made = (|| -> PyResult<PyErr> {
        let class = py.import("trustsim._errors")?.getattr("PolicyError")?;
        let place = path.map_or_else(|| what.to_owned(), |p| p.display().to_string());
        let message = format!("{place}: {}: {}", e.pointer, e.message);
        let value = class.call1((
            message,
            e.pointer.to_string(),
            path.map(Path::to_path_buf),
            line_of(&e.message),
            e.help.clone(),
        ))?;
        Ok(PyErr::from_value(value))
    })();
    made.unwrap_or_else(|err| err)
}

/// A policy given as a `dict`, JSON text or a path: the document, and the policy.
fn read_policy(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<(Document, TrustPolicy)> {
    let (doc, path) = Document::from_py(obj, "a trust policy", MAX_POLICY_FILE_BYTES)?;
    let policy = match &doc {
        Document::Text(t) => TrustPolicy::from_json(t),
        Document::Value(v) => TrustPolicy::from_value(v),
    }
    .map_err(|e| policy_error(py, &e, "policy", path.as_deref()))?;
    Ok((doc, policy))
}

fn parse_request(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Request> {
    let (doc, path) = Document::from_py(obj, "a request", MAX_REQUEST_BYTES)?;
    match doc {
        Document::Text(t) => Request::from_json(&t),
        Document::Value(v) => Request::from_value(&v),
    }
    .map_err(|e| policy_error(py, &e, "request", path.as_deref()))
}

/// Accounts given as a sequence of IDs, or as one `str` (a comma list, as the command line
/// takes them).
fn accounts_of(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Vec::new());
    };
    if obj.is_instance_of::<PyString>() {
        return Ok(obj
            .extract::<String>()?
            .split(',')
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty())
            .collect());
    }
    obj.extract::<Vec<String>>().map_err(|_| {
        PyTypeError::new_err("trusted_accounts: a list of 12-digit account IDs, or one str")
    })
}

fn to_py(py: Python<'_>, value: &Value) -> PyResult<Py<PyAny>> {
    pythonize::pythonize(py, value)
        .map(Bound::unbind)
        .map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The owner and zone of trust of an analysis, checked as the command line checks them.
fn options(
    account: Option<String>,
    trusted_accounts: Vec<String>,
    trusted_org: Option<String>,
    partition: Option<String>,
) -> PyResult<AnalysisOptions> {
    for a in account.iter().chain(&trusted_accounts) {
        if owner_from(Some(a), None).is_none() {
            return Err(PyValueError::new_err(format!(
                "`{a}` is not a 12-digit account ID"
            )));
        }
    }
    if let Some(o) = &trusted_org {
        let valid = trustsim_evaluator::analysis::is_organization_id(o);
        if !valid {
            return Err(PyValueError::new_err(format!(
                "`{o}` is not an organization ID: `o-` and 10 to 32 lower-case letters or digits (AWS Organizations API Reference, \"Organization\")"
            )));
        }
    }
    if let Some(p) = &partition {
        if !trustsim_evaluator::analysis::partition::is_known(p) {
            return Err(PyValueError::new_err(format!(
                "`{p}` is not a partition: one of {}",
                trustsim_evaluator::analysis::partition::PARTITIONS.join(", ")
            )));
        }
    }
    Ok(AnalysisOptions {
        account,
        partition,
        trusted_accounts,
        trusted_org,
    })
}

/// The analysis report of one policy, read as `trustsim analyze FILE` reads a policy file.
fn analyze_policy(py: Python<'_>, text: &str, options: &AnalysisOptions) -> PyResult<Py<PyAny>> {
    let (report, errors, _notes) = py
        .detach(|| trustsim_cli::render::analyze_json(Path::new(""), "policy.json", text, options));
    if let Some(e) = errors.first() {
        return Err(PyValueError::new_err(e.clone()));
    }
    to_py(py, &report)
}

/// Evaluates a simulated AssumeRole request against a trust policy: the JSON of `trustsim eval
/// --format json` (`decision`, `deciding_statements`, `trace`, ...) as a `dict`.
#[pyfunction]
fn evaluate(
    py: Python<'_>,
    policy: &Bound<'_, PyAny>,
    request: &Bound<'_, PyAny>,
) -> PyResult<Py<PyAny>> {
    let (_, policy) = read_policy(py, policy)?;
    let request = parse_request(py, request)?;
    let answer = py.detach(|| trustsim_evaluator::evaluate(&policy, &request).to_json(&request));
    to_py(py, &answer)
}

/// Could any caller the owner did not mean to trust assume a role with this trust policy? The
/// JSON of `trustsim analyze --format json` for the policy (`roles`, `errors`, `summary`).
#[pyfunction]
#[pyo3(
    signature = (policy, account=None, trusted_accounts=None, trusted_org=None, partition=None),
    text_signature = "(policy, account=None, trusted_accounts=(), trusted_org=None, partition=None)"
)]
fn analyze(
    py: Python<'_>,
    policy: &Bound<'_, PyAny>,
    account: Option<String>,
    trusted_accounts: Option<Bound<'_, PyAny>>,
    trusted_org: Option<String>,
    partition: Option<String>,
) -> PyResult<Py<PyAny>> {
    let (doc, _) = read_policy(py, policy)?;
    let trusted_accounts = accounts_of(trusted_accounts.as_ref())?;
    let options = options(account, trusted_accounts, trusted_org, partition)?;
    analyze_policy(py, &doc.text(), &options)
}

/// Does the change from `old` to `new` let anyone new assume the role? Each threat class
/// compared with the analysis's decision procedure, as `trustsim diff` compares a role:
/// `{"classes": [{"threat", "change", "widened", "narrowed", "exact", "why_inexact"}],
/// "widened": bool}`; `change` is `widened`, `narrowed`, `unchanged` (proved) or
/// `inconclusive`, and each witness is a request the evaluator replays.
#[pyfunction]
#[pyo3(
    signature = (old, new, account=None, trusted_accounts=None, trusted_org=None, partition=None),
    text_signature = "(old, new, account=None, trusted_accounts=(), trusted_org=None, partition=None)"
)]
fn diff(
    py: Python<'_>,
    old: &Bound<'_, PyAny>,
    new: &Bound<'_, PyAny>,
    account: Option<String>,
    trusted_accounts: Option<Bound<'_, PyAny>>,
    trusted_org: Option<String>,
    partition: Option<String>,
) -> PyResult<Py<PyAny>> {
    let (_, old) = read_policy(py, old)?;
    let (_, new) = read_policy(py, new)?;
    let trusted_accounts = accounts_of(trusted_accounts.as_ref())?;
    let options = options(account, trusted_accounts, trusted_org, partition)?;
    let d = py.detach(|| trustsim_evaluator::analysis::diff::diff(&old, &new, &options));
    let value = serde_json::json!({"classes": d.classes, "widened": d.widened()});
    to_py(py, &value)
}

/// Paths: one `str` or path, or an iterable of them; at least one, and not `-` (standard
/// input is the command line's, not a library's).
fn paths_of(obj: &Bound<'_, PyAny>) -> PyResult<Vec<PathBuf>> {
    let paths = match obj.extract::<PathBuf>() {
        Ok(one) => vec![one],
        Err(_) => {
            let mut all = Vec::new();
            for item in obj
                .try_iter()
                .map_err(|_| PyTypeError::new_err("paths: a path or a list of paths"))?
            {
                all.push(
                    item?
                        .extract::<PathBuf>()
                        .map_err(|_| PyTypeError::new_err("paths: a path or a list of paths"))?,
                );
            }
            all
        }
    };
    if paths.is_empty() {
        return Err(PyValueError::new_err("paths: give at least one path"));
    }
    if paths.iter().any(|p| p.as_os_str() == "-") {
        return Err(PyValueError::new_err(
            "paths: `-` (standard input) is not read by trustsim.scan; give the text to trustsim.analyze",
        ));
    }
    Ok(paths)
}

/// Reads every input as `trustsim analyze` reads it (policies, CloudFormation templates,
/// Terraform plans and modules, account exports, directories, glob patterns), analyses every
/// role on the Rust thread pool and returns the JSON report, plus `exit_status` (what the
/// command would exit with) and `messages` (its notes and warnings). Input errors are in the
/// report's `errors`; a bad option raises `ValueError`.
#[pyfunction]
#[pyo3(
    signature = (
        paths, *, account=None, trusted_accounts=None, trusted_org=None, partition=None,
        parameters=None, config=None, fail_on=None, input_kind=None, allow_empty=false,
        baseline=None
    ),
    text_signature = "(paths, *, account=None, trusted_accounts=(), trusted_org=None, partition=None, parameters=None, config=None, fail_on=None, input_kind=None, allow_empty=False, baseline=None)"
)]
#[allow(clippy::too_many_arguments)]
fn scan(
    py: Python<'_>,
    paths: &Bound<'_, PyAny>,
    account: Option<String>,
    trusted_accounts: Option<Bound<'_, PyAny>>,
    trusted_org: Option<String>,
    partition: Option<String>,
    parameters: Option<Bound<'_, PyDict>>,
    config: Option<PathBuf>,
    fail_on: Option<String>,
    input_kind: Option<String>,
    allow_empty: bool,
    baseline: Option<PathBuf>,
) -> PyResult<Py<PyAny>> {
    let mut argv: Vec<std::ffi::OsString> = vec!["trustsim".into(), "analyze".into()];
    argv.extend(paths_of(paths)?.into_iter().map(PathBuf::into_os_string));
    argv.extend(["--format".into(), "json".into()]);
    let mut flag = |name: &str, value: std::ffi::OsString| {
        argv.push(name.into());
        argv.push(value);
    };
    if let Some(a) = account {
        flag("--account", a.into());
    }
    for a in accounts_of(trusted_accounts.as_ref())? {
        flag("--trusted-account", a.into());
    }
    if let Some(o) = trusted_org {
        flag("--trusted-org", o.into());
    }
    if let Some(p) = partition {
        flag("--partition", p.into());
    }
    if let Some(params) = parameters {
        for (k, v) in params.iter() {
            flag(
                "--parameter",
                format!("{}={}", k.extract::<String>()?, v.extract::<String>()?).into(),
            );
        }
    }
    if let Some(f) = fail_on {
        flag("--fail-on", f.into());
    }
    if let Some(k) = input_kind {
        flag("--input-kind", k.into());
    }
    if let Some(b) = baseline {
        flag("--baseline", b.into_os_string());
    }
    match config {
        Some(c) => flag("--config", c.into_os_string()),
        None => argv.push("--no-config".into()),
    }
    if allow_empty {
        argv.push("--allow-empty".into());
    }
    let (status, out, err) = py.detach(|| {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let status = trustsim_cli::run_from(argv, &mut out, &mut err, false);
        (status, out, err)
    });
    let err = String::from_utf8_lossy(&err);
    let mut report: Value = match serde_json::from_slice(&out) {
        Ok(r) => r,
        // Nothing was analysed: a bad argument, or no input at all.
        Err(_) => {
            return Err(PyValueError::new_err(
                err.trim_end()
                    .lines()
                    .map(|l| {
                        l.strip_prefix("trustsim: error: ")
                            .or_else(|| l.strip_prefix("error: "))
                            .unwrap_or(l)
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            ))
        }
    };
    if let Some(obj) = report.as_object_mut() {
        obj.insert("exit_status".to_owned(), Value::from(status.code()));
        let messages: Vec<Value> = err
            .lines()
            .filter_map(|l| l.strip_prefix("trustsim: "))
            .filter(|l| l.starts_with("note: ") || l.starts_with("warning: "))
            .map(Value::from)
            .collect();
        obj.insert("messages".to_owned(), Value::Array(messages));
    }
    to_py(py, &report)
}

/// A trust policy read once, for many requests: `evaluate` and `decide` parse only the request.
#[pyclass(frozen, module = "trustsim._native")]
struct Policy {
    policy: TrustPolicy,
    text: String,
}

#[pymethods]
impl Policy {
    /// Reads and validates a trust policy (`dict` or JSON `str`); raises `PolicyError`.
    #[new]
    fn new(py: Python<'_>, policy: &Bound<'_, PyAny>) -> PyResult<Self> {
        let (doc, parsed) = read_policy(py, policy)?;
        Ok(Self {
            policy: parsed,
            text: doc.text(),
        })
    }

    /// The answer to this request: an `Evaluation`, a read-only mapping equal to the dict
    /// `trustsim.evaluate` gives (the JSON of `trustsim eval --format json`), built when first
    /// read; its `decision` and `deciding` are read without building it.
    fn evaluate(&self, py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<Evaluation> {
        let request = parse_request(py, request)?;
        let evaluation = py.detach(|| trustsim_evaluator::evaluate(&self.policy, &request));
        Ok(Evaluation {
            evaluation,
            request,
            answer: PyOnceLock::new(),
        })
    }

    /// The decision alone: `"Allow"`, `"ExplicitDeny"` or `"ImplicitDeny"`.
    fn decide(&self, py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<&'static str> {
        let request = parse_request(py, request)?;
        Ok(trustsim_evaluator::decide(&self.policy, &request).as_str())
    }

    /// The analysis report of this policy, as `trustsim.analyze` gives it.
    #[pyo3(
        signature = (account=None, trusted_accounts=None, trusted_org=None, partition=None),
        text_signature = "($self, account=None, trusted_accounts=(), trusted_org=None, partition=None)"
    )]
    fn analyze(
        &self,
        py: Python<'_>,
        account: Option<String>,
        trusted_accounts: Option<Bound<'_, PyAny>>,
        trusted_org: Option<String>,
        partition: Option<String>,
    ) -> PyResult<Py<PyAny>> {
        let trusted_accounts = accounts_of(trusted_accounts.as_ref())?;
        let options = options(account, trusted_accounts, trusted_org, partition)?;
        analyze_policy(py, &self.text, &options)
    }

    /// What AWS accepts but probably does not do what was meant: `(pointer, message)` pairs.
    #[getter]
    fn warnings(&self) -> Vec<(String, String)> {
        self.policy
            .warnings
            .iter()
            .map(|w| (w.pointer.to_string(), w.message.clone()))
            .collect()
    }

    /// The number of statements.
    fn __len__(&self) -> usize {
        self.policy.statements.len()
    }

    fn __repr__(&self) -> String {
        format!("trustsim.Policy({})", self.text)
    }
}

/// The answer of `Policy.evaluate`: the decision and the trace, as a read-only mapping with the
/// keys of `trustsim eval --format json` (`decision`, `statements`, `context`, `actions`,
/// `notes`). The mapping is built on first use, so a caller that reads `decision` alone pays
/// for the evaluation only.
#[pyclass(frozen, module = "trustsim._native")]
struct Evaluation {
    evaluation: trustsim_evaluator::Evaluation,
    request: Request,
    answer: PyOnceLock<Py<PyDict>>,
}

impl Evaluation {
    fn answer<'py>(&self, py: Python<'py>) -> PyResult<&Bound<'py, PyDict>> {
        self.answer
            .get_or_try_init(py, || -> PyResult<Py<PyDict>> {
                let value = self.evaluation.to_json(&self.request);
                let dict = pythonize::pythonize(py, &value)
                    .map_err(|e| PyValueError::new_err(e.to_string()))?
                    .cast_into::<PyDict>()
                    .map_err(|e| PyValueError::new_err(e.to_string()))?;
                Ok(dict.unbind())
            })
            .map(|d| d.bind(py))
    }
}

#[pymethods]
impl Evaluation {
    /// `"Allow"`, `"ExplicitDeny"` or `"ImplicitDeny"`.
    #[getter]
    fn decision(&self) -> &'static str {
        self.evaluation.decision.as_str()
    }

    /// The indexes of the statements that decided (the Deny statements behind an explicit
    /// deny, the Allow statements behind an allow; none for an implicit deny).
    #[getter]
    fn deciding(&self) -> Vec<usize> {
        self.evaluation.deciding()
    }

    /// The answer as a new `dict` of its own (built again: changing it changes nothing else).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let value = self.evaluation.to_json(&self.request);
        pythonize::pythonize(py, &value)
            .map_err(|e| PyValueError::new_err(e.to_string()))?
            .cast_into::<PyDict>()
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.answer(py)?
            .get_item(key)?
            .ok_or_else(|| PyKeyError::new_err(key.clone().unbind()))
    }

    #[pyo3(signature = (key, default=None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        Ok(self.answer(py)?.get_item(key)?.or(default))
    }

    fn __contains__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        self.answer(py)?.contains(key)
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(self.answer(py)?.len())
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.answer(py)?.as_any().try_iter()?.into_any())
    }

    fn keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.answer(py)?.as_any().call_method0("keys")
    }

    fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.answer(py)?.as_any().call_method0("values")
    }

    fn items<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.answer(py)?.as_any().call_method0("items")
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let mine = self.answer(py)?;
        match other.cast::<Evaluation>() {
            Ok(theirs) => mine.eq(theirs.get().answer(py)?),
            Err(_) => mine.eq(other),
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("trustsim.Evaluation({})", self.answer(py)?.repr()?))
    }
}

/// The Rust half of `trustsim`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(analyze, m)?)?;
    m.add_function(wrap_pyfunction!(scan, m)?)?;
    m.add_function(wrap_pyfunction!(diff, m)?)?;
    m.add_class::<Policy>()?;
    m.add_class::<Evaluation>()?;
    Ok(())
}
