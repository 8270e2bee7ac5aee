//! The line of each resource of a CloudFormation template, computed once per file: the line of
//! its logical ID as a key of `Resources` (a YAML block mapping, or a JSON object), never the
//! first line that merely mentions the name (a `Description: "Deploys R:"`).

use std::collections::BTreeMap;

/// Each logical ID of `Resources` and its line (1-based).
pub(super) fn resource_lines(text: &str) -> BTreeMap<String, usize> {
    if text.trim_start().starts_with('{') {
        json_keys(text)
    } else {
        yaml_keys(text)
    }
}

/// The keys of the top-level `Resources` mapping of a YAML text (block style).
fn yaml_keys(text: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    let mut inside = false;
    let mut indent: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let col = line.len() - trimmed.len();
        if col == 0 {
            inside = trimmed.starts_with("Resources:") || trimmed.starts_with("\"Resources\":");
            indent = None;
            continue;
        }
        if !inside {
            continue;
        }
        let level = *indent.get_or_insert(col);
        if col != level {
            continue;
        }
        let key = match trimmed.chars().next() {
            Some(q @ ('"' | '\'')) => trimmed
                .get(1..)
                .and_then(|r| r.split_once(q))
                .map(|(k, _)| k),
            _ => trimmed.split_once(':').map(|(k, _)| k.trim_end()),
        };
        if let Some(k) = key {
            out.entry(k.to_owned()).or_insert(i + 1);
        }
    }
    out
}

/// The keys of the top-level `"Resources"` object of a JSON text.
fn json_keys(text: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    let mut depth = 0usize;
    let mut line = 1usize;
    let mut chars = text.chars().peekable();
    // The last string read, its line, and whether a `:` followed (a key).
    let mut last: Option<(String, usize)> = None;
    let mut in_resources_at: Option<usize> = None;
    let mut pending_resources = false;
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '"' => {
                let start = line;
                let mut s = String::new();
                while let Some(x) = chars.next() {
                    match x {
                        '\\' => {
                            if let Some(y) = chars.next() {
                                s.push(y);
                            }
                        }
                        '"' => break,
                        '\n' => {
                            line += 1;
                            s.push(x);
                        }
                        _ => s.push(x),
                    }
                }
                last = Some((s, start));
            }
            ':' => {
                if let Some((key, at)) = last.take() {
                    if depth == 1 && key == "Resources" {
                        pending_resources = true;
                    } else if in_resources_at == Some(depth) {
                        out.entry(key).or_insert(at);
                    }
                }
            }
            '{' | '[' => {
                depth += 1;
                if pending_resources && c == '{' {
                    in_resources_at = Some(depth);
                }
                pending_resources = false;
                last = None;
            }
            '}' | ']' => {
                if in_resources_at == Some(depth) {
                    in_resources_at = None;
                }
                depth = depth.saturating_sub(1);
                last = None;
            }
            ',' => last = None,
            _ => {}
        }
    }
    out
}

/// For a JSON text, the first line of each `"field": "value"` (Terraform plans' `"address"`,
/// account exports' `"RoleName"`), computed once per file.
pub(super) fn field_lines(text: &str, field: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    let needle = format!("\"{field}\"");
    for (i, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find(&needle) {
            let after = rest.get(at + needle.len()..).unwrap_or("").trim_start();
            rest = rest.get(at + needle.len()..).unwrap_or("");
            let Some(value) = after.strip_prefix(':').map(str::trim_start) else {
                continue;
            };
            let Some(body) = value.strip_prefix('"') else {
                continue;
            };
            let mut v = String::new();
            let mut chars = body.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            v.push(n);
                        }
                    }
                    '"' => break,
                    _ => v.push(c),
                }
            }
            out.entry(v).or_insert(i + 1);
        }
    }
    out
}

