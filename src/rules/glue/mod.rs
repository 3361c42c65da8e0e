//! Glue code: hand-written plumbing between ML components that a library construct does for
//! you, and that breaks when the two ends drift apart.

crate::rule::rules![manual_preprocessing_chain];
