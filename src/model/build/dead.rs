//! Facts for the configuration-debt and dead-code rules ([`crate::model::dead`]): guards with
//! constant conditions, module-level constants, how often names are bound, literal
//! assignments, estimators built without hyperparameters, and (once the walk is done) the
//! comment lines of the file and the runs of them that are commented-out ML code.

use super::{Args, Builder, span};
use crate::finding::Span;
use crate::ml::{self, Category};
use crate::model::dead::{CodeComment, Condition, Constant, Guard};
use crate::model::{FileModel, Kind, ValueId};
use crate::source::SourceFile;
use crate::source::python::Syntax;
use tree_sitter::Node;

/// Runs of comment lines shorter than this are not read as code.
const MIN_CODE_LINES: usize = 3;
/// Longer runs are not parsed (a commented-out file is one finding anyway, at its start).
const MAX_CODE_LINES: usize = 400;
/// At most this many ML calls are named per run.
const MAX_CALLS: usize = 3;

impl Builder<'_> {
    /// A statement of the file: guards, `global` declarations and literal assignments.
    pub(super) fn note_statement(&mut self, node: Node) {
        if self.reading_foreign() {
            return;
        }
        match node.kind_name() {
            "if_statement" | "elif_clause" | "while_statement" => self.note_guard(node),
            "global_statement" => {
                // A function that declares the name global may change it.
                let mut cursor = node.walk();
                let names: Vec<String> = node
                    .named_children(&mut cursor)
                    .filter(|n| n.kind_name() == "identifier")
                    .map(|n| self.text(n).to_string())
                    .collect();
                for name in names {
                    self.note_binding(&name);
                }
            }
            "expression_statement" => {
                let Some(assignment) = node.named_child(0) else {
                    return;
                };
                if assignment.kind_name() != "assignment" || node.named_child_count() != 1 {
                    return;
                }
                let (Some(left), Some(right)) =
                    (assignment.field("left"), assignment.field("right"))
                else {
                    return;
                };
                if left.kind_name() != "identifier" || !is_literal(right) {
                    return;
                }
                let name = self.text(left).to_string();
                let module_level = self.scopes.len() == 1 && self.depth == 1;
                if module_level && let Some(truthy) = truth(right, self.text(right)) {
                    self.model.dead.constants.push(Constant {
                        name: name.clone(),
                        boolean: matches!(right.kind_name(), "true" | "false"),
                        truthy,
                        text: self.text(right).to_string(),
                        span: span(node),
                    });
                }
                self.model.dead.literal_assignments.push((name, span(node)));
            }
            _ => {}
        }
    }

    fn note_guard(&mut self, node: Node) {
        let Some(condition) = node.field("condition") else {
            return;
        };
        let body_field = if node.kind_name() == "while_statement" {
            "body"
        } else {
            "consequence"
        };
        let Some(body) = node.field(body_field) else {
            return;
        };
        let Some(condition_kind) = self.condition(condition) else {
            return;
        };
        let keyword = match node.kind_name() {
            "if_statement" => "if",
            "elif_clause" => "elif",
            _ => "while",
        };
        let shows_only = self.shows_only(body);
        self.model.dead.guards.push(Guard {
            keyword,
            condition: condition_kind,
            header: Span::new(node.start_byte(), condition.end_byte()),
            body: span(body),
            statement: span(node),
            shows_only,
        });
    }

    /// A literal or a (negated) bare name; None for anything else.
    fn condition(&self, node: Node) -> Option<Condition> {
        match node.kind_name() {
            "parenthesized_expression" => self.condition(node.named_child(0)?),
            "identifier" => Some(Condition::Name {
                name: self.text(node).to_string(),
                negated: false,
            }),
            "not_operator" => {
                let argument = node.field("argument")?;
                let argument = if argument.kind_name() == "parenthesized_expression" {
                    argument.named_child(0)?
                } else {
                    argument
                };
                (argument.kind_name() == "identifier").then(|| Condition::Name {
                    name: self.text(argument).to_string(),
                    negated: true,
                })
            }
            _ => {
                let text = self.text(node);
                truth(node, text).map(|truthy| Condition::Literal {
                    truthy,
                    text: text.to_string(),
                })
            }
        }
    }

    /// Every statement of a block only shows something: `print`, plots, a bare name,
    /// `fig, ax = plt.subplots()`, `pass`.
    fn shows_only(&self, block: Node) -> bool {
        let mut cursor = block.walk();
        let mut any = false;
        for statement in block.named_children(&mut cursor) {
            let shows = match statement.kind_name() {
                "comment" => continue,
                "pass_statement" => true,
                "expression_statement" => {
                    let mut inner = statement.walk();
                    let children: Vec<Node> = statement.named_children(&mut inner).collect();
                    children.iter().all(|&child| {
                        if child.kind_name() == "assignment" {
                            child
                                .field("right")
                                .is_some_and(|r| r.kind_name() == "call" && self.only_shows(r))
                        } else {
                            self.only_shows(child)
                        }
                    }) || self.only_sets(statement)
                }
                _ => false,
            };
            if !shows {
                return false;
            }
            any = true;
        }
        any
    }

    /// A name bound (assigned, a parameter, a loop target, imported, defined).
    pub(super) fn note_binding(&mut self, name: &str) {
        if self.reading_foreign() {
            return;
        }
        if let Some(count) = self.model.dead.bindings.get_mut(name) {
            *count = count.saturating_add(1);
        } else {
            self.model.dead.bindings.insert(name.to_string(), 1);
        }
    }

    /// An estimator of the knowledge tables was built: recorded when it was given no
    /// argument at all.
    pub(super) fn note_bare_estimator(&mut self, qualified: &str, args: &Args, value: ValueId) {
        let bare = args.positional.is_empty() && args.keywords.is_empty() && !args.splat;
        if bare && !self.reading_foreign() {
            self.model
                .dead
                .bare_constructors
                .push((value, qualified.to_string()));
        }
    }

    /// A PyTorch optimizer was built: recorded when it was given no learning rate (the
    /// second positional argument or `lr=`), and no splat that may hold one.
    pub(super) fn note_optimizer(&mut self, qualified: &str, args: &Args, value: ValueId) {
        let lr = args.positional.len() > 1 || args.keyword("lr").is_some() || args.splat;
        if !lr && !self.reading_foreign() {
            self.model
                .dead
                .bare_constructors
                .push((value, qualified.to_string()));
        }
    }

    /// `est.set_params(...)`: the estimator's hyperparameters are set after construction.
    pub(super) fn note_params_set(&mut self, receiver: ValueId) {
        if matches!(self.kind(receiver), Kind::Estimator(_)) {
            self.model.dead.params_set.push(receiver);
        }
    }
}

