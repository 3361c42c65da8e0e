use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "API005",
    name: "nan-equality",
    family: "api",
    severity: Error,
    scope: File,
    check: Check::File(check),
}

/// Reads the model's comparisons with a missing-value marker: `== np.nan`, `!= float("nan")`,
/// `== pd.NA`, `== pd.NaT`, and `== None` against a known pandas object.
fn check(ctx: &Context, sink: &mut Sink) {
    for comparison in &ctx.model.misuse.nan_comparisons {
        let marker = ctx.snippet(comparison.marker);
        let other = ctx.snippet(comparison.other);
        let always = if comparison.op == "==" {
            "never true"
        } else {
            "always true"
        };
        let fix = if marker == "None" || marker.starts_with("pd.") {
            format!("`{other}.isna()`")
        } else {
            format!("`np.isnan({other})` or `pd.isna({other})`")
        };
        let fix = if comparison.op == "==" {
            fix
        } else {
            fix.replace("isna", "notna").replace("np.isnan(", "~np.isnan(")
        };
        sink.report(
            &RULE,
            comparison.span,
            format!(
                "`{}` compares with `{}` using `{}`: a missing value equals nothing, so this \
                 is {always} and the missing values are never found",
                ctx.snippet(comparison.span),
                marker,
                comparison.op
            ),
        )
        .help(format!("test for missing values with {fix}"));
    }
}
