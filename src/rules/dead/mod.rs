//! Dead experimental code paths and the prototype smell.

crate::rule::rules![unused_trained_model];
