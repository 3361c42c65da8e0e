//! Facts for the api-flow rules: how a threshold metric averages over classes (API015).

use super::{Args, Builder};
use crate::model::{Averaging, Kind, MetricAverage};

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
