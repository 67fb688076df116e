//! `check --format github` (workflow annotations) and `--format junit` (JUnit XML).

use std::time::Duration;

use super::escape::{github_data, github_property, xml, xml_lines};
use super::{
    LOAD_ERROR_RULE, Located, counts_text, fails, load_error_text, located_findings,
    located_load_errors,
};
use crate::core::analysis::Finding;
use crate::core::model::{LoadErrors, Pos, Severity, Target};
use crate::core::text::sanitize;
use crate::engine::Snapshot;

/// GitHub Actions workflow commands, one per finding, sorted; then a summary line.
///
/// `::error file=handoff.yaml,line=14,col=5,title=changed-since-signoff::prd: … %0A→ fix`.
/// Files are relative to the repository root (`repo_prefix` is the workspace's place in it),
/// which is where GitHub looks for them.
pub(crate) fn github(s: &Snapshot, repo_prefix: &str, threshold: Severity) -> String {
    let mut out = String::new();
    for Located { finding: f, file } in located_findings(s, repo_prefix) {
        out.push_str(&finding_annotation(f, &file));
    }
    let verdict = if fails(s, threshold) { "FAIL" } else { "ok" };
    out.push_str(&format!(
        "handoff: {} · {} · {verdict} (--fail-on {threshold})\n",
        crate::core::text::count(s.index.artifacts.len(), "artifact"),
        counts_text(s)
    ));
    out
}

/// One finding as a workflow command at `file` (repository-relative), ending in a newline.
pub(crate) fn finding_annotation(f: &Finding, file: &str) -> String {
    let command = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let properties = annotation_properties(file, f.pos, f.code.as_str());
    let message = format!(
        "{}: {}\n→ {}",
        sanitize(f.subject()),
        sanitize(&f.message),
        sanitize(&f.fix)
    );
    format!("::{command} {properties}::{}\n", github_data(&message))
}

/// `file=…,line=…,col=…,title=…`: where an annotation lands (line and column only when known).
pub(crate) fn annotation_properties(file: &str, pos: Pos, title: &str) -> String {
    let mut properties = vec![format!("file={}", github_property(file))];
    if pos.line > 0 {
        properties.push(format!("line={}", pos.line));
        if pos.col > 0 {
            properties.push(format!("col={}", pos.col));
        }
    }
    properties.push(format!("title={}", github_property(title)));
    properties.join(",")
}

/// `check --format github` when the index does not load: an `::error` at each load error's
/// file, line and column, then a summary line.
pub(crate) fn github_load_errors(errors: &LoadErrors, repo_prefix: &str) -> String {
    let located = located_load_errors(errors, repo_prefix);
    let mut out = String::new();
    for (file, e) in &located {
        out.push_str(&format!(
            "::error {}::{}\n",
            annotation_properties(file, e.pos, LOAD_ERROR_RULE),
            github_data(&load_error_text(e))
        ));
    }
    let file = located.first().map_or("handoff.yaml", |(f, _)| f.as_str());
    out.push_str(&format!(
        "handoff: {} does not load · {} error{} · FAIL\n",
        sanitize(file),
        located.len(),
        if located.len() == 1 { "" } else { "s" }
    ));
    out
}

fn finding_lines(f: &Finding, repo_prefix: &str) -> Vec<String> {
    let mut head = format!(
        "{} {} at {repo_prefix}{}:{}:{}",
        f.severity, f.code, f.file, f.pos.line, f.pos.col
    );
    if let Some(role) = &f.role {
        head.push_str(&format!(" (role {role})"));
    }
    vec![
        head,
        format!("  {}", f.message),
        format!("  fix: {}", f.fix),
    ]
}

/// JUnit XML: one test suite, one test case per artifact (sorted by id), a failure for the
/// findings at or above `threshold` and the others in `system-out`. The suite's `time` is the
/// whole check's; the analysis is not timed per artifact, so each case says `0`.
/// `time="…"`: seconds, to the millisecond, as JUnit readers parse it.
fn seconds(elapsed: Duration) -> String {
    format!("{:.3}", elapsed.as_secs_f64())
}

