//! The keymap table: which key does what in which context. Dispatch, the footer hints and
//! the help screen all read this one table.
//!
//! An embedded preset (`assets/keymaps/<name>.yaml`) is the base; a user file
//! (`$XDG_CONFIG_HOME/handoff/keymap.yaml`) may pick another preset and replace the keys of any
//! action in any context. Problems — unknown contexts, actions or keys, and keys bound twice —
//! are reported with file, line and column, and never stop the workbench.

use std::fmt;
use std::path::Path;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, Context};
use crate::core::model::Pos;
use crate::core::model::load::suggest;
use crate::yaml;

pub(crate) const PRESETS: Presets = &[
    ("default", include_str!("../../assets/keymaps/default.yaml")),
    ("vim", include_str!("../../assets/keymaps/vim.yaml")),
];

/// One key with its modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyChord {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

/// A key in a keymap file that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadKey {
    #[error("`{0}` is a control character: write it as Ctrl-<key>")]
    Control(String),
    #[error(
        "`{0}` is not a key: use a character, a name (Up, Enter, Esc, Tab, PageDown, F1...) or Ctrl-/Alt- before one"
    )]
    Unknown(String),
}

impl KeyChord {
    /// The chord a key event stands for. Shift is part of a character already (`N`), so it
    /// is dropped there, as it is from BackTab.
    pub(crate) fn from_event(e: &KeyEvent) -> KeyChord {
        let mut mods =
            e.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        if matches!(e.code, KeyCode::Char(_) | KeyCode::BackTab) {
            mods.remove(KeyModifiers::SHIFT);
        }
        KeyChord { code: e.code, mods }
    }

    pub fn parse(text: &str) -> Result<KeyChord, BadKey> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            if let Some(r) = rest
                .strip_prefix("Ctrl-")
                .or_else(|| rest.strip_prefix("C-"))
            {
                mods |= KeyModifiers::CONTROL;
                rest = r;
            } else if let Some(r) = rest
                .strip_prefix("Alt-")
                .or_else(|| rest.strip_prefix("M-"))
            {
                mods |= KeyModifiers::ALT;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "Up" => KeyCode::Up,
            "Down" => KeyCode::Down,
            "Left" => KeyCode::Left,
            "Right" => KeyCode::Right,
            "PageUp" => KeyCode::PageUp,
            "PageDown" => KeyCode::PageDown,
            "Home" => KeyCode::Home,
            "End" => KeyCode::End,
            "Enter" => KeyCode::Enter,
            "Esc" => KeyCode::Esc,
            "Tab" => KeyCode::Tab,
            "BackTab" => KeyCode::BackTab,
            "Backspace" => KeyCode::Backspace,
            "Delete" => KeyCode::Delete,
            "Insert" => KeyCode::Insert,
            "Space" => KeyCode::Char(' '),
            f if f.len() >= 2
                && f.starts_with('F')
                && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
            {
                KeyCode::F(f[1..].parse().expect("checked above"))
            }
            s if s.chars().count() == 1 => {
                let c = s.chars().next().expect("one character");
                if c.is_control() {
                    return Err(BadKey::Control(text.to_string()));
                }
                KeyCode::Char(c)
            }
            _ => {
                return Err(BadKey::Unknown(text.to_string()));
            }
        };
        Ok(KeyChord { code, mods })
    }

    /// How the key is written for people: arrows as arrows unless `ascii`.
    pub fn label(&self, ascii: bool) -> String {
        let mut out = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            out.push_str("Ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            out.push_str("Alt-");
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            out.push_str("Shift-");
        }
        let name = match (self.code, ascii) {
            (KeyCode::Up, false) => "↑".into(),
            (KeyCode::Down, false) => "↓".into(),
            (KeyCode::Left, false) => "←".into(),
            (KeyCode::Right, false) => "→".into(),
            (KeyCode::Up, true) => "Up".into(),
            (KeyCode::Down, true) => "Down".into(),
            (KeyCode::Left, true) => "Left".into(),
            (KeyCode::Right, true) => "Right".into(),
            (KeyCode::PageUp, _) => "PgUp".into(),
            (KeyCode::PageDown, _) => "PgDn".into(),
            (KeyCode::Home, _) => "Home".into(),
            (KeyCode::End, _) => "End".into(),
            (KeyCode::Enter, _) => "Enter".into(),
            (KeyCode::Esc, _) => "Esc".into(),
            (KeyCode::Tab, _) => "Tab".into(),
            (KeyCode::BackTab, _) => "Shift-Tab".into(),
            (KeyCode::Backspace, _) => "Backspace".into(),
            (KeyCode::Delete, _) => "Delete".into(),
            (KeyCode::Insert, _) => "Insert".into(),
            (KeyCode::Char(' '), _) => "Space".into(),
            (KeyCode::Char(c), _) => c.to_string(),
            (KeyCode::F(n), _) => format!("F{n}"),
            (other, _) => format!("{other:?}"),
        };
        out.push_str(&name);
        out
    }
}

