//! Reading JUnit XML as test tools really write it: a `<testsuites>` root
//! or a bare `<testsuite>`, suites nested in suites, `failure` / `error` /
//! `skipped`, Surefire's and nextest's `flakyFailure` / `rerunFailure`
//! elements, each attempt of a rerun test as its own `<testcase>`
//! (gotestsum, pytest-rerunfailures), `status="disabled"` (C++ tst),
//! `system-out` / `system-err`, `time` in seconds, and attributes that may
//! be missing. What is odd but readable (a test case without a name, a
//! suite that counts tests it does not hold) is read, with a warning.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// The final outcome of a test case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Passed (possibly after reruns).
    Pass,
    /// An assertion failed.
    Fail,
    /// The test errored (an unexpected exception, a crash).
    Error,
    /// Skipped or disabled.
    Skip,
    /// Killed for taking too long.
    Timeout,
}

impl Outcome {
    /// The word stored in `test_results.outcome`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Error => "error",
            Outcome::Skip => "skip",
            Outcome::Timeout => "timeout",
        }
    }
}

/// One test case of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The test's name, qualified by its class when the report gives one
    /// (`classname::name`).
    pub name: String,
    /// The innermost enclosing suite's name, else the class name.
    pub suite: Option<String>,
    /// What happened in the end.
    pub outcome: Outcome,
    /// Duration in milliseconds, when the report gives it.
    pub duration_ms: Option<i64>,
    /// The failure's, error's or skip's message.
    pub message: Option<String>,
    /// The failure's text (usually a stack trace).
    pub details: Option<String>,
    /// Failed attempts before the final outcome (flaky and rerun elements).
    pub retries: i64,
    /// What the test wrote to standard output and error.
    pub output: Option<String>,
}

/// A report that cannot be read, with the line where reading stopped.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct ReportError {
    /// 1-based line.
    pub line: u64,
    /// What is wrong.
    pub reason: String,
}

/// A report read: its test cases, and what was odd in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The test cases, a rerun test's attempts made one.
    pub cases: Vec<Case>,
    /// What was odd but readable, each with its line.
    pub warnings: Vec<String>,
}

#[derive(Default)]
struct Pending {
    /// The `status` attribute (`disabled` in C++ tst's reports).
    status: Option<String>,
    name: String,
    classname: String,
    time: Option<f64>,
    outcome: Option<Outcome>,
    message: Option<String>,
    details: String,
    retries: i64,
    output: String,
}

/// What the text inside the current element is for.
#[derive(Clone, Copy, PartialEq)]
enum Sink {
    None,
    Details,
    Output,
}

/// Parses one JUnit XML report into its test cases.
pub fn parse(xml: &str) -> Result<Vec<Case>, ReportError> {
    read(xml).map(|r| r.cases)
}

/// A suite being read: its name, the tests its `tests` attribute counts,
/// the test cases read in it so far, and the line it starts on.
struct OpenSuite {
    name: String,
    counted: u64,
    held: u64,
    line: u64,
}

/// The warning for a suite that counts tests but holds none.
fn empty_suite(suite: &OpenSuite) -> Option<String> {
    (suite.counted > 0 && suite.held == 0).then(|| {
        format!(
            "line {}: suite {:?} says it has {} tests but holds no <testcase>: nothing of it is stored",
            suite.line, suite.name, suite.counted
        )
    })
}

