//! The audit as Markdown that GitHub and GitLab render: tables, a Mermaid flowchart for the
//! lineage, fenced code excerpts, task-list checkboxes for the reviewer's questions.
//! `--summary` keeps the part that fits a pull-request comment.

use super::build::clip;
use super::model::*;
use super::{DRAW_LIMIT, plural, points};
use std::io::{self, Write};

pub fn render(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    header(audit, out)?;
    readiness(audit, out, true)?;
    lineage(audit, out)?;
    inventory(audit, out)?;
    test_score(audit, out)?;
    findings(audit, out)?;
    questions(audit, out)
}

/// The summary, the fix-first list and the counts: what a pull-request comment shows.
pub fn render_summary(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    header(audit, out)?;
    readiness(audit, out, false)?;
    let sections: Vec<String> = audit
        .ml_test_score
        .sections
        .iter()
        .map(|s| format!("{} {}", s.name, points(s.score)))
        .collect();
    writeln!(
        out,
        "ML Test Score, static estimate from code alone: **{}**, the lowest of its \
         sections ({}; each of 7).\n",
        points(audit.ml_test_score.final_score),
        sections.join(" · ")
    )?;
    writeln!(
        out,
        "<sub>The full report, with the lineage, the inventory and every finding: \
         `mlready audit --format html -o audit.html`.</sub>"
    )
}

fn header(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# mlready audit: `{}`\n", inline_code(&audit.path))?;
    let mut line = format!(
        "mlready {} · {} · preview rules included, their findings marked *preview*",
        audit.tool.version,
        files(&audit.files),
    );
    if let Some(at) = &audit.generated_at {
        line.push_str(&format!(" · {at}"));
    }
    writeln!(out, "{line}\n")
}

fn files(files: &FileCounts) -> String {
    let mut parts = vec![
        plural(files.scripts, "script", "scripts"),
        plural(files.notebooks, "notebook", "notebooks"),
    ];
    if files.unreadable > 0 {
        parts.push(format!("{} with read or parse errors", files.unreadable));
    }
    parts.join(", ")
}

fn status(status: Status) -> String {
    let icon = match status {
        Status::Blocking => "🔴",
        Status::Attention => "🟠",
        Status::Review => "🔵",
        Status::Clear => "🟢",
        Status::NotApplicable => "⚪",
    };
    format!("{icon} {}", status.label())
}

fn readiness(audit: &Audit, out: &mut dyn Write, link: bool) -> io::Result<()> {
    let summary = &audit.summary;
    writeln!(out, "## Readiness\n")?;
    writeln!(
        out,
        "{}, {}, {}; {} in all, {} of them from preview rules.\n",
        plural(summary.models, "model trained", "models trained"),
        plural(
            summary.entry_points,
            "entry point serves",
            "entry points serve"
        ),
        plural(summary.artifacts, "artifact saved", "artifacts saved"),
        counts(&summary.counts),
        summary.preview,
    )?;
    writeln!(
        out,
        "| Debt | Status | Errors | Warnings | Info | Sculley et al. (2015) |"
    )?;
    writeln!(out, "|---|---|--:|--:|--:|---|")?;
    for family in &summary.families {
        let mut state = status(family.status);
        if family.preview > 0 && family.status != Status::Review {
            state.push_str(&format!(" ({} preview)", family.preview));
        }
        if let Some(note) = &family.note {
            state.push_str(&format!("<br>{}", cell(note)));
        }
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            family.title,
            state,
            family.counts.error,
            family.counts.warning,
            family.counts.info,
            cell(family.sculley),
        )?;
    }
    writeln!(out)?;
    writeln!(out, "### Fix these first\n")?;
    if summary.fix_first.is_empty() {
        writeln!(out, "Nothing at warning level or above.\n")?;
        return Ok(());
    }
    for (i, fix) in summary.fix_first.iter().enumerate() {
        let place = place_text(&fix.path, fix.cell, fix.line);
        let place = if link {
            format!("[{}](#{})", inline_code_span(&place), fix.id)
        } else {
            inline_code_span(&place)
        };
        writeln!(
            out,
            "{}. **{}** {}{} · {place}: {} (*{}*)",
            i + 1,
            fix.code,
            fix.severity.as_str(),
            if fix.preview { " *preview*" } else { "" },
            prose(&clip(&fix.message, 300)),
            prose(&fix.reach),
        )?;
    }
    writeln!(out)
}

