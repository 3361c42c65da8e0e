//! Training/serving skew: features whose values at training time cannot be reproduced when
//! the model predicts, because they read later rows or statistics of rows the model never
//! sees in production.

mod helpers;

crate::rule::rules![future_looking_feature, full_dataset_aggregate_feature];
