//! Inline suppressions that suppress nothing or name no rule. The engine reports these itself
//! (see [`crate::suppress`]); they are a rule so that they can be selected, ignored and explained.

crate::rule::rules![unused_suppression];
