//! Unsaved form contents, kept in `.git/handoff/draft.json` (never in the work tree), so an
//! edit in progress survives a crash, a kill or a closed terminal.

use std::path::Path;

use serde_json::{Value, json};

use super::forms::{Form, FormKind};
use crate::core::edit::ArtifactField;
use crate::core::model::Action;

pub(crate) struct Draft {
    pub kind: FormKind,
    pub texts: Vec<String>,
    pub focus: usize,
    pub base: String,
    pub saved: String,
}

fn kind_to_json(kind: &FormKind) -> Value {
    match kind {
        FormKind::Field { artifact, field } => {
            json!({"form": "field", "artifact": artifact, "field": field.key()})
        }
        FormKind::AddArtifact => json!({"form": "add-artifact"}),
        FormKind::Sign {
            artifact,
            action,
            role,
        } => {
            json!({"form": "sign", "artifact": artifact, "action": action.as_str(), "role": role})
        }
        FormKind::RoleTitle { role } => json!({"form": "role-title", "role": role}),
        FormKind::AddPerson { role } => json!({"form": "add-person", "role": role}),
        FormKind::AddRole => json!({"form": "add-role"}),
    }
}

fn kind_from_json(v: &Value) -> Option<FormKind> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    Some(match v.get("form")?.as_str()? {
        "field" => FormKind::Field {
            artifact: s("artifact")?,
            field: s("field")?.parse::<ArtifactField>().ok()?,
        },
        "add-artifact" => FormKind::AddArtifact,
        "sign" => FormKind::Sign {
            artifact: s("artifact")?,
            action: s("action")?.parse::<Action>().ok()?,
            role: s("role")?,
        },
        "role-title" => FormKind::RoleTitle { role: s("role")? },
        "add-person" => FormKind::AddPerson { role: s("role")? },
        "add-role" => FormKind::AddRole,
        _ => return None,
    })
}

/// Writes the form's draft: a temporary file renamed over the old draft, so a kill mid-write
/// leaves the previous draft whole.
pub fn save(path: &Path, form: &Form) -> std::io::Result<()> {
    let value = json!({
        "version": 1,
        "kind": kind_to_json(&form.kind),
        "texts": form.texts(),
        "focus": form.focus,
        "base": form.base,
        "saved": crate::engine::clock::now().map(|t| t.to_string()).unwrap_or_default(),
    });
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(".draft.json.tmp");
    std::fs::write(
        &tmp,
        serde_json::to_vec_pretty(&value).expect("drafts serialise"),
    )?;
    std::fs::rename(tmp, path)
}

pub fn remove(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The saved draft, if there is one that can be read; a damaged one is ignored.
pub fn load(path: &Path) -> Option<Draft> {
    let bytes = std::fs::read(path).ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    Some(Draft {
        kind: kind_from_json(v.get("kind")?)?,
        texts: v
            .get("texts")?
            .as_array()?
            .iter()
            .map(|t| t.as_str().unwrap_or_default().to_string())
            .collect(),
        focus: v.get("focus").and_then(Value::as_u64).unwrap_or(0) as usize,
        base: v
            .get("base")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        saved: v
            .get("saved")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::load::load_index;

    #[test]
    fn a_draft_round_trips_and_damage_is_ignored() {
        let index = load_index(
            "handoff.yaml",
            b"version: 1\nroles:\n  pm: { people: [dana@acme.example] }\nartifacts:\n  - id: prd\n    path: prd.md\n    owner: pm\n",
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("handoff/draft.json");
        let kind = FormKind::Sign {
            artifact: "prd".into(),
            action: Action::Acknowledge,
            role: "pm".into(),
        };
        let mut form = Form::new(kind.clone(), &index, "abc".into());
        form.set_texts(&["Read the change.\nNothing to do here.".to_string()]);
        save(&path, &form).unwrap();
        let draft = load(&path).unwrap();
        assert_eq!(draft.kind, kind);
        assert_eq!(draft.texts, vec!["Read the change.\nNothing to do here."]);
        assert_eq!(draft.base, "abc");
        std::fs::write(&path, b"{ not json").unwrap();
        assert!(load(&path).is_none());
        remove(&path).unwrap();
        remove(&path).unwrap();
    }
}