fn counts(counts: &Counts) -> String {
    format!(
        "{}, {}, {}",
        plural(counts.error, "error", "errors"),
        plural(counts.warning, "warning", "warnings"),
        counts.info.to_string() + " info"
    )
}

fn lineage(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    let lineage = &audit.lineage;
    writeln!(out, "## Model lineage\n")?;
    if lineage.nodes.is_empty() {
        writeln!(
            out,
            "No model training, saved artifact or serving entry point was found.\n"
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "Data → training → artifacts → entry points → monitoring. Thick arrows are chained \
         models (one model's outputs feed another); dotted arrows are monitoring.\n"
    )?;
    if lineage.nodes.len() > DRAW_LIMIT {
        writeln!(
            out,
            "{} nodes are too many to draw readably; they are listed instead.\n",
            lineage.nodes.len()
        )?;
        return lineage_list(lineage, out);
    }
    writeln!(out, "```mermaid\nflowchart LR")?;
    for kind in NodeKind::ALL {
        let nodes: Vec<&Node> = lineage.nodes.iter().filter(|n| n.kind == kind).collect();
        if nodes.is_empty() {
            continue;
        }
        writeln!(
            out,
            "  subgraph {}[\"{}\"]",
            kind_id(kind),
            mermaid_text(kind.title())
        )?;
        for node in nodes {
            let mut label = mermaid_text(&node.label);
            if let Some(detail) = &node.detail {
                label.push_str(&format!("<br/><small>{}</small>", mermaid_text(detail)));
            }
            for mark in &node.marks {
                label.push_str(&format!("<br/>⚠ {}", mark.label()));
            }
            writeln!(out, "    {}[\"{label}\"]", node.id)?;
        }
        writeln!(out, "  end")?;
    }
    for edge in &lineage.edges {
        let arrow = match edge.kind {
            EdgeKind::Feeds => "==>|feeds|",
            EdgeKind::Watches => "-.->",
            EdgeKind::Reads | EdgeKind::Saves | EdgeKind::Loads => "-->",
        };
        writeln!(out, "  {} {arrow} {}", edge.from, edge.to)?;
    }
    writeln!(
        out,
        "  classDef warn fill:#fff4e5,stroke:#d9480f,stroke-width:2px"
    )?;
    let marked: Vec<&str> = lineage
        .nodes
        .iter()
        .filter(|n| !n.marks.is_empty())
        .map(|n| n.id.as_str())
        .collect();
    if !marked.is_empty() {
        writeln!(out, "  class {} warn", marked.join(","))?;
    }
    writeln!(out, "```\n")
}

/// The lineage as a list, for graphs too large to draw.
fn lineage_list(lineage: &Lineage, out: &mut dyn Write) -> io::Result<()> {
    for kind in NodeKind::ALL {
        let nodes: Vec<&Node> = lineage.nodes.iter().filter(|n| n.kind == kind).collect();
        if nodes.is_empty() {
            continue;
        }
        writeln!(out, "**{}**\n", kind.title())?;
        for node in nodes {
            let targets: Vec<String> = lineage
                .edges
                .iter()
                .filter(|e| e.from == node.id)
                .filter_map(|e| {
                    let to = lineage.nodes.iter().find(|n| n.id == e.to)?;
                    Some(format!(
                        "{} {}",
                        edge_verb(e.kind),
                        inline_code_span(&to.label)
                    ))
                })
                .collect();
            let mut line = format!("- {}", inline_code_span(&node.label));
            if let Some(detail) = &node.detail {
                line.push_str(&format!(" ({})", prose(detail)));
            }
            for mark in &node.marks {
                line.push_str(&format!(" **⚠ {}**", mark.label()));
            }
            if !targets.is_empty() {
                line.push_str(&format!(": {}", targets.join("; ")));
            }
            writeln!(out, "{line}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn edge_verb(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Reads => "read by",
        EdgeKind::Saves => "saves",
        EdgeKind::Loads => "loaded by",
        EdgeKind::Feeds => "feeds",
        EdgeKind::Watches => "watched by",
    }
}

fn kind_id(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Data => "data",
        NodeKind::Training => "training",
        NodeKind::Artifact => "artifacts",
        NodeKind::Entry => "entries",
        NodeKind::Monitoring => "monitoring",
    }
}

/// Text inside a quoted Mermaid label: quotes and angle brackets as entities, no line breaks.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '`' => out.push('\''),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn inventory(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    let inventory = &audit.inventory;
    writeln!(out, "## Inventory\n")?;
    writeln!(out, "### Models\n")?;
    if inventory.models.is_empty() {
        writeln!(out, "No model is fitted in the code.\n")?;
    }
    for (i, model) in inventory.models.iter().enumerate() {
        writeln!(
            out,
            "#### {}. `{}`{} trained at {}{}{}\n",
            i + 1,
            inline_code(&model.class),
            model
                .inner
                .as_deref()
                .map(|inner| format!(" of `{}`", inline_code(inner)))
                .unwrap_or_default(),
            inline_code_span(&model.trained_at.display()),
            if model.notebook { " (notebook)" } else { "" },
            model
                .through
                .as_deref()
                .map(|t| format!(", {}", prose(t)))
                .unwrap_or_default(),
        )?;
        let features: Vec<String> = model
            .features
            .iter()
            .map(|f| {
                let mut text = inline_code_span(&f.name);
                if let Some(how) = &f.how {
                    text.push_str(&format!(" = {}", inline_code_span(&clip(how, 80))));
                }
                if let Some(at) = &f.built_at {
                    text.push_str(&format!(" ({})", at.display()));
                }
                if f.model_output {
                    text.push_str(" **(a model's output)**");
                }
                text
            })
            .collect();
        let features = match (features.is_empty(), model.features_open) {
            (true, true) => format!(
                "not named: {} holds the columns of the data it reads",
                inline_code_span(&model.x)
            ),
            (true, false) => format!("not named ({})", inline_code_span(&model.x)),
            (false, true) => format!(
                "{}, and other columns of the data it reads",
                features.join(", ")
            ),
            (false, false) => features.join(", "),
        };
        writeln!(out, "- **Features:** {features}")?;
        if !model.data.is_empty() {
            let data: Vec<String> = model.data.iter().map(|d| inline_code_span(d)).collect();
            writeln!(out, "- **Data:** {}", data.join(", "))?;
        }
        if model.saved.is_empty() {
            writeln!(out, "- **Saved:** not saved in the code")?;
        }
        for saved in &model.saved {
            let artifact = saved
                .artifact
                .as_deref()
                .unwrap_or("(a path the analysis cannot fold)");
            let mut line = format!(
                "- **Saved:** {} with `{}` at {}",
                inline_code_span(artifact),
                inline_code(&saved.function),
                inline_code_span(&saved.at.display())
            );
            if !saved.traced {
                line.push_str(
                    " (the last model fitted before this save; the analysis cannot tell that \
                     it is this one)",
                );
            }
            if saved.loaded_at.is_empty() {
                line.push_str("; loaded nowhere in the project");
            } else {
                let loads: Vec<String> = saved
                    .loaded_at
                    .iter()
                    .map(|p| inline_code_span(&p.display()))
                    .collect();
                line.push_str(&format!("; loaded at {}", loads.join(", ")));
            }
            writeln!(out, "{line}")?;
        }
        let served: Vec<String> = model
            .served_by
            .iter()
            .filter_map(|&i| inventory.entry_points.get(i))
            .map(|e| format!("{} ({})", inline_code_span(&e.name), prose(&e.kind)))
            .collect();
        writeln!(
            out,
            "- **Served by:** {}",
            if served.is_empty() {
                "no entry point of the project".to_string()
            } else {
                served.join(", ")
            }
        )?;
        let preprocessors = if model.unshipped_preprocessors.is_empty() {
            "every stateful preprocessor seen ships with it (or none is used)".to_string()
        } else {
            let list: Vec<String> = model
                .unshipped_preprocessors
                .iter()
                .map(|p| format!("`{}` ({})", inline_code(&p.class), p.at.display()))
                .collect();
            format!("**not shipped:** {}", list.join(", "))
        };
        writeln!(out, "- **Preprocessors:** {preprocessors}")?;
        if !model.chained_on.is_empty() {
            let chained: Vec<String> = model.chained_on.iter().map(|c| prose(c)).collect();
            writeln!(out, "- **Chained on:** {}", chained.join("; "))?;
        }
        writeln!(out, "- **Seeds:** {}\n", prose(&model.seeds))?;
    }
    writeln!(out, "### Entry points\n")?;
    if inventory.entry_points.is_empty() {
        writeln!(out, "No route, handler, app or batch job loads a model.\n")?;
    } else {
        writeln!(
            out,
            "| Entry point | Kind | Where | Loads | Logs inputs or predictions | Serving inputs traced |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|")?;
        for entry in &inventory.entry_points {
            let loads: Vec<String> = entry
                .artifacts
                .iter()
                .map(|a| inline_code_span(a))
                .collect();
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                inline_code_span(&entry.name),
                cell(&entry.kind),
                inline_code_span(&entry.at.display()),
                if loads.is_empty() {
                    "—".to_string()
                } else {
                    loads.join(", ")
                },
                yes_no(entry.logs),
                yes_no(entry.inputs_known),
            )?;
        }
        writeln!(out)?;
    }
    writeln!(out, "### Monitoring\n")?;
    let monitoring = &inventory.monitoring;
    let mut any = false;
    for (what, at) in &monitoring.found {
        any = true;
        writeln!(
            out,
            "- {} at {}",
            inline_code_span(what),
            inline_code_span(&at.display())
        )?;
    }
    if let Some(external) = &monitoring.declared_external {
        any = true;
        writeln!(
            out,
            "- declared external in the configuration: {}",
            inline_code_span(external)
        )?;
    }
    for function in &monitoring.declared_functions {
        any = true;
        writeln!(
            out,
            "- declared monitoring function: {}",
            inline_code_span(function)
        )?;
    }
    for (manifest, library) in &monitoring.in_manifests {
        any = true;
        writeln!(
            out,
            "- {} is a dependency in {} (its use was {}seen in code)",
            inline_code_span(library),
            inline_code_span(manifest),
            if monitoring.found.is_empty() {
                "not "
            } else {
                ""
            }
        )?;
    }
    if !any {
        writeln!(out, "No drift monitoring found in code or declared.")?;
    }
    writeln!(out)?;
    if !inventory.pins.is_empty() {
        writeln!(out, "### Dependency pins\n")?;
        writeln!(out, "| Library | Pinned | Manifest |")?;
        writeln!(out, "|---|---|---|")?;
        for pin in &inventory.pins {
            writeln!(
                out,
                "| {} | {} | {} |",
                inline_code_span(&pin.library),
                pin.version
                    .as_deref()
                    .map_or("no".to_string(), inline_code_span),
                pin.manifest
                    .as_deref()
                    .map_or("not listed".to_string(), inline_code_span),
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

fn test_score(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    let mlts = &audit.ml_test_score;
    writeln!(out, "## ML Test Score (static estimate)\n")?;
    writeln!(out, "> {}\n", prose(&mlts.label))?;
    if mlts.sections.is_empty() {
        return Ok(());
    }
    writeln!(out, "| Section | Score (of 7) |")?;
    writeln!(out, "|---|--:|")?;
    for section in &mlts.sections {
        writeln!(out, "| {} | {} |", section.name, points(section.score))?;
    }
    writeln!(
        out,
        "| **Final** (the lowest section) | **{}** |\n",
        points(mlts.final_score)
    )?;
    for section in &mlts.sections {
        writeln!(
            out,
            "<details><summary>{}: {} of 7</summary>\n",
            section.name,
            points(section.score)
        )?;
        writeln!(out, "| Test | Evidence | Points | What was seen |")?;
        writeln!(out, "|---|---|--:|---|")?;
        for test in &section.tests {
            let notes: Vec<String> = test.notes.iter().map(|n| cell(n)).collect();
            writeln!(
                out,
                "| {}: {} | {} | {} | {} |",
                test.id,
                cell(test.title),
                evidence(test.evidence),
                points(test.points),
                notes.join("<br>")
            )?;
        }
        writeln!(out, "\n</details>\n")?;
    }
    Ok(())
}

pub(super) fn evidence(evidence: Evidence) -> &'static str {
    match evidence {
        Evidence::Automated => "automated",
        Evidence::Manual => "manual",
        Evidence::Against => "finding against",
        Evidence::None => "none seen",
        Evidence::NotStatic => "needs process review",
    }
}

fn findings(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## Findings\n")?;
    for group in &audit.findings {
        if group.findings.is_empty() {
            continue;
        }
        writeln!(out, "### {} ({})\n", group.title, group.findings.len())?;
        for f in &group.findings {
            writeln!(
                out,
                "#### <a id=\"{}\"></a>{} {} · {}{}\n",
                f.id,
                f.code,
                f.name,
                f.severity.as_str(),
                if f.preview { " · *preview*" } else { "" }
            )?;
            writeln!(
                out,
                "{}: {}\n",
                inline_code_span(&place_text(&f.path, f.cell, f.line)),
                prose(&f.message)
            )?;
            if !f.excerpt.is_empty() {
                excerpt(&f.excerpt, out)?;
            }
            for related in &f.related {
                writeln!(
                    out,
                    "- {}: {}",
                    inline_code_span(&place_text(&related.path, related.cell, related.line)),
                    prose(&related.message)
                )?;
            }
            if !f.related.is_empty() {
                writeln!(out)?;
            }
            if !f.why.is_empty() {
                writeln!(out, "**Why it matters:** {}\n", prose(&f.why))?;
            }
            if !f.fix.is_empty() {
                writeln!(out, "**How to fix:** {}\n", prose(&f.fix))?;
            }
            if !f.rule_url.is_empty() {
                writeln!(out, "[Rule {}]({})\n", f.code, f.rule_url)?;
            }
        }
    }
    if audit.findings.iter().all(|g| g.findings.is_empty()) {
        writeln!(out, "None.\n")?;
    }
    Ok(())
}

/// A fenced excerpt with line numbers, the flagged lines marked `>`.
fn excerpt(lines: &[ExcerptLine], out: &mut dyn Write) -> io::Result<()> {
    let longest_run = lines
        .iter()
        .map(|l| longest_backtick_run(&l.text))
        .max()
        .unwrap_or(0);
    let fence = "`".repeat((longest_run + 1).max(3));
    let width = lines.last().map_or(1, |l| l.line.to_string().len());
    writeln!(out, "{fence}python")?;
    for line in lines {
        writeln!(
            out,
            "{} {:>width$} | {}",
            if line.flagged { ">" } else { " " },
            line.line,
            line.text
        )?;
    }
    writeln!(out, "{fence}\n")
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

fn questions(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## Questions for the reviewer\n")?;
    writeln!(
        out,
        "No static analysis can answer these; tick them by hand once answered.\n"
    )?;
    for q in &audit.questions {
        writeln!(
            out,
            "- [ ] **{}.** {} *({})*",
            q.topic,
            prose(q.question),
            q.source
        )?;
    }
    Ok(())
}

/// `path:line` or `path cell N, line L`.
fn place_text(path: &str, cell: Option<usize>, line: usize) -> String {
    match cell {
        Some(cell) => format!("{path} cell {cell}, line {line}"),
        None => format!("{path}:{line}"),
    }
}

/// Text in running prose: HTML that GitHub would interpret is escaped outside code spans
/// (inside them it shows as written), line breaks joined.
fn prose(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let parts: Vec<&str> = text.split('`').collect();
    let escape = |part: &str| {
        part.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    if parts.len().is_multiple_of(2) {
        // An unmatched backtick: no code span to keep.
        return escape(&text);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                part.to_string()
            } else {
                escape(part)
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

/// Text in a table cell: prose, with `|` escaped.
fn cell(text: &str) -> String {
    prose(text).replace('|', "\\|")
}

/// Text inside a code span that is already between single backticks: no backticks or line
/// breaks.
fn inline_code(text: &str) -> String {
    text.replace('`', "'")
        .replace(['\n', '\r'], " ")
        .replace('|', "\\|")
}

/// A code span around `text`, whatever backticks it holds.
fn inline_code_span(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ").replace('|', "\\|");
    let run = longest_backtick_run(&text);
    let ticks = "`".repeat(run + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || run > 0 {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_any_backticks() {
        assert_eq!(inline_code_span("a.py:3"), "`a.py:3`");
        assert_eq!(inline_code_span("x `y`"), "`` x `y` ``");
        assert_eq!(inline_code_span("a|b"), "`a\\|b`");
    }

    #[test]
    fn mermaid_labels_cannot_break_out() {
        let text = mermaid_text("a\"]; click n0 \"http://x\"\n<b>#1");
        assert!(!text.contains('"') && !text.contains('<') && !text.contains('\n'));
    }

    #[test]
    fn prose_escapes_html_outside_code_spans() {
        assert_eq!(prose("<script>&"), "&lt;script&gt;&amp;");
        assert_eq!(
            prose("`<streamlit app>` serves <b>"),
            "`<streamlit app>` serves &lt;b&gt;"
        );
        assert_eq!(prose("a ` b <c>"), "a ` b &lt;c&gt;");
    }

    #[test]
    fn excerpt_fence_is_longer_than_the_code_backticks() {
        let lines = vec![ExcerptLine {
            line: 1,
            text: "s = \"```\"".to_string(),
            flagged: true,
        }];
        let mut out = Vec::new();
        excerpt(&lines, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("````python\n"), "{text}");
        assert!(text.contains("> 1 | s = \"```\""));
    }
}
