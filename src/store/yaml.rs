//! YAML text to model values, with every problem located by file, line and column.
//!
//! serde_yaml reports type errors and unknown fields with a good location, but not duplicate
//! keys (it points at the enclosing mapping) nor problems that only show once several files are
//! read together. So a second, event-level pass over the text (yaml-rust2, which keeps markers)
//! finds duplicate keys and maps a YAML path such as `operative[3]` to its line and column.
//!
//! Writing goes through [`to_bytes`], which keeps the layout of the file being replaced: a
//! file saved by a Windows editor with a byte-order mark and CRLF line ends keeps both when
//! decl rewrites it ([`TextStyle`]), so a rewrite never shows every line as changed.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A problem in a file: `clauses/op-x.yaml:3:7: unknown field `txt``.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl Problem {
    pub fn at(file: &str, (line, column): (usize, usize), message: impl Into<String>) -> Self {
        Problem {
            file: file.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }
}

/// Decodes and parses one file. Returns every problem found in it on failure.
pub fn parse<T: DeserializeOwned>(file: &str, bytes: &[u8]) -> Result<T, Vec<Problem>> {
    let text = decode(file, bytes).map_err(|problem| vec![problem])?;
    if text.trim().is_empty() {
        return Err(vec![Problem::at(file, (1, 1), "the file is empty")]);
    }
    if let Some(line) = text.lines().position(|line| {
        line.starts_with("<<<<<<< ") || line == "=======" || line.starts_with(">>>>>>> ")
    }) {
        return Err(vec![Problem::at(
            file,
            (line + 1, 1),
            "the file holds unresolved merge-conflict markers: resolve the conflict first",
        )]);
    }
    // The event-level scan costs as much as the parse itself, so it runs only to explain a
    // failure: serde_yaml refuses duplicate keys too, but points at the enclosing mapping.
    let error = match serde_yaml::from_str::<T>(text) {
        Ok(value) => return Ok(value),
        Err(error) => error,
    };
    let positions = Positions::scan(text);
    let mut problems: Vec<Problem> = positions
        .duplicate_keys
        .iter()
        .map(|(key, at)| Problem::at(file, *at, format!("duplicate key `{key}`")))
        .collect();
    if let Some((at, message)) = &positions.syntax_error {
        problems.push(Problem::at(file, *at, format!("invalid YAML: {message}")));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let at = error
        .location()
        .map_or((1, 1), |location| (location.line(), location.column()));
    let message = serde_message(&error);
    let (at, message) = positions.pin_invalid_id(&message).unwrap_or((at, message));
    // serde_yaml places an error raised by a field's own check at the enclosing mapping:
    // point at the field instead.
    let at = match message.strip_prefix("the text is empty") {
        Some(_) => top_level_key(text, "text").unwrap_or(at),
        None => at,
    };
    Err(vec![Problem::at(file, at, message)])
}

/// Where the value of top-level `key` starts (line and column, 1-based), if it is there.
fn top_level_key(text: &str, key: &str) -> Option<(usize, usize)> {
    text.lines().enumerate().find_map(|(idx, line)| {
        let rest = line.strip_prefix(key)?.strip_prefix(':')?;
        let value_at = key.len() + 1 + (rest.len() - rest.trim_start().len());
        Some((idx + 1, value_at + 1))
    })
}

/// The layout of a file's text around its YAML: a leading UTF-8 byte-order mark, and CRLF or
/// LF line ends. Both are harmless and their intent is clear, so decl reads them and keeps
/// them when it rewrites the file; a new file gets the default, LF without a mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextStyle {
    pub byte_order_mark: bool,
    pub crlf: bool,
}

const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

impl TextStyle {
    /// The style of an existing file's bytes. A file with mixed line ends is taken to use the
    /// ending of its first line, which is what an editor that converted it would have written.
    pub fn of(bytes: &[u8]) -> TextStyle {
        let first_line_end = bytes.iter().position(|&b| b == b'\n');
        TextStyle {
            byte_order_mark: bytes.starts_with(BYTE_ORDER_MARK),
            crlf: first_line_end.is_some_and(|idx| idx > 0 && bytes[idx - 1] == b'\r'),
        }
    }

    /// `text` (with LF line ends, as the serialiser writes it) laid out in this style.
    ///
    /// Turning every LF into CRLF is safe for YAML: the serialiser writes a carriage return
    /// inside a value only as the escape `\r`, and a parser reads CRLF in a block scalar as
    /// a plain line break, so the values read back are the same.
    pub fn apply(self, text: &str) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(text.len() + 3 + text.len() / 16);
        if self.byte_order_mark {
            bytes.extend_from_slice(BYTE_ORDER_MARK);
        }
        if self.crlf {
            for (idx, line) in text.split('\n').enumerate() {
                if idx > 0 {
                    bytes.extend_from_slice(b"\r\n");
                }
                bytes.extend_from_slice(line.as_bytes());
            }
        } else {
            bytes.extend_from_slice(text.as_bytes());
        }
        bytes
    }
}

