//! Facts for the api-flow rules: how a threshold metric averages over classes (API015), and
//! the names trained models are bound to (DEAD003).

use super::{Args, Builder, span};
use crate::ml::Category;
use crate::model::{Averaging, Kind, MetricAverage, ValueId};
use tree_sitter::Node;

impl Builder<'_> {
    /// Records the `average=` option of a metric call (`event`): `f1_score`, `precision_score`
    /// and `recall_score` default to `"binary"`, which fails on targets of more than two
    /// classes, so a call that keeps the default proves the task binary.
    pub(super) fn note_metric_average(&mut self, event: usize, args: &Args) {
        let averaging = if args.splat || !args.spread.is_empty() {
            Averaging::Unknown
        } else {
            match args.keyword("average") {
                None => Averaging::Default,
                Some((value, _)) => match self.kind(value) {
                    Kind::Str(text) if text == "binary" => Averaging::Binary,
                    Kind::Str(_) | Kind::NoneLiteral => Averaging::Other,
                    _ => Averaging::Unknown,
                },
            }
        };
        self.model
            .metric_averages
            .push(MetricAverage { event, averaging });
    }
}

impl Builder<'_> {
    /// Records that the identifier `target` is bound to `value` when that is a model or a
    /// composite (a pipeline, a search): where a fitted model can be read back by name.
    pub(super) fn note_model_binding(&mut self, target: Node, value: ValueId) {
        let Kind::Estimator(estimator) = self.kind(value) else {
            return;
        };
        if matches!(estimator.category, Category::Model | Category::Composite) {
            let name = self.text(target).to_string();
            self.model.model_bindings.push((name, value, span(target)));
        }
    }
}