impl fmt::Display for KeyChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label(true))
    }
}

/// A problem in a keymap or theme file, located; or in a flag (`--theme`, `--keymap`) or a
/// whole file, which have no line and column (`pos: None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub file: String,
    pub pos: Option<Pos>,
    pub message: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(pos) => write!(
                f,
                "{}:{}:{}: {}",
                self.file, pos.line, pos.col, self.message
            ),
            None if self.file.starts_with("--") => f.write_str(&self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// The text of a user's configuration file, or a problem saying why it cannot be read (a
/// file that exists but is unreadable must not be ignored silently).
pub(crate) fn read_user_file(path: &Path, problems: &mut Vec<ConfigProblem>) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) => {
            problems.push(ConfigProblem {
                file: path.display().to_string(),
                pos: None,
                message: format!("cannot be read: {e}"),
            });
            None
        }
    }
}

#[derive(Debug, Clone)]
struct Binding {
    context: Context,
    action: Action,
    keys: Vec<KeyChord>,
    /// Where the keys were written, for conflict reports.
    file: String,
    pos: Pos,
}

/// The bindings of every context, in the order the keymap file lists them.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
    pub preset: String,
}

/// What one keymap file says: an optional preset, and bindings.
struct Parsed {
    preset: Option<(String, Pos)>,
    bindings: Vec<Binding>,
}

fn parse_file(file: &str, text: &str, problems: &mut Vec<ConfigProblem>) -> Parsed {
    let mut out = Parsed {
        preset: None,
        bindings: Vec::new(),
    };
    let mut problem = |pos: Pos, message: String| {
        problems.push(ConfigProblem {
            file: file.to_string(),
            pos: Some(pos),
            message,
        })
    };
    let root = match yaml::parse(text) {
        Ok(Some(root)) => root,
        Ok(None) => return out,
        Err(e) => {
            problem(e.pos, e.message);
            return out;
        }
    };
    let Some(entries) = root.as_map() else {
        problem(
            root.span.start,
            "a keymap file is a mapping of contexts".into(),
        );
        return out;
    };
    let context_names: Vec<&str> = Context::ALL.iter().map(|c| c.name()).collect();
    let action_names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
    for entry in entries {
        let key = entry.key.as_scalar().unwrap_or_default();
        if key == "preset" {
            match entry.value.as_scalar() {
                Some(p) => out.preset = Some((p.to_string(), entry.value.span.start)),
                None => problem(
                    entry.value.span.start,
                    "`preset` takes a name: default or vim".into(),
                ),
            }
            continue;
        }
        let Some(context) = Context::from_name(key) else {
            let hint = suggest(key, context_names.iter().copied())
                .map(|s| format!(", did you mean `{s}`?"))
                .unwrap_or_default();
            problem(
                entry.key.span.start,
                format!(
                    "unknown context `{key}`{hint} (contexts: {})",
                    context_names.join(", ")
                ),
            );
            continue;
        };
        let Some(actions) = entry.value.as_map() else {
            problem(
                entry.value.span.start,
                format!("`{key}` must map actions to lists of keys"),
            );
            continue;
        };
        for a in actions {
            let name = a.key.as_scalar().unwrap_or_default();
            let Some(action) = Action::from_name(name) else {
                let hint = suggest(name, action_names.iter().copied())
                    .map(|s| format!(", did you mean `{s}`?"))
                    .unwrap_or_default();
                problem(a.key.span.start, format!("unknown action `{name}`{hint}"));
                continue;
            };
            let items: Vec<&yaml::Node> = match (a.value.as_seq(), a.value.as_scalar()) {
                (Some(items), _) => items.iter().collect(),
                (None, Some(_)) => vec![&a.value],
                _ => {
                    problem(a.value.span.start, format!("`{name}` takes a list of keys"));
                    continue;
                }
            };
            let mut keys = Vec::new();
            for item in items {
                match item.as_scalar().map(KeyChord::parse) {
                    Some(Ok(k)) => keys.push(k),
                    Some(Err(e)) => problem(item.span.start, e.to_string()),
                    None => problem(item.span.start, "a key is written as text".into()),
                }
            }
            out.bindings.push(Binding {
                context,
                action,
                keys,
                file: file.to_string(),
                pos: a.key.span.start,
            });
        }
    }
    out
}

