//! The scorecard: each rule of the index's `scorecard:` judged against the artifacts'
//! findings, the index and the facts, with what it found and what would make it pass. A
//! failing rule is one handoff-level finding, `scorecard-unmet`, carried beside the
//! per-artifact findings (`Report::handoff_findings`).

use super::Finding;
use crate::core::model::{
    Artifact, Facts, FindingCode, GovernsCondition, INDEX_FILE, Index, RuleCheck, ScorecardRule,
    Severity, Status, Target,
};

/// Whether a rule holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleState {
    Pass,
    Fail,
    /// The facts it needs have not been read yet.
    Pending,
}

impl RuleState {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleState::Pass => "pass",
            RuleState::Fail => "fail",
            RuleState::Pending => "pending",
        }
    }
}

/// One rule judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleResult {
    pub name: String,
    pub description: Option<String>,
    /// The rule type, as `rule:` spells it.
    pub rule_type: &'static str,
    pub severity: Severity,
    pub state: RuleState,
    /// What was found, in one sentence.
    pub summary: String,
    /// The facts or findings behind it, one per line.
    pub evidence: Vec<String>,
    /// What would make it pass (`None` when it passes).
    pub fix: Option<String>,
    /// Where the rule is written in `handoff.yaml`.
    pub pos: crate::core::model::Pos,
}

/// Every rule of the scorecard judged, in the order written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scorecard {
    pub results: Vec<RuleResult>,
}

impl Scorecard {
    /// How many rules pass.
    pub fn passed(&self) -> usize {
        self.count(RuleState::Pass)
    }

    pub fn count(&self, state: RuleState) -> usize {
        self.results.iter().filter(|r| r.state == state).count()
    }

    /// "7/10": rules passing of rules declared.
    pub fn score(&self) -> String {
        format!("{}/{}", self.passed(), self.results.len())
    }

    /// One `scorecard-unmet` finding per failing rule.
    pub fn unmet(&self) -> Vec<Finding> {
        self.results
            .iter()
            .filter(|r| r.state == RuleState::Fail)
            .map(|r| Finding {
                code: FindingCode::ScorecardUnmet,
                severity: r.severity,
                artifact: String::new(),
                rule: Some(r.name.clone()),
                role: None,
                roles: Vec::new(),
                related: None,
                message: format!("scorecard rule `{}` is not met: {}", r.name, r.summary),
                fix: r.fix.clone().unwrap_or_default(),
                action: None,
                since: None,
                file: INDEX_FILE.to_string(),
                pos: r.pos,
            })
            .collect()
    }
}

/// Judges every rule of the index's scorecard; `findings` are the artifacts' findings.
pub fn evaluate(index: &Index, facts: &Facts, findings: &[Finding]) -> Scorecard {
    Scorecard {
        results: index
            .scorecard
            .iter()
            .map(|rule| judge(index, facts, findings, rule))
            .collect(),
    }
}

/// What one rule found: its state, summary, evidence and fix.
struct Verdict {
    state: RuleState,
    summary: String,
    evidence: Vec<String>,
    fix: Option<String>,
}

impl Verdict {
    fn of(pass: bool, summary: String, evidence: Vec<String>, fix: impl Into<String>) -> Verdict {
        Verdict {
            state: if pass {
                RuleState::Pass
            } else {
                RuleState::Fail
            },
            summary,
            evidence,
            fix: (!pass).then(|| fix.into()),
        }
    }
}

fn judge(index: &Index, facts: &Facts, findings: &[Finding], rule: &ScorecardRule) -> RuleResult {
    let verdict = match &rule.check {
        RuleCheck::OwnedAndAccepted => owned_and_accepted(index, findings),
        RuleCheck::AtLeast {
            count,
            kind,
            governs,
            depends_on,
        } => at_least(index, *count, kind, governs.as_ref(), depends_on.as_deref()),
        RuleCheck::SectionsPresent { kind } => sections_present(index, findings, kind),
        RuleCheck::RoleStaffed { role, minimum } => role_staffed(index, role, minimum.as_ref()),
        RuleCheck::InCi { path } => in_ci(facts, path),
    };
    RuleResult {
        name: rule.name.clone(),
        description: rule.description.clone(),
        rule_type: rule.check.type_name(),
        severity: rule.severity,
        state: verdict.state,
        summary: verdict.summary,
        evidence: verdict.evidence,
        fix: verdict.fix,
        pos: rule.pos,
    }
}

