crate::rule::rule! {
    code: "PARSE001",
    name: "syntax-error",
    family: "parse",
    severity: Error,
    scope: File,
    check: crate::rule::Check::Engine,
}
