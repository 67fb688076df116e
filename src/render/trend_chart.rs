//! The trend of open findings as a small inline SVG chart for the HTML pages: no script, no
//! font or image fetched, and readable printed in black and white: each severity has its own
//! line style (solid, dashed, dotted) and marker (square, triangle, circle) and is named at
//! the end of its line and in the legend, so colour only repeats what shape already says.

use crate::core::analysis::date;
use crate::core::model::Severity;
use crate::engine::trend::WeekCount;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 250.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 112.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 62.0;

/// How one severity is drawn.
struct Series {
    severity: Severity,
    label: &'static str,
    colour: &'static str,
    dash: &'static str,
    width: f64,
}

const SERIES: [Series; 3] = [
    Series {
        severity: Severity::Error,
        label: "errors",
        colour: "#a8200d",
        dash: "",
        width: 2.5,
    },
    Series {
        severity: Severity::Warning,
        label: "warnings",
        colour: "#8a4b06",
        dash: "7 4",
        width: 2.0,
    },
    Series {
        severity: Severity::Info,
        label: "info",
        colour: "#1849a9",
        dash: "2 3",
        width: 2.0,
    },
];

fn count(w: &WeekCount, severity: Severity) -> usize {
    match severity {
        Severity::Error => w.error,
        Severity::Warning => w.warning,
        Severity::Info => w.info,
    }
}

/// The smallest "round" number (1, 2 or 5 times a power of ten, and at least 5) at or above
/// `n`, so gridlines fall on whole numbers.
fn axis_top(n: usize) -> usize {
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            let top = m * step;
            if top >= n.max(4) {
                return top;
            }
        }
        step *= 10;
    }
}

/// A marker at (x, y): a filled square for errors, an open triangle for warnings, an open
/// circle for info.
fn marker(severity: Severity, x: f64, y: f64, colour: &str) -> String {
    match severity {
        Severity::Error => format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"8\" height=\"8\" fill=\"{colour}\"/>",
            x - 4.0,
            y - 4.0
        ),
        Severity::Warning => format!(
            "<path d=\"M{:.1} {:.1} L{:.1} {:.1} L{:.1} {:.1} Z\" fill=\"#fff\" stroke=\"{colour}\" stroke-width=\"1.8\"/>",
            x,
            y - 5.5,
            x + 5.0,
            y + 4.0,
            x - 5.0,
            y + 4.0
        ),
        Severity::Info => format!(
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"#fff\" stroke=\"{colour}\" stroke-width=\"1.8\"/>"
        ),
    }
}