/// The findings of these codes, as evidence lines "`id`: code: message".
fn evidence_of(
    findings: &[Finding],
    codes: &[FindingCode],
    of: impl Fn(&str) -> bool,
) -> Vec<String> {
    findings
        .iter()
        .filter(|f| codes.contains(&f.code) && of(&f.artifact))
        .map(|f| format!("{}: {}: {}", f.artifact, f.code, f.message))
        .collect()
}

fn owned_and_accepted(index: &Index, findings: &[Finding]) -> Verdict {
    use FindingCode as C;
    let evidence = evidence_of(
        findings,
        &[C::NoOwner, C::OwnerUnstaffed, C::OwnerNotAccepted],
        |_| true,
    );
    let mut short: Vec<&str> = findings
        .iter()
        .filter(|f| matches!(f.code, C::NoOwner | C::OwnerUnstaffed | C::OwnerNotAccepted))
        .map(|f| f.artifact.as_str())
        .collect();
    short.dedup();
    let total = index.artifacts.len();
    Verdict::of(
        short.is_empty(),
        format!(
            "{} of {total} artifacts owned and accepted",
            total - short.len()
        ),
        evidence,
        format!(
            "give {} an owner role with people in it, and have a member accept: `handoff sign ID --action accept --role ROLE`",
            short.join(", ")
        ),
    )
}

fn at_least(
    index: &Index,
    count: u32,
    kind: &str,
    governs: Option<&GovernsCondition>,
    depends_on: Option<&str>,
) -> Verdict {
    let of_kind: Vec<&Artifact> = index
        .artifacts
        .iter()
        .filter(|a| a.kind.as_deref() == Some(kind) && a.status != Status::Superseded)
        .collect();
    // Who governs the path is decided once per rule, not once per artifact.
    let governing: Vec<&str> = match governs {
        Some(GovernsCondition::Path(path)) => index
            .governing(path)
            .iter()
            .map(|g| g.id.as_str())
            .collect(),
        _ => Vec::new(),
    };
    let mut evidence = Vec::new();
    let mut counted = 0u32;
    for a in &of_kind {
        let mut lacks = Vec::new();
        match governs {
            Some(GovernsCondition::Anything) if index.governs_of(a).is_empty() => {
                lacks.push("governs nothing".to_string())
            }
            Some(GovernsCondition::Path(path)) if !governing.contains(&a.id.as_str()) => {
                lacks.push(format!("does not govern {path}"))
            }
            _ => {}
        }
        if let Some(upstream) = depends_on {
            let depends = a
                .depends_on
                .iter()
                .filter_map(|d| index.artifact(d))
                .any(|d| d.kind.as_deref() == Some(upstream));
            if !depends {
                lacks.push(format!("depends on no `{upstream}`"));
            }
        }
        if lacks.is_empty() {
            counted += 1;
            evidence.push(format!("{}: counts", a.id));
        } else {
            evidence.push(format!("{}: {}", a.id, lacks.join(", ")));
        }
    }
    let mut what = format!("artifacts of kind `{kind}`");
    match governs {
        Some(GovernsCondition::Anything) => what.push_str(" that govern something"),
        Some(GovernsCondition::Path(p)) => what.push_str(&format!(" that govern {p}")),
        None => {}
    }
    if let Some(upstream) = depends_on {
        what.push_str(&format!(" depending on a `{upstream}`"));
    }
    Verdict::of(
        counted >= count,
        format!("{what}: {counted} found, at least {count} required"),
        evidence,
        format!(
            "add {} more to handoff.yaml ({what}), or complete those listed",
            count - counted.min(count)
        ),
    )
}

