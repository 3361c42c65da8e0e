//! parse: tree-sitter-python over a [`super::SourceFile`]'s text, and source decoding.

use super::LoadProblem;
use std::cell::RefCell;
use std::sync::OnceLock;
use tree_sitter::{Language, Node, Parser, Tree};

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Parses Python text. tree-sitter always yields a tree; syntax errors become `ERROR` nodes.
/// Returns `None` if the grammar cannot be loaded, which is an internal failure, or when the
/// file's budget ran out during the parse ([`crate::limits::exceeded`]).
pub fn parse(text: &str) -> Option<Tree> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut parser = Parser::new();
            parser
                .set_language(&tree_sitter_python::LANGUAGE.into())
                .ok()?;
            *slot = Some(parser);
        }
        let parser = slot.as_mut()?;
        let bytes = text.as_bytes();
        let mut progress = |_: &tree_sitter::ParseState| {
            if crate::limits::exceeded() {
                std::ops::ControlFlow::Break(())
            } else {
                std::ops::ControlFlow::Continue(())
            }
        };
        let options = tree_sitter::ParseOptions::new().progress_callback(&mut progress);
        let tree = parser.parse_with_options(
            &mut |at: usize, _| bytes.get(at..).unwrap_or_default(),
            None,
            Some(options),
        );
        if tree.is_none() {
            // A cancelled parse would otherwise resume where it stopped on the next file.
            parser.reset();
        }
        tree
    })
}

/// Two questions the model builder and the summary ask of nearly every node, answered from
/// tables: tree-sitter's own `kind` measures and validates a C string at each call, and
/// `child_by_field_name` compares the name with the grammar's field names in C at each call.
/// Together they were 5% of a cold run.
pub trait Syntax<'t> {
    /// The node's kind, as [`Node::kind`] spells it.
    fn kind_name(&self) -> &'t str;
    /// The child in field `name`, as [`Node::child_by_field_name`] finds it.
    fn field(&self, name: &str) -> Option<Node<'t>>;
}

impl<'t> Syntax<'t> for Node<'t> {
    #[inline]
    fn kind_name(&self) -> &'t str {
        match kinds().get(usize::from(self.kind_id())) {
            Some(kind) => kind,
            // `ERROR` and `_ERROR` sit at the top of the id range, outside the table.
            None => self.kind(),
        }
    }

    #[inline]
    fn field(&self, name: &str) -> Option<Node<'t>> {
        match field_id(name) {
            Some(id) => self.child_by_field_id(id),
            None => self.child_by_field_name(name),
        }
    }
}

/// The name of a function parameter (`x`, `x: int`, `x=1`, `x: int = 1`, `*args`): the
/// identifier it binds, when it binds one.
pub fn parameter_name(parameter: Node) -> Option<Node> {
    parameter
        .field("name")
        .or_else(|| (parameter.kind_name() == "identifier").then_some(parameter))
        .or_else(|| {
            parameter
                .named_child(0)
                .filter(|n| n.kind_name() == "identifier")
        })
}

/// A decorated definition's decorators and definition; a plain definition has none (and
/// any other node, no definition).
pub fn split_decorated(node: Node<'_>) -> (Vec<Node<'_>>, Option<Node<'_>>) {
    match node.kind_name() {
        "decorated_definition" => {
            let mut cursor = node.walk();
            let decorators: Vec<Node> = node
                .named_children(&mut cursor)
                .filter(|c| c.kind_name() == "decorator")
                .collect();
            (decorators, node.field("definition"))
        }
        "function_definition" | "class_definition" => (Vec::new(), Some(node)),
        _ => (Vec::new(), None),
    }
}

/// The id of field `name`: its place in `FIELDS`, from 1 (a test checks both agree with
/// the grammar). A `match` rather than a search of `FIELDS`, so that a literal name, the
/// only kind the code passes, folds to its id where this is inlined.
#[inline(always)]
fn field_id(name: &str) -> Option<u16> {
    Some(match name {
        "alias" => 1,
        "alternative" => 2,
        "argument" => 3,
        "arguments" => 4,
        "attribute" => 5,
        "body" => 6,
        "cause" => 7,
        "code" => 8,
        "condition" => 9,
        "consequence" => 10,
        "definition" => 11,
        "expression" => 12,
        "format_specifier" => 13,
        "function" => 14,
        "guard" => 15,
        "key" => 16,
        "left" => 17,
        "module_name" => 18,
        "name" => 19,
        "object" => 20,
        "operator" => 21,
        "operators" => 22,
        "parameters" => 23,
        "return_type" => 24,
        "right" => 25,
        "subject" => 26,
        "subscript" => 27,
        "superclasses" => 28,
        "type" => 29,
        "type_conversion" => 30,
        "type_parameters" => 31,
        "value" => 32,
        _ => return None,
    })
}