pub(crate) fn junit(
    s: &Snapshot,
    repo_prefix: &str,
    threshold: Severity,
    elapsed: Duration,
) -> String {
    let mut artifacts: Vec<_> = s.index.artifacts.iter().collect();
    artifacts.sort_by(|a, b| a.id.cmp(&b.id));
    // One case per artifact, then one per scorecard rule (its `scorecard-unmet` finding).
    let mut cases: Vec<Case> = artifacts
        .into_iter()
        .map(|a| Case {
            classname: format!("handoff.{}", a.kind.as_deref().unwrap_or("artifact")),
            name: &a.id,
            file: match &a.target {
                Target::Url(_) => None,
                other => Some(format!("{repo_prefix}{}", other.as_str())),
            },
            findings: s.report.findings_of(&a.id).iter().collect(),
        })
        .collect();
    // The handoff's own findings that no rule names (`placeholder-description`): one case.
    let own: Vec<&Finding> = s
        .report
        .handoff_findings
        .iter()
        .filter(|f| f.rule.is_none())
        .collect();
    if !own.is_empty() {
        cases.push(Case {
            classname: "handoff.index".to_string(),
            name: "handoff",
            file: Some(format!("{repo_prefix}handoff.yaml")),
            findings: own,
        });
    }
    cases.extend(s.report.scorecard.results.iter().map(|r| {
        Case {
            classname: "handoff.scorecard".to_string(),
            name: &r.name,
            file: Some(format!("{repo_prefix}handoff.yaml")),
            findings: s
                .report
                .handoff_findings
                .iter()
                .filter(|f| f.rule.as_deref() == Some(r.name.as_str()))
                .collect(),
        }
    }));
    let failing = |c: &Case| c.findings.iter().any(|f| f.severity >= threshold);
    let failures = cases.iter().filter(|c| failing(c)).count();
    let tests = cases.len();
    let suite_name = format!(
        "handoff: {}",
        s.index.name.as_deref().unwrap_or("handoff.yaml")
    );

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let time = seconds(elapsed);
    out.push_str(&format!(
        "<testsuites name=\"handoff\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"{time}\">\n"
    ));
    out.push_str(&format!(
        "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"{time}\">\n",
        xml(&suite_name)
    ));
    out.push_str("    <properties>\n");
    let head = s.facts.head.commit.as_deref().unwrap_or("");
    let branch = s.facts.head.branch.as_deref().unwrap_or("");
    for (name, value) in [
        ("head", head),
        ("branch", branch),
        ("fail-on", threshold.as_str()),
    ] {
        out.push_str(&format!(
            "      <property name=\"{name}\" value=\"{}\"/>\n",
            xml(value)
        ));
    }
    out.push_str("    </properties>\n");
    for case in cases {
        case.write(&mut out, repo_prefix, threshold);
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// One JUnit test case: an artifact or a scorecard rule, with its findings.
struct Case<'a> {
    classname: String,
    name: &'a str,
    file: Option<String>,
    findings: Vec<&'a Finding>,
}

impl Case<'_> {
    fn write(&self, out: &mut String, repo_prefix: &str, threshold: Severity) {
        let (above, below): (Vec<&Finding>, Vec<&Finding>) =
            self.findings.iter().partition(|f| f.severity >= threshold);
        let file = match &self.file {
            None => String::new(),
            Some(file) => format!(" file=\"{}\"", xml(file)),
        };
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\"{file} time=\"0\"",
            xml(&self.classname),
            xml(self.name)
        ));
        if above.is_empty() && below.is_empty() {
            out.push_str("/>\n");
            return;
        }
        out.push_str(">\n");
        if !above.is_empty() {
            let codes: Vec<&str> = above.iter().map(|f| f.code.as_str()).collect();
            let message = format!(
                "{} finding{} at or above {threshold}: {}",
                above.len(),
                if above.len() == 1 { "" } else { "s" },
                codes.join(", ")
            );
            let lines: Vec<String> = above
                .iter()
                .flat_map(|f| finding_lines(f, repo_prefix))
                .collect();
            out.push_str(&format!(
                "      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                xml(codes[0]),
                xml(&message),
                xml_lines(lines.iter().map(String::as_str))
            ));
        }
        if !below.is_empty() {
            let lines: Vec<String> = below
                .iter()
                .flat_map(|f| finding_lines(f, repo_prefix))
                .collect();
            out.push_str(&format!(
                "      <system-out>{}</system-out>\n",
                xml_lines(lines.iter().map(String::as_str))
            ));
        }
        out.push_str("    </testcase>\n");
    }
}

/// `check --format junit` when the index does not load: one test case for the index, failed
/// with every load error.
pub(crate) fn junit_load_errors(
    errors: &LoadErrors,
    repo_prefix: &str,
    elapsed: Duration,
) -> String {
    let located = located_load_errors(errors, repo_prefix);
    let file = located
        .first()
        .map_or("handoff.yaml".to_string(), |(f, _)| f.clone());
    let lines: Vec<String> = located
        .iter()
        .flat_map(|(file, e)| {
            let head = format!("{file}:{}:{}: {}", e.pos.line, e.pos.col, e.message);
            std::iter::once(head).chain(e.help.as_ref().map(|h| format!("  help: {h}")))
        })
        .collect();
    let message = format!(
        "{file} does not load: {} error{}",
        located.len(),
        if located.len() == 1 { "" } else { "s" }
    );
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let time = seconds(elapsed);
    out.push_str(&format!(
        "<testsuites name=\"handoff\" tests=\"1\" failures=\"1\" errors=\"0\" time=\"{time}\">\n"
    ));
    out.push_str(&format!(
        "  <testsuite name=\"handoff: {}\" tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\" time=\"{time}\">\n",
        xml(&file)
    ));
    out.push_str(&format!(
        "    <testcase classname=\"handoff.index\" name=\"{}\" file=\"{}\" time=\"{time}\">\n",
        xml(&file),
        xml(&file)
    ));
    out.push_str(&format!(
        "      <failure type=\"{LOAD_ERROR_RULE}\" message=\"{}\">{}</failure>\n",
        xml(&message),
        xml_lines(lines.iter().map(String::as_str))
    ));
    out.push_str("    </testcase>\n  </testsuite>\n</testsuites>\n");
    out
}