/// Serialises `value` as YAML in `style`: the one place decl turns a model value into a file.
pub fn to_bytes<T: Serialize>(value: &T, style: TextStyle) -> Result<Vec<u8>, serde_yaml::Error> {
    Ok(style.apply(&serde_yaml::to_string(value)?))
}

/// The file's text: UTF-8, without a leading byte-order mark.
pub fn decode<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, Problem> {
    let bytes = bytes.strip_prefix(BYTE_ORDER_MARK).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|error| {
        let valid = &bytes[..error.valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&valid[line_start..])
            .chars()
            .count()
            + 1;
        Problem::at(file, (line, column), "the file is not valid UTF-8")
    })
}

/// The line and column of the value at `path` (`delegations[2].code`), if the text has one.
pub fn locate(text: &str, path: &str) -> Option<(usize, usize)> {
    Positions::scan(text).values.get(path).copied()
}

/// serde_yaml appends " at line L column C" to its messages; the location is reported apart.
fn serde_message(error: &serde_yaml::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(idx) => message[..idx].to_owned(),
        None => message,
    }
}

/// Where each value of a document starts, and which keys are repeated.
#[derive(Default)]
struct Positions {
    values: HashMap<String, (usize, usize)>,
    /// Every scalar value with its path, to pin down an error serde_yaml only locates roughly.
    scalars: Vec<(String, String)>,
    duplicate_keys: Vec<(String, (usize, usize))>,
    syntax_error: Option<((usize, usize), String)>,
}

enum Frame {
    Mapping {
        path: String,
        key: Option<String>,
        seen: HashMap<String, ()>,
    },
    Sequence {
        path: String,
        index: usize,
    },
}

#[derive(Default)]
struct Walker {
    stack: Vec<Frame>,
    positions: Positions,
}

impl Positions {
    /// serde_yaml locates an invalid id (`clause id "../x" is not valid: ...`) at the start of
    /// the list holding it; when exactly one value in the file is that id, point at it instead.
    fn pin_invalid_id(&self, message: &str) -> Option<((usize, usize), String)> {
        let marker = " is not valid: ";
        let end = message.find(marker)?;
        let start = message[..end].find('"')?;
        let quoted = &message[start..end];
        let mut matching = self
            .scalars
            .iter()
            .filter(|(value, _)| format!("{value:?}") == quoted);
        let (_, path) = matching.next()?;
        if matching.next().is_some() {
            return None;
        }
        let id_message = &message[message[..start].rfind(": ").map_or(0, |i| i + 2)..];
        Some((self.values[path], format!("{path}: {id_message}")))
    }

    fn scan(text: &str) -> Positions {
        let mut walker = Walker::default();
        let mut parser = Parser::new_from_str(text);
        if let Err(error) = parser.load(&mut walker, false) {
            let marker = error.marker();
            walker.positions.syntax_error =
                Some(((marker.line(), marker.col() + 1), error.info().to_owned()));
        }
        walker.positions
    }
}

impl Walker {
    /// Called at the start of every node: decides whether it is a key or a value and, for a
    /// value, returns its path.
    fn node_path(&mut self, scalar_key: Option<&str>, mark: Marker) -> Option<String> {
        let position = (mark.line(), mark.col() + 1);
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Sequence { path, index }) => {
                let node = format!("{path}[{index}]");
                *index += 1;
                Some(node)
            }
            Some(Frame::Mapping { path, key, seen }) => match key.take() {
                None => {
                    let name = scalar_key.unwrap_or("?").to_owned();
                    if seen.insert(name.clone(), ()).is_some() {
                        self.positions.duplicate_keys.push((name.clone(), position));
                    }
                    *key = Some(name);
                    None
                }
                Some(name) => Some(if path.is_empty() {
                    name
                } else {
                    format!("{path}.{name}")
                }),
            },
        }
    }
}

