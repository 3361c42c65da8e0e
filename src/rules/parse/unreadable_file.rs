crate::rule::rule! {
    code: "PARSE002",
    name: "unreadable-file",
    family: "parse",
    severity: Error,
    scope: File,
    check: crate::rule::Check::Engine,
}
