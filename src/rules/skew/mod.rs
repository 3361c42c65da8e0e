//! Training/serving skew: features whose values at training time cannot be reproduced when
//! the model predicts, because they read later rows or statistics of rows the model never
//! sees in production.

mod helpers;

crate::rule::rules![
    feature_unavailable_at_inference,
    future_looking_feature,
    full_dataset_aggregate_feature,
    preprocessor_not_shipped,
    fit_in_serving_path,
    wall_clock_in_feature,
    non_point_in_time_join,
    identifier_as_feature,
    positional_feature_vector,
    feature_list_divergence,
    duplicated_feature_logic,
];

#[cfg(test)]
mod tests {
    use crate::finding::Severity;
    use crate::rule::{Context, Sink};
    use crate::source::SourceFile;

    /// The skew findings on `code`: (code, line, severity, message).
    fn skew(code: &str) -> Vec<(&'static str, usize, Severity, String)> {
        let file = SourceFile::python("t.py".into(), "t.py".into(), code.to_string());
        let tree = crate::source::python::parse(&file.text).expect("parses");
        let model = crate::model::build(&file, &tree);
        let ctx = Context {
            file: &file,
            model: &model,
        };
        let mut sink = Sink::default();
        for rule in super::RULES {
            if let Some(check) = rule.check.file() {
                check(&ctx, &mut sink);
            }
        }
        sink.findings
            .into_iter()
            .map(|f| {
                let line = file.locate(f.span.start).line;
                (f.code, line, f.severity, f.message)
            })
            .collect()
    }

    const HEAD: &str = "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\nfrom sklearn.model_selection import train_test_split\n";

    #[test]
    fn a_negative_shift_is_an_error_and_a_whole_history_mean_a_warning() {
        let found = skew(&format!(
            "{HEAD}df = pd.read_csv('a.csv', parse_dates=['ts'])\ndf['next'] = df.groupby('user')['x'].shift(-1)\ndf['avg'] = df.groupby('user')['x'].transform('mean')\nLogisticRegression().fit(df[['next', 'avg']], df['y'])\n"
        ));
        let severities: Vec<(&str, usize, Severity)> =
            found.iter().map(|(c, l, s, _)| (*c, *l, *s)).collect();
        assert_eq!(
            severities,
            [
                ("SKEW002", 5, Severity::Error),
                ("SKEW002", 6, Severity::Warning)
            ]
        );
        assert!(found[0].3.contains("`shift(-1)`"), "{}", found[0].3);
    }

    #[test]
    fn a_library_training_function_is_named_as_written() {
        let found = skew(
            "import pandas as pd\nimport lightgbm as lgb\ndf = pd.read_csv('a.csv', parse_dates=['ts'])\ndf['next'] = df['x'].shift(-1)\nbooster = lgb.train({}, lgb.Dataset(df[['x', 'next']], df['y']))\n",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].3.contains("features of `lgb.train` (line 5)"),
            "{}",
            found[0].3
        );
    }

    #[test]
    fn a_statistic_seen_by_the_evaluation_is_an_error_and_one_only_scored_a_warning() {
        let evaluated = skew(&format!(
            "{HEAD}df = pd.read_csv('a.csv')\ndf['n'] = df.groupby('k')['id'].transform('count')\nX_tr, X_te, y_tr, y_te = train_test_split(df[['n']], df['y'], random_state=0)\nm = LogisticRegression().fit(X_tr, y_tr)\nprint(m.score(X_te, y_te))\n"
        ));
        assert_eq!(evaluated.len(), 1);
        assert_eq!(
            (evaluated[0].0, evaluated[0].2),
            ("SKEW003", Severity::Error)
        );
        let scored = skew(&format!(
            "{HEAD}tr = pd.read_csv('train.csv')\nte = pd.read_csv('test.csv')\nfull = pd.concat([tr, te])\nfull['n'] = full['k'].map(full['k'].value_counts())\na = full[full['y'].notna()]\nb = full[full['y'].isna()]\nm = LogisticRegression().fit(a[['n']], a['y'])\npd.DataFrame({{'p': m.predict(b[['n']])}}).to_csv('submission.csv')\n"
        ));
        assert_eq!(scored.len(), 1);
        assert_eq!((scored[0].0, scored[0].2), ("SKEW003", Severity::Warning));
        assert!(scored[0].3.contains("not reproducible at inference"));
    }

    #[test]
    fn a_group_mean_of_the_label_is_left_to_the_target_rules() {
        let found = skew(&format!(
            "{HEAD}df = pd.read_csv('a.csv', parse_dates=['ts'])\ndf['rate'] = df.groupby('city')['y'].transform('mean')\nX_tr, X_te, y_tr, y_te = train_test_split(df[['rate']], df['y'], shuffle=False)\nm = LogisticRegression().fit(X_tr, y_tr)\nprint(m.score(X_te, y_te))\n"
        ));
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn without_a_time_axis_later_rows_are_only_neighbours() {
        let found = skew(&format!(
            "{HEAD}words = pd.read_csv('tokens.csv')\nwords['next_word_len'] = words.groupby('sentence')['length'].shift(-1)\nLogisticRegression().fit(words[['next_word_len']], words['tag'])\n"
        ));
        assert!(found.is_empty(), "{found:?}");
    }
}
