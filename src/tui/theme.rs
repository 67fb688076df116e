//! Themes as data: semantic roles (error, stale, current, selection...) mapped to styles by an
//! embedded preset, patched by a user file. Views ask for a role, never for a colour.

use std::path::Path;

use ratatui::style::{Color, Modifier, Style};

use super::keymap::{ConfigProblem, Presets, choose_preset, read_user_file};
use crate::core::analysis::CellState;
use crate::core::model::{Pos, Severity};
use crate::yaml;

pub(crate) const PRESETS: Presets = &[
    ("default", include_str!("../../assets/themes/default.yaml")),
    ("light", include_str!("../../assets/themes/light.yaml")),
    (
        "high-contrast",
        include_str!("../../assets/themes/high-contrast.yaml"),
    ),
    ("mono", include_str!("../../assets/themes/mono.yaml")),
];

macro_rules! roles {
    ($($variant:ident = $name:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Role { $($variant,)* }

        impl Role {
            pub const ALL: &'static [Role] = &[$(Role::$variant,)*];
            pub fn name(self) -> &'static str {
                match self { $(Role::$variant => $name,)* }
            }
        }
    };
}

roles! {
    Text = "text";
    Muted = "muted";
    Title = "title";
    Header = "header";
    Border = "border";
    Key = "key";
    TabActive = "tab-active";
    Tab = "tab";
    Selection = "selection";
    Cursor = "cursor";
    Error = "error";
    Warning = "warning";
    Info = "info";
    Ok = "ok";
    Current = "current";
    Changed = "changed";
    Upstream = "upstream";
    Never = "never";
    NotRequired = "not-required";
    Pending = "pending";
    Banner = "banner";
    BannerError = "banner-error";
}

#[derive(Debug, Clone)]
pub struct Theme {
    pub name: String,
    styles: Vec<Style>,
    /// ASCII glyphs instead of ✓ Δ ↑ ✗ · and box drawing.
    pub ascii: bool,
}

/// A colour in a theme file that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a colour: use a name such as red or dark-gray, 0-255, or #rrggbb")]
struct BadColor(String);