/// For the text of a bare trust policy, the line (1-based) where each statement of its
/// top-level `Statement` starts: each element of the list, or the one object. JSON is scanned
/// once (strings and escapes skipped); YAML by the items under a top-level `Statement:` key.
pub(super) fn statement_lines(text: &str) -> Vec<usize> {
    if text.trim_start().starts_with('{') {
        json_statement_lines(text)
    } else {
        yaml_statement_lines(text)
    }
}

fn json_statement_lines(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let (mut depth, mut line) = (0usize, 1usize);
    let (mut in_str, mut esc) = (false, false);
    let mut start = 0usize;
    let mut last_key = "";
    let mut pending = false;
    let mut in_list = false;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            line += 1;
        }
        if in_str {
            if esc {
                esc = false;
            } else if b == b'\\' {
                esc = true;
            } else if b == b'"' {
                in_str = false;
                if depth == 1 {
                    last_key = text.get(start..i).unwrap_or("");
                }
            }
            continue;
        }
        match b {
            b'"' => {
                in_str = true;
                start = i + 1;
            }
            b':' if depth == 1 => pending = last_key == "Statement",
            b',' if depth == 1 => pending = false,
            b'{' | b'[' => {
                if depth == 1 && pending {
                    if b == b'[' {
                        in_list = true;
                    } else {
                        out.push(line);
                    }
                    pending = false;
                } else if depth == 2 && in_list && b == b'{' {
                    out.push(line);
                }
                depth += 1;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 1 {
                    in_list = false;
                }
            }
            _ => {}
        }
    }
    out
}

fn yaml_statement_lines(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut inside = false;
    let mut item_indent: Option<usize> = None;
    for (i, l) in text.lines().enumerate() {
        let t = l.trim_start();
        let indent = l.len() - t.len();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let item = t == "-" || t.starts_with("- ");
        if indent == 0 && !(inside && item) {
            inside = t.starts_with("Statement:");
            item_indent = None;
            continue;
        }
        if inside && item && item_indent.is_none_or(|n| n == indent) {
            item_indent = Some(indent);
            out.push(i + 1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_resources_are_found_at_their_key() {
        let t = "Description: \"Deploys R: a role\"\nResources:\n  # a comment\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      R: nested\n  'Other':\n    Type: x\nOutputs:\n  R:\n    Value: 1\n";
        let l = resource_lines(t);
        assert_eq!(l.get("R"), Some(&4));
        assert_eq!(l.get("Other"), Some(&8));
        assert_eq!(l.len(), 2);
    }

    #[test]
    fn json_resources_are_found_at_their_key() {
        let t = "{\n  \"Description\": \"Deploys R:\",\n  \"Resources\": {\n    \"R\": {\"Type\": \"AWS::IAM::Role\",\n      \"Properties\": {\"R\": 1}},\n    \"S\": {}\n  },\n  \"Outputs\": {\"R\": {}}\n}";
        let l = resource_lines(t);
        assert_eq!(l.get("R"), Some(&4));
        assert_eq!(l.get("S"), Some(&6));
        assert_eq!(l.len(), 2);
    }

    #[test]
    fn statement_lines_of_json_and_yaml_policies() {
        let json = "{\n  \"Statement\": [\n    {\"Sid\": \"a\\\"[{\"},\n\n    {\n      \"Effect\": \"Allow\"\n    }\n  ],\n  \"Other\": [{}]\n}";
        assert_eq!(super::statement_lines(json), [3, 5]);
        assert_eq!(
            super::statement_lines("{\"Statement\":\n {\"Effect\": \"Allow\"}}"),
            [2]
        );
        let yaml = "Version: 2012-10-17\nStatement:\n  - Effect: Allow\n    Action:\n      - sts:AssumeRole\n  - Effect: Deny\nOther:\n  - x\n";
        assert_eq!(super::statement_lines(yaml), [3, 6]);
        assert_eq!(super::statement_lines("Statement:\n- Effect: Allow\n"), [2]);
    }
}
