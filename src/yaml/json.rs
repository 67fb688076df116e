//! YAML trees as JSON values, and back from a JSON pointer to the node it names: a JSON Schema
//! judges the value, the node says where the failing part is written.

use serde_json::{Map, Number, Value as Json};

use super::{Node, Style, Value};

/// The JSON value of a tree. Plain scalars are typed as YAML 1.2's core schema types them
/// (`3` is a number, `true` a boolean, `~` null); quoted and block scalars are strings.
pub fn to_json(node: &Node) -> Json {
    match &node.value {
        Value::Scalar { text, style } => match style {
            Style::Plain => plain_scalar(text),
            _ => Json::String(text.clone()),
        },
        Value::Seq { items, .. } => Json::Array(items.iter().map(to_json).collect()),
        Value::Map { entries, .. } => {
            let mut map = Map::new();
            for entry in entries {
                let key = match entry.key.as_scalar() {
                    Some(text) => text.to_string(),
                    None => to_json(&entry.key).to_string(),
                };
                map.insert(key, to_json(&entry.value));
            }
            Json::Object(map)
        }
    }
}

/// The node a JSON pointer (`/changelog/0/version`) names, or the deepest node on its way
/// that exists (a pointer into a missing member names its parent).
pub fn at_pointer<'a>(root: &'a Node, pointer: &str) -> &'a Node {
    let mut node = root;
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        let next = match &node.value {
            Value::Map { entries, .. } => entries
                .iter()
                .find(|e| e.key.as_scalar() == Some(token.as_str()))
                .map(|e| &e.value),
            Value::Seq { items, .. } => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            Value::Scalar { .. } => None,
        };
        match next {
            Some(next) => node = next,
            None => break,
        }
    }
    node
}

fn plain_scalar(text: &str) -> Json {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Json::Null,
        "true" | "True" | "TRUE" => return Json::Bool(true),
        "false" | "False" | "FALSE" => return Json::Bool(false),
        _ => {}
    }
    if let Some(number) = integer(text) {
        return Json::Number(number);
    }
    if is_float(text)
        && let Some(number) = text.parse::<f64>().ok().and_then(Number::from_f64)
    {
        return Json::Number(number);
    }
    Json::String(text.to_string())
}

fn integer(text: &str) -> Option<Number> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(hex) = digits.strip_prefix("0x").filter(|_| text == digits) {
        (16, hex)
    } else if let Some(octal) = digits.strip_prefix("0o").filter(|_| text == digits) {
        (8, octal)
    } else {
        (10, digits)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(digits, radix).ok()?;
    let value = if negative { -magnitude } else { magnitude };
    if let Ok(small) = i64::try_from(value) {
        Some(small.into())
    } else {
        u64::try_from(value).ok().map(Into::into)
    }
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` (infinities and NaN have no JSON form).
fn is_float(text: &str) -> bool {
    let body = text.trim_start_matches(['-', '+']);
    if body.len() + 1 < text.len() {
        return false;
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match fraction {
        Some(fraction) => {
            digits(whole) && digits(fraction) && !(whole.is_empty() && fraction.is_empty())
        }
        None => !whole.is_empty() && digits(whole),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn json_of(text: &str) -> Json {
        to_json(&crate::yaml::parse(text).unwrap().unwrap())
    }

    #[test]
    fn plain_scalars_take_core_schema_types() {
        assert_eq!(
            json_of("a: 3\nb: '3'\nc: 0.5\nd: true\ne: ~\nf: 1e3\ng: 0x1F\nh: v4\ni: -2\nj: .5"),
            json!({"a": 3, "b": "3", "c": 0.5, "d": true, "e": null, "f": 1000.0, "g": 31,
                   "h": "v4", "i": -2, "j": 0.5})
        );
    }

    #[test]
    fn json_text_reads_as_the_same_value() {
        let text = r#"{"id": "ev-1", "tags": ["a", "b"], "score": 0.5, "ok": false, "n": null}"#;
        assert_eq!(json_of(text), serde_json::from_str::<Json>(text).unwrap());
    }

    #[test]
    fn pointers_lead_to_the_node_or_its_nearest_parent() {
        let root = crate::yaml::parse("id: x\nchangelog:\n  - version: 2\n    by: a/b\n")
            .unwrap()
            .unwrap();
        assert_eq!(at_pointer(&root, "/changelog/0/version").span.start.line, 3);
        assert_eq!(at_pointer(&root, "/changelog/0/missing").span.start.line, 3);
        assert_eq!(at_pointer(&root, "").span.start.line, 1);
    }
}
