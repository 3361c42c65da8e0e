//! Files mlready could not read or parse. The engine reports these itself; they are rules so
//! that they can be selected, ignored and explained like any other.

crate::rule::rules![
    syntax_error,
    unreadable_file,
    invalid_notebook,
    skipped_notebook,
    analysis_limit
];
