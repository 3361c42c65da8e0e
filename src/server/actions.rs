//! What the editor asks about a finding: hover (the rule's page) and code actions (suppress it
//! on its line, in its cell or file, or open the rule's page).

use super::OPEN_RULE_PAGE;
use super::documents::{Documents, Lines, to_u32, utf16_len};
use crate::registry;
use crate::rule::Rule;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Command, Diagnostic, Hover,
    HoverContents, HoverParams, MarkupContent, MarkupKind, Position, Range, TextEdit, Uri,
    WorkspaceEdit,
};
use std::collections::HashMap;

/// The pages of the rules whose findings cover the hovered position; `None` off findings.
pub fn hover(published: &HashMap<String, Vec<Diagnostic>>, params: &HoverParams) -> Option<Hover> {
    let position = params.text_document_position_params.position;
    let uri = params
        .text_document_position_params
        .text_document
        .uri
        .as_str();
    let mut rules: Vec<&'static Rule> = Vec::new();
    let mut range = None;
    for diagnostic in published.get(uri)? {
        if !covers(diagnostic.range, position) {
            continue;
        }
        if let Some(rule) = rule_of(diagnostic)
            && !rules.iter().any(|r| r.code == rule.code)
        {
            rules.push(rule);
            range.get_or_insert(diagnostic.range);
        }
    }
    if rules.is_empty() {
        return None;
    }
    let pages: Vec<String> = rules
        .iter()
        .map(|rule| {
            format!(
                "{}\n\n[Open the page of {}]({})",
                rule.doc.trim_end(),
                rule.code,
                rule.url()
            )
        })
        .collect();
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: pages.join("\n\n---\n\n"),
        }),
        range,
    })
}

/// Whether a finding's range covers a position: the range itself, or its start line when the
/// range is empty (a finding on a whole file is shown at its start).
fn covers(range: Range, position: Position) -> bool {
    if range.start == range.end {
        return position.line == range.start.line;
    }
    // The end is exclusive: the character after a range is not on it.
    range.start <= position && position < range.end
}

/// The rule of one of our diagnostics.
fn rule_of(diagnostic: &Diagnostic) -> Option<&'static Rule> {
    if diagnostic.source.as_deref() != Some("mlready") {
        return None;
    }
    match &diagnostic.code {
        Some(lsp_types::NumberOrString::String(code)) => registry::find(code),
        _ => None,
    }
}

/// For each of our findings in the requested range: suppress it on its line, suppress it in
/// its cell (notebooks) or file (scripts), and open its rule's page.
/// `published` is what was last published on the document.
pub fn code_actions(
    documents: &Documents,
    published: &[Diagnostic],
    params: CodeActionParams,
) -> Vec<CodeActionOrCommand> {
    let uri = params.text_document.uri;
    let Some(document) = documents.texts.get(uri.as_str()) else {
        return Vec::new();
    };
    let in_cell = documents.owner.contains_key(uri.as_str());
    // The editor sends the diagnostics it shows in the range; an editor that does not is
    // answered from what was published.
    let mut diagnostics: Vec<Diagnostic> = params
        .context
        .diagnostics
        .into_iter()
        .filter(|d| rule_of(d).is_some())
        .collect();
    if diagnostics.is_empty() {
        diagnostics = published
            .iter()
            .filter(|d| overlaps(d.range, params.range))
            .cloned()
            .collect();
    }
    let mut actions = Vec::new();
    let mut pages: Vec<&str> = Vec::new();
    for diagnostic in &diagnostics {
        let Some(rule) = rule_of(diagnostic) else {
            continue;
        };
        if let Some(edit) = suppress_on_line(&document.text, diagnostic.range.start.line, rule.code)
        {
            actions.push(action(
                format!("Suppress {} on this line", rule.code),
                &uri,
                edit,
                diagnostic,
            ));
        }
        let whole = if in_cell { "cell" } else { "file" };
        actions.push(action(
            format!("Suppress {} in this {whole}", rule.code),
            &uri,
            suppress_in_file(&document.text, rule.code, in_cell),
            diagnostic,
        ));
        if !pages.contains(&rule.code) {
            pages.push(rule.code);
        }
    }
    for code in pages {
        let Some(rule) = registry::find(code) else {
            continue;
        };
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("Open the page of {} ({})", rule.code, rule.name),
            kind: Some(CodeActionKind::QUICKFIX),
            command: Some(Command::new(
                format!("Open the page of {}", rule.code),
                OPEN_RULE_PAGE.to_string(),
                Some(vec![serde_json::Value::from(rule.code)]),
            )),
            ..CodeAction::default()
        }));
    }
    actions
}

fn action(
    title: String,
    uri: &Uri,
    edit: TextEdit,
    diagnostic: &Diagnostic,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(WorkspaceEdit::new(HashMap::from([(
            uri.clone(),
            vec![edit],
        )]))),
        ..CodeAction::default()
    })
}

