//! What the editor asks about a finding: hover (the rule's page) and code actions (suppress it
//! on its line, in its cell or file, or open the rule's page).

use super::OPEN_RULE_PAGE;
use super::documents::{Documents, line_text};
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
    range.start <= position && position <= range.end
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
pub fn code_actions(
    documents: &Documents,
    published: &HashMap<String, Vec<Diagnostic>>,
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
            .get(uri.as_str())
            .map(|list| {
                list.iter()
                    .filter(|d| overlaps(d.range, params.range))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
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

/// The edit that suppresses `code` on line `line`: the code added to the line's
/// `# mlready: ignore[...]` comment, or such a comment added at the line's end.
fn suppress_on_line(text: &str, line: u32, code: &str) -> Option<TextEdit> {
    let content = line_text(text, line)?;
    let utf16 = |s: &str| u32::try_from(s.encode_utf16().count()).unwrap_or(u32::MAX);
    const DIRECTIVE: &str = "# mlready: ignore[";
    if let Some(at) = content.find(DIRECTIVE) {
        let list_start = at + DIRECTIVE.len();
        if let Some(close) = content[list_start..].find(']') {
            let list = &content[list_start..list_start + close];
            if list.split(',').any(|item| item.trim() == code) {
                return None;
            }
            let column = utf16(&content[..list_start + close]);
            let at = Position::new(line, column);
            return Some(TextEdit::new(Range::new(at, at), format!(", {code}")));
        }
    }
    let end = Position::new(line, utf16(content));
    let separator = if content.trim().is_empty() { "" } else { "  " };
    Some(TextEdit::new(
        Range::new(end, end),
        format!("{separator}# mlready: ignore[{code}]"),
    ))
}

/// The edit that suppresses `code` in the whole file, or in the whole cell: an
/// `ignore-file` comment on the first line (after a cell magic, a shebang or an encoding line,
/// which must stay first).
fn suppress_in_file(text: &str, code: &str, cell: bool) -> TextEdit {
    let mut line = 0;
    while let Some(content) = line_text(text, line) {
        let keep_first = if cell {
            content.starts_with("%%")
        } else {
            (line == 0 && content.starts_with("#!"))
                || (line <= 1 && content.starts_with('#') && content.contains("coding"))
        };
        if !keep_first {
            break;
        }
        line += 1;
    }
    let total = u32::try_from(text.split('\n').count()).unwrap_or(u32::MAX);
    if line >= total {
        // Nothing but those lines: the comment goes on a new last line.
        let last = total.saturating_sub(1);
        let end = line_text(text, last).map_or(0, |c| c.encode_utf16().count());
        let at = Position::new(last, u32::try_from(end).unwrap_or(u32::MAX));
        return TextEdit::new(
            Range::new(at, at),
            format!("\n# mlready: ignore-file[{code}]"),
        );
    }
    let at = Position::new(line, 0);
    TextEdit::new(
        Range::new(at, at),
        format!("# mlready: ignore-file[{code}]\n"),
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
        let start = super::super::documents::offset_of(text, edit.range.start);
        let end = super::super::documents::offset_of(text, edit.range.end);
        format!("{}{}{}", &text[..start], edit.new_text, &text[end..])
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
        assert!(hover(&published, &at(2, 11)).is_none());
        assert!(hover(&published, &at(1, 6)).is_none());
    }
}
