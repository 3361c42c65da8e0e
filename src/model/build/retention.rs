//! Facts for API004 (memory-not-freed): values a PyTorch file adds to a running total or a
//! list that outlives the loop iteration (`total += loss`, `losses.append(loss)`), with the
//! block they happen in, so the rule can ask whether the value is a loss that a backward pass
//! of the same loop ran on (and so carries the graph of its iteration); and, for Keras models
//! built in a loop, where the loops are and where Keras' global state is cleared.

use super::{Builder, span};
use crate::model::{Accumulation, Inference, UNKNOWN, ValueId};
use crate::source::python::Syntax;
use tree_sitter::Node;

impl Builder<'_> {
    /// Records `target += value` (`operator` is the augmented operator as written) or
    /// `target.append(value)` (`operator` is `append`) in a file that imports PyTorch.
    /// `expression` is the node of what is added; `node` the statement or call.
    pub(super) fn note_accumulation(
        &mut self,
        target: Node,
        operator: &str,
        expression: Node,
        value: ValueId,
        node: Node,
    ) {
        if value == UNKNOWN || !matches!(operator, "+=" | "append") || !self.torch_active() {
            return;
        }
        let mut added = expression;
        while added.kind_name() == "parenthesized_expression" {
            match added.named_child(0) {
                Some(inner) => added = inner,
                None => return,
            }
        }
        // `loss * x.size(0)`, `loss / n`: still the loss tensor, with its graph. Attributes
        // and subscripts (`loss.data`, `out[0]`) are not read: the analysis may not tell
        // them apart from the object.
        let scaled = added.kind_name() == "binary_operator"
            && added
                .field("operator")
                .is_some_and(|o| matches!(self.text(o), "*" | "/"))
            && [added.field("left"), added.field("right")]
                .into_iter()
                .flatten()
                .any(|operand| operand.kind_name() == "identifier");
        if !scaled && added.kind_name() != "identifier" {
            return;
        }
        // Under `torch.no_grad()` the sum records no graph.
        if matches!(self.torch_inference(), Some(Inference::NoGrad { .. })) {
            return;
        }
        let block = self.torch_block();
        self.model.memory.accumulations.push(Accumulation {
            target: self.text(target).to_string(),
            append: operator == "append",
            value,
            scaled,
            text: super::short_text(self.text(expression)),
            span: span(node),
            scope: self.scope(),
            block,
        });
    }
}

impl Builder<'_> {
    /// Records the span of a `for` or `while` statement.
    pub(super) fn note_loop(&mut self, node: Node) {
        if matches!(node.kind_name(), "for_statement" | "while_statement") {
            self.model.memory.loops.push(span(node));
        }
    }

    /// Records a call that clears Keras' (or TensorFlow's) global state, by the name called:
    /// `keras.backend.clear_session()`, `K.clear_session()`, `clear_session()`,
    /// `tf.compat.v1.reset_default_graph()`.
    pub(super) fn note_session_reset(&mut self, function: Node, node: Node) {
        let name = match function.kind_name() {
            "attribute" => function.field("attribute"),
            "identifier" => Some(function),
            _ => None,
        };
        if name.is_some_and(|n| matches!(self.text(n), "clear_session" | "reset_default_graph")) {
            let scope = self.scope();
            self.model.memory.session_resets.push((span(node), scope));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::model_of as model;

    fn recorded(source: &str) -> Vec<(String, bool, bool, String)> {
        let m = model(source);
        m.memory
            .accumulations
            .iter()
            .map(|a| (a.target.clone(), a.append, a.scaled, a.text.clone()))
            .collect()
    }

    #[test]
    fn sums_and_appends_of_names_and_their_products() {
        let source = "import torch\nlosses = []\nfor x in data:\n    loss = f(x)\n    total += loss\n    \
                      losses.append(loss)\n    run += (loss * x.size(0))\n    n += 1\n    \
                      t += loss.item()\n    t -= loss\n";
        let found = recorded(source);
        let expected = vec![
            ("total".to_string(), false, false, "loss".to_string()),
            ("losses".to_string(), true, false, "loss".to_string()),
            (
                "run".to_string(),
                false,
                true,
                "(loss * x.size(0))".to_string(),
            ),
        ];
        assert_eq!(found, expected);
    }

    #[test]
    fn nothing_without_torch_or_under_no_grad() {
        assert!(recorded("for x in d:\n    loss = f(x)\n    total += loss\n").is_empty());
        let source = "import torch\nfor x in d:\n    loss = f(x)\n    with torch.no_grad():\n        \
                      total += loss\n";
        assert!(recorded(source).is_empty());
    }

    #[test]
    fn loops_and_session_resets() {
        let source = "import keras\nfor i in r:\n    keras.backend.clear_session()\nwhile go:\n    \
                      pass\ndef f():\n    clear_session()\n";
        let m = model(source);
        assert_eq!(m.memory.loops.len(), 2);
        let scopes: Vec<bool> = m
            .memory
            .session_resets
            .iter()
            .map(|(_, scope)| *scope == crate::model::ScopeId::MODULE)
            .collect();
        assert_eq!(scopes, vec![true, false]);
    }
}
