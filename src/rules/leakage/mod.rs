//! Data leakage: information from evaluation data reaching training, so that the scores
//! measured before shipping are better than what production will see.

crate::rule::rules![preprocessing_before_split];
