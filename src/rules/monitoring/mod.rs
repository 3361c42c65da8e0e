//! Monitoring and testing debt: decisions that silently go stale as the world drifts, and
//! served models nobody watches.

mod helpers;

crate::rule::rules![
    missing_drift_monitoring,
    predictions_not_logged,
    fixed_decision_threshold
];
