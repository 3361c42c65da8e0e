//! The audit as GitHub/GitLab-flavoured Markdown.

use super::model::Audit;
use std::io::{self, Write};

pub fn render(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    render_summary(audit, out)
}

pub fn render_summary(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# mlready audit of `{}`", audit.path)
}
