//! What the code chooses, and with which data: the names values are bound to, selection
//! constructs (`np.argmax(scores)`, `max(d, key=d.get)`, a best-so-far comparison in a loop,
//! sorting a leaderboard, an optimiser maximising a function's result), and configurations
//! that pick an iteration or a checkpoint by the score on the data they are given (early
//! stopping, `save_best_only`). Recorded by the builder; read by the leakage rules that ask
//! whether a test set was used to choose.

use super::{FileModel, ScopeId, ValueId};
use crate::finding::Span;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// At most this many names are kept per value (aliases beyond that add nothing).
const MAX_NAMES: usize = 4;

/// What the builder recorded about choices in one file.
#[derive(Debug, Default)]
pub struct Choices {
    /// Names bound to each value, in binding order.
    names: HashMap<ValueId, Vec<Rc<str>>>,
    pub selections: Vec<Choice>,
    /// Callbacks and estimators that pick the iteration, epoch or checkpoint with the best
    /// score on their validation data: `EarlyStopping()` (watching `val_*`),
    /// `ModelCheckpoint(save_best_only=True)`, `ReduceLROnPlateau()`, `lgb.early_stopping()`,
    /// `XGBClassifier(early_stopping_rounds=...)`, `CatBoostClassifier(use_best_model=True)`.
    pub stops_early: HashSet<ValueId>,
    /// Estimators told not to (`CatBoostClassifier(use_best_model=False)`).
    pub keeps_last: HashSet<ValueId>,
    /// Values a bare expression statement shows (`best_auc`, `scores[best]` alone on a line:
    /// a notebook displays the last one of a cell).
    pub displayed: HashSet<ValueId>,
    /// The definitions of objective functions handed to an optimiser (`study.optimize(f)`,
    /// `fmin(f)`): the data they split for themselves is tuning data by construction.
    pub objectives: Vec<crate::finding::Span>,
}

/// One selection construct: the values it chooses among and what it chose.
#[derive(Debug, Clone)]
pub struct Choice {
    /// How it chooses, for messages: "`np.argmax`", "a best-so-far comparison", ...
    pub how: String,
    /// The values compared (a list of scores, the candidate score of a comparison).
    pub over: Vec<ValueId>,
    /// What it chose: the result of `argmax`, the names rebound in a best-so-far branch.
    pub chosen: Vec<ValueId>,
    /// What it chose is a position or a key among the candidates (`np.argmax(scores)`,
    /// `max(d, key=d.get)`, `idxmax`), not the winner's score: the winner's score is reported
    /// only where code reads it back (`scores[best]`) or scores the winner again.
    pub picks_key: bool,
    /// Estimators a best-so-far branch keeps (`best_model = m`): the winner, by identity.
    pub models: Vec<ValueId>,
    /// How many events had been recorded when the choice was made: later ones come after it.
    pub after: usize,
    pub span: Span,
    pub scope: ScopeId,
}

impl Choices {
    pub(crate) fn name(&mut self, value: ValueId, name: &str) {
        let names = self.names.entry(value).or_default();
        if names.len() < MAX_NAMES && !names.iter().any(|n| &**n == name) {
            names.push(Rc::from(name));
        }
    }
}

impl FileModel {
    /// The names a value was bound to (`X_test`, `dtest`), first binding first.
    pub fn names_of(&self, value: ValueId) -> &[Rc<str>] {
        self.choices.names.get(&value).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Event, FitMethod, Kind, rows};

    use crate::testutil::model_of as model;

    const HEAD: &str = "import numpy as np\nimport pandas as pd\nimport xgboost as xgb\nfrom sklearn.model_selection import train_test_split\nfrom sklearn.linear_model import LogisticRegression\n";

    #[test]
    fn a_best_so_far_comparison_in_a_loop_is_a_selection() {
        let m = model(&format!(
            "{HEAD}best, best_acc = None, 0\nfor c in [1, 10]:\n    acc = LogisticRegression(C=c).fit(X, y).score(X2, y2)\n    if acc > best_acc:\n        best_acc = acc\n        best = c\nif best_acc > 0.5:\n    done = True\n"
        ));
        assert_eq!(m.choices.selections.len(), 1);
        let selection = &m.choices.selections[0];
        assert_eq!(selection.chosen.len(), 2, "best_acc and best are rebound");
        // The rebound names derive from the candidate score.
        let candidate = selection.over[0];
        assert!(m.derives_from(selection.chosen[1], |v| v == candidate));
    }