/// Whether a condition or right-hand side is `True`, `False`, `0` or `1`, and its truth.
fn truth(node: Node, text: &str) -> Option<bool> {
    match node.kind_name() {
        "true" => Some(true),
        "false" => Some(false),
        "integer" if text == "0" => Some(false),
        "integer" if text == "1" => Some(true),
        _ => None,
    }
}

/// A number, a plain string, a bool or `None` (possibly negated).
fn is_literal(node: Node) -> bool {
    match node.kind_name() {
        "integer" | "float" | "true" | "false" | "none" => true,
        // Not an f-string.
        "string" => {
            let mut cursor = node.walk();
            let interpolated = node
                .named_children(&mut cursor)
                .any(|n| n.kind_name() == "interpolation");
            !interpolated
        }
        "unary_operator" => node
            .field("argument")
            .is_some_and(|a| matches!(a.kind_name(), "integer" | "float")),
        _ => false,
    }
}

/// After the walk: the file's comment lines, and the runs of them that are commented-out
/// ML code. Each comment line is found by a look-up at its `#`, as the suppressions are.
pub(super) fn finish(model: &mut FileModel, file: &SourceFile, root: Node) {
    let text = &file.text;
    if !text.contains('#') {
        return;
    }
    let cell_starts: Vec<usize> = file
        .notebook
        .as_ref()
        .map(|n| n.cells.iter().map(|c| c.offset).collect())
        .unwrap_or_default();
    let cell_of = |at: usize| cell_starts.partition_point(|&start| start <= at);
    // Comment lines as (line number, span); runs of consecutive ones.
    let mut comments = CommentStarts {
        cursor: root.walk(),
    };
    let mut run: Vec<Span> = Vec::new();
    let mut last_line = usize::MAX;
    let mut line_start = 0;
    for (number, line) in text.split_inclusive('\n').enumerate() {
        let start = line_start;
        line_start += line.len();
        let trimmed = line.trim_start();
        if !trimmed.starts_with('#') {
            continue;
        }
        let at = start + (line.len() - trimmed.len());
        if !comments.starts_at(at) {
            continue;
        }
        let end = start + line.trim_end().len();
        let comment = Span::new(at, end.max(at));
        let continues = last_line.checked_add(1) == Some(number)
            && run
                .last()
                .is_some_and(|prev| cell_of(prev.start) == cell_of(at));
        if !continues {
            code_comment(model, text, &run);
            run.clear();
        }
        run.push(comment);
        model.dead.comment_lines.push(comment);
        last_line = number;
    }
    code_comment(model, text, &run);
}