impl MarkedEventReceiver for Walker {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let position = (mark.line(), mark.col() + 1);
        match event {
            Event::Scalar(value, ..) => {
                if let Some(path) = self.node_path(Some(&value), mark) {
                    self.positions.values.insert(path.clone(), position);
                    self.positions.scalars.push((value, path));
                }
            }
            Event::Alias(_) => {
                if let Some(path) = self.node_path(None, mark) {
                    self.positions.values.insert(path, position);
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                // A collection used as a mapping key has no useful path; give it a placeholder.
                let path = self.node_path(None, mark).unwrap_or_else(|| "?".into());
                self.positions.values.insert(path.clone(), position);
                self.stack
                    .push(if matches!(event, Event::MappingStart(..)) {
                        Frame::Mapping {
                            path,
                            key: None,
                            seen: HashMap::new(),
                        }
                    } else {
                        Frame::Sequence { path, index: 0 }
                    });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        items: Vec<u32>,
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Wording {
        text: String,
        lines: Vec<String>,
    }

    const STYLES: [TextStyle; 4] = [
        TextStyle {
            byte_order_mark: false,
            crlf: false,
        },
        TextStyle {
            byte_order_mark: true,
            crlf: false,
        },
        TextStyle {
            byte_order_mark: false,
            crlf: true,
        },
        TextStyle {
            byte_order_mark: true,
            crlf: true,
        },
    ];

    fn problems(text: &str) -> Vec<String> {
        parse::<Sample>("f.yaml", text.as_bytes())
            .unwrap_err()
            .iter()
            .map(Problem::to_string)
            .collect()
    }

    #[test]
    fn paths_map_to_lines_and_columns() {
        let text = "name: x\nitems:\n  - 1\n  - 2\nnested:\n  list:\n    - {code: A}\n";
        assert_eq!(locate(text, "name"), Some((1, 7)));
        assert_eq!(locate(text, "items[1]"), Some((4, 5)));
        assert_eq!(locate(text, "nested.list[0].code"), Some((7, 14)));
        assert_eq!(locate(text, "missing"), None);
    }

    #[test]
    fn each_kind_of_bad_input_is_located() {
        assert_eq!(
            problems("name: x\nitems: [1, a]\n"),
            ["f.yaml:2:12: items[1]: invalid type: string \"a\", expected u32"]
        );
        assert_eq!(
            problems("name: x\nitems: []\nextra: 1\n")[0]
                .split(": unknown")
                .next(),
            Some("f.yaml:3:1")
        );
        assert_eq!(
            problems("name: x\nitems: []\nname: y\n"),
            ["f.yaml:3:1: duplicate key `name`"]
        );
        assert!(problems("name: [x\n")[0].starts_with("f.yaml:2:1: invalid YAML"));
        assert_eq!(problems("  \n"), ["f.yaml:1:1: the file is empty"]);
        assert!(problems("<<<<<<< HEAD\nname: x\n")[0].contains("merge-conflict"));
    }

    #[test]
    fn invalid_utf8_is_located_and_a_bom_is_accepted() {
        let error = parse::<Sample>("f.yaml", b"name: x\nitems: [1]\n\xff").unwrap_err();
        assert_eq!(
            error[0].to_string(),
            "f.yaml:3:1: the file is not valid UTF-8"
        );
        assert!(parse::<Sample>("f.yaml", b"\xEF\xBB\xBFname: x\nitems: [1]\n").is_ok());
    }

    #[test]
    fn a_file_keeps_its_byte_order_mark_and_line_ends() {
        assert_eq!(TextStyle::of(b""), TextStyle::default());
        assert_eq!(TextStyle::of(b"a: 1\nb: 2\r\n"), STYLES[0]);
        assert_eq!(TextStyle::of(b"\xEF\xBB\xBFa: 1\n"), STYLES[1]);
        assert_eq!(TextStyle::of(b"a: 1\r\nb: 2\n"), STYLES[2]);
        assert_eq!(TextStyle::of(b"\xEF\xBB\xBFa: 1\r\n"), STYLES[3]);
        // A carriage return alone is not a line end a Windows editor writes.
        assert_eq!(TextStyle::of(b"a: \"x\r\"\nb: 2\n"), STYLES[0]);
        assert_eq!(
            STYLES[3].apply("a: 1\nb: |\n  x\n  y\n"),
            b"\xEF\xBB\xBFa: 1\r\nb: |\r\n  x\r\n  y\r\n"
        );
        for style in STYLES {
            let bytes = to_bytes(
                &Wording {
                    text: "x".into(),
                    lines: vec![],
                },
                style,
            )
            .unwrap();
            assert_eq!(TextStyle::of(&bytes), style, "{bytes:?}");
        }
    }

    proptest::proptest! {
        /// Whatever the text and whatever the file's style, what decl writes reads back as the
        /// same values: multi-line block scalars, carriage returns and marks inside the text
        /// included.
        #[test]
        fn values_round_trip_through_every_style(
            text in "(?s).{0,40}",
            lines in proptest::collection::vec("[ -~\u{a0}-\u{fff}\r\n\t\u{feff}]{0,20}", 0..4),
        ) {
            let value = Wording { text, lines };
            for style in STYLES {
                let bytes = to_bytes(&value, style).unwrap();
                let back: Wording = parse("f.yaml", &bytes).map_err(|problems| {
                    proptest::test_runner::TestCaseError::fail(format!(
                        "{problems:?} in {:?}",
                        String::from_utf8_lossy(&bytes)
                    ))
                })?;
                proptest::prop_assert_eq!(&back, &value);
            }
        }
    }
}