/// Embedded presets (keymaps or themes) by name, the default first.
pub(crate) type Presets = &'static [(&'static str, &'static str)];

/// The preset a user chose, by `--flag` (which wins) or by the `preset:` key of their file at
/// `user_pos`, else "default". An unknown name is a problem located where it was chosen
/// ("no {what} `x` ({plural}: …); using default") and the default is used. Returns the name
/// used and its text.
pub(crate) fn choose_preset(
    presets: Presets,
    (what, plural): (&str, &str),
    flag: (&str, Option<&str>),
    user: (&str, Option<(&str, Pos)>),
    problems: &mut Vec<ConfigProblem>,
) -> (String, &'static str) {
    let (flag_name, from_flag) = flag;
    let (user_file, from_user) = user;
    let (name, file, pos) = match (from_flag, from_user) {
        (Some(name), _) => (name, flag_name.to_string(), None),
        (None, Some((name, pos))) => (name, user_file.to_string(), Some(pos)),
        (None, None) => ("default", String::new(), None),
    };
    if let Some((name, text)) = presets.iter().find(|(n, _)| *n == name) {
        return (name.to_string(), text);
    }
    let names: Vec<&str> = presets.iter().map(|(n, _)| *n).collect();
    problems.push(ConfigProblem {
        file,
        pos,
        message: format!(
            "no {what} `{name}` ({plural}: {}); using default",
            names.join(", ")
        ),
    });
    (presets[0].0.to_string(), presets[0].1)
}

impl Keymap {
    /// The keymap: `preset` (or the user file's, or "default"), patched by the user file.
    pub fn load(preset: Option<&str>, user_file: Option<&Path>) -> (Keymap, Vec<ConfigProblem>) {
        let mut problems = Vec::new();
        let user = user_file.and_then(|path| {
            let text = read_user_file(path, &mut problems)?;
            Some(parse_file(
                &path.display().to_string(),
                &text,
                &mut problems,
            ))
        });
        let user_label = user_file
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let user_preset = user
            .as_ref()
            .and_then(|u| u.preset.as_ref())
            .map(|(name, pos)| (name.as_str(), *pos));
        let (name, base_text) = choose_preset(
            PRESETS,
            ("keymap preset", "presets"),
            ("--keymap", preset),
            (&user_label, user_preset),
            &mut problems,
        );
        let base_file = format!("assets/keymaps/{name}.yaml");
        let mut bindings = parse_file(&base_file, base_text, &mut problems).bindings;
        if let Some(user) = user {
            for b in user.bindings {
                match bindings
                    .iter_mut()
                    .find(|x| x.context == b.context && x.action == b.action)
                {
                    Some(existing) => *existing = b,
                    None => bindings.push(b),
                }
            }
        }
        let mut keymap = Keymap {
            bindings,
            preset: name,
        };
        keymap.resolve_conflicts(&mut problems);
        (keymap, problems)
    }

    /// A key bound to two actions in one context goes to the one written last (a user's
    /// override beats the preset); the other loses it, and the clash is reported.
    fn resolve_conflicts(&mut self, problems: &mut Vec<ConfigProblem>) {
        let n = self.bindings.len();
        for i in 0..n {
            for j in 0..n {
                if i == j || self.bindings[i].context != self.bindings[j].context {
                    continue;
                }
                // The user's file beats the preset; within one file, the line written last.
                let rank = |b: &Binding| (!b.file.starts_with("assets/"), b.pos);
                if rank(&self.bindings[j]) <= rank(&self.bindings[i]) {
                    continue;
                }
                let shared: Vec<KeyChord> = self.bindings[i]
                    .keys
                    .iter()
                    .filter(|k| self.bindings[j].keys.contains(k))
                    .copied()
                    .collect();
                for key in shared {
                    let (loser, winner) = (&self.bindings[i], &self.bindings[j]);
                    problems.push(ConfigProblem {
                        file: winner.file.clone(),
                        pos: Some(winner.pos),
                        message: format!(
                            "`{key}` is bound to both `{}` and `{}` in {}; `{}` keeps it",
                            loser.action,
                            winner.action,
                            winner.context.name(),
                            winner.action
                        ),
                    });
                    self.bindings[i].keys.retain(|k| *k != key);
                }
            }
        }
    }

