//! parse: tree-sitter-python over a [`super::SourceFile`]'s text, and source decoding.

use super::LoadProblem;
use std::cell::RefCell;
use tree_sitter::{Parser, Tree};

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Parses Python text. tree-sitter always yields a tree; syntax errors become `ERROR` nodes.
/// Returns `None` only if the grammar cannot be loaded, which is an internal failure.
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
        slot.as_mut()?.parse(text, None)
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
    fn parse_tolerates_syntax_errors() {
        let tree = parse("def f(:\n    pass\nx = 1\n").unwrap();
        assert!(tree.root_node().has_error());
    }
}
