//! Every rule, in one list, and lookup by code or name.

use crate::rule::Rule;
use crate::rules::{
    api, chain, config, dead, glue, leakage, monitoring, notebook, parse, repro, security, skew,
    suppression,
};

/// Every registered rule, grouped by family in a fixed order.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    [
        leakage::RULES,
        skew::RULES,
        chain::RULES,
        monitoring::RULES,
        repro::RULES,
        api::RULES,
        security::RULES,
        config::RULES,
        glue::RULES,
        dead::RULES,
        notebook::RULES,
        parse::RULES,
        suppression::RULES,
    ]
    .into_iter()
    .flatten()
    .copied()
}

/// The rule with this code (any case) or name.
pub fn find(key: &str) -> Option<&'static Rule> {
    all().find(|r| r.code.eq_ignore_ascii_case(key) || r.name == key)
}

/// Whether the rule with this code is a preview rule (false for unknown codes).
pub fn is_preview(code: &str) -> bool {
    all().any(|r| r.preview && r.code == code)
}

/// `(code, name)` of every rule, for validating selectors.
pub fn known() -> Vec<(&'static str, &'static str)> {
    all().map(|r| (r.code, r.name)).collect()
}

/// The rules the engine reports itself (PARSE, SUP).
pub mod engine_rules {
    pub use crate::rules::parse::{
        analysis_limit::RULE as ANALYSIS_LIMIT, invalid_notebook::RULE as INVALID_NOTEBOOK,
        skipped_notebook::RULE as SKIPPED_NOTEBOOK, syntax_error::RULE as SYNTAX_ERROR,
        unreadable_file::RULE as UNREADABLE_FILE,
    };
    pub use crate::rules::suppression::unused_suppression::RULE as UNUSED_SUPPRESSION;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for rule in all() {
            assert!(codes.insert(rule.code), "duplicate code {}", rule.code);
            assert!(names.insert(rule.name), "duplicate name {}", rule.name);
            let (prefix, digits) = rule.code.split_at(rule.code.len() - 3);
            assert!(
                prefix.chars().all(|c| c.is_ascii_uppercase()),
                "{}",
                rule.code
            );
            assert!(digits.chars().all(|c| c.is_ascii_digit()), "{}", rule.code);
            assert!(
                rule.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                rule.name
            );
        }
    }

    /// A preview branch is at a severity the rule's findings can have, and `also` neither
    /// repeats the default nor lists a severity twice.
    #[test]
    fn declared_severities_are_consistent() {
        for rule in all() {
            let severities = rule.severities();
            for branch in rule.preview_at {
                assert!(severities.contains(branch), "{}: {branch:?}", rule.code);
            }
            assert!(!rule.also.contains(&rule.severity), "{}", rule.code);
            let unique: HashSet<_> = rule.also.iter().collect();
            assert_eq!(unique.len(), rule.also.len(), "{}", rule.code);
        }
    }
}
