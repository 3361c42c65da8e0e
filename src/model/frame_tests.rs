//! The model on frame operations that change which columns a name holds: `pop`, `inplace=True`,
//! column masks, concatenation with an open part; a date index; the columns a column
//! transformer lets through; the `cv=` of a cross-validation.

use super::*;

use crate::testutil::model_of as model;

/// The (x, y) of each fit, in order.
fn fits(m: &FileModel) -> Vec<(ValueId, ValueId)> {
    m.events
        .iter()
        .filter_map(|e| match e {
            Event::Fit {
                x: Some(x),
                y: Some(y),
                ..
            } => Some((*x, *y)),
            _ => None,
        })
        .collect()
}

const HEAD: &str = "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n";

#[test]
fn pop_and_inplace_drop_take_the_column_out_of_the_name() {
    let m = model(&format!(
        "{HEAD}df = pd.read_csv('a.csv')\ny = df.pop('churned')\nLogisticRegression().fit(df, y)\n\
         cars = pd.read_csv('c.csv')\nprice = cars['price']\ncars.drop(columns=['price'], inplace=True)\n\
         LogisticRegression().fit(cars, price)\n"
    ));
    let fits = fits(&m);
    assert_eq!(m.column_name(fits[0].1), Some("churned"));
    assert_eq!(
        m.holds_column(fits[0].0, "churned", Some(fits[0].1)),
        Some(false)
    );
    assert_eq!(
        m.holds_column(fits[1].0, "price", Some(fits[1].1)),
        Some(false)
    );
}

#[test]
fn a_boolean_mask_in_the_column_position_picks_unknown_columns() {
    let m = model(&format!(
        "{HEAD}df = pd.read_csv('a.csv')\nLogisticRegression().fit(df.loc[:, df.columns != 'y'], df['y'])\n\
         LogisticRegression().fit(df.loc[df['a'] > 0], df['y'])\n"
    ));
    let fits = fits(&m);
    assert!(m.columns(fits[0].0).is_none());
    assert!(m.columns(fits[1].0).is_some_and(|c| c.open));
}

#[test]
fn concat_takes_the_unnamed_columns_from_the_open_part() {
    let m = model(&format!(
        "{HEAD}df = pd.read_csv('a.csv')\nother = pd.read_csv('b.csv')\n\
         X = pd.concat([df[['a', 'b']], other], axis=1)\nLogisticRegression().fit(X, df['y'])\n"
    ));
    let (x, y) = fits(&m)[0];
    assert_eq!(m.holds_column(x, "y", Some(y)), None);
    assert_ne!(m.columns(x).map(|c| c.root), m.root_of(y));
}

#[test]
fn a_parsed_date_index_is_date_evidence() {
    let m = model(&format!(
        "{HEAD}prices = pd.read_csv('p.csv', index_col='Date', parse_dates=True)\n"
    ));
    let what: Vec<&str> = m.temporal.iter().map(|(_, _, what)| *what).collect();
    assert_eq!(what, ["parsed with `parse_dates`", "indexed by"]);
    assert!(m.temporal.iter().all(|(name, _, _)| name == "Date"));
}

#[test]
fn column_transformers_record_the_columns_they_pass() {
    let m = model(&format!(
        "{HEAD}from sklearn.compose import ColumnTransformer, make_column_transformer, make_column_selector\n\
         from sklearn.pipeline import Pipeline, make_pipeline\nfrom sklearn.preprocessing import OneHotEncoder, StandardScaler\n\
         ct = ColumnTransformer([('num', StandardScaler(), ['a', 'b']), ('gone', 'drop', ['c'])])\n\
         p = Pipeline([('pre', ct), ('clf', LogisticRegression())])\n\
         q = make_pipeline(make_column_transformer((OneHotEncoder(), ['d']), remainder='passthrough'), LogisticRegression())\n\
         r = make_pipeline(make_column_transformer((StandardScaler(), make_column_selector(dtype_include='number'))), LogisticRegression())\n\
         p.fit(X, y)\nq.fit(X, y)\nr.fit(X, y)\n"
    ));
    let estimators: Vec<ValueId> = m
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Fit { estimator, .. } => Some(*estimator),
            _ => None,
        })
        .collect();
    let names = ["a".to_string(), "b".to_string()];
    assert_eq!(m.column_selection(estimators[0]), Selection::Only(&names));
    assert_eq!(m.column_selection(estimators[1]), Selection::All);
    assert_eq!(m.column_selection(estimators[2]), Selection::Unknown);
}