fn overlaps(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// The largest text a code action parses to check its edit; a larger one gets the file or
/// cell suppression only.
const MAX_CHECKED_TEXT: usize = 2 * 1024 * 1024;

/// The edit that suppresses `code` on line `line`, checked by parsing the text with it: the
/// code added to a `# mlready: ignore[...]` comment on the line, or such a comment added at
/// the line's end, or alone on the line above (a line that ends in a backslash or inside a
/// string cannot take a comment). `None` when no place is safe.
fn suppress_on_line(text: &str, line: u32, code: &str) -> Option<TextEdit> {
    if text.len() > MAX_CHECKED_TEXT {
        return None;
    }
    let lines = Lines::new(text);
    let content = lines.line(line as usize)?;
    let line_start = lines.offset(Position::new(line, 0));
    let before = crate::source::python::parse(text)?;
    let errors_before = errors(&before);
    let comment_at = |tree: &tree_sitter::Tree, offset: usize| {
        tree.root_node()
            .descendant_for_byte_range(offset, offset + 1)
            .is_some_and(|node| node.kind() == "comment")
    };
    // Each candidate: the edit, and the offset in the new text that must be in a comment.
    let mut candidates: Vec<(TextEdit, usize)> = Vec::new();
    const DIRECTIVE: &str = "# mlready: ignore[";
    let mut search = 0;
    while let Some(found) = content[search..].find(DIRECTIVE) {
        let at = search + found;
        search = at + DIRECTIVE.len();
        if !comment_at(&before, line_start + at) {
            continue;
        }
        let list_start = at + DIRECTIVE.len();
        let Some(close) = content[list_start..].find(']') else {
            continue;
        };
        let list = &content[list_start..list_start + close];
        if list.split(',').any(|item| item.trim() == code) {
            return None;
        }
        let column = to_u32(utf16_len(&content[..list_start + close]));
        let position = Position::new(line, column);
        let edit = TextEdit::new(Range::new(position, position), format!(", {code}"));
        candidates.push((edit, line_start + list_start + close));
        break;
    }
    let end = Position::new(line, to_u32(utf16_len(content)));
    let separator = if content.trim().is_empty() { "" } else { "  " };
    candidates.push((
        TextEdit::new(
            Range::new(end, end),
            format!("{separator}# mlready: ignore[{code}]"),
        ),
        line_start + content.len() + separator.len(),
    ));
    let indent: String = content.chars().take_while(|c| c.is_whitespace()).collect();
    let start = Position::new(line, 0);
    candidates.push((
        TextEdit::new(
            Range::new(start, start),
            format!("{indent}# mlready: ignore[{code}]{}", lines.newline()),
        ),
        line_start + indent.len(),
    ));
    candidates.into_iter().find_map(|(edit, comment)| {
        let after = apply(text, &lines, &edit);
        let tree = crate::source::python::parse(&after)?;
        (errors(&tree) <= errors_before && comment_at(&tree, comment)).then_some(edit)
    })
}

/// `text` with `edit` made.
fn apply(text: &str, lines: &Lines<'_>, edit: &TextEdit) -> String {
    let start = lines.offset(edit.range.start);
    let end = lines.offset(edit.range.end).max(start);
    format!("{}{}{}", &text[..start], edit.new_text, &text[end..])
}

/// How many syntax errors tree-sitter found (error and missing nodes), walked without
/// recursion.
fn errors(tree: &tree_sitter::Tree) -> usize {
    let mut cursor = tree.walk();
    let mut count = 0;
    loop {
        let node = cursor.node();
        count += usize::from(node.is_error() || node.is_missing());
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return count;
            }
        }
    }
}

/// The edit that suppresses `code` in the whole file, or in the whole cell: an
/// `ignore-file` comment on the first line (after a cell magic, a shebang or an encoding line,
/// which must stay first), with the text's own line breaks.
fn suppress_in_file(text: &str, code: &str, cell: bool) -> TextEdit {
    let lines = Lines::new(text);
    let newline = lines.newline();
    let mut line = 0;
    // A cell magic must stay the cell's first line: blank lines before it are passed over.
    if cell {
        let first =
            (0..lines.count()).find(|&l| lines.line(l).is_some_and(|c| !c.trim().is_empty()));
        if let Some(first) = first.filter(|&l| lines.line(l).is_some_and(|c| c.starts_with("%%"))) {
            line = first + 1;
        }
    } else {
        while let Some(content) = lines.line(line) {
            let keep_first = (line == 0 && content.starts_with("#!"))
                || (line <= 1 && content.starts_with('#') && content.contains("coding"));
            if !keep_first {
                break;
            }
            line += 1;
        }
    }
    if line >= lines.count() {
        // Nothing but those lines: the comment goes on a new last line.
        let last = lines.count() - 1;
        let end = lines.line(last).map_or(0, utf16_len);
        let at = Position::new(to_u32(last), to_u32(end));
        return TextEdit::new(
            Range::new(at, at),
            format!("{newline}# mlready: ignore-file[{code}]"),
        );
    }
    let at = Position::new(to_u32(line), 0);
    TextEdit::new(
        Range::new(at, at),
        format!("# mlready: ignore-file[{code}]{newline}"),
    )
}

