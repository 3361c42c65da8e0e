crate::rule::rule! {
    code: "SUP001",
    name: "unused-suppression",
    family: "suppression",
    severity: Info,
    scope: File,
    check: crate::rule::Check::Engine,
}
