//! Data leakage: information from evaluation data reaching training, so that the scores
//! measured before shipping are better than what production will see.

mod evaluation;
mod helpers;

crate::rule::rules![
    preprocessing_before_split,
    target_in_features,
    target_encoding_outside_folds,
    random_split_on_temporal_data,
    preprocessing_outside_cv,
    test_set_reuse,
    train_test_overlap,
];