/// Parses one JUnit XML report: its test cases and warnings.
pub fn read(xml: &str) -> Result<Report, ReportError> {
    let mut reader = Reader::from_str(xml);
    let line_at = |pos: u64| {
        xml.as_bytes()[..(pos as usize).min(xml.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
            + 1
    };
    let mut suites: Vec<OpenSuite> = Vec::new();
    let mut warnings = Vec::new();
    let mut case: Option<Pending> = None;
    let mut cases = Vec::new();
    let mut sink = Sink::None;
    let mut root_seen = false;
    let mut depth = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| ReportError {
            line: line_at(reader.error_position()),
            reason: format!("malformed XML: {e}"),
        })?;
        let pos = reader.buffer_position();
        let err = |reason: String| ReportError {
            line: line_at(pos),
            reason,
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let tag = local_name(e);
                if !root_seen {
                    root_seen = true;
                    if tag != "testsuites" && tag != "testsuite" {
                        return Err(err(format!(
                            "not a JUnit report: the root element is <{tag}>, not <testsuites> or <testsuite>"
                        )));
                    }
                }
                if !empty {
                    depth += 1;
                }
                match tag.as_str() {
                    "testsuite" => {
                        let suite = OpenSuite {
                            name: attr(e, "name").unwrap_or_default(),
                            counted: attr(e, "tests")
                                .and_then(|t| t.trim().parse().ok())
                                .unwrap_or(0),
                            held: 0,
                            line: line_at(pos),
                        };
                        if empty {
                            warnings.extend(empty_suite(&suite));
                        } else {
                            suites.push(suite);
                        }
                    }
                    "testcase" => {
                        if case.is_some() {
                            return Err(err("a <testcase> inside another <testcase>".into()));
                        }
                        for suite in &mut suites {
                            suite.held += 1;
                        }
                        let classname = attr(e, "classname").unwrap_or_default();
                        let name = match attr(e, "name").filter(|n| !n.trim().is_empty()) {
                            Some(name) => name,
                            None => {
                                let name = format!("unnamed test {}", cases.len() + 1);
                                warnings.push(format!(
                                    "line {}: a <testcase> without a name{}: stored as {:?}",
                                    line_at(pos),
                                    if classname.is_empty() {
                                        String::new()
                                    } else {
                                        format!(" (class {classname})")
                                    },
                                    name
                                ));
                                name
                            }
                        };
                        let time = match attr(e, "time") {
                            None => None,
                            Some(t) => Some(parse_seconds(&t).ok_or_else(|| {
                                err(format!(
                                    "testcase {name:?}: time=\"{t}\" is not a number of seconds"
                                ))
                            })?),
                        };
                        let pending = Pending {
                            status: attr(e, "status"),
                            name,
                            classname,
                            time,
                            ..Pending::default()
                        };
                        if empty {
                            cases.push(finish(pending, &suites));
                        } else {
                            case = Some(pending);
                        }
                    }
                    "failure" | "error" | "skipped" if case.is_some() => {
                        let c = case.as_mut().unwrap();
                        let kind = attr(e, "type").unwrap_or_default();
                        let message = attr(e, "message");
                        let timeout = kind.to_ascii_lowercase().contains("timeout")
                            || message.as_deref().is_some_and(|m| {
                                let m = m.to_ascii_lowercase();
                                m.starts_with("timed out") || m.contains("test timed out")
                            });
                        let outcome = match tag.as_str() {
                            "skipped" => Outcome::Skip,
                            _ if timeout => Outcome::Timeout,
                            "failure" => Outcome::Fail,
                            _ => Outcome::Error,
                        };
                        // A failure outranks a skip in the same case.
                        if c.outcome.is_none() || c.outcome == Some(Outcome::Skip) {
                            c.outcome = Some(outcome);
                            c.message = message.or(c.message.take());
                        }
                        if !empty && outcome != Outcome::Skip {
                            sink = Sink::Details;
                        }
                    }
                    "flakyFailure" | "flakyError" | "rerunFailure" | "rerunError"
                        if case.is_some() =>
                    {
                        case.as_mut().unwrap().retries += 1;
                    }
                    "system-out" | "system-err" if case.is_some() && !empty => {
                        let out = &mut case.as_mut().unwrap().output;
                        if !out.is_empty() && !out.ends_with('\n') {
                            out.push('\n');
                        }
                        sink = Sink::Output;
                    }
                    _ => {}
                }
            }
            Event::End(ref e) => {
                depth = depth.saturating_sub(1);
                let tag = e.local_name().as_ref().to_string();
                match tag.as_str() {
                    "testsuite" => {
                        if let Some(suite) = suites.pop() {
                            warnings.extend(empty_suite(&suite));
                        }
                    }
                    "testcase" => {
                        if let Some(c) = case.take() {
                            cases.push(finish(c, &suites));
                        }
                    }
                    "failure" | "error" | "system-out" | "system-err" => sink = Sink::None,
                    _ => {}
                }
            }
            Event::Text(ref t) => push_text(&mut case, sink, &t.xml10_content()),
            Event::CData(ref t) => push_text(&mut case, sink, &t.xml10_content()),
            Event::GeneralRef(ref r) => {
                let text = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => {
                        let name = r.xml10_content();
                        resolve_predefined_entity(&name)
                            .map(str::to_string)
                            .ok_or_else(|| err(format!("unknown entity &{name};")))?
                    }
                };
                push_text(&mut case, sink, &text);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !root_seen {
        return Err(ReportError {
            line: 1,
            reason: "not a JUnit report: no XML element in it".into(),
        });
    }
    if depth > 0 || case.is_some() {
        return Err(ReportError {
            line: line_at(xml.len() as u64),
            reason: "the report ends before its elements are closed (truncated file?)".into(),
        });
    }
    Ok(Report {
        cases: merge_attempts(cases),
        warnings,
    })
}

/// Makes the attempts of a rerun test (the same name in the same suite,
/// one `<testcase>` each, as gotestsum and pytest-rerunfailures write them)
/// one case: the last attempt's outcome and message, the time of all, and
/// each attempt before it that did not pass counted as a retry. So a test
/// that failed and then passed is a pass with retries: flaky.
fn merge_attempts(cases: Vec<Case>) -> Vec<Case> {
    let mut at: std::collections::HashMap<(String, Option<String>), usize> =
        std::collections::HashMap::new();
    let mut merged: Vec<Case> = Vec::with_capacity(cases.len());
    for case in cases {
        let key = (case.name.clone(), case.suite.clone());
        match at.get(&key) {
            Some(&i) => {
                let earlier = &merged[i];
                let retries = earlier.retries
                    + i64::from(
                        earlier.outcome != Outcome::Pass && earlier.outcome != Outcome::Skip,
                    )
                    + case.retries;
                let duration_ms = match (earlier.duration_ms, case.duration_ms) {
                    (Some(a), Some(b)) => Some(a + b),
                    (a, b) => a.or(b),
                };
                merged[i] = Case {
                    retries,
                    duration_ms,
                    ..case
                };
            }
            None => {
                at.insert(key, merged.len());
                merged.push(case);
            }
        }
    }
    merged
}

fn push_text(case: &mut Option<Pending>, sink: Sink, text: &str) {
    let Some(c) = case.as_mut() else { return };
    match sink {
        Sink::Details => c.details.push_str(text),
        Sink::Output => c.output.push_str(text),
        Sink::None => {}
    }
}

fn finish(c: Pending, suites: &[OpenSuite]) -> Case {
    let qualified = if c.classname.is_empty() || c.name.starts_with(&c.classname) {
        c.name.clone()
    } else {
        format!("{}::{}", c.classname, c.name)
    };
    let suite = suites
        .iter()
        .rev()
        .map(|s| &s.name)
        .find(|s| !s.is_empty())
        .cloned()
        .or_else(|| (!c.classname.is_empty()).then(|| c.classname.clone()));
    let non_empty = |s: String| {
        let t = s.trim();
        (!t.is_empty()).then(|| t.to_string())
    };
    let details = non_empty(c.details);
    // Without a message attribute (jest-junit), the text's first line says it.
    let message = c.message.and_then(non_empty).or_else(|| {
        details
            .as_deref()
            .and_then(|d| d.lines().next())
            .map(str::to_string)
    });
    // `status="disabled"` (or skipped, not run) with nothing inside: a skip.
    let not_run = c.status.as_deref().is_some_and(|s| {
        matches!(
            s.trim().to_ascii_lowercase().as_str(),
            "disabled" | "skipped" | "skip" | "notrun" | "not run"
        )
    });
    let (outcome, message) = match c.outcome {
        Some(o) => (o, message),
        None if not_run => (
            Outcome::Skip,
            message.or_else(|| c.status.as_deref().map(|s| s.trim().to_string())),
        ),
        None => (Outcome::Pass, message),
    };
    Case {
        name: qualified,
        suite,
        outcome,
        duration_ms: c.time.map(|t| (t * 1000.0).round() as i64),
        message,
        details,
        retries: c.retries,
        output: non_empty(c.output),
    }
}

fn local_name(e: &BytesStart<'_>) -> String {
    e.local_name().as_ref().to_string()
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| {
            a.normalized_value(XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// Seconds as tools write them: `1.5`, `0`, `1,234.5` (thousands separator).
fn parse_seconds(s: &str) -> Option<f64> {
    let t: String = s.trim().chars().filter(|c| *c != ',').collect();
    t.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0)
}
