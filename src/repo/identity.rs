//! Who is acting, resolved the way git resolves an author or a committer, so a sign-off is
//! recorded as the person git would record: `GIT_AUTHOR_*` / `GIT_COMMITTER_*` first, then
//! the `-c` settings git hands to the programs it runs (`git -c user.email=… handoff …` when
//! handoff is installed as `git-handoff`, or `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/
//! `GIT_CONFIG_VALUE_n`), then `author.*`/`committer.*` and `user.*` from the configuration
//! files, then `EMAIL`.

use git2::{Config, ConfigLevel};

/// A value and where it came from, as people name it ("GIT_AUTHOR_EMAIL", "global config").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigValue {
    pub value: String,
    pub from: &'static str,
}

/// A name and an e-mail address, each as git resolves it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub name: Option<ConfigValue>,
    pub email: Option<ConfigValue>,
}

/// Which of a commit's two people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Author,
    Committer,
}

impl Part {
    fn section(self) -> &'static str {
        match self {
            Part::Author => "author",
            Part::Committer => "committer",
        }
    }
}

/// The identity git would use for `part`, from this process's environment.
pub fn resolve(config: Option<&Config>, part: Part) -> Identity {
    resolve_with(config, part, &|key| std::env::var(key).ok())
}

/// [`resolve`] with the environment given, for tests.
pub(crate) fn resolve_with(
    config: Option<&Config>,
    part: Part,
    env: &dyn Fn(&str) -> Option<String>,
) -> Identity {
    let overrides = command_line_config(env);
    let pick = |field: &str| -> Option<ConfigValue> {
        let from_env = match (part, field) {
            (Part::Author, "name") => "GIT_AUTHOR_NAME",
            (Part::Author, _) => "GIT_AUTHOR_EMAIL",
            (Part::Committer, "name") => "GIT_COMMITTER_NAME",
            (Part::Committer, _) => "GIT_COMMITTER_EMAIL",
        };
        if let Some(value) = env(from_env).filter(|v| !v.trim().is_empty()) {
            return Some(ConfigValue {
                value: value.trim().to_string(),
                from: from_env,
            });
        }
        // git: a part's own key (author.email) wins over user.email, at any level.
        for key in [
            format!("{}.{field}", part.section()),
            format!("user.{field}"),
        ] {
            if let Some(value) = overrides.iter().rev().find_map(|(k, v)| {
                (k.eq_ignore_ascii_case(&key) && !v.trim().is_empty()).then(|| v.trim())
            }) {
                return Some(ConfigValue {
                    value: value.to_string(),
                    from: "git -c",
                });
            }
            if let Some(found) = config.and_then(|c| config_value(c, &key)) {
                return Some(found);
            }
        }
        (field == "email")
            .then(|| env("EMAIL"))
            .flatten()
            .filter(|v| !v.trim().is_empty())
            .map(|value| ConfigValue {
                value: value.trim().to_string(),
                from: "EMAIL",
            })
    };
    Identity {
        name: pick("name"),
        email: pick("email"),
    }
}

fn config_value(config: &Config, key: &str) -> Option<ConfigValue> {
    let entry = config.get_entry(key).ok()?;
    let value = entry.value().ok()?.trim().to_string();
    (!value.is_empty()).then(|| ConfigValue {
        value,
        from: level_name(entry.level()),
    })
}

fn level_name(level: ConfigLevel) -> &'static str {
    match level {
        ConfigLevel::ProgramData | ConfigLevel::System => "system config",
        ConfigLevel::XDG | ConfigLevel::Global => "global config",
        ConfigLevel::Local => "repository config",
        ConfigLevel::Worktree => "worktree config",
        ConfigLevel::App | ConfigLevel::Highest => "config",
    }
}

/// The `-c key=value` settings git passes to the programs it runs, in order (a later one
/// wins): `GIT_CONFIG_PARAMETERS` (what `git -c` exports), then `GIT_CONFIG_COUNT` pairs.
fn command_line_config(env: &dyn Fn(&str) -> Option<String>) -> Vec<(String, String)> {
    let mut out = env("GIT_CONFIG_PARAMETERS")
        .map(|p| parse_config_parameters(&p))
        .unwrap_or_default();
    let count = env("GIT_CONFIG_COUNT")
        .and_then(|c| c.trim().parse::<usize>().ok())
        .unwrap_or(0);
    for i in 0..count.min(1024) {
        if let (Some(k), Some(v)) = (
            env(&format!("GIT_CONFIG_KEY_{i}")),
            env(&format!("GIT_CONFIG_VALUE_{i}")),
        ) {
            out.push((k, v));
        }
    }
    out
}

