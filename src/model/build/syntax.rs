//! Questions about the syntax around an event, answered when the event is recorded so that
//! rules read the answer from the model and never walk the tree: what wraps an unseeded
//! estimator, whether a draw has a generator of its own, whether a comparison sits in an
//! `assert`, which constant a threshold is assigned to, the source text of a call's argument.
//!
//! Each question starts from the node the tree holds at the event's span (the smallest one
//! covering it), as the rules that asked it did.

use super::{Builder, span};
use crate::finding::Span;
use crate::model::{Kind, ValueId, Wrapper};
use crate::source::python::Syntax;
use tree_sitter::Node;

impl<'a> Builder<'a> {
    /// The smallest node that covers `at`.
    fn node_at(&self, at: Span) -> Option<Node<'a>> {
        self.root.descendant_for_byte_range(at.start, at.end)
    }

    /// The call node at `at`, if the node there is a call.
    fn call_at(&self, at: Span) -> Option<Node<'a>> {
        self.node_at(at).filter(|node| node.kind_name() == "call")
    }

    /// True when the draw at `at` uses a generator or seed of its own (`torch.randn(3,
    /// generator=g)`, `tf.random.normal(shape, seed=1)`), not the global one.
    pub(super) fn draws_from_own_generator(&self, at: Span) -> bool {
        self.call_at(at)
            .is_some_and(|call| self.call_given(call, &["generator", "seed"]))
    }

    /// True when the call at `at` says whether it shuffles with something other than a
    /// literal `True` (`shuffle=SHUFFLE`): the analysis cannot tell whether it shuffles.
    pub(super) fn shuffle_unknown(&self, at: Span) -> bool {
        let Some(arguments) = self.call_at(at).and_then(|call| call.field("arguments")) else {
            return false;
        };
        let mut cursor = arguments.walk();
        arguments.named_children(&mut cursor).any(|argument| {
            argument.kind_name() == "keyword_argument"
                && argument
                    .field("name")
                    .is_some_and(|n| self.home.get(n.byte_range()) == Some("shuffle"))
                && argument
                    .field("value")
                    .is_some_and(|v| v.kind_name() != "true")
        })
    }

    /// The calls whose arguments hold the call at `at` (directly or inside list, tuple and
    /// dict literals), innermost first, each with whether it is given a seed.
    pub(super) fn wrappers(&self, at: Span) -> Vec<Wrapper> {
        let mut wrappers = Vec::new();
        let Some(mut node) = self.node_at(at) else {
            return wrappers;
        };
        while let Some(outer) = enclosing_call(node) {
            wrappers.push(Wrapper {
                span: span(outer),
                given_seed: self.call_given(outer, &["random_state", "random_seed", "seed"]),
            });
            node = outer;
        }
        wrappers
    }

    /// True when the call passes one of the keywords `names` with a value other than `None`,
    /// or hides keyword arguments in a `**` splat.
    fn call_given(&self, call: Node, names: &[&str]) -> bool {
        let Some(arguments) = call.field("arguments") else {
            return false;
        };
        let mut cursor = arguments.walk();
        arguments
            .named_children(&mut cursor)
            .any(|argument| match argument.kind_name() {
                "dictionary_splat" => true,
                "keyword_argument" => {
                    let name = argument
                        .field("name")
                        .and_then(|n| self.home.get(n.byte_range()))
                        .unwrap_or("");
                    let value = argument.field("value");
                    names.contains(&name) && value.is_some_and(|v| v.kind_name() != "none")
                }
                _ => false,
            })
    }

    /// Notes a `x.set_params(...)` call that sets a random state the model cannot attach to
    /// one estimator (a function parameter, a loop variable, a nested `step__random_state`, a
    /// `**` splat): any estimator of the file may be seeded there. The one case the model
    /// follows itself is `name.set_params(random_state=...)` run once at module level.
    pub(super) fn note_set_params(&mut self, call: Node) {
        if !self.model.set_params_hides_seed && self.set_params_hides_seed(call) {
            self.model.set_params_hides_seed = true;
        }
    }

    fn set_params_hides_seed(&self, call: Node) -> bool {
        let Some(function) = call.field("function") else {
            return false;
        };
        let Some(method) = function.field("attribute") else {
            return false;
        };
        if function.kind_name() != "attribute" || self.text(method) != "set_params" {
            return false;
        }
        let Some(arguments) = call.field("arguments") else {
            return false;
        };
        let mut own = false;
        let mut hidden = false;
        let mut cursor = arguments.walk();
        for argument in arguments.named_children(&mut cursor) {
            match argument.kind_name() {
                "dictionary_splat" => hidden = true,
                "keyword_argument" => {
                    let name = argument.field("name").map_or("", |n| self.text(n));
                    if name == "random_state" {
                        own = true;
                    } else if name.ends_with("__random_state") {
                        hidden = true;
                    }
                }
                _ => {}
            }
        }
        if hidden {
            return true;
        }
        if !own {
            return false;
        }
        let plain_receiver = function
            .field("object")
            .is_some_and(|o| o.kind_name() == "identifier");
        !plain_receiver || runs_repeatedly_or_later(call)
    }

    /// True when the comparison at `at` sits in an `assert` (of its own block).
    pub(super) fn in_assert(&self, at: Span) -> bool {
        let mut current = self.node_at(at);
        while let Some(node) = current {
            match node.kind_name() {
                "assert_statement" => return true,
                "function_definition" | "class_definition" | "module" | "block" => return false,
                _ => current = node.parent(),
            }
        }
        false
    }

    /// The names the number operands of an ordering comparison (`op` is `<`, `<=`, `>` or
    /// `>=`) are assigned to ([`Self::constant_name`] of where each value was made). Other
    /// operands are not looked up: the answer climbs the tree, and only thresholds need it.
    pub(super) fn constant_names(
        &self,
        op: &str,
        left: ValueId,
        right: ValueId,
    ) -> [Option<String>; 2] {
        if !matches!(op, "<" | "<=" | ">" | ">=") {
            return [None, None];
        }
        [left, right].map(|v| {
            let value = &self.model.values[v];
            matches!(value.kind, Kind::Number(_))
                .then(|| self.constant_name(value.span))
                .flatten()
        })
    }

    /// `THRESH` in `THRESH = 0.35`, when the expression at `at` is the right side of a simple
    /// assignment to a name.
    fn constant_name(&self, at: Span) -> Option<String> {
        let mut node = self.node_at(at)?;
        // `-0.6` is a unary operator around the float.
        while node.start_byte() == at.start
            && node.end_byte() == at.end
            && let Some(parent) = node.parent()
            && parent.start_byte() == at.start
            && parent.end_byte() == at.end
        {
            node = parent;
        }
        let assignment = node.parent().filter(|p| p.kind_name() == "assignment")?;
        if assignment.field("right") != Some(node) {
            return None;
        }
        let left = assignment
            .field("left")
            .filter(|l| l.kind_name() == "identifier")?;
        self.home.get(left.byte_range()).map(str::to_string)
    }

    /// True when the string at `at` is an argument of a decorator's call
    /// (`@app.get("/home/<user>")`).
    pub(super) fn in_decorator(&self, at: Span) -> bool {
        let call = self
            .node_at(at)
            .and_then(|node| node.parent())
            .filter(|p| p.kind_name() == "argument_list")
            .and_then(|p| p.parent())
            .filter(|p| p.kind_name() == "call");
        call.and_then(|c| c.parent())
            .is_some_and(|p| p.kind_name() == "decorator")
    }

    /// The source text of argument `index` (or keyword `keyword`) of the call at `at`, for
    /// messages about events that keep no text of their own.
    pub(super) fn call_argument_text(
        &self,
        at: Span,
        index: usize,
        keyword: &str,
    ) -> Option<String> {
        let node = self.node_at(at)?;
        let call = std::iter::successors(Some(node), |n| n.parent()).find(|n| {
            n.kind_name() == "call" && n.start_byte() == at.start && n.end_byte() == at.end
        })?;
        let arguments = call.field("arguments")?;
        let mut cursor = arguments.walk();
        let args: Vec<Node> = arguments
            .named_children(&mut cursor)
            .filter(|n| n.kind_name() != "comment")
            .collect();
        let text = |n: Node| self.home.get(n.byte_range()).map(str::to_string);
        for arg in &args {
            if arg.kind_name() == "keyword_argument"
                && arg
                    .field("name")
                    .and_then(text)
                    .is_some_and(|name| name == keyword)
            {
                return arg.field("value").and_then(text);
            }
        }
        args.iter()
            .filter(|n| n.kind_name() != "keyword_argument")
            .nth(index)
            .and_then(|&n| text(n))
    }
}

