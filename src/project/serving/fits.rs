//! Fits in the serving path: what an entry point fits on the data it serves (a handler's
//! body and the helpers it calls, a Streamlit app's script), and transformers a serving
//! module fits at its top level on made-up rows that its handlers then apply.

use crate::finding::Span;
use crate::ml::Category;
use crate::model::{Event, FitMethod, Kind, ScopeId, ValueId};
use crate::project::extract::Extractor;
use crate::project::summary::Place;
use std::collections::HashSet;

/// Functions that build data from the values given to them, and read nothing.
const DATA_CONSTRUCTORS: &[&str] = &[
    "numpy.array",
    "numpy.asarray",
    "numpy.column_stack",
    "numpy.vstack",
    "numpy.hstack",
    "numpy.reshape",
    "numpy.arange",
    "numpy.linspace",
    "pandas.DataFrame",
    "pandas.Series",
    "list",
    "tuple",
    "dict",
    "float",
    "int",
    "str",
];

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
                // A model the app itself fits without a label on what the user gave (a
                // clustering app) is the app's own training, with no trained model to
                // differ from; transformers and loaded objects refitted are what counts.
                if !self.transformer_or_loaded(*estimator) {
                    continue;
                }
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

    /// Whether `estimator` is a stateful transformer (or a composite with one among its
    /// steps) or an object loaded from an artifact.
    fn transformer_or_loaded(&self, estimator: ValueId) -> bool {
        self.model.estimator(estimator).is_some_and(|e| {
            e.category.is_stateful_transformer()
                || e.category == Category::Loaded
                || e.category == Category::Composite && e.stateful_steps.is_some()
        })
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
    /// `pd.DataFrame({"age": [30]})`, `np.array([[0, 1]])`): made-up rows, whose statistics
    /// are nobody's. Anything read, loaded, passed in or returned by a call the analysis
    /// cannot see into is not made up.
    fn made_up(&self, x: ValueId) -> bool {
        let io: HashSet<ValueId> = self.model.io.iter().map(|io| io.value).collect();
        let mut literal = false;
        let mut seen = HashSet::new();
        let mut stack = vec![x];
        while let Some(current) = stack.pop() {
            if current.index() >= self.model.values.len() || !seen.insert(current) {
                continue;
            }
            if current == crate::model::UNKNOWN || io.contains(&current) {
                return false;
            }
            let value = &self.model.values[current];
            let made = match &value.kind {
                Kind::Number(_) | Kind::Str(_) | Kind::NoneLiteral => {
                    literal = true;
                    true
                }
                Kind::Import(_) | Kind::Tuple(_) | Kind::Dict(_) => true,
                Kind::Call { function } => DATA_CONSTRUCTORS.contains(&function.as_str()),
                // An operation on values (`a.reshape(1, -1)`, `[[a, b]]`), not a call of a
                // function the analysis cannot see (`load_rows("q.sql")`).
                Kind::Unknown => !value.inputs.is_empty() && !self.opaque_call(value.span),
                _ => false,
            };
            if !made {
                return false;
            }
            stack.extend(value.inputs.iter().copied());
        }
        literal
    }

    /// Whether the text at `span` is a call of a plain name (`load_rows(...)`).
    fn opaque_call(&self, span: Span) -> bool {
        let text = self
            .file
            .text
            .get(span.start..span.end)
            .unwrap_or("")
            .trim();
        let Some((callee, _)) = text.split_once('(') else {
            return false;
        };
        let callee = callee.trim();
        !callee.is_empty()
            && !callee.contains('.')
            && callee.chars().all(|c| c.is_alphanumeric() || c == '_')
            && !matches!(callee, "list" | "tuple" | "dict" | "float" | "int" | "str")
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

#[cfg(test)]
mod tests {
    use super::super::testing::summary_of;

    /// The (method, class or variable, top level) of each fit of the file's entry points.
    fn fits(path: &str, code: &str) -> Vec<(String, String, bool)> {
        summary_of(path, code)
            .entries
            .iter()
            .flat_map(|e| {
                e.fits.iter().enumerate().map(|(n, (method, class, _))| {
                    (
                        method.as_str().to_string(),
                        class.clone(),
                        e.top_level_fits.contains(&n),
                    )
                })
            })
            .collect()
    }

    const API: &str = "import joblib\nimport numpy as np\nimport pandas as pd\n\
                       from fastapi import FastAPI\nfrom sklearn.preprocessing import StandardScaler\n\
                       app = FastAPI()\nmodel = joblib.load('m.joblib')\n";

    #[test]
    fn a_serving_module_fitting_made_up_rows_at_its_top_level_fits_in_the_serving_path() {
        let made_up = format!(
            "{API}sc = StandardScaler().fit(np.array([[0, 1], [2, 3]]))\n\
             @app.post('/p')\ndef predict(a: float, b: float):\n    \
             return model.predict(sc.transform([[a, b]]))[0]\n"
        );
        assert_eq!(
            fits("serve.py", &made_up),
            [("fit".into(), "StandardScaler".into(), true)]
        );
        // Fitted on a data file the module reads: not the served data.
        let read = made_up.replace(
            "np.array([[0, 1], [2, 3]])",
            "pd.read_csv('data/ref.csv')[['a', 'b']]",
        );
        assert!(fits("serve.py", &read).is_empty());
        // Applied to nothing the handler predicts on.
        let unused = made_up.replace("sc.transform([[a, b]])", "[[a, b]]");
        assert!(fits("serve.py", &unused).is_empty());
    }

    #[test]
    fn a_loaded_transformer_refitted_on_the_request_fits_in_the_serving_path() {
        let code = format!(
            "{API}scaler = joblib.load('s.joblib')\n\
             @app.post('/p')\ndef predict(a: float, b: float):\n    \
             row = scaler.fit_transform([[a, b]])\n    return model.predict(row)[0]\n"
        );
        assert_eq!(
            fits("serve.py", &code),
            [("fit_transform".into(), "scaler".into(), false)]
        );
        assert!(fits("serve.py", &code.replace("fit_transform", "transform")).is_empty());
        // A loaded model fitted again with a label is retrained; updated online, it is not.
        let retrained = format!(
            "{API}@app.post('/p')\ndef predict(a: float, y: int):\n    \
             model.fit([[a]], [y])\n    return model.predict([[a]])[0]\n"
        );
        assert!(fits("serve.py", &retrained).is_empty());
        assert_eq!(
            fits("serve.py", &retrained.replace(".fit(", ".partial_fit(")),
            [("partial_fit".into(), "model".into(), false)]
        );
    }

    #[test]
    fn a_streamlit_app_fits_in_the_serving_path_only_on_what_the_user_entered() {
        let head = "import joblib\nimport pandas as pd\nimport streamlit as st\n\
                    from sklearn.preprocessing import LabelEncoder, StandardScaler\n\
                    from sklearn.linear_model import LogisticRegression\n\
                    model = joblib.load('m.joblib')\n";
        let encoded = format!(
            "{head}choice = st.selectbox('Plan', ['a', 'b'])\n\
             code = LabelEncoder().fit(['a', 'b']).transform([choice])[0]\n\
             st.write(model.predict([[code]]))\n"
        );
        assert_eq!(
            fits("app.py", &encoded),
            [("fit".into(), "LabelEncoder".into(), false)]
        );
        let uploaded = format!(
            "{head}df = pd.read_csv(st.file_uploader('rows'))\n\
             X = StandardScaler().fit_transform(df[['a', 'b']])\nst.write(model.predict(X))\n"
        );
        assert_eq!(
            fits("app.py", &uploaded),
            [("fit_transform".into(), "StandardScaler".into(), false)]
        );
        // A page that trains a model on what was uploaded, and saves it: training.
        let training = format!(
            "{head}df = pd.read_csv(st.file_uploader('rows'))\nsc = StandardScaler()\n\
             X = sc.fit_transform(df[['a', 'b']])\nclf = LogisticRegression().fit(X, df['y'])\n\
             joblib.dump({{'m': clf, 's': sc}}, 'new.joblib')\nst.write(clf.predict(X))\n"
        );
        assert!(fits("app.py", &training).is_empty());
        // Statistics of the dataset the app reads by name: not the served data.
        let reference = format!(
            "{head}ref = pd.read_csv('data/customers.csv')\n\
             sc = StandardScaler().fit(ref[['a', 'b']])\na = st.number_input('a')\n\
             st.write(model.predict(sc.transform([[a, 1.0]])))\n"
        );
        assert!(fits("app.py", &reference).is_empty());
        // A clustering app: it fits its own model on the upload, no trained model to skew.
        let clustering = format!(
            "{head}from sklearn.cluster import KMeans\n\
             df = pd.read_csv(st.file_uploader('rows'))\n\
             km = KMeans(n_clusters=3).fit(df[['a', 'b']])\nst.write(km.predict(df[['a', 'b']]))\n"
        );
        assert!(fits("app.py", &clustering).is_empty());
    }
}
