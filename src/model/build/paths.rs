//! Path literals: string literals that look like absolute local paths (for REPRO006), except
//! where they are messages (`print`, `raise`, warnings) rather than paths to open.

use super::{Builder, span, string_value};
use crate::model::Event;
use crate::source::python::Syntax;
use tree_sitter::Node;

impl Builder<'_> {
    /// Records the string literals of an assignment's right-hand side (also inside list,
    /// tuple and dict literals) that look like paths.
    pub(super) fn path_literals_in(&mut self, node: Node) {
        match node.kind_name() {
            "string" | "concatenated_string" => self.path_literal(node, None, None),
            "list"
            | "tuple"
            | "set"
            | "expression_list"
            | "dictionary"
            | "pair"
            | "parenthesized_expression" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                for child in children {
                    self.path_literals_in(child);
                }
            }
            _ => {}
        }
    }

    pub(super) fn path_literals_in_arg(&mut self, node: Node, callee: Option<&str>) {
        let Some(callee) = callee else { return };
        if is_message_function(callee) {
            return;
        }
        if matches!(node.kind_name(), "string" | "concatenated_string") {
            self.path_literal(node, Some(callee), None);
        } else if matches!(node.kind_name(), "list" | "tuple") {
            self.path_literals_in(node);
        }
    }

    pub(super) fn path_literal(
        &mut self,
        node: Node,
        callee: Option<&str>,
        _keyword: Option<&str>,
    ) {
        if !matches!(node.kind_name(), "string" | "concatenated_string") {
            return;
        }
        // A path written in another module is reported there.
        if self.reading_foreign() {
            return;
        }
        let Some(text) = string_value(self.text(node)) else {
            return;
        };
        let looks_like_path =
            text.starts_with('/') || text.starts_with('~') || text.as_bytes().get(1) == Some(&b':');
        if !looks_like_path || text.len() > 1000 || text.contains('\n') {
            return;
        }
        self.model.events.push(Event::PathLiteral {
            text,
            span: span(node),
            callee: callee.map(str::to_string),
            in_decorator: self.in_decorator(span(node)),
        });
    }
}

/// Functions whose string arguments are messages, not paths.
fn is_message_function(callee: &str) -> bool {
    let last = callee.rsplit('.').next().unwrap_or(callee);
    matches!(
        last,
        "print"
            | "<str>"
            | "info"
            | "debug"
            | "warning"
            | "warn"
            | "error"
            | "exception"
            | "critical"
            | "log"
            | "write"
            | "echo"
            | "display"
            | "Markdown"
            | "HTML"
            | "title"
            | "set_title"
            | "suptitle"
            | "xlabel"
            | "ylabel"
            | "set_xlabel"
            | "set_ylabel"
            | "text"
            | "annotate"
            | "legend"
            | "format"
    ) || callee.ends_with("Error")
        || callee.ends_with("Exception")
        || callee.ends_with("Warning")
}

pub(super) fn is_message_keyword(name: &str) -> bool {
    matches!(
        name,
        "help" | "msg" | "message" | "description" | "title" | "label" | "text" | "doc"
    )
}