/// The chart of `trend` (oldest first) as an `<svg>` element; empty when there is no week.
pub(crate) fn svg(trend: &[WeekCount]) -> String {
    let (Some(first), Some(last)) = (trend.first(), trend.last()) else {
        return String::new();
    };
    let top = axis_top(
        trend
            .iter()
            .flat_map(|w| Severity::ALL.map(|s| count(w, s)))
            .max()
            .unwrap_or(0),
    );
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |i: usize| {
        if trend.len() == 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (trend.len() - 1) as f64
        }
    };
    let y = |n: usize| TOP + plot_h - plot_h * n as f64 / top as f64;
    let summary = format!(
        "Open findings at the end of each week, {} to {}: now {} errors, {} warnings, {} info",
        date(first.week_end),
        date(last.week_end),
        last.error,
        last.warning,
        last.info
    );
    let mut out = format!(
        "<svg class=\"trend\" role=\"img\" aria-labelledby=\"trend-title\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"system-ui, sans-serif\" font-size=\"12\">\n<title id=\"trend-title\">{summary}</title>\n"
    );
    // Gridlines and the y axis's numbers: 0, half and the top.
    for n in [0, top / 2, top] {
        out.push_str(&format!(
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#c4cad4\" stroke-width=\"1\"/>\n<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#1d2433\">{n}</text>\n",
            LEFT + plot_w,
            y(n),
            y(n),
            LEFT - 8.0,
            y(n) + 4.0
        ));
    }
    out.push_str(&format!(
        "<line x1=\"{LEFT}\" x2=\"{LEFT}\" y1=\"{TOP}\" y2=\"{:.1}\" stroke=\"#1d2433\" stroke-width=\"1.2\"/>\n<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#1d2433\" stroke-width=\"1.2\"/>\n",
        TOP + plot_h,
        LEFT + plot_w,
        TOP + plot_h,
        TOP + plot_h
    ));
    out.push_str(&format!(
        "<text transform=\"translate(14 {:.1}) rotate(-90)\" text-anchor=\"middle\" fill=\"#1d2433\">open findings</text>\n",
        TOP + plot_h / 2.0
    ));
    // The x axis: the first and last week's end always, the ones between as room allows.
    let every = trend.len().div_ceil(6).max(1);
    for (i, w) in trend.iter().enumerate() {
        if i % every != 0 && i + 1 != trend.len() {
            continue;
        }
        let day = date(w.week_end);
        out.push_str(&format!(
            "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#1d2433\"/>\n<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#1d2433\">{}</text>\n",
            x(i),
            x(i),
            TOP + plot_h,
            TOP + plot_h + 4.0,
            x(i),
            TOP + plot_h + 18.0,
            day.get(5..).unwrap_or(&day)
        ));
    }
    out.push_str(&format!(
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#1d2433\">week ending (month-day)</text>\n",
        LEFT + plot_w / 2.0,
        TOP + plot_h + 36.0
    ));
    // The lines, their markers, and each named at its end (nudged apart where they meet).
    let mut ends: Vec<(f64, String, &str)> = Vec::new();
    for s in &SERIES {
        let points: Vec<String> = trend
            .iter()
            .enumerate()
            .map(|(i, w)| format!("{:.1},{:.1}", x(i), y(count(w, s.severity))))
            .collect();
        let dash = if s.dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{}\"", s.dash)
        };
        out.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{dash} points=\"{}\"/>\n",
            s.colour,
            s.width,
            points.join(" ")
        ));
        for (i, w) in trend.iter().enumerate() {
            out.push_str(&marker(s.severity, x(i), y(count(w, s.severity)), s.colour));
        }
        out.push('\n');
        let n = count(last, s.severity);
        ends.push((y(n), format!("{} {n}", s.label), s.colour));
    }
    ends.sort_by(|a, b| a.0.total_cmp(&b.0));
    for k in 1..ends.len() {
        ends[k].0 = ends[k].0.max(ends[k - 1].0 + 14.0);
    }
    for (end_y, label, colour) in &ends {
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{colour}\" font-weight=\"600\">{label}</text>\n",
            LEFT + plot_w + 10.0,
            end_y + 4.0
        ));
    }
    // The legend: each line style and marker with its name.
    let legend_y = HEIGHT - 8.0;
    for (k, s) in SERIES.iter().enumerate() {
        let lx = LEFT + 150.0 * k as f64;
        let dash = if s.dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{}\"", s.dash)
        };
        out.push_str(&format!(
            "<line x1=\"{lx:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"{}\"{dash}/>{}<text x=\"{:.1}\" y=\"{legend_y:.1}\" fill=\"#1d2433\">{}</text>\n",
            lx + 32.0,
            legend_y - 4.0,
            legend_y - 4.0,
            s.colour,
            s.width,
            marker(s.severity, lx + 16.0, legend_y - 4.0, s.colour),
            lx + 40.0,
            s.label
        ));
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(day: &str, error: usize, warning: usize, info: usize) -> WeekCount {
        WeekCount {
            week_end: format!("{day}T12:00:00Z").parse().unwrap(),
            error,
            warning,
            info,
        }
    }

    #[test]
    fn axis_tops_are_round_numbers_at_or_above_the_largest_count() {
        assert_eq!(axis_top(0), 5);
        assert_eq!(axis_top(4), 5);
        assert_eq!(axis_top(13), 20);
        assert_eq!(axis_top(20), 20);
        assert_eq!(axis_top(21), 50);
        assert_eq!(axis_top(120), 200);
    }

    #[test]
    fn each_severity_has_its_own_line_style_marker_and_label() {
        let chart = svg(&[week("2026-11-15", 3, 5, 1), week("2026-11-22", 2, 6, 1)]);
        assert!(chart.starts_with("<svg"));
        assert!(!chart.contains("<script"));
        assert!(chart.contains("stroke-dasharray=\"7 4\""));
        assert!(chart.contains("stroke-dasharray=\"2 3\""));
        assert!(chart.contains("<rect"));
        assert!(chart.contains("<circle"));
        for label in [
            "errors 2",
            "warnings 6",
            "info 1",
            "open findings",
            "11-15",
            "11-22",
        ] {
            assert!(chart.contains(label), "{label} in {chart}");
        }
    }

    #[test]
    fn no_week_no_chart() {
        assert_eq!(svg(&[]), "");
    }
}