/// Answers, for offsets in increasing order, whether a comment node starts there. Its cursor
/// only moves forward through the tree, so a file's lines cost one walk in all, where a
/// lookup from the root per line scanned the module's statements again for each line.
struct CommentStarts<'t> {
    cursor: tree_sitter::TreeCursor<'t>,
}

impl CommentStarts<'_> {
    fn starts_at(&mut self, at: usize) -> bool {
        loop {
            let node = self.cursor.node();
            if node.end_byte() <= at {
                if self.cursor.goto_next_sibling() {
                    continue;
                }
                if !self.cursor.goto_parent() {
                    return false;
                }
                // Every child ended before `at`: it lies after them, in no child.
                if self.cursor.node().end_byte() > at {
                    return false;
                }
                continue;
            }
            if node.start_byte() > at {
                return false;
            }
            if node.start_byte() == at && node.kind_name() == "comment" {
                return true;
            }
            if !self.cursor.goto_first_child() {
                return false;
            }
        }
    }
}

/// Records a run of comment lines when it parses as Python and calls ML code. A first line
/// that is not code (a note such as `# old approach`) is left out, unless it ends with a
/// colon: `# Example:` above code is documentation, not dead code.
fn code_comment(model: &mut FileModel, text: &str, run: &[Span]) {
    if run.len() < MIN_CODE_LINES || run.len() > MAX_CODE_LINES {
        return;
    }
    let lines: Vec<&str> = run
        .iter()
        .map(|s| {
            text.get(s.start..s.end)
                .unwrap_or("")
                .trim_start_matches('#')
        })
        .collect();
    if !lines.iter().any(|l| looks_like_ml(l)) {
        return;
    }
    let mut found = parsed_calls(&lines).map(|calls| (0, calls));
    if found.is_none() && run.len() > MIN_CODE_LINES && !lines[0].trim_end().ends_with(':') {
        found = parsed_calls(&lines[1..]).map(|calls| (1, calls));
    }
    let Some((skip, calls)) = found else {
        return;
    };
    let (Some(first), Some(last)) = (run.get(skip), run.last()) else {
        return;
    };
    model.dead.code_comments.push(CodeComment {
        span: Span::new(first.start, last.end),
        lines: run.len() - skip,
        calls,
    });
}

