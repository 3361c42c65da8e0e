crate::rule::rule! {
    code: "PARSE004",
    name: "skipped-notebook",
    family: "parse",
    severity: Info,
    scope: Notebook,
    check: crate::rule::Check::Engine,
}
