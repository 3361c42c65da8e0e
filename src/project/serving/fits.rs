//! Fits in the serving path: what an entry point fits on the data it serves (a handler's
//! body and the helpers it calls, a Streamlit app's script), and transformers a serving
//! module fits at its top level on made-up rows that its handlers then apply.

use crate::finding::Span;
use crate::ml::Category;
use crate::model::{Event, FitMethod, Kind, ScopeId, ValueId};
use crate::project::extract::Extractor;
use crate::project::summary::Place;
use std::collections::HashSet;

impl<'a> Extractor<'a> {
    /// The fits of an entry point whose bodies are the spans `within` holds: (method, class
    /// or variable, place). `script` is a Streamlit app, whose body is the whole module: there
    /// only fits of what the app predicts with, on what the user entered or on made-up rows,
    /// count (an app may load its dataset and fit on it, or train a model and save it).
    pub(super) fn serving_fits(
        &self,
        within: &dyn Fn(Span) -> bool,
        script: bool,
    ) -> (Vec<(FitMethod, String, Place)>, Vec<usize>) {
        let served = self.served_estimators(within);
        let mut fits: Vec<(FitMethod, String, Place)> = Vec::new();
        let mut top: Vec<usize> = Vec::new();
        for (index, event) in self.model.events.iter().enumerate() {
            let Event::Fit {
                estimator,
                method,
                span,
                x,
                y,
                x_text,
                scope,
                ..
            } = event
            else {
                continue;
            };
            // A fit in a function of the file is seen in its body and again, replayed, at
            // each call: the body is among the handler's bodies, so the replay adds nothing.
            if self.model.replayed.get(index).is_some_and(Option::is_some) {
                continue;
            }
            let inside = within(*span);
            // A transformer fitted at the top of the serving module, outside the handler,
            // that the handler applies to what it predicts on.
            let top_level =
                !inside && !script && *scope == ScopeId::MODULE && served.contains(estimator);
            if !(inside || top_level) {
                continue;
            }
            // A label makes training data of what a fit learns from, except for
            // `partial_fit`: an online update learns from whatever it is given.
            let label = if *method == FitMethod::PartialFit {
                None
            } else {
                *y
            };
            if x.is_some_and(|x| self.fits_training_data(x, label, x_text)) {
                continue;
            }
            // A transformer whose output a model of the file is trained on: that is training
            // (a `/train` route, a Streamlit page that trains and saves a model), and the
            // model learns with the statistics the transformer learned.
            if self.feeds_training(*estimator) {
                continue;
            }
            if script || top_level {
                let Some(x) = *x else {
                    continue;
                };
                let requested = script && self.derives_from_widget(x);
                if !served.contains(estimator) || !(requested || self.made_up(x)) {
                    continue;
                }
            }
            let Some(class) = self.fitted_class(*estimator, *method, *span) else {
                continue;
            };
            let place = self.place(*span);
            if !fits.iter().any(|(_, _, p)| p.span == place.span) {
                if top_level {
                    top.push(fits.len());
                }
                fits.push((*method, class, place));
            }
        }
        (fits, top)
    }

    /// The class of a fitted estimator as named in messages; for a loaded object, the
    /// variable it is fitted through. A loaded model fitted again with a label is retrained
    /// (that is no fit of a transformer in the serving path); a loaded object refitted
    /// without one (`scaler.fit_transform(row)`), or updated online, is.
    fn fitted_class(&self, estimator: ValueId, method: FitMethod, span: Span) -> Option<String> {
        let est = self.model.estimator(estimator)?;
        if est.category != Category::Loaded {
            return Some(est.short_name().to_string());
        }
        if !matches!(
            method,
            FitMethod::FitTransform | FitMethod::PartialFit | FitMethod::Fit
        ) {
            return None;
        }
        let text = self.file.text.get(span.start..span.end)?;
        let (receiver, _) = text.split_once(&format!(".{}(", method.as_str()))?;
        let receiver = receiver.trim();
        (!receiver.is_empty() && !receiver.contains('(')).then(|| receiver.to_string())
    }

    /// The estimators the entry point predicts with, and the transformers whose output
    /// reaches what it predicts on.
    fn served_estimators(&self, within: &dyn Fn(Span) -> bool) -> HashSet<ValueId> {
        let mut out = HashSet::new();
        let transforms = self.stateful_transforms();
        for event in &self.model.events {
            let Event::Predict {
                estimator,
                input,
                span,
                ..
            } = event
            else {
                continue;
            };
            if !within(*span) {
                continue;
            }
            out.insert(*estimator);
            if let Some(fed) = self.sources().fed[input.index()].as_ref() {
                for &t in fed {
                    if let Some((transformer, _, _)) = transforms.get(t as usize) {
                        out.insert(*transformer);
                    }
                }
            }
        }
        out
    }

    /// Whether a model of the file is fitted on the output of `transformer`.
    fn feeds_training(&self, transformer: ValueId) -> bool {
        let transforms = self.stateful_transforms();
        self.model.events.iter().any(|event| {
            let Event::Fit {
                estimator,
                x: Some(x),
                y: Some(_),
                ..
            } = event
            else {
                return false;
            };
            *estimator != transformer
                && self
                    .model
                    .estimator(*estimator)
                    .is_some_and(|e| matches!(e.category, Category::Model | Category::Composite))
                && self.sources().fed[x.index()].as_ref().is_some_and(|fed| {
                    fed.iter().any(|&t| {
                        transforms
                            .get(t as usize)
                            .is_some_and(|(est, _, _)| *est == transformer)
                    })
                })
        })
    }

    /// Whether `x` is made of literals only (`[[0, 0, 0]]`, `["Active", "Not Active"]`,
    /// `pd.DataFrame({"age": [30]})`): made-up rows, whose statistics are nobody's.
    fn made_up(&self, x: ValueId) -> bool {
        let mut literal = false;
        let mut other = false;
        let mut seen = HashSet::new();
        let mut stack = vec![x];
        while let Some(current) = stack.pop() {
            if other || current.index() >= self.model.values.len() || !seen.insert(current) {
                continue;
            }
            let value = &self.model.values[current];
            match &value.kind {
                Kind::Number(_) | Kind::Str(_) | Kind::NoneLiteral => literal = true,
                Kind::Import(_) => {}
                _ if current == crate::model::UNKNOWN => other = true,
                Kind::Tuple(_) | Kind::Dict(_) | Kind::Call { .. } | Kind::Unknown
                    if !value.inputs.is_empty() => {}
                Kind::Tuple(items) if items.is_empty() => literal = true,
                Kind::Dict(items) if items.is_empty() => literal = true,
                _ if value.inputs.is_empty() => other = true,
                _ => {}
            }
            stack.extend(value.inputs.iter().copied());
        }
        literal && !other
    }

    /// Whether `x` derives from what a Streamlit widget returned (`st.number_input(...)`,
    /// `st.file_uploader(...)`): what the user entered.
    fn derives_from_widget(&self, x: ValueId) -> bool {
        self.model.derives_from(x, |v| {
            matches!(&self.model.values[v].kind, Kind::Call { function }
                if function.starts_with("streamlit.") && !function.starts_with("streamlit.cache"))
        })
    }
}