fn parse_color(text: &str) -> Result<Color, BadColor> {
    let named = match text {
        "black" => Some(Color::Black),
        "red" => Some(Color::Red),
        "green" => Some(Color::Green),
        "yellow" => Some(Color::Yellow),
        "blue" => Some(Color::Blue),
        "magenta" => Some(Color::Magenta),
        "cyan" => Some(Color::Cyan),
        "gray" => Some(Color::Gray),
        "dark-gray" => Some(Color::DarkGray),
        "light-red" => Some(Color::LightRed),
        "light-green" => Some(Color::LightGreen),
        "light-yellow" => Some(Color::LightYellow),
        "light-blue" => Some(Color::LightBlue),
        "light-magenta" => Some(Color::LightMagenta),
        "light-cyan" => Some(Color::LightCyan),
        "white" => Some(Color::White),
        "reset" => Some(Color::Reset),
        _ => None,
    };
    if let Some(c) = named {
        return Ok(c);
    }
    if let Some(hex) = text.strip_prefix('#')
        && hex.len() == 6
        && let Ok(v) = u32::from_str_radix(hex, 16)
    {
        return Ok(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
    }
    if let Ok(i) = text.parse::<u8>() {
        return Ok(Color::Indexed(i));
    }
    Err(BadColor(text.to_string()))
}

fn parse_style(node: &yaml::Node, problems: &mut Vec<(Pos, String)>) -> Style {
    let mut style = Style::default();
    let Some(entries) = node.as_map() else {
        problems.push((
            node.span.start,
            "a style is a mapping such as { fg: red, bold: true }".into(),
        ));
        return style;
    };
    for e in entries {
        let key = e.key.as_scalar().unwrap_or_default();
        let value = e.value.as_scalar().unwrap_or_default();
        let flag = |m: Modifier, problems: &mut Vec<(Pos, String)>, style: Style| match value {
            "true" => style.add_modifier(m),
            "false" => style,
            _ => {
                problems.push((e.value.span.start, format!("`{key}` is true or false")));
                style
            }
        };
        style = match key {
            "fg" | "bg" => match parse_color(value) {
                Ok(c) if key == "fg" => style.fg(c),
                Ok(c) => style.bg(c),
                Err(m) => {
                    problems.push((e.value.span.start, m.to_string()));
                    style
                }
            },
            "bold" => flag(Modifier::BOLD, problems, style),
            "dim" => flag(Modifier::DIM, problems, style),
            "italic" => flag(Modifier::ITALIC, problems, style),
            "underline" => flag(Modifier::UNDERLINED, problems, style),
            "reversed" => flag(Modifier::REVERSED, problems, style),
            other => {
                problems.push((
                    e.key.span.start,
                    format!("unknown style key `{other}` (fg, bg, bold, dim, italic, underline, reversed)"),
                ));
                style
            }
        };
    }
    style
}

/// Applies a theme file's roles onto `styles`; returns the preset it names, if any.
fn apply_file(
    file: &str,
    text: &str,
    styles: &mut [Style],
    problems: &mut Vec<ConfigProblem>,
) -> Option<(String, Pos)> {
    let mut local: Vec<(Pos, String)> = Vec::new();
    let mut preset = None;
    match yaml::parse(text) {
        Ok(Some(root)) => match root.as_map() {
            Some(entries) => {
                for e in entries {
                    let name = e.key.as_scalar().unwrap_or_default();
                    if name == "preset" {
                        preset = e
                            .value
                            .as_scalar()
                            .map(|p| (p.to_string(), e.value.span.start));
                        continue;
                    }
                    match Role::ALL.iter().position(|r| r.name() == name) {
                        Some(i) => styles[i] = parse_style(&e.value, &mut local),
                        None => {
                            let hint = crate::core::model::load::suggest(
                                name,
                                Role::ALL.iter().map(|r| r.name()),
                            )
                            .map(|s| format!(", did you mean `{s}`?"))
                            .unwrap_or_default();
                            local.push((e.key.span.start, format!("unknown role `{name}`{hint}")));
                        }
                    }
                }
            }
            None => local.push((
                root.span.start,
                "a theme file is a mapping of roles to styles".into(),
            )),
        },
        Ok(None) => {}
        Err(e) => local.push((e.pos, e.message)),
    }
    problems.extend(local.into_iter().map(|(pos, message)| ConfigProblem {
        file: file.to_string(),
        pos: Some(pos),
        message,
    }));
    preset
}

impl Theme {
    /// The theme: `preset` (or the user file's, or "default"), patched by the user file;
    /// `mono` and no colours at all when `no_color`.
    pub fn load(
        preset: Option<&str>,
        user_file: Option<&Path>,
        no_color: bool,
        ascii: bool,
    ) -> (Theme, Vec<ConfigProblem>) {
        let mut problems = Vec::new();
        let user_text = user_file.and_then(|p| read_user_file(p, &mut problems));
        let user_label = user_file
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        // Read the user's preset choice first; its roles are applied after the preset's.
        let mut scratch = vec![Style::default(); Role::ALL.len()];
        let user_preset = user_text
            .as_deref()
            .and_then(|t| apply_file(&user_label, t, &mut scratch, &mut Vec::new()));
        let (name, text) = choose_preset(
            PRESETS,
            ("theme", "themes"),
            ("--theme", if no_color { Some("mono") } else { preset }),
            (
                &user_label,
                user_preset
                    .as_ref()
                    .map(|(name, pos)| (name.as_str(), *pos)),
            ),
            &mut problems,
        );
        let mut styles = vec![Style::default(); Role::ALL.len()];
        apply_file(
            &format!("assets/themes/{name}.yaml"),
            text,
            &mut styles,
            &mut problems,
        );
        if let Some(t) = &user_text {
            apply_file(&user_label, t, &mut styles, &mut problems);
        }
        if no_color {
            for s in &mut styles {
                s.fg = None;
                s.bg = None;
            }
        }
        (
            Theme {
                name,
                styles,
                ascii,
            },
            problems,
        )
    }

    pub fn style(&self, role: Role) -> Style {
        self.styles[role as usize]
    }

    pub fn severity(&self, s: Severity) -> Style {
        self.style(match s {
            Severity::Error => Role::Error,
            Severity::Warning => Role::Warning,
            Severity::Info => Role::Info,
        })
    }

    pub fn cell(&self, state: CellState) -> Style {
        self.style(match state {
            CellState::Unrelated => Role::Text,
            CellState::Current => Role::Current,
            CellState::ChangedSinceSignoff => Role::Changed,
            CellState::UpstreamChanged => Role::Upstream,
            CellState::NeverSigned => Role::Never,
            CellState::NotRequired => Role::NotRequired,
        })
    }

    /// The glyph of a severity: ✗ ! i (ASCII: E W i).
    pub(crate) fn severity_glyph(&self, s: Severity) -> &'static str {
        match (s, self.ascii) {
            (Severity::Error, false) => "✗",
            (Severity::Warning, false) => "!",
            (Severity::Info, false) => "i",
            (Severity::Error, true) => "E",
            (Severity::Warning, true) => "W",
            (Severity::Info, true) => "i",
        }
    }

    pub(crate) fn ok_glyph(&self) -> &'static str {
        if self.ascii { "+" } else { "✓" }
    }

    pub fn separator(&self) -> &'static str {
        if self.ascii { "|" } else { "│" }
    }

    /// What ends a line cut short: `…` (ASCII: `...`).
    pub(crate) fn ellipsis(&self) -> &'static str {
        if self.ascii { "..." } else { "…" }
    }

    pub(crate) fn arrow(&self) -> &'static str {
        if self.ascii { "->" } else { "→" }
    }
}