    #[test]
    fn argmax_sorting_and_max_with_a_key_choose_but_a_plain_max_does_not() {
        // A ranking chooses once an entry is taken from it (`t.iloc[0]`); `ranks`, only
        // iterated, is a report.
        let m = model(&format!(
            "{HEAD}i = np.argmax(scores)\nb = max(d, key=d.get)\nt = pd.DataFrame(rows).sort_values('acc')\nwinner = t.iloc[0]\ntop = max(scores)\nranks = sorted(scores)\nfor r in ranks:\n    print(r)\n"
        ));
        let hows: Vec<&str> = m
            .choices
            .selections
            .iter()
            .map(|s| s.how.as_str())
            .collect();
        assert_eq!(
            hows,
            ["`np.argmax`", "`max(..., key=...)`", "`sort_values`"]
        );
    }

    #[test]
    fn appending_changes_the_list_but_an_assigned_append_does_not() {
        let m = model(&format!(
            "{HEAD}df = pd.read_csv('a.csv')\ntr, te = train_test_split(df, random_state=0)\nscores = []\nscores.append(te)\nfull = tr.append(te)\nLogisticRegression().fit(tr, scores)\n"
        ));
        let Some(Event::Fit {
            x: Some(x),
            y: Some(y),
            ..
        }) = m.events.last()
        else {
            panic!("a fit")
        };
        assert_eq!(m.rows(*x), rows::TRAIN);
        assert_eq!(m.rows(*y), rows::TEST);
        assert_eq!(m.names_of(*x).first().map(|n| &**n), Some("tr"));
    }

    #[test]
    fn unpacked_records_bind_each_name_to_its_position() {
        // Each loop name holds the element at its position of every record, not the union.
        let m = model(&format!(
            "{HEAD}df = pd.read_csv('a.csv')\ntr, te = train_test_split(df, random_state=0)\nruns = []\nruns.append(('a', tr, te))\nruns.append(('b', tr, te))\nfor name, a, b in runs:\n    LogisticRegression().fit(a, b)\nfor (p, q), r in [((tr, te), 1)]:\n    LogisticRegression().fit(p, q)\nfor k, (p, q) in {{'x': (tr, te)}}.items():\n    LogisticRegression().fit(p, q)\n"
        ));
        let fits: Vec<(u8, u8)> = m
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Fit {
                    x: Some(x),
                    y: Some(y),
                    ..
                } => Some((m.rows(*x) & rows::PARTS, m.rows(*y) & rows::PARTS)),
                _ => None,
            })
            .collect();
        assert_eq!(fits, [(rows::TRAIN, rows::TEST); 3]);
    }

    #[test]
    fn native_boosting_training_is_a_fit_with_its_validation_sets() {
        let m = model(&format!(
            "{HEAD}dtrain = xgb.DMatrix(X, label=y)\nbooster = xgb.train(params, dtrain, 100, [(dtest, 'test')], early_stopping_rounds=10)\nbooster.predict(dtest)\n"
        ));
        let fit = m.events.iter().find_map(|e| match e {
            Event::Fit {
                method, keywords, ..
            } if *method == FitMethod::Train => Some(keywords),
            _ => None,
        });
        let keywords: Vec<&str> = fit
            .expect("a fit")
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keywords, ["early_stopping_rounds", "evals"]);
        assert!(m.events.iter().any(|e| matches!(e, Event::Predict { .. })));
    }

    #[test]
    fn over_samplers_and_self_stacking_duplicate_rows_but_under_samplers_do_not() {
        let m = model(&format!(
            "{HEAD}from imblearn.over_sampling import SMOTE\nfrom imblearn.under_sampling import RandomUnderSampler\ndf = pd.read_csv('a.csv')\nXo, yo = SMOTE(random_state=0).fit_resample(X, y)\nXu, yu = RandomUnderSampler(random_state=0).fit_resample(X, y)\nup = pd.concat([df, df[df.y == 1]])\nwide = pd.concat([df, df[df.y == 1]], axis=1)\nother = pd.concat([df, pd.read_csv('b.csv')])\nLogisticRegression().fit(Xo, yo)\nLogisticRegression().fit(Xu, yu)\nLogisticRegression().fit(up, y)\nLogisticRegression().fit(wide, y)\nLogisticRegression().fit(other, y)\n"
        ));
        let resampled: Vec<bool> = m
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Fit {
                    x: Some(x), method, ..
                } if *method == FitMethod::Fit => Some(m.rows(*x) & rows::RESAMPLED != 0),
                _ => None,
            })
            .collect();
        assert_eq!(resampled, [true, false, true, false, false]);
        assert!(
            m.values
                .iter()
                .any(|v| matches!(v.kind, Kind::Estimator(_)))
        );
    }
}