#[test]
fn cross_validation_keeps_its_cv_argument() {
    let m = model(&format!(
        "{HEAD}from sklearn.model_selection import KFold, cross_val_score\n\
         kf = KFold(5, shuffle=True, random_state=0)\ncross_val_score(LogisticRegression(), X, y, cv=kf)\n"
    ));
    let [(event, cv)] = m.cross_val_cv.as_slice() else {
        panic!("one cv argument: {:?}", m.cross_val_cv);
    };
    assert!(matches!(m.events[*event], Event::CrossVal { .. }));
    assert!(m.estimator(*cv).is_some_and(|e| e.shuffled));
}

/// Whether the x of each fit carries predictions (a ModelOut fact), in order.
fn predictions_in_x(code: &str) -> Vec<bool> {
    let m = model(&format!(
        "{HEAD}import numpy as np\nfrom sklearn.ensemble import RandomForestRegressor\n{code}"
    ));
    fits(&m)
        .into_iter()
        .map(|(x, _)| !m.facts_tagged(x, Tag::ModelOut).is_empty())
        .collect()
}

#[test]
fn merged_scores_stay_on_the_columns_that_carry_them() {
    let code = "df = pd.read_csv('a.csv')\nrf = RandomForestRegressor().fit(df[['a']], df['y'])\n\
                scores = pd.DataFrame(rf.predict(df[['a']]))\n\
                other = pd.read_csv('b.csv').merge(scores, left_index=True, right_index=True)\n\
                LogisticRegression().fit(other[['b', 'c']], other['z'])\n\
                LogisticRegression().fit(other.drop(columns=['z']), other['z'])\n";
    assert_eq!(predictions_in_x(code), [false, false, true]);
}

#[test]
fn a_metric_is_one_number_about_the_model() {
    let code = "df = pd.read_csv('a.csv')\nA = df.to_numpy()\nerr = []\n\
                for j in range(3):\n    m = RandomForestRegressor().fit(A[:, [j]], df['y'])\n    \
                err.append(np.mean((m.predict(A[:, [j]]) - df['y']) ** 2))\n\
                LogisticRegression().fit(A[:, np.argsort(err)[:2]], df['y'])\n";
    assert_eq!(predictions_in_x(code), [false, false]);
}

#[test]
fn filling_a_columns_gaps_with_predictions_keeps_its_meaning() {
    let code = "df = pd.read_csv('a.csv')\nrf = RandomForestRegressor().fit(df[['a']], df['y'])\n\
                s = df['age'].copy()\ns[s.isna()] = rf.predict(df[['a']])\ndf['age2'] = s\n\
                df['age3'] = df['age'].fillna(pd.Series(rf.predict(df[['a']])))\n\
                gaps = df[df['age'].isnull()]\ngaps['age'] = rf.predict(gaps[['a']])\n\
                full = pd.concat([df[df['age'].notnull()], gaps])\n\
                LogisticRegression().fit(df[['age2', 'age3']], df['z'])\n\
                LogisticRegression().fit(full[['age']], full['z'])\n\
                df['age4'] = rf.predict(df[['a']])\n\
                LogisticRegression().fit(df[['age4']], df['z'])\n";
    assert_eq!(predictions_in_x(code), [false, false, false, true]);
}

#[test]
fn a_column_assigned_again_keeps_its_place_and_an_array_keeps_the_names_given_back() {
    let m = model(&format!(
        "{HEAD}from sklearn.preprocessing import StandardScaler\n\
         df = pd.read_csv('a.csv')\nx = df[['Sex', 'Age', 'Pclass']].copy()\n\
         x['Sex'] = x['Sex'].map({{'male': 0, 'female': 1}})\n\
         LogisticRegression().fit(x, df['Survived'])\n\
         scaled = pd.DataFrame(StandardScaler().fit_transform(x), columns=x.columns)\n\
         LogisticRegression().fit(scaled, df['Survived'])\n"
    ));
    let names = |id: ValueId| -> Vec<String> {
        let columns = m.columns(id).expect("a frame");
        assert!(!columns.open);
        columns.known.iter().map(|c| c.name.clone()).collect()
    };
    let fits = fits(&m);
    assert_eq!(names(fits[0].0), ["Sex", "Age", "Pclass"]);
    assert_eq!(names(fits[1].0), ["Sex", "Age", "Pclass"]);
}
