//! Randomness: seeds set, draws from global or own generators, generators made, and whether
//! an estimator is given a seed.

use super::{Args, Builder, span};
use crate::ml::{self, Randomness};
use crate::model::{Event, Kind, UNKNOWN, ValueId};
use crate::source::python::Syntax;
use tree_sitter::Node;

impl Builder<'_> {
    /// Calls about randomness: seeding a generator (`np.random.seed`), drawing from one,
    /// making one (`np.random.default_rng`), a shuffling `DataLoader`. Some when the call is
    /// fully handled here.
    pub(super) fn randomness_call(
        &mut self,
        qualified: &str,
        args: &Args,
        node: Node,
    ) -> Option<ValueId> {
        let scope = self.scope();
        let rngs = ml::seeds(qualified);
        if !rngs.is_empty() {
            self.model.events.push(Event::Seed {
                rngs,
                span: span(node),
                scope,
            });
            return Some(UNKNOWN);
        }
        // A draw in another module's code is that module's to seed (its own report).
        if let Some(rng) = ml::draws_from(qualified)
            && !self.reading_foreign()
        {
            self.model.events.push(Event::Draw {
                rng,
                function: qualified.to_string(),
                own_generator: self.draws_from_own_generator(span(node)),
                span: span(node),
                scope,
            });
        }
        if ml::is_generator_constructor(qualified) {
            let seed = args.get(0, &["seed"]).map(|(v, _)| v);
            let seeded = args.splat || seed.is_some_and(|v| !self.is_none(v));
            if !seeded {
                let value = self.new_value(Kind::Generator { seeded }, Vec::new(), span(node));
                self.note_unseeded(qualified.to_string(), value, node);
                return Some(value);
            }
            return Some(self.new_value(Kind::Generator { seeded }, Vec::new(), span(node)));
        }
        if qualified.ends_with("utils.data.DataLoader") && qualified.starts_with("torch") {
            let shuffled = args
                .keyword("shuffle")
                .is_some_and(|(_, n)| self.text(n) == "True");
            if shuffled
                && args.keyword("generator").is_none()
                && !args.splat
                && !self.reading_foreign()
            {
                self.model.events.push(Event::Draw {
                    rng: ml::Rng::Torch,
                    function: qualified.to_string(),
                    own_generator: self.draws_from_own_generator(span(node)),
                    span: span(node),
                    scope,
                });
            }
        }
        None
    }

    /// Whether an estimator is seeded, from its class's randomness and its arguments.
    pub(super) fn seeded(&self, randomness: Randomness, args: &Args) -> Option<bool> {
        if args.splat {
            return None;
        }
        let given = args
            .keyword("random_state")
            .is_some_and(|(v, _)| !self.is_none(v));
        // k-means started from given centres (`init=pca.components_`) draws nothing.
        if let Some((_, init)) = args.keyword("init")
            && !matches!(init.kind_name(), "string" | "concatenated_string")
        {
            return None;
        }
        match randomness {
            Randomness::None => None,
            Randomness::RandomState => Some(given),
            Randomness::WhenShuffled => {
                let shuffled = args
                    .keyword("shuffle")
                    .is_some_and(|(_, n)| self.text(n) == "True");
                shuffled.then_some(given)
            }
        }
    }

    /// Records a call with no seed (`RandomForestClassifier()`, `np.random.default_rng()`):
    /// which call, its value, the calls around it that may seed it, and whether its shuffle
    /// flag is something other than a literal.
    pub(super) fn note_unseeded(
        &mut self,
        function: impl Into<String>,
        value: ValueId,
        node: Node,
    ) {
        if self.reading_foreign() {
            return;
        }
        let scope = self.scope();
        self.model.events.push(Event::UnseededCall {
            function: function.into(),
            span: span(node),
            scope,
            value,
            wrappers: self.wrappers(span(node)),
            shuffle_unknown: self.shuffle_unknown(span(node)),
        });
    }
}
