//! Monitoring and testing debt: decisions that silently go stale as the world drifts.

crate::rule::rules![fixed_decision_threshold];