#[cfg(test)]
#[path = "theme_contrast.rs"]
mod contrast;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_define_every_role_without_problems() {
        for (name, text) in PRESETS {
            let mut problems = Vec::new();
            let mut styles = vec![Style::default(); Role::ALL.len()];
            apply_file(name, text, &mut styles, &mut problems);
            assert!(problems.is_empty(), "{name}: {problems:?}");
            let root = yaml::parse(text).unwrap().unwrap();
            for role in Role::ALL {
                assert!(
                    root.get(role.name()).is_some(),
                    "{name} lacks `{}`",
                    role.name()
                );
            }
        }
    }

    #[test]
    fn no_color_strips_every_colour_but_keeps_emphasis() {
        let (theme, _) = Theme::load(Some("high-contrast"), None, true, false);
        assert_eq!(theme.name, "mono");
        for role in Role::ALL {
            let s = theme.style(*role);
            assert!(s.fg.is_none() && s.bg.is_none(), "{}", role.name());
        }
        assert!(
            theme
                .style(Role::Selection)
                .add_modifier
                .contains(Modifier::REVERSED)
        );
    }

    #[test]
    fn user_file_patches_roles_and_reports_problems() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("theme.yaml");
        std::fs::write(&path, "preset: light\nerror: { fg: \"#ff0000\", underline: true }\neror: {}\nok: { fg: chartreuse }\n").unwrap();
        let (theme, problems) = Theme::load(None, Some(&path), false, false);
        assert_eq!(theme.name, "light");
        assert_eq!(theme.style(Role::Error).fg, Some(Color::Rgb(255, 0, 0)));
        let messages: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        let file = path.display().to_string();
        assert!(
            messages.iter().any(|m| m.starts_with(&format!(
                "{file}:3:1: unknown role `eror`, did you mean `error`?"
            ))),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with(&format!("{file}:4:11: `chartreuse` is not a colour"))),
            "{messages:?}"
        );
    }
}