/// `GIT_CONFIG_PARAMETERS` holds shell single-quoted words, each either `'key=value'` (older
/// git) or `'key'='value'` (git 2.31 and later).
fn parse_config_parameters(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(first) = single_quoted(&mut chars) else {
            break;
        };
        if chars.peek() == Some(&'=') {
            chars.next();
            let value = single_quoted(&mut chars).unwrap_or_default();
            out.push((first, value));
        } else if let Some((k, v)) = first.split_once('=') {
            out.push((k.to_string(), v.to_string()));
        }
    }
    out
}

/// One `'…'` word where `'\''` stands for a quote; `None` at the end or on malformed text.
fn single_quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
    if chars.next()? != '\'' {
        return None;
    }
    let mut word = String::new();
    loop {
        match chars.next()? {
            '\'' => {
                // `'\''`: close, escaped quote, reopen.
                if chars.peek() == Some(&'\\') {
                    chars.next();
                    chars.next()?;
                    chars.next()?;
                    word.push('\'');
                } else {
                    return Some(word);
                }
            }
            c => word.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(vars: &[(&str, &str)], part: Part) -> Identity {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        resolve_with(None, part, &|k| map.get(k).cloned())
    }

    fn email(id: &Identity) -> Option<(&str, &str)> {
        id.email.as_ref().map(|v| (v.value.as_str(), v.from))
    }

    #[test]
    fn the_environment_wins_as_in_git() {
        let vars = [
            ("GIT_AUTHOR_EMAIL", "ann@acme.example"),
            ("GIT_COMMITTER_EMAIL", "bot@acme.example"),
            ("GIT_CONFIG_PARAMETERS", "'user.email'='cli@acme.example'"),
            ("EMAIL", "fallback@acme.example"),
        ];
        assert_eq!(
            email(&with(&vars, Part::Author)),
            Some(("ann@acme.example", "GIT_AUTHOR_EMAIL"))
        );
        assert_eq!(
            email(&with(&vars, Part::Committer)),
            Some(("bot@acme.example", "GIT_COMMITTER_EMAIL"))
        );
    }

    #[test]
    fn git_dash_c_in_both_formats_and_the_count_form() {
        for params in [
            "'user.email'='new@acme.example'",
            "'user.email=new@acme.example'",
            "'core.editor'='vi' 'user.email'='old@acme.example' 'user.email'='new@acme.example'",
        ] {
            let id = with(&[("GIT_CONFIG_PARAMETERS", params)], Part::Author);
            assert_eq!(email(&id), Some(("new@acme.example", "git -c")), "{params}");
        }
        let id = with(
            &[
                ("GIT_CONFIG_COUNT", "1"),
                ("GIT_CONFIG_KEY_0", "user.email"),
                ("GIT_CONFIG_VALUE_0", "count@acme.example"),
            ],
            Part::Author,
        );
        assert_eq!(email(&id), Some(("count@acme.example", "git -c")));
        let id = with(
            &[("GIT_CONFIG_PARAMETERS", "'user.name'='O'\\''Brien'")],
            Part::Author,
        );
        assert_eq!(id.name.map(|n| n.value), Some("O'Brien".to_string()));
    }

    #[test]
    fn a_parts_own_key_beats_user_and_email_is_the_last_resort() {
        let id = with(
            &[(
                "GIT_CONFIG_PARAMETERS",
                "'user.email'='user@acme.example' 'author.email'='author@acme.example'",
            )],
            Part::Author,
        );
        assert_eq!(email(&id), Some(("author@acme.example", "git -c")));
        let id = with(&[("EMAIL", "env@acme.example")], Part::Committer);
        assert_eq!(email(&id), Some(("env@acme.example", "EMAIL")));
        assert_eq!(with(&[], Part::Author), Identity::default());
    }
}