/// The call whose arguments hold `node`, directly or inside list, tuple and dict literals.
fn enclosing_call(node: Node) -> Option<Node> {
    let mut current = node.parent()?;
    loop {
        match current.kind_name() {
            "argument_list" => {
                return current.parent().filter(|p| p.kind_name() == "call");
            }
            "keyword_argument"
            | "list"
            | "tuple"
            | "dictionary"
            | "pair"
            | "parenthesized_expression"
            | "expression_list" => current = current.parent()?,
            _ => return None,
        }
    }
}

/// True when `node` sits in a function, a loop or a comprehension.
fn runs_repeatedly_or_later(node: Node) -> bool {
    let mut current = node.parent();
    while let Some(parent) = current {
        if matches!(
            parent.kind_name(),
            "function_definition"
                | "lambda"
                | "for_statement"
                | "while_statement"
                | "list_comprehension"
                | "set_comprehension"
                | "dictionary_comprehension"
                | "generator_expression"
        ) {
            return true;
        }
        current = parent.parent();
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::model::{Event, FileModel};
    use crate::testutil::model_of as model;

    fn unseeded(m: &FileModel) -> Vec<(&str, usize, bool)> {
        m.events
            .iter()
            .filter_map(|e| match e {
                Event::UnseededCall {
                    function,
                    wrappers,
                    shuffle_unknown,
                    ..
                } => Some((function.as_str(), wrappers.len(), *shuffle_unknown)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn unseeded_calls_know_what_wraps_them_and_whether_they_may_shuffle() {
        let m = model(
            "from sklearn.ensemble import RandomForestClassifier\nfrom sklearn.model_selection import train_test_split\nw = Wrapper(steps=[RandomForestClassifier()], random_state=0)\na, b = train_test_split(X, shuffle=SHUFFLE)\n",
        );
        let found = unseeded(&m);
        assert_eq!(
            found,
            vec![
                ("sklearn.ensemble.RandomForestClassifier", 1, false),
                ("sklearn.model_selection.train_test_split", 0, true),
            ]
        );
        let Some(Event::UnseededCall { wrappers, .. }) = m
            .events
            .iter()
            .find(|e| matches!(e, Event::UnseededCall { .. }))
        else {
            panic!("an unseeded call");
        };
        assert!(wrappers[0].given_seed);
    }

    #[test]
    fn draws_know_their_own_generator() {
        let m = model("import torch\ntorch.randn(3)\ntorch.randn(3, generator=g)\n");
        let own: Vec<bool> = m
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Draw { own_generator, .. } => Some(*own_generator),
                _ => None,
            })
            .collect();
        assert_eq!(own, vec![false, true]);
    }

    #[test]
    fn set_params_hides_a_seed_only_where_the_model_cannot_follow_it() {
        let plain = "from sklearn.ensemble import RandomForestClassifier\nrf = RandomForestClassifier()\nrf.set_params(random_state=0)\n";
        assert!(!model(plain).set_params_hides_seed);
        let looped = "for s in seeds:\n    rf.set_params(random_state=s)\n";
        assert!(model(looped).set_params_hides_seed);
        let nested = "pipe.set_params(clf__random_state=0)\n";
        assert!(model(nested).set_params_hides_seed);
    }

    #[test]
    fn comparisons_know_asserts_and_constants() {
        let m = model("THRESH = 0.35\nassert p > 0.2\nq = p > THRESH\n");
        let compares: Vec<(bool, [Option<String>; 2])> = m
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Compare {
                    in_assert,
                    constants,
                    ..
                } => Some((*in_assert, constants.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            compares,
            vec![
                (true, [None, None]),
                (false, [None, Some("THRESH".to_string())]),
            ]
        );
    }

    #[test]
    fn path_literals_know_decorators() {
        let m = model(
            "@app.get(\"/home/ana/x\")\ndef h():\n    pass\nos.environ.get(\"K\", \"/home/ana/y\")\n",
        );
        let decorated: Vec<bool> = m
            .events
            .iter()
            .filter_map(|e| match e {
                Event::PathLiteral { in_decorator, .. } => Some(*in_decorator),
                _ => None,
            })
            .collect();
        assert_eq!(decorated, vec![true, false]);
    }

    #[test]
    fn splits_and_cross_validation_keep_their_data_argument_text() {
        let m = model(
            "from sklearn.model_selection import train_test_split, cross_val_score\nfrom sklearn.linear_model import LogisticRegression\na, b = train_test_split(df[cols], random_state=0)\ncross_val_score(LogisticRegression(), X=feats, y=y)\n",
        );
        assert_eq!(m.splits[0].data_text.as_deref(), Some("df[cols]"));
        assert_eq!(m.splits[0].seed.as_deref(), Some("0"));
        let unseeded = model(
            "from sklearn.model_selection import train_test_split
a, b = train_test_split(X, random_state=None)
c, d = train_test_split(X)
",
        );
        assert!(unseeded.splits.iter().all(|s| s.seed.is_none()));
        let x_text = m.events.iter().find_map(|e| match e {
            Event::CrossVal { x_text, .. } => Some(x_text.clone()),
            _ => None,
        });
        assert_eq!(x_text, Some(Some("feats".to_string())));
    }
}
