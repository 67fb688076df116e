//! `handoff scorecard`: each rule of the index's scorecard, pass or fail, with the facts or
//! findings behind it and what would make it pass (text, JSON, Markdown). The report's
//! scorecard section is the Markdown table.

use serde::Serialize;

use super::escape::{md, md_code, md_message};
use super::style::Paint;
use crate::core::analysis::{RuleResult, RuleState, Scorecard};
use crate::core::model::Severity;
use crate::core::text::sanitize;
use crate::engine::Snapshot;

/// The version of the scorecard's JSON document.
const JSON_VERSION: u32 = 1;

/// Whether a failing rule reaches `threshold` (the exit status of `handoff scorecard`).
pub(crate) fn fails(card: &Scorecard, threshold: Severity) -> bool {
    card.results
        .iter()
        .any(|r| r.state == RuleState::Fail && r.severity >= threshold)
}

fn mark(state: RuleState) -> &'static str {
    match state {
        RuleState::Pass => "pass",
        RuleState::Fail => "FAIL",
        RuleState::Pending => "....",
    }
}

pub(crate) fn text(s: &Snapshot, threshold: Severity, paint: Paint) -> String {
    let card = &s.report.scorecard;
    let name = s.index.name.as_deref().map(sanitize);
    let mut out = format!(
        "{} · scorecard {}\n",
        paint.bold(name.as_deref().unwrap_or("handoff")),
        card.score()
    );
    if card.results.is_empty() {
        out.push_str("\nno scorecard: declare rules under `scorecard:` in handoff.yaml\n");
        return out;
    }
    for r in &card.results {
        let state = match r.state {
            RuleState::Pass => paint.good(mark(r.state)),
            RuleState::Fail => paint.severity(r.severity, mark(r.state)),
            RuleState::Pending => paint.dim(mark(r.state)),
        };
        out.push_str(&format!(
            "\n{state}  {}  {}\n",
            paint.bold(&sanitize(&r.name)),
            paint.dim(&format!("{} · {}", r.rule_type, r.severity))
        ));
        if let Some(d) = &r.description {
            out.push_str(&format!("      {}\n", paint.dim(&sanitize(d))));
        }
        out.push_str(&format!("      {}\n", sanitize(&r.summary)));
        for e in &r.evidence {
            out.push_str(&format!("        · {}\n", sanitize(e)));
        }
        if let Some(fix) = &r.fix {
            out.push_str(&format!(
                "      {}\n",
                paint.dim(&format!("→ {}", sanitize(fix)))
            ));
        }
    }
    let verdict = if fails(card, threshold) {
        paint.severity(Severity::Error, &format!("FAIL (--fail-on {threshold})"))
    } else {
        paint.good(&format!("ok (--fail-on {threshold})"))
    };
    out.push_str(&format!(
        "\n{} rules · {} pass · {} fail · {verdict}\n",
        card.results.len(),
        card.passed(),
        card.count(RuleState::Fail)
    ));
    out
}

#[derive(Serialize)]
struct JsonScorecard<'a> {
    version: u32,
    name: Option<&'a str>,
    now: String,
    /// "7/10": rules passing of rules declared.
    score: String,
    rules: Vec<JsonRule<'a>>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct JsonRule<'a> {
    name: &'a str,
    description: Option<&'a str>,
    rule: &'static str,
    severity: &'static str,
    /// "pass", "fail" or "pending" (facts not read yet).
    state: &'static str,
    summary: &'a str,
    evidence: &'a [String],
    /// What would make it pass; `null` when it passes.
    fix: Option<&'a str>,
    file: &'static str,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonSummary {
    rules: usize,
    pass: usize,
    fail: usize,
    pending: usize,
    fail_on: &'static str,
    failed: bool,
}

fn json_rule(r: &RuleResult) -> JsonRule<'_> {
    JsonRule {
        name: &r.name,
        description: r.description.as_deref(),
        rule: r.rule_type,
        severity: r.severity.as_str(),
        state: r.state.as_str(),
        summary: &r.summary,
        evidence: &r.evidence,
        fix: r.fix.as_deref(),
        file: "handoff.yaml",
        line: r.pos.line,
        column: r.pos.col,
    }
}

pub(crate) fn json(s: &Snapshot, threshold: Severity) -> String {
    let card = &s.report.scorecard;
    let doc = JsonScorecard {
        version: JSON_VERSION,
        name: s.index.name.as_deref(),
        now: s.now.to_string(),
        score: card.score(),
        rules: card.results.iter().map(json_rule).collect(),
        summary: JsonSummary {
            rules: card.results.len(),
            pass: card.passed(),
            fail: card.count(RuleState::Fail),
            pending: card.count(RuleState::Pending),
            fail_on: threshold.as_str(),
            failed: fails(card, threshold),
        },
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("the scorecard serialises");
    out.push('\n');
    out
}

/// The scorecard as a Markdown table (the body of `--format markdown` and of the report's
/// section).
pub(crate) fn table(card: &Scorecard) -> String {
    if card.results.is_empty() {
        return "No scorecard: declare rules under `scorecard:` in handoff.yaml.\n".to_string();
    }
    let mut out =
        String::from("| | Rule | Severity | What was found | To pass |\n|---|---|---|---|---|\n");
    for r in &card.results {
        let state = match r.state {
            RuleState::Pass => "✓ pass",
            RuleState::Fail => "✗ **fail**",
            RuleState::Pending => "… pending",
        };
        let mut found = md_message(&r.summary);
        for e in &r.evidence {
            found.push_str(&format!("<br>· {}", md_message(e)));
        }
        out.push_str(&format!(
            "| {state} | {} | {} | {found} | {} |\n",
            md_code(&r.name),
            r.severity,
            r.fix.as_deref().map(md_message).unwrap_or_default()
        ));
    }
    out
}

pub(crate) fn markdown(s: &Snapshot) -> String {
    let name = s.index.name.as_deref().unwrap_or("handoff");
    format!(
        "# Scorecard: {}\n\n{} rules pass.\n\n{}",
        md(name),
        s.report.scorecard.score(),
        table(&s.report.scorecard)
    )
}