/// The ML calls of uncommented lines that, dedented, are Python: laid out as Python lays out
/// blocks, and parsed without an error. None when they are not code or call no ML code.
fn parsed_calls(lines: &[&str]) -> Option<Vec<String>> {
    // Dedent: the common leading whitespace of the non-blank lines.
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut code = String::new();
    for line in lines {
        code.push_str(line.get(indent..).unwrap_or("").trim_end());
        code.push('\n');
    }
    if !block_layout(&code) {
        return None;
    }
    let tree = crate::source::python::parse(&code)?;
    let root = tree.root_node();
    if root.has_error() || root.named_child_count() == 0 {
        return None;
    }
    let calls = ml_calls(root, &code);
    (!calls.is_empty()).then_some(calls)
}

/// Keywords that open a block with a colon at the end of their line.
const BLOCK_OPENERS: &[&str] = &[
    "if", "elif", "else", "for", "while", "def", "class", "with", "try", "except", "finally",
    "async", "match", "case",
];

/// Whether the lines indent as Python does: the first at column 0, and a deeper line only
/// after a block opener (`for x in xs:`) or inside brackets. tree-sitter accepts some
/// layouts Python rejects (`Example:` over indented lines reads as an annotation).
fn block_layout(code: &str) -> bool {
    let mut depth: i32 = 0;
    let mut previous: Option<(usize, &str)> = None;
    for line in code.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if depth == 0 {
            match previous {
                None if indent > 0 => return false,
                Some((before, text)) if indent > before => {
                    let opener = text.split([' ', ':', '(']).next().unwrap_or("");
                    if !text.ends_with(':') || !BLOCK_OPENERS.contains(&opener) {
                        return false;
                    }
                }
                _ => {}
            }
            // A colon ends only block openers (and dict or slice syntax inside brackets).
            let opener = trimmed.split([' ', ':', '(']).next().unwrap_or("");
            if trimmed.ends_with(':') && !BLOCK_OPENERS.contains(&opener) {
                return false;
            }
        }
        for c in trimmed.chars() {
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                '#' => break,
                _ => {}
            }
        }
        depth = depth.max(0);
        if depth == 0 {
            previous = Some((indent, trimmed));
        }
    }
    true
}

/// A cheap test before parsing: the line holds a call whose name is ML-looking.
fn looks_like_ml(line: &str) -> bool {
    line.contains('(')
        && [
            "fit",
            "predict",
            "read_",
            "train",
            "Classifier",
            "Regressor",
            "Pipeline",
            "Search",
            "KMeans",
            "SVC",
            "SVR",
            "XGB",
            "LGBM",
            "CatBoost",
            "Sequential",
            "compile",
            "evaluate",
            "score",
            "cross_val",
            "joblib",
            "to_csv",
            "to_parquet",
            "save",
        ]
        .iter()
        .any(|token| line.contains(token))
}

/// The ML calls of a parsed snippet: fit/predict-like methods, data readers, splitters and
/// estimator classes, in order, at most [`MAX_CALLS`] distinct names. The snippet is a few
/// comment lines, so its tree is small; its depth is bounded with an explicit stack.
fn ml_calls(root: Node, code: &str) -> Vec<String> {
    let mut calls: Vec<String> = Vec::new();
    let mut stack = vec![root];
    let mut budget = 20_000;
    while let Some(node) = stack.pop() {
        budget -= 1;
        if budget == 0 || calls.len() >= MAX_CALLS {
            break;
        }
        if node.kind_name() == "call"
            && let Some(function) = node.field("function")
        {
            let text = code.get(function.byte_range()).unwrap_or("");
            let name = text.rsplit('.').next().unwrap_or(text);
            if is_ml_call(name) && !calls.iter().any(|c| c == name) {
                calls.push(name.to_string());
            }
        }
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    calls
}

fn is_ml_call(name: &str) -> bool {
    const FUNCTIONS: &[&str] = &[
        "fit",
        "fit_transform",
        "fit_predict",
        "fit_resample",
        "partial_fit",
        "predict",
        "predict_proba",
        "predict_log_proba",
        "decision_function",
        "fit_generator",
        "train_on_batch",
        "read_csv",
        "read_parquet",
        "read_excel",
        "read_json",
        "read_sql",
        "read_feather",
        "train_test_split",
        "cross_val_score",
        "cross_validate",
        "cross_val_predict",
    ];
    if FUNCTIONS.contains(&name) {
        return true;
    }
    if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return false;
    }
    ml::KNOWN_PACKAGES.iter().any(|package| {
        ml::class_info(&format!("{package}.{name}")).is_some_and(|info| {
            matches!(info.category, Category::Model | Category::Composite)
                || info.category.is_stateful_transformer()
        })
    })
}

