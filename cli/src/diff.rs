//! A line diff of two pretty-printed documents, for showing a fix as the change it makes.

/// Lines of `new` against `old`, each prefixed `+ ` (added), `- ` (removed) or `  ` (kept);
/// unchanged runs longer than `context` lines on each side of a change are folded to `  ...`.
pub fn lines(old: &str, new: &str, context: usize) -> Vec<String> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Longest common subsequence table (documents are small).
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            let v = if a.get(i) == b.get(j) {
                lcs.get(i + 1)
                    .and_then(|r| r.get(j + 1))
                    .copied()
                    .unwrap_or(0)
                    + 1
            } else {
                let down = lcs.get(i + 1).and_then(|r| r.get(j)).copied().unwrap_or(0);
                let right = lcs.get(i).and_then(|r| r.get(j + 1)).copied().unwrap_or(0);
                down.max(right)
            };
            if let Some(cell) = lcs.get_mut(i).and_then(|r| r.get_mut(j)) {
                *cell = v;
            }
        }
    }
    let at = |i: usize, j: usize| lcs.get(i).and_then(|r| r.get(j)).copied().unwrap_or(0);
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                ops.push((' ', x));
                i += 1;
                j += 1;
            }
            (Some(x), Some(_)) if at(i + 1, j) >= at(i, j + 1) => {
                ops.push(('-', x));
                i += 1;
            }
            (_, Some(y)) => {
                ops.push(('+', y));
                j += 1;
            }
            (Some(x), None) => {
                ops.push(('-', x));
                i += 1;
            }
            (None, None) => break,
        }
    }
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, (k, _))| *k != ' ')
        .map(|(n, _)| n)
        .collect();
    let near = |n: usize| changed.iter().any(|c| c.abs_diff(n) <= context);
    let mut out = Vec::new();
    let mut folded = false;
    for (n, (k, text)) in ops.iter().enumerate() {
        if *k == ' ' && !near(n) {
            if !folded {
                out.push("  ...".to_owned());
                folded = true;
            }
            continue;
        }
        folded = false;
        out.push(format!("{k} {text}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_added_lines_with_context() {
        let old = "a\nb\nc\nd\ne\nf";
        let new = "a\nb\nc\nX\nd\ne\nf";
        assert_eq!(
            lines(old, new, 1),
            vec!["  ...", "  c", "+ X", "  d", "  ..."]
        );
        assert_eq!(lines("a\nb", "a\nc", 0), vec!["  ...", "- b", "+ c"]);
    }
}