/// The field names of tree-sitter-python, in the grammar's order of ids (field `i + 1` is
/// `FIELDS[i]`); [`field_id`] spells the same table as a `match`.
#[cfg(test)]
const FIELDS: [&str; 32] = [
    "alias",
    "alternative",
    "argument",
    "arguments",
    "attribute",
    "body",
    "cause",
    "code",
    "condition",
    "consequence",
    "definition",
    "expression",
    "format_specifier",
    "function",
    "guard",
    "key",
    "left",
    "module_name",
    "name",
    "object",
    "operator",
    "operators",
    "parameters",
    "return_type",
    "right",
    "subject",
    "subscript",
    "superclasses",
    "type",
    "type_conversion",
    "type_parameters",
    "value",
];

fn language() -> &'static Language {
    static LANGUAGE: OnceLock<Language> = OnceLock::new();
    LANGUAGE.get_or_init(|| tree_sitter_python::LANGUAGE.into())
}

/// The grammar's node kinds by id.
fn kinds() -> &'static [&'static str] {
    static KINDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    KINDS.get_or_init(|| {
        let language = language();
        (0..language.node_kind_count())
            .map(|id| {
                u16::try_from(id)
                    .ok()
                    .and_then(|id| language.node_kind_for_id(id))
                    .unwrap_or("")
            })
            .collect()
    })
}

/// Decodes a Python source file: UTF-8, or Latin-1 when the file declares it (PEP 263).
pub fn decode(bytes: &[u8]) -> Result<String, LoadProblem> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(err) => {
            if declares_single_byte_encoding(bytes) {
                return Ok(bytes.iter().map(|&b| b as char).collect());
            }
            let upto = &bytes[..err.valid_up_to()];
            let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
            let byte = bytes.get(err.valid_up_to()).copied().unwrap_or(0);
            Err(LoadProblem::Unreadable(format!(
                "the file is not valid UTF-8 (byte 0x{byte:02x} on line {line}); save it as UTF-8 \
                 or declare its encoding with a `# -*- coding: ... -*-` line"
            )))
        }
    }
}

/// PEP 263: a `coding[:=]` declaration on one of the first two lines naming a Latin-1 family
/// encoding, which maps every byte to the code point of the same value.
fn declares_single_byte_encoding(bytes: &[u8]) -> bool {
    bytes
        .split(|&b| b == b'\n')
        .take(2)
        .filter(|line| line.trim_ascii_start().starts_with(b"#"))
        .filter_map(|line| {
            let text = String::from_utf8_lossy(line).to_ascii_lowercase();
            let at = text.find("coding")?;
            let rest = text[at + 6..].strip_prefix([':', '='])?;
            Some(
                rest.trim_start()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect::<String>(),
            )
        })
        .any(|name| {
            matches!(
                name.as_str(),
                "latin-1"
                    | "latin1"
                    | "latin_1"
                    | "iso-8859-1"
                    | "iso8859-1"
                    | "l1"
                    | "cp1252"
                    | "windows-1252"
                    | "iso-8859-15"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_with_declaration_decodes() {
        let bytes = b"# -*- coding: latin-1 -*-\nx = '\xe9'\n";
        assert_eq!(
            decode(bytes).unwrap(),
            "# -*- coding: latin-1 -*-\nx = '\u{e9}'\n"
        );
    }

    #[test]
    fn invalid_utf8_is_reported_with_its_line() {
        let err = decode(b"x = 1\ny = '\xff'\n").unwrap_err();
        let LoadProblem::Unreadable(message) = err else {
            panic!("expected Unreadable")
        };
        assert!(message.contains("line 2"), "{message}");
    }

    #[test]
    fn the_field_table_follows_the_grammar() {
        let language = language();
        assert_eq!(language.field_count(), FIELDS.len());
        for (index, name) in FIELDS.iter().enumerate() {
            let id = index as u16 + 1;
            assert_eq!(language.field_name_for_id(id), Some(*name));
            assert_eq!(field_id(name), Some(id));
        }
        assert_eq!(field_id("no_such_field"), None);
    }

    #[test]
    fn table_answers_match_tree_sitter_on_every_node() {
        let text = "import os\n@app.get('/x')\ndef f(a, *b, c=1, **d) -> int:\n    return [x for x in a if x > c]\nclass C(B):\n    y: int = 2\nif (z := f(1)) and not q[1:2]:\n    del w\nelse:\n    raise E from e\nx = )\n@@@\n";
        let tree = parse(text).unwrap();
        let mut cursor = tree.walk();
        let mut stack = vec![tree.root_node()];
        let mut seen_error = false;
        while let Some(node) = stack.pop() {
            assert_eq!(node.kind_name(), node.kind());
            seen_error |= node.is_error();
            for name in FIELDS.iter().chain(&["no_such_field"]) {
                assert_eq!(node.field(name), node.child_by_field_name(name), "{name}");
            }
            stack.extend(node.children(&mut cursor));
        }
        assert!(seen_error);
    }

    #[test]
    fn parse_tolerates_syntax_errors() {
        let tree = parse("def f(:\n    pass\nx = 1\n").unwrap();
        assert!(tree.root_node().has_error());
    }
}
