//! The user's configuration: the keymap and the theme, from presets patched by the files in
//! the configuration directory.

use std::path::PathBuf;

use super::TuiOptions;
use super::keymap::{ConfigProblem, Keymap};
use super::theme::Theme;

/// The user's configuration directory: `$XDG_CONFIG_HOME/handoff`, else `~/.config/handoff`
/// (on every Unix, macOS included).
pub fn config_dir() -> Option<PathBuf> {
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .ok()
        .map(|s| s.config_dir().join("handoff"))
}

/// Keymap and theme from presets and the user's files.
pub(crate) fn load_config(options: &TuiOptions) -> (Keymap, Theme, Vec<ConfigProblem>) {
    let dir = options.config_dir.clone().or_else(config_dir);
    let file = |name: &str| dir.as_ref().map(|d| d.join(name)).filter(|p| p.exists());
    let (keymap, mut problems) =
        Keymap::load(options.keymap.as_deref(), file("keymap.yaml").as_deref());
    let preset = if options.present && options.theme.is_none() {
        Some("high-contrast")
    } else {
        options.theme.as_deref()
    };
    let (theme, theme_problems) = Theme::load(
        preset,
        file("theme.yaml").as_deref(),
        options.no_color,
        options.ascii,
    );
    problems.extend(theme_problems);
    (keymap, theme, problems)
}

/// What is wrong with the user's `keymap.yaml` and `theme.yaml` in `dir`, as the workbench
/// would report it on starting (for `handoff doctor`).
pub(crate) fn problems_in(dir: &std::path::Path) -> Vec<ConfigProblem> {
    let options = TuiOptions {
        config_dir: Some(dir.to_path_buf()),
        ..TuiOptions::default()
    };
    load_config(&options).2
}