fn sections_present(index: &Index, findings: &[Finding], kind: &str) -> Verdict {
    let of_kind: Vec<&Artifact> = index
        .artifacts
        .iter()
        .filter(|a| {
            a.kind.as_deref() == Some(kind)
                && a.status != Status::Superseded
                && !matches!(a.target, Target::Url(_))
        })
        .collect();
    let evidence = evidence_of(
        findings,
        &[FindingCode::MissingSections, FindingCode::Missing],
        |id| of_kind.iter().any(|a| a.id == id),
    );
    let mut short: Vec<&str> = findings
        .iter()
        .filter(|f| {
            matches!(f.code, FindingCode::MissingSections | FindingCode::Missing)
                && of_kind.iter().any(|a| a.id == f.artifact)
        })
        .map(|f| f.artifact.as_str())
        .collect();
    short.dedup();
    let total = of_kind.len();
    let summary = if total == 0 {
        format!("no artifact of kind `{kind}` to check")
    } else {
        format!(
            "{} of {total} artifacts of kind `{kind}` have every required section",
            total - short.len()
        )
    };
    Verdict::of(
        short.is_empty(),
        summary,
        evidence,
        format!("write the missing headings in {}", short.join(", ")),
    )
}

fn role_staffed(
    index: &Index,
    role: &str,
    minimum: Option<&crate::core::model::Allocation>,
) -> Verdict {
    let Some(r) = index.role(role) else {
        // The loader refuses an unknown role; an edit may remove it since.
        return Verdict::of(
            false,
            format!("role `{role}` is not defined"),
            Vec::new(),
            format!("define role `{role}` under `roles:`"),
        );
    };
    let mut evidence = Vec::new();
    let mut fixes = Vec::new();
    if r.people.is_empty() {
        evidence.push(format!("{role}: nobody in the role"));
        fixes.push(format!("add people to role `{role}`"));
    } else {
        evidence.push(format!("{role}: {}", r.people.join(", ")));
    }
    match (&r.allocation, minimum) {
        (None, _) => {
            evidence.push(format!("{role}: no allocation stated"));
            fixes.push(format!(
                "state its time, as in `allocation: {}`",
                minimum.map_or("2h/week", |m| m.text.as_str())
            ));
        }
        (Some(a), Some(m)) if a.minutes_per_week < m.minutes_per_week => {
            evidence.push(format!("{role}: allocation {a}, less than {m}"));
            fixes.push(format!("raise its allocation to at least {m}"));
        }
        (Some(a), _) => evidence.push(format!("{role}: allocation {a}")),
    }
    let pass = fixes.is_empty();
    let summary = if pass {
        format!("role `{role}` is staffed and has an allocation")
    } else if r.people.is_empty() {
        format!("role `{role}` has nobody in it")
    } else {
        format!("role `{role}` lacks an allocation")
    };
    Verdict::of(pass, summary, evidence, fixes.join("; "))
}

fn in_ci(facts: &Facts, path: &str) -> Verdict {
    let Some(found) = &facts.scorecard else {
        return Verdict {
            state: RuleState::Pending,
            summary: "the CI configuration has not been read yet".to_string(),
            evidence: Vec::new(),
            fix: None,
        };
    };
    let exists = found.paths.get(path).copied().unwrap_or(false);
    let from_root = format!("{}{path}", found.prefix);
    let naming: Vec<&str> = found
        .ci_files
        .iter()
        .filter(|f| {
            f.text
                .as_deref()
                .is_some_and(|t| t.contains(from_root.as_str()) || t.contains(path))
        })
        .map(|f| f.path.as_str())
        .collect();
    let mut evidence = vec![if exists {
        format!("{path}: exists")
    } else {
        format!("{path}: does not exist")
    }];
    if found.ci_files.is_empty() {
        evidence
            .push("no CI configuration (.github/workflows/*.yml, .gitlab-ci.yml, .ci/*)".into());
    } else if naming.is_empty() {
        let read: Vec<&str> = found.ci_files.iter().map(|f| f.path.as_str()).collect();
        evidence.push(format!("named by none of: {}", read.join(", ")));
    } else {
        evidence.push(format!("named by {}", naming.join(", ")));
    }
    let summary = match (exists, naming.is_empty()) {
        (true, false) => format!("{path} exists and CI runs it"),
        (true, true) => format!("{path} exists but no CI configuration names it"),
        (false, _) => format!("{path} does not exist"),
    };
    let fix = if exists {
        format!("run {from_root} in a CI job (.github/workflows/*.yml, .gitlab-ci.yml or .ci/*)")
    } else {
        format!("create {path} and run it in a CI job")
    };
    Verdict::of(exists && !naming.is_empty(), summary, evidence, fix)
}