/// Unused outside tests: a URI for tests that build params by hand.
#[cfg(test)]
fn uri(text: &str) -> Uri {
    use std::str::FromStr;
    Uri::from_str(text).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, edit: &TextEdit) -> String {
        super::apply(text, &Lines::new(text), edit)
    }

    #[test]
    fn a_line_suppression_goes_where_python_reads_it_as_a_comment() {
        // A backslash continuation and a string that spans lines cannot end in a comment:
        // the directive goes alone on the line above.
        let continued = "x = a + \\\n    b\n";
        let edit = suppress_on_line(continued, 0, "LEAK001").unwrap();
        assert_eq!(
            apply(continued, &edit),
            "# mlready: ignore[LEAK001]\nx = a + \\\n    b\n"
        );
        let string = "    s = f(\"\"\"a\n    b\"\"\")\n";
        let edit = suppress_on_line(string, 0, "LEAK001").unwrap();
        assert_eq!(
            apply(string, &edit),
            "    # mlready: ignore[LEAK001]\n    s = f(\"\"\"a\n    b\"\"\")\n"
        );
        // A directive's text inside a string literal is not a directive.
        let quoted = "x = '# mlready: ignore[X]'\n";
        let edit = suppress_on_line(quoted, 0, "LEAK001").unwrap();
        assert_eq!(
            apply(quoted, &edit),
            "x = '# mlready: ignore[X]'  # mlready: ignore[LEAK001]\n"
        );
        // CRLF text keeps CRLF.
        let crlf = "x = a + \\\r\n    b\r\n";
        let edit = suppress_on_line(crlf, 0, "LEAK001").unwrap();
        assert_eq!(edit.new_text, "# mlready: ignore[LEAK001]\r\n");
    }

    #[test]
    fn a_line_suppression_is_added_or_extended() {
        let text = "x = fit(X)\ny = 'é'  # mlready: ignore[SKEW002]\n";
        let edit = suppress_on_line(text, 0, "LEAK001").unwrap();
        assert_eq!(
            apply(text, &edit),
            "x = fit(X)  # mlready: ignore[LEAK001]\ny = 'é'  # mlready: ignore[SKEW002]\n"
        );
        let edit = suppress_on_line(text, 1, "LEAK001").unwrap();
        assert_eq!(
            apply(text, &edit),
            "x = fit(X)\ny = 'é'  # mlready: ignore[SKEW002, LEAK001]\n"
        );
        // Already there: nothing to add.
        assert!(suppress_on_line(text, 1, "SKEW002").is_none());
        assert!(suppress_on_line(text, 7, "SKEW002").is_none());
    }

    #[test]
    fn a_file_suppression_goes_after_what_must_stay_first() {
        let script = "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nimport os\n";
        let edit = suppress_in_file(script, "REPRO001", false);
        assert_eq!(
            apply(script, &edit),
            "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n# mlready: ignore-file[REPRO001]\nimport os\n"
        );
        let cell = "%%time\nmodel.fit(X, y)";
        let edit = suppress_in_file(cell, "LEAK001", true);
        assert_eq!(
            apply(cell, &edit),
            "%%time\n# mlready: ignore-file[LEAK001]\nmodel.fit(X, y)"
        );
        let only = "%%time";
        let edit = suppress_in_file(only, "LEAK001", true);
        assert_eq!(
            apply(only, &edit),
            "%%time\n# mlready: ignore-file[LEAK001]"
        );
    }

    #[test]
    fn hover_shows_the_page_of_the_rule_under_the_cursor() {
        let diagnostic = Diagnostic {
            range: Range::new(Position::new(2, 4), Position::new(2, 10)),
            code: Some(lsp_types::NumberOrString::String("LEAK001".into())),
            source: Some("mlready".into()),
            ..Diagnostic::default()
        };
        let published = HashMap::from([("file:///a.py".to_string(), vec![diagnostic])]);
        let at = |line, character| HoverParams {
            text_document_position_params: lsp_types::TextDocumentPositionParams {
                text_document: lsp_types::TextDocumentIdentifier::new(uri("file:///a.py")),
                position: Position::new(line, character),
            },
            work_done_progress_params: Default::default(),
        };
        let Some(Hover {
            contents: HoverContents::Markup(page),
            ..
        }) = hover(&published, &at(2, 6))
        else {
            panic!("no hover on the finding");
        };
        assert!(page.value.contains("preprocessing-before-split (LEAK001)"));
        assert!(hover(&published, &at(2, 9)).is_some());
        assert!(hover(&published, &at(2, 10)).is_none());
        assert!(hover(&published, &at(2, 11)).is_none());
        assert!(hover(&published, &at(1, 6)).is_none());
    }
}