#[cfg(test)]
mod tests {
    use crate::model::dead::Condition;
    use crate::testutil::model_of as model;

    #[test]
    fn guards_constants_and_bindings() {
        let m = model(
            "USE_NEW = False\nDEBUG = 1\nif USE_NEW:\n    pass\nwhile 0:\n    pass\nif not (DEBUG):\n    print(1)\nif x > 1:\n    pass\n",
        );
        let dead = &m.dead;
        assert_eq!(dead.constants.len(), 2);
        assert_eq!(dead.guards.len(), 3);
        assert!(dead.never_runs(&dead.guards[0]));
        assert!(dead.never_runs(&dead.guards[1]));
        assert!(dead.never_runs(&dead.guards[2]));
        assert!(dead.guards[2].shows_only);
        assert_eq!(
            dead.guards[2].condition,
            Condition::Name {
                name: "DEBUG".into(),
                negated: true
            }
        );
    }

    #[test]
    fn a_rebound_or_global_name_is_not_a_constant() {
        let m =
            model("FLAG = False\ndef f():\n    global FLAG\n    FLAG = True\nif FLAG:\n    pass\n");
        assert!(!m.dead.never_runs(&m.dead.guards[0]));
        let m = model("FLAG = False\ndef f(FLAG=True):\n    if FLAG:\n        pass\n");
        assert!(!m.dead.never_runs(&m.dead.guards[0]));
        let m = model("import os\nFLAG = False\nFLAG = os.environ.get('F')\nif FLAG:\n    pass\n");
        assert!(!m.dead.never_runs(&m.dead.guards[0]));
    }

    #[test]
    fn commented_out_code_is_found_and_prose_is_not() {
        let m = model(
            "x = 1\n# model = RandomForestClassifier(n_estimators=10)\n# model.fit(X_train, y_train)\n# preds = model.predict(X_test)\ny = 2\n# We fit the model here and then\n# predict on the test set (see fit())\n# because it matters.\n",
        );
        assert_eq!(m.dead.code_comments.len(), 1);
        assert_eq!(m.dead.code_comments[0].lines, 3);
        assert_eq!(
            m.dead.code_comments[0].calls,
            ["RandomForestClassifier", "fit", "predict"]
        );
        assert_eq!(m.dead.comment_lines.len(), 6);
    }

    #[test]
    fn bare_estimators_and_optimizers() {
        let m = model(
            "import torch\nfrom sklearn.ensemble import RandomForestClassifier as RF\na = RF()\nb = RF(n_estimators=5)\nopt = torch.optim.SGD(model.parameters())\nopt2 = torch.optim.SGD(model.parameters(), lr=0.1)\na.set_params(max_depth=3)\n",
        );
        let classes: Vec<&str> = m
            .dead
            .bare_constructors
            .iter()
            .map(|(_, c)| c.as_str())
            .collect();
        assert_eq!(
            classes,
            ["sklearn.ensemble.RandomForestClassifier", "torch.optim.SGD"]
        );
        assert_eq!(m.dead.params_set.len(), 1);
    }
}
