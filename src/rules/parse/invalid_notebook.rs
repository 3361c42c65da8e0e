crate::rule::rule! {
    code: "PARSE003",
    name: "invalid-notebook",
    family: "parse",
    severity: Error,
    scope: Notebook,
    check: crate::rule::Check::Engine,
}
