//! The selected row stays readable in every theme: each state colour drawn on it keeps a
//! WCAG 2.x contrast ratio of at least 4.5:1 (AA) against the row's background.
//!
//! Named and indexed colours are resolved to xterm's default palette, and the terminal's own
//! foreground and background to the kind of terminal each preset is made for. A cell is drawn
//! as the views draw it: the row's style patched with the state's, reversed video swapping
//! the two colours, dim blending the foreground halfway into the background.

use ratatui::style::{Color, Modifier, Style};

use super::{PRESETS, Role, Theme};

type Rgb = (u8, u8, u8);

/// A terminal's default foreground and background.
#[derive(Debug, Clone, Copy)]
struct Terminal {
    name: &'static str,
    fg: Rgb,
    bg: Rgb,
}

const DARK: Terminal = Terminal {
    name: "dark",
    fg: (0xe5, 0xe5, 0xe5),
    bg: (0, 0, 0),
};
const LIGHT: Terminal = Terminal {
    name: "light",
    fg: (0, 0, 0),
    bg: (0xff, 0xff, 0xff),
};

/// The terminals each preset is made for (see the comment at the top of each file).
fn terminals_of(preset: &str) -> &'static [Terminal] {
    match preset {
        "light" => &[LIGHT],
        "mono" => &[DARK, LIGHT],
        _ => &[DARK],
    }
}

/// xterm's default colours for the sixteen named ones.
const NAMED: [Rgb; 16] = [
    (0x00, 0x00, 0x00),
    (0xcd, 0x00, 0x00),
    (0x00, 0xcd, 0x00),
    (0xcd, 0xcd, 0x00),
    (0x00, 0x00, 0xee),
    (0xcd, 0x00, 0xcd),
    (0x00, 0xcd, 0xcd),
    (0xe5, 0xe5, 0xe5),
    (0x7f, 0x7f, 0x7f),
    (0xff, 0x00, 0x00),
    (0x00, 0xff, 0x00),
    (0xff, 0xff, 0x00),
    (0x5c, 0x5c, 0xff),
    (0xff, 0x00, 0xff),
    (0x00, 0xff, 0xff),
    (0xff, 0xff, 0xff),
];

fn indexed(i: u8) -> Rgb {
    match i {
        0..=15 => NAMED[i as usize],
        16..=231 => {
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            let i = i - 16;
            (level(i / 36), level(i / 6 % 6), level(i % 6))
        }
        _ => {
            let v = 8 + (i - 232) * 10;
            (v, v, v)
        }
    }
}

/// The colour on screen, `default` where the style leaves it to the terminal.
fn rgb(color: Option<Color>, default: Rgb) -> Rgb {
    let named = |n: usize| NAMED[n];
    match color {
        None | Some(Color::Reset) => default,
        Some(Color::Rgb(r, g, b)) => (r, g, b),
        Some(Color::Indexed(i)) => indexed(i),
        Some(Color::Black) => named(0),
        Some(Color::Red) => named(1),
        Some(Color::Green) => named(2),
        Some(Color::Yellow) => named(3),
        Some(Color::Blue) => named(4),
        Some(Color::Magenta) => named(5),
        Some(Color::Cyan) => named(6),
        Some(Color::Gray) => named(7),
        Some(Color::DarkGray) => named(8),
        Some(Color::LightRed) => named(9),
        Some(Color::LightGreen) => named(10),
        Some(Color::LightYellow) => named(11),
        Some(Color::LightBlue) => named(12),
        Some(Color::LightMagenta) => named(13),
        Some(Color::LightCyan) => named(14),
        Some(Color::White) => named(15),
    }
}

/// The foreground and background a cell in `style` shows on `terminal`.
fn shown(style: Style, terminal: Terminal) -> (Rgb, Rgb) {
    let (mut fg, mut bg) = (rgb(style.fg, terminal.fg), rgb(style.bg, terminal.bg));
    if style.add_modifier.contains(Modifier::REVERSED) {
        std::mem::swap(&mut fg, &mut bg);
    }
    if style.add_modifier.contains(Modifier::DIM) {
        let mix = |f: u8, b: u8| ((f as u16 + b as u16) / 2) as u8;
        fg = (mix(fg.0, bg.0), mix(fg.1, bg.1), mix(fg.2, bg.2));
    }
    (fg, bg)
}

/// WCAG 2.x relative luminance.
fn luminance((r, g, b): Rgb) -> f64 {
    let channel = |c: u8| {
        let c = c as f64 / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Every role a view draws over the selected row (and the cursor cell on it).
const ON_SELECTED_ROW: &[Role] = &[
    Role::Text,
    Role::Title,
    Role::Muted,
    Role::Key,
    Role::Error,
    Role::Warning,
    Role::Info,
    Role::Ok,
    Role::Pending,
    Role::Current,
    Role::Changed,
    Role::Upstream,
    Role::Never,
    Role::NotRequired,
];

#[test]
fn the_reference_values_are_wcags() {
    assert!((contrast((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 1e-9);
    assert_eq!(indexed(196), (255, 0, 0));
    assert_eq!(indexed(195), (0xd7, 0xff, 0xff));
    assert_eq!(indexed(244), (0x80, 0x80, 0x80));
    // Reversed video swaps the colours; dim pulls the text towards the background.
    let reversed = Style::default()
        .fg(Color::Red)
        .add_modifier(Modifier::REVERSED);
    assert_eq!(shown(reversed, DARK), ((0, 0, 0), (0xcd, 0, 0)));
    let dim = Style::default().add_modifier(Modifier::DIM);
    assert_eq!(shown(dim, DARK).0, (0x72, 0x72, 0x72));
}

#[test]
fn every_file_in_assets_themes_is_a_preset() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/themes");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut presets: Vec<String> = PRESETS.iter().map(|(n, _)| format!("{n}.yaml")).collect();
    presets.sort();
    assert_eq!(files, presets);
}

#[test]
fn the_selected_row_keeps_aa_contrast_for_every_state_in_every_theme() {
    let mut failures = Vec::new();
    for (preset, _) in PRESETS {
        let (theme, problems) = Theme::load(Some(preset), None, false, false);
        assert!(problems.is_empty(), "{preset}: {problems:?}");
        for terminal in terminals_of(preset) {
            for row in [Role::Selection, Role::Cursor] {
                for role in ON_SELECTED_ROW {
                    let style = theme.style(row).patch(theme.style(*role));
                    let (fg, bg) = shown(style, *terminal);
                    let ratio = contrast(fg, bg);
                    if ratio < 4.5 {
                        failures.push(format!(
                            "{preset} on a {} terminal: {} on {}: {fg:?} on {bg:?} is {ratio:.2}:1",
                            terminal.name,
                            role.name(),
                            row.name()
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
