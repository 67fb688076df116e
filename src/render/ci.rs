//! `check --format github` (workflow annotations) and `--format junit` (JUnit XML).

use super::escape::{github_data, github_property, xml, xml_lines};
use super::{Located, counts_text, fails, located_findings};
use crate::core::analysis::Finding;
use crate::core::model::{Severity, Target};
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
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut properties = vec![format!("file={}", github_property(&file))];
        if f.pos.line > 0 {
            properties.push(format!("line={}", f.pos.line));
            if f.pos.col > 0 {
                properties.push(format!("col={}", f.pos.col));
            }
        }
        properties.push(format!("title={}", github_property(f.code.as_str())));
        let message = format!(
            "{}: {}\n→ {}",
            sanitize(&f.artifact),
            sanitize(&f.message),
            sanitize(&f.fix)
        );
        out.push_str(&format!(
            "::{command} {}::{}\n",
            properties.join(","),
            github_data(&message)
        ));
    }
    let verdict = if fails(s, threshold) { "FAIL" } else { "ok" };
    out.push_str(&format!(
        "handoff: {} artifacts · {} · {verdict} (--fail-on {threshold})\n",
        s.index.artifacts.len(),
        counts_text(s)
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
/// findings at or above `threshold` and the others in `system-out`.
pub(crate) fn junit(s: &Snapshot, repo_prefix: &str, threshold: Severity) -> String {
    let mut artifacts: Vec<_> = s.index.artifacts.iter().collect();
    artifacts.sort_by(|a, b| a.id.cmp(&b.id));
    let failing = |id: &str| {
        s.report
            .findings_of(id)
            .iter()
            .any(|f| f.severity >= threshold)
    };
    let failures = artifacts.iter().filter(|a| failing(&a.id)).count();
    let tests = artifacts.len();
    let suite_name = format!(
        "handoff: {}",
        s.index.name.as_deref().unwrap_or("handoff.yaml")
    );

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"handoff\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n"
    ));
    out.push_str(&format!(
        "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n",
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

    for a in artifacts {
        let (above, below): (Vec<&Finding>, Vec<&Finding>) = s
            .report
            .findings_of(&a.id)
            .iter()
            .partition(|f| f.severity >= threshold);
        let classname = format!("handoff.{}", a.kind.as_deref().unwrap_or("artifact"));
        let file = match &a.target {
            Target::Url(_) => String::new(),
            other => format!(
                " file=\"{}\"",
                xml(&format!("{repo_prefix}{}", other.as_str()))
            ),
        };
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\"{file}",
            xml(&classname),
            xml(&a.id)
        ));
        if above.is_empty() && below.is_empty() {
            out.push_str("/>\n");
            continue;
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
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
