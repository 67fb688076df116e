//! A unified diff of two texts, line by line: how `handoff import` shows what it would write
//! to `handoff.yaml` before it writes it.

/// Lines of context kept around each change.
const CONTEXT: usize = 2;

/// `--- old` / `+++ new` headers, then hunks of `-`, `+` and ` ` lines. Empty when the texts
/// are equal.
pub fn unified_diff(old_name: &str, new_name: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let ops = line_ops(&a, &b);
    if ops.iter().all(|op| matches!(op, Op::Same(..))) {
        return String::new();
    }
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, op)| !matches!(op, Op::Same(..)))
        .map(|(i, _)| i)
        .collect();
    // Group changes whose context overlaps into hunks.
    let mut hunks: Vec<(usize, usize)> = Vec::new();
    for &i in &changed {
        let start = i.saturating_sub(CONTEXT);
        let end = (i + CONTEXT + 1).min(ops.len());
        match hunks.last_mut() {
            Some(last) if start <= last.1 => last.1 = end,
            _ => hunks.push((start, end)),
        }
    }
    for (start, end) in hunks {
        let (mut old_line, mut new_line) = (1, 1);
        for op in &ops[..start] {
            match op {
                Op::Same(..) => {
                    old_line += 1;
                    new_line += 1;
                }
                Op::Removed(_) => old_line += 1,
                Op::Added(_) => new_line += 1,
            }
        }
        let slice = &ops[start..end];
        let old_count = slice.iter().filter(|o| !matches!(o, Op::Added(_))).count();
        let new_count = slice
            .iter()
            .filter(|o| !matches!(o, Op::Removed(_)))
            .count();
        out.push_str(&format!(
            "@@ -{},{old_count} +{},{new_count} @@\n",
            if old_count == 0 {
                old_line - 1
            } else {
                old_line
            },
            if new_count == 0 {
                new_line - 1
            } else {
                new_line
            },
        ));
        for op in slice {
            let (mark, line) = match op {
                Op::Same(line) => (' ', line),
                Op::Removed(line) => ('-', line),
                Op::Added(line) => ('+', line),
            };
            out.push(mark);
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

enum Op<'t> {
    Same(&'t str),
    Removed(&'t str),
    Added(&'t str),
}

/// The shortest edit script by longest common subsequence, after trimming the common
/// head and tail (an index edit is a splice, so what is left is small).
fn line_ops<'t>(a: &[&'t str], b: &[&'t str]) -> Vec<Op<'t>> {
    let head = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let mut ops: Vec<Op> = a[..head].iter().map(|l| Op::Same(l)).collect();
    // lcs[i][j]: the common subsequence length of ma[i..] and mb[j..].
    let mut lcs = vec![vec![0u32; mb.len() + 1]; ma.len() + 1];
    for i in (0..ma.len()).rev() {
        for j in (0..mb.len()).rev() {
            lcs[i][j] = if ma[i] == mb[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < ma.len() || j < mb.len() {
        if i < ma.len() && j < mb.len() && ma[i] == mb[j] {
            ops.push(Op::Same(ma[i]));
            i += 1;
            j += 1;
        } else if j < mb.len() && (i == ma.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            ops.push(Op::Added(mb[j]));
            j += 1;
        } else {
            ops.push(Op::Removed(ma[i]));
            i += 1;
        }
    }
    ops.extend(a[a.len() - tail..].iter().map(|l| Op::Same(l)));
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_splice_shows_as_one_hunk_with_context() {
        let old = "a\nb\nc\nd\ne\nf\n";
        let new = "a\nb\nc\nX\nd\ne\nf\n";
        assert_eq!(
            unified_diff("o", "n", old, new),
            "--- o\n+++ n\n@@ -2,4 +2,5 @@\n b\n c\n+X\n d\n e\n"
        );
        assert_eq!(unified_diff("o", "n", old, old), "");
        assert_eq!(
            unified_diff("o", "n", "", "x\n"),
            "--- o\n+++ n\n@@ -0,0 +1,1 @@\n+x\n"
        );
    }
}