    /// The action a key triggers in a context, falling back to the global bindings.
    pub(crate) fn action_for(&self, context: Context, key: KeyChord) -> Option<Action> {
        let find = |ctx: Context| {
            self.bindings
                .iter()
                .find(|b| b.context == ctx && b.keys.contains(&key))
                .map(|b| b.action)
        };
        find(context).or_else(|| {
            if context.inherits_global() {
                find(Context::Global)
            } else {
                None
            }
        })
    }

    /// The keys bound to an action in a context (not counting global ones).
    pub(crate) fn keys_for(&self, context: Context, action: Action) -> &[KeyChord] {
        self.bindings
            .iter()
            .find(|b| b.context == context && b.action == action)
            .map_or(&[], |b| b.keys.as_slice())
    }

    /// Footer hints for a context: (keys, hint) for actions with a hint, the context's own
    /// first, then the global ones it does not shadow. `read_only` leaves out the editing
    /// actions (present mode refuses them).
    pub(crate) fn hints(
        &self,
        context: Context,
        ascii: bool,
        read_only: bool,
    ) -> Vec<(String, &'static str)> {
        let mut out: Vec<(String, &'static str)> = Vec::new();
        let mut seen: Vec<Action> = Vec::new();
        let contexts: &[Context] = if context.inherits_global() {
            &[context, Context::Global]
        } else {
            &[context]
        };
        for &ctx in contexts {
            for b in self.bindings.iter().filter(|b| b.context == ctx) {
                let hint = b.action.hint();
                // A global key shadowed by the context does not do what the hint says.
                let usable: Vec<&KeyChord> = b
                    .keys
                    .iter()
                    .filter(|k| ctx == context || self.action_for(context, **k) == Some(b.action))
                    .collect();
                if hint.is_empty()
                    || usable.is_empty()
                    || seen.contains(&b.action)
                    || (read_only && b.action.edits())
                {
                    continue;
                }
                seen.push(b.action);
                out.push((usable[0].label(ascii), hint));
            }
        }
        // Movement is one hint rather than four.
        if matches!(
            context,
            Context::Matrix | Context::Findings | Context::Detail | Context::Help | Context::Diff
        ) {
            // The keymap's own first keys: `↑↓` by default, `j/k` in the vim preset.
            let first = |action| {
                self.keys_for(context, action)
                    .first()
                    .map(|k| (k.code, k.label(ascii)))
            };
            let arrows = match (first(Action::Down), first(Action::Up)) {
                (Some((KeyCode::Down, _)), Some((KeyCode::Up, _))) if !ascii => "↑↓".to_string(),
                (Some((_, down)), Some((_, up))) => format!("{down}/{up}"),
                _ => String::new(),
            };
            let what = if context == Context::Matrix && !ascii {
                "move ←→ role"
            } else if context == Context::Matrix {
                "move, Left/Right role"
            } else if matches!(context, Context::Detail | Context::Help | Context::Diff) {
                "scroll"
            } else {
                "move"
            };
            if !arrows.is_empty() {
                out.insert(0, (arrows, what));
            }
        }
        out
    }

    /// The help screen's content: per context, each bound action with its keys.
    pub(crate) fn help_sections(&self, ascii: bool) -> Vec<(Context, Vec<(String, &'static str)>)> {
        Context::ALL
            .iter()
            .map(|&ctx| {
                let rows = self
                    .bindings
                    .iter()
                    .filter(|b| b.context == ctx && !b.keys.is_empty())
                    .map(|b| {
                        let keys = b
                            .keys
                            .iter()
                            .map(|k| k.label(ascii))
                            .collect::<Vec<_>>()
                            .join(" ");
                        (keys, b.action.help())
                    })
                    .collect::<Vec<_>>();
                (ctx, rows)
            })
            .filter(|(_, rows)| !rows.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> KeyChord {
        KeyChord::parse(s).unwrap()
    }

    #[test]
    fn presets_load_without_problems_or_conflicts() {
        for (name, _) in PRESETS {
            let (keymap, problems) = Keymap::load(Some(name), None);
            assert!(problems.is_empty(), "{name}: {problems:?}");
            assert_eq!(
                keymap.action_for(Context::Matrix, key("q")),
                Some(Action::Quit)
            );
            assert_eq!(
                keymap.action_for(Context::Matrix, key("Down")),
                Some(Action::Down)
            );
            assert_eq!(
                keymap.action_for(Context::Help, key("?")),
                Some(Action::Close)
            );
            assert_eq!(
                keymap.action_for(Context::Filter, key("q")),
                None,
                "typing takes q"
            );
        }
        let (vim, _) = Keymap::load(Some("vim"), None);
        assert_eq!(
            vim.action_for(Context::Matrix, key("h")),
            Some(Action::Left)
        );
        assert_eq!(
            vim.action_for(Context::Matrix, key("G")),
            Some(Action::Last)
        );
    }

    #[test]
    fn every_action_is_reachable_in_the_default_keymap() {
        let (keymap, _) = Keymap::load(None, None);
        for action in Action::ALL {
            let bound = Context::ALL
                .iter()
                .any(|c| !keymap.keys_for(*c, *action).is_empty());
            assert!(bound, "`{action}` has no key");
        }
    }

    /// An unknown preset is reported where it was chosen, and the default is used; the flag
    /// wins over the file, and is reported as the flag.
    #[test]
    fn an_unknown_preset_is_located_where_it_was_chosen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keymap.yaml");
        std::fs::write(&path, "# mine\npreset: emacs\n").unwrap();
        let file = path.display().to_string();
        let (keymap, problems) = Keymap::load(None, Some(&path));
        assert_eq!(keymap.preset, "default");
        assert_eq!(
            problems.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            [format!(
                "{file}:2:9: no keymap preset `emacs` (presets: default, vim); using default"
            )]
        );
        let (keymap, problems) = Keymap::load(Some("vi"), Some(&path));
        assert_eq!(keymap.preset, "default");
        assert_eq!(
            problems.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            ["no keymap preset `vi` (presets: default, vim); using default"]
        );
        let (theme, problems) =
            crate::tui::theme::Theme::load(Some("dark"), Some(&path), false, false);
        assert_eq!(theme.name, "default");
        assert_eq!(
            problems.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            ["no theme `dark` (themes: default, light, high-contrast, mono); using default"]
        );
    }

    #[test]
    fn user_file_overrides_and_problems_are_located() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keymap.yaml");
        std::fs::write(
            &path,
            "preset: vim\nmatrix:\n  next-finding: [x]\n  first: [x]\n  nxt: [y]\nmatirx:\n  up: [k]\nglobal:\n  quit: [Ctrl-q, Hyper-q]\n",
        )
        .unwrap();
        let (keymap, problems) = Keymap::load(None, Some(&path));
        assert_eq!(keymap.preset, "vim");
        let messages: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        let file = path.display().to_string();
        assert!(
            messages.contains(&format!(
                "{file}:5:3: unknown action `nxt`, did you mean `next`?"
            )),
            "{messages:#?}"
        );
        assert!(
            messages.iter().any(|m| m.starts_with(&format!(
                "{file}:6:1: unknown context `matirx`, did you mean `matrix`?"
            ))),
            "{messages:#?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with(&format!("{file}:9:18: `Hyper-q` is not a key"))),
            "{messages:#?}"
        );
        assert!(messages.contains(&format!("{file}:4:3: `x` is bound to both `next-finding` and `first` in matrix; `first` keeps it")), "{messages:#?}");
        assert_eq!(
            keymap.action_for(Context::Matrix, key("x")),
            Some(Action::First)
        );
        assert_eq!(
            keymap.action_for(Context::Findings, key("Ctrl-q")),
            Some(Action::Quit)
        );
        assert_eq!(
            keymap.action_for(Context::Matrix, key("q")),
            None,
            "quit was rebound"
        );
    }

    #[test]
    fn hints_follow_the_table() {
        let (keymap, _) = Keymap::load(None, None);
        let hints = keymap.hints(Context::Matrix, false, false);
        assert_eq!(hints[0], ("↑↓".to_string(), "move ←→ role"));
        assert!(hints.contains(&("Enter".to_string(), "detail")));
        assert!(hints.contains(&("q".to_string(), "quit")));
        assert!(hints.contains(&("?".to_string(), "help")));
        let filter = keymap.hints(Context::Filter, false, false);
        assert_eq!(
            filter,
            vec![
                ("Enter".to_string(), "apply"),
                ("Esc".to_string(), "cancel")
            ]
        );
    }

    #[test]
    fn chords_parse_and_print() {
        assert_eq!(key("Ctrl-r").mods, KeyModifiers::CONTROL);
        assert_eq!(key("F1").code, KeyCode::F(1));
        assert_eq!(key("Space").code, KeyCode::Char(' '));
        assert_eq!(key("Ctrl-d").label(true), "Ctrl-d");
        assert!(KeyChord::parse("F13").is_err());
        let shifted = KeyEvent::new(KeyCode::Char('N'), KeyModifiers::SHIFT);
        assert_eq!(KeyChord::from_event(&shifted), key("N"));
    }
}
