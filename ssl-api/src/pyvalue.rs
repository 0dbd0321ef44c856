//! A small model of the Python values that `ssl` hands back (the certificate dict,
//! its tuples, strings, bytes and integers), so that records keep Python's exact
//! shape and key order and render as Python's `repr` and as JSON.

use std::fmt::Write as _;

use serde_json::Value as Json;

use crate::error::{Error, Result};

/// A Python value as `ssl` returns it inside certificate records.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PyValue {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// `int`.
    Int(i64),
    /// `str` (may contain NUL and any other code point).
    Str(String),
    /// `bytes`.
    Bytes(Vec<u8>),
    /// `tuple`.
    Tuple(Vec<PyValue>),
}

impl PyValue {
    /// Shorthand for a `str` value.
    pub fn str(s: impl Into<String>) -> Self {
        PyValue::Str(s.into())
    }

    /// A 2-tuple, the shape of every `(name, value)` pair in a certificate record.
    pub fn pair(a: impl Into<String>, b: PyValue) -> Self {
        PyValue::Tuple(vec![PyValue::Str(a.into()), b])
    }

    /// The string, when this is a `str`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            PyValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The items, when this is a `tuple`.
    pub fn as_tuple(&self) -> Option<&[PyValue]> {
        match self {
            PyValue::Tuple(t) => Some(t),
            _ => None,
        }
    }

    /// The integer, when this is an `int`.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            PyValue::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// Python's `repr()` of this value.
    pub fn repr(&self) -> String {
        let mut out = String::new();
        self.write_repr(&mut out);
        out
    }

    pub(crate) fn write_repr(&self, out: &mut String) {
        match self {
            PyValue::None => out.push_str("None"),
            PyValue::Bool(true) => out.push_str("True"),
            PyValue::Bool(false) => out.push_str("False"),
            PyValue::Int(i) => {
                let _ = write!(out, "{i}");
            }
            PyValue::Str(s) => out.push_str(&repr_str(s)),
            PyValue::Bytes(b) => out.push_str(&repr_bytes(b)),
            PyValue::Tuple(items) => {
                out.push('(');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_repr(out);
                }
                if items.len() == 1 {
                    out.push(',');
                }
                out.push(')');
            }
        }
    }

    /// JSON form: tuples as arrays, bytes as `{"$bytes": "<hex>"}`.
    pub fn to_json(&self) -> Json {
        match self {
            PyValue::None => Json::Null,
            PyValue::Bool(b) => Json::Bool(*b),
            PyValue::Int(i) => Json::from(*i),
            PyValue::Str(s) => Json::String(s.clone()),
            PyValue::Bytes(b) => {
                let mut m = serde_json::Map::new();
                m.insert("$bytes".into(), Json::String(hex_lower(b)));
                Json::Object(m)
            }
            PyValue::Tuple(items) => Json::Array(items.iter().map(PyValue::to_json).collect()),
        }
    }

    /// Reads the JSON form back (the inverse of [`PyValue::to_json`]).
    pub fn from_json(json: &Json) -> Result<Self> {
        Ok(match json {
            Json::Null => PyValue::None,
            Json::Bool(b) => PyValue::Bool(*b),
            Json::Number(n) => PyValue::Int(
                n.as_i64()
                    .ok_or_else(|| Error::value(format!("not an integer: {n}")))?,
            ),
            Json::String(s) => PyValue::Str(s.clone()),
            Json::Array(items) => PyValue::Tuple(
                items
                    .iter()
                    .map(PyValue::from_json)
                    .collect::<Result<Vec<_>>>()?,
            ),
            Json::Object(m) => match (m.len(), m.get("$bytes")) {
                (1, Some(Json::String(h))) => PyValue::Bytes(
                    parse_hex(h).ok_or_else(|| Error::value(format!("bad hex in $bytes: {h}")))?,
                ),
                _ => {
                    return Err(Error::value(
                        "a JSON object must be {\"$bytes\": \"<hex>\"}",
                    ))
                }
            },
        })
    }
}

impl From<&str> for PyValue {
    fn from(s: &str) -> Self {
        PyValue::Str(s.to_owned())
    }
}

impl From<String> for PyValue {
    fn from(s: String) -> Self {
        PyValue::Str(s)
    }
}

impl From<i64> for PyValue {
    fn from(i: i64) -> Self {
        PyValue::Int(i)
    }
}

/// Lower-case hex of `bytes`.
pub fn hex_lower(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn parse_hex(h: &str) -> Option<Vec<u8>> {
    if !h.len().is_multiple_of(2) || !h.is_ascii() {
        return None;
    }
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).ok())
        .collect()
}

/// Python's `repr()` of a `str`: single quotes unless the text holds a single quote
/// and no double quote; `\\`, `\t`, `\n`, `\r` and the quote escaped; other
/// non-printable code points as `\xNN`, `\uNNNN` or `\UNNNNNNNN`.
pub fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_py_printable(c) => out.push(c),
            c => {
                let v = c as u32;
                if v < 0x100 {
                    let _ = write!(out, "\\x{v:02x}");
                } else if v < 0x10000 {
                    let _ = write!(out, "\\u{v:04x}");
                } else {
                    let _ = write!(out, "\\U{v:08x}");
                }
            }
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable()` for one code point, approximated by the Unicode
/// classes Rust exposes: controls, separators other than the space, and
/// format / surrogate / private-use / unassigned code points are not printable.
fn is_py_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let v = c as u32;
    // Format characters (Cf) and private use (Co) that commonly appear.
    !matches!(v,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF | 0xFFFE | 0xFFFF)
}

/// Python's `repr()` of a `bytes`.
pub fn repr_bytes(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::with_capacity(b.len() + 3);
    out.push('b');
    out.push(quote as char);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            c => {
                let _ = write!(out, "\\x{c:02x}");
            }
        }
    }
    out.push(quote as char);
    out
}

/// Python's `str.isspace()` for one code point.
pub(crate) fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_matches_python_shapes() {
        let v = PyValue::Tuple(vec![PyValue::Tuple(vec![PyValue::pair(
            "commonName",
            "a'b".into(),
        )])]);
        assert_eq!(v.repr(), "((('commonName', \"a'b\"),),)");
        assert_eq!(PyValue::str("x\0y").repr(), "'x\\x00y'");
        assert_eq!(PyValue::Bytes(vec![0, b'a', 0xff]).repr(), "b'\\x00a\\xff'");
        assert_eq!(PyValue::Tuple(vec![]).repr(), "()");
        assert_eq!(PyValue::str("é\u{200b}").repr(), "'é\\u200b'");
    }

    #[test]
    fn json_round_trips() {
        let v = PyValue::Tuple(vec![
            PyValue::Int(3),
            PyValue::Bytes(vec![1, 2]),
            PyValue::str("s"),
        ]);
        let j = v.to_json();
        assert_eq!(j.to_string(), r#"[3,{"$bytes":"0102"},"s"]"#);
        assert_eq!(PyValue::from_json(&j).unwrap(), v);
        assert!(PyValue::from_json(&serde_json::json!({"x": 1})).is_err());
        assert!(PyValue::from_json(&serde_json::json!({"$bytes": "0"})).is_err());
    }
}
