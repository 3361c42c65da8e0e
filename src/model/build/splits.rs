//! Splits and their parts: `train_test_split` and the split events, and the roles
//! (train, validation, test) of the parts a split makes.

use super::{Args, Builder, span};
use crate::finding::Span;
use crate::model::{Event, Kind, Role, Split, SplitId, SplitKind, ValueId, rows};
use tree_sitter::Node;

impl Builder<'_> {
    pub(super) fn train_test_split(&mut self, qualified: &str, args: &Args, node: Node) -> ValueId {
        let not_shuffled = args
            .keyword("shuffle")
            .is_some_and(|(_, n)| self.text(n) == "False");
        let seeded = args.splat
            || not_shuffled
            || args
                .keyword("random_state")
                .is_some_and(|(v, _)| !self.is_none(v));
        let inputs: Vec<ValueId> = args.positional.iter().map(|(v, _)| *v).collect();
        let id = self.new_split(
            qualified,
            SplitKind::Function,
            !not_shuffled,
            inputs.clone(),
            span(node),
        );
        self.model.splits[id].grouped = args.keyword("groups").is_some();
        let mut outputs = Vec::new();
        for &input in &inputs {
            for role in [Role::Train, Role::Test] {
                outputs.push(self.split_part(input, role, id, span(node)));
            }
        }
        let result = self.new_value(Kind::Tuple(outputs.clone()), outputs.clone(), span(node));
        if let Event::Split { outputs: out, .. } =
            &mut self.model.events[self.model.splits[id].event]
        {
            *out = outputs;
        }
        if !seeded {
            self.note_unseeded(qualified.to_string(), result, node);
        }
        result
    }

    /// Starts a split and records its event; parts are added by [`Self::split_part`].
    pub(super) fn new_split(
        &mut self,
        function: &str,
        kind: SplitKind,
        shuffled: bool,
        inputs: Vec<ValueId>,
        at: Span,
    ) -> SplitId {
        let id = SplitId::new(self.model.splits.len());
        let scope = self.scope();
        let event = self.push_event(Event::Split {
            id,
            inputs: inputs.clone(),
            outputs: Vec::new(),
            function: function.to_string(),
            span: at,
            scope,
        });
        self.model.splits.push(Split {
            function: function.to_string(),
            kind,
            shuffled,
            folds: false,
            grouped: false,
            inputs,
            column: None,
            has_train: false,
            has_test: false,
            span: at,
            scope,
            event,
            data_text: self.call_argument_text(at, 0, "X"),
            seed: self
                .call_argument_text(at, usize::MAX, "random_state")
                .filter(|text| text.trim() != "None"),
        });
        id
    }

    /// One part of split `split` made from `input`: it holds the rows of `role` (a held-out
    /// part of a training part is a validation part) and keeps the input's columns.
    pub(super) fn split_part(
        &mut self,
        input: ValueId,
        role: Role,
        split: SplitId,
        at: Span,
    ) -> ValueId {
        let input_rows = self.model.values[input].rows;
        // Roles follow the split tree: a split of a training part gives a training and a
        // validation part; a split of a held-out part (`X_valid, X_test = split(X_rest)`) gives
        // two disjoint held-out parts, a validation part and a test part.
        let role = match role {
            Role::Test if input_rows & rows::PARTS == rows::TRAIN => Role::Valid,
            Role::Train if input_rows & rows::PARTS == rows::TRAIN => Role::Train,
            Role::Train if input_rows & rows::PARTS == rows::TEST => Role::Valid,
            role => role,
        };
        let id = self.new_value(Kind::SplitPart { role, split }, vec![input], at);
        let columns = self.model.values[input].columns.clone();
        let info = &mut self.model.splits[split];
        match role {
            Role::Train => info.has_train = true,
            Role::Valid | Role::Test => info.has_test = true,
        }
        let complete = info.has_train && info.has_test;
        // A slice or a mask is a split only once its complement is seen (`df[df.age > 30]`
        // alone is a filter): until then its parts keep the rows of their input.
        let tentative = matches!(info.kind, SplitKind::Slice | SplitKind::Mask);
        let value = &mut self.model.values[id];
        value.columns = columns;
        if tentative && !complete {
            self.tentative.entry(split).or_default().push(id);
            return id;
        }
        value.rows = role.rows() | (input_rows & rows::RESAMPLED);
        if let Some(earlier) = self.tentative.remove(&split) {
            for part in earlier {
                if let Kind::SplitPart { role, .. } = self.model.values[part].kind {
                    let value = &mut self.model.values[part];
                    value.rows = role.rows() | (value.rows & rows::RESAMPLED);
                }
            }
        }
        id
    }
}
