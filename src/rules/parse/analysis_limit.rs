crate::rule::rule! {
    code: "PARSE005",
    name: "analysis-limit",
    family: "parse",
    severity: Warning,
    scope: File,
    check: crate::rule::Check::Engine,
}
