//! Data leakage: information from evaluation data reaching training, so that the scores
//! measured before shipping are better than what production will see.

mod evaluation;
crate::rule::rules![
    preprocessing_before_split,
    preprocessing_outside_cv,
    test_set_reuse,
    train_test_overlap
];
