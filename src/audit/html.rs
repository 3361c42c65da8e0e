//! The audit as one self-contained HTML page: inline CSS and inline SVG, no script and
//! nothing fetched, so the file can be mailed, attached to a ticket or opened offline and
//! reads the same everywhere. It prints too: findings do not break across pages and nothing
//! essential hides in a collapsed block.
//!
//! Every string that comes from the audited code (paths, messages, code lines) goes through
//! [`escape`]; the page is built as one `String` and written once.

use super::model::*;
use super::svg;
use super::{plural, points};
use crate::finding::Severity;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Writes `audit` as an HTML page.
pub fn render(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    let mut page = String::with_capacity(64 * 1024);
    page_into(audit, &mut page);
    out.write_all(page.as_bytes())
}

fn page_into(audit: &Audit, out: &mut String) {
    out.push_str("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<title>mlready audit of {}</title>",
        escape(&audit.path)
    );
    let _ = writeln!(out, "<style>{CSS}</style>\n</head>\n<body>");
    header(audit, out);
    out.push_str("<main class=\"container\">\n");
    summary(audit, out);
    lineage(&audit.lineage, out);
    inventory(&audit.inventory, out);
    ml_test_score(&audit.ml_test_score, out);
    findings(&audit.findings, out);
    questions(&audit.questions, out);
    out.push_str("</main>\n");
    let _ = writeln!(
        out,
        "<footer class=\"container\">Made by {} {}. A static analysis: it never ran the \
         code it read.</footer>\n</body>\n</html>",
        escape(audit.tool.name),
        escape(audit.tool.version)
    );
}

/// `text` with the characters HTML gives a meaning to replaced by entities.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(text, &mut out);
    out
}

pub fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// Prose from findings and rule pages: escaped, with `backtick` spans set as code (an
/// unmatched backtick stays as it is).
fn prose(text: &str, out: &mut String) {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        escape_into(text, out);
        return;
    }
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 {
            out.push_str("<code>");
            escape_into(part, out);
            out.push_str("</code>");
        } else {
            escape_into(part, out);
        }
    }
}

fn prose_string(text: &str) -> String {
    let mut out = String::new();
    prose(text, &mut out);
    out
}

/// `train.py, line 12` or `explore.ipynb, cell 3, line 2`.
fn location(path: &str, cell: Option<usize>, line: usize) -> String {
    match cell {
        Some(cell) => format!("{}, cell {cell}, line {line}", escape(path)),
        None => format!("{}, line {line}", escape(path)),
    }
}

fn place(place: &Place) -> String {
    location(&place.path, place.cell, place.line)
}

fn severity_badge(severity: Severity) -> String {
    format!(
        "<span class=\"badge sev-{0}\">{0}</span>",
        severity.as_str()
    )
}

const PREVIEW_TAG: &str =
    "<span class=\"tag-preview\" title=\"made by a preview rule: review it\">preview</span>";

fn header(audit: &Audit, out: &mut String) {
    let files = &audit.files;
    let mut meta = vec![
        format!("{} {}", escape(audit.tool.name), escape(audit.tool.version)),
        format!(
            "{}, {}",
            plural(files.scripts, "script", "scripts"),
            plural(files.notebooks, "notebook", "notebooks")
        ),
    ];
    if files.unreadable > 0 {
        meta.push(plural(
            files.unreadable,
            "file with read or parse errors",
            "files with read or parse errors",
        ));
    }
    if audit.preview_included {
        meta.push("preview rules included".to_string());
    }
    if let Some(at) = &audit.generated_at {
        meta.push(format!("generated {}", escape(at)));
    }
    let _ = writeln!(
        out,
        "<header class=\"top\"><div class=\"container\">\
         <p class=\"brand\">mlready audit</p>\
         <h1>Production-readiness audit of <code>{}</code></h1>\
         <p class=\"meta\">{}</p>\
         <nav><a href=\"#summary\">Summary</a><a href=\"#lineage\">Lineage</a>\
         <a href=\"#inventory\">Inventory</a><a href=\"#ml-test-score\">ML Test Score</a>\
         <a href=\"#findings\">Findings</a><a href=\"#questions\">Questions</a></nav>\
         </div></header>",
        escape(&audit.path),
        meta.join(" · ")
    );
}

fn summary(audit: &Audit, out: &mut String) {
    let s = &audit.summary;
    out.push_str("<section id=\"summary\">\n<h2>Readiness summary</h2>\n");
    out.push_str("<div class=\"tiles\">");
    for (value, label, class) in [
        (s.counts.total(), "findings", ""),
        (s.counts.error, "errors", " t-error"),
        (s.counts.warning, "warnings", " t-warning"),
        (s.counts.info, "info", " t-info"),
        (s.preview, "from preview rules", " t-preview"),
        (s.models, "models trained", ""),
        (s.artifacts, "artifacts saved", ""),
        (s.entry_points, "entry points", ""),
    ] {
        let _ = write!(
            out,
            "<div class=\"tile{class}\"><span class=\"value\">{value}</span>\
             <span class=\"label\">{label}</span></div>"
        );
    }
    out.push_str("</div>\n");
    out.push_str(
        "<table class=\"readiness\"><thead><tr><th>Family</th><th>Status</th>\
         <th class=\"num\">Errors</th><th class=\"num\">Warnings</th><th class=\"num\">Info</th>\
         <th class=\"num\">Preview</th><th>Sculley et al. (2015)</th><th>Note</th></tr></thead>\
         <tbody>\n",
    );
    for family in &s.families {
        let status = family.status;
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#family-{}\">{}</a></td>\
             <td><span class=\"badge status-{}\">{}</span></td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"sculley\">{}</td><td class=\"note\">{}</td></tr>",
            escape(family.family),
            escape(family.title),
            status_class(status),
            status.label(),
            zero_dim(family.counts.error),
            zero_dim(family.counts.warning),
            zero_dim(family.counts.info),
            zero_dim(family.preview),
            escape(family.sculley),
            family.note.as_deref().map(prose_string).unwrap_or_default(),
        );
    }
    let _ = writeln!(
        out,
        "</tbody><tfoot><tr><td>All families</td><td></td><td class=\"num\">{}</td>\
         <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
         <td colspan=\"2\">{}</td></tr></tfoot></table>",
        s.counts.error,
        s.counts.warning,
        s.counts.info,
        s.preview,
        plural(s.counts.total(), "finding", "findings"),
    );
    out.push_str("<h3>Fix these first</h3>\n");
    if s.fix_first.is_empty() {
        out.push_str("<p class=\"empty\">Nothing to fix first: no error or warning.</p>\n");
    } else {
        out.push_str("<ol class=\"fix-first\">\n");
        for fix in &s.fix_first {
            let _ = writeln!(
                out,
                "<li>{} <a href=\"#{}\"><span class=\"code\">{}</span> {}</a>{} \
                 <span class=\"where\">{}</span><div class=\"message\">{}</div>\
                 <div class=\"reach\"><span class=\"reach-label\">Reach:</span> {}</div></li>",
                severity_badge(fix.severity),
                escape(&fix.id),
                escape(fix.code),
                escape(fix.name),
                if fix.preview {
                    format!(" {PREVIEW_TAG}")
                } else {
                    String::new()
                },
                location(&fix.path, fix.cell, fix.line),
                prose_string(&fix.message),
                prose_string(&fix.reach),
            );
        }
        out.push_str("</ol>\n");
    }
    out.push_str("</section>\n");
}

/// A zero shown faintly, so the counts that matter stand out.
fn zero_dim(n: usize) -> String {
    if n == 0 {
        "<span class=\"zero\">0</span>".to_string()
    } else {
        n.to_string()
    }
}

fn status_class(status: Status) -> &'static str {
    match status {
        Status::Blocking => "blocking",
        Status::Attention => "attention",
        Status::Review => "review",
        Status::Clear => "clear",
        Status::NotApplicable => "na",
    }
}

fn lineage(lineage: &Lineage, out: &mut String) {
    out.push_str("<section id=\"lineage\">\n<h2>Model lineage</h2>\n");
    if lineage.nodes.is_empty() {
        out.push_str(
            "<p class=\"empty\">No model was found: no training, saved artifact or entry \
             point to draw.</p>\n</section>\n",
        );
        return;
    }
    out.push_str(
        "<p class=\"lead\">Where each model's data comes from, what trains it, what is saved \
         and what serves it. A coloured border marks a node, the mark named under its \
         label; dashed red curves are chains (one model's outputs feeding another's \
         training).</p>\n",
    );
    if lineage.nodes.len() > svg::DRAW_LIMIT {
        lineage_list(lineage, out);
    } else {
        out.push_str("<div class=\"drawing\">");
        svg::draw(lineage, out);
        out.push_str("</div>\n");
        legend(out);
    }
    out.push_str("</section>\n");
}

fn legend(out: &mut String) {
    out.push_str("<ul class=\"legend\">");
    for (class, text) in [
        ("reads", "data read by a training"),
        ("saves", "training saves an artifact"),
        ("loads", "artifact loaded by an entry point"),
        ("feeds", "feeds another training (chain)"),
        ("watches", "monitoring watches"),
    ] {
        let _ = write!(
            out,
            "<li><svg class=\"swatch\" viewBox=\"0 0 28 10\" width=\"28\" height=\"10\" \
             aria-hidden=\"true\"><line class=\"edge {class}\" x1=\"1\" y1=\"5\" x2=\"27\" \
             y2=\"5\"/></svg>{text}</li>"
        );
    }
    out.push_str("</ul>\n");
}

/// The lineage as lists, for projects too large to draw readably.
fn lineage_list(lineage: &Lineage, out: &mut String) {
    let _ = writeln!(
        out,
        "<p class=\"note\">The lineage has {} nodes, more than the {} a drawing keeps \
         readable, so it is listed here instead: nodes by column, then every edge.</p>",
        lineage.nodes.len(),
        svg::DRAW_LIMIT
    );
    out.push_str("<div class=\"lineage-list\">\n");
    for kind in NodeKind::ALL {
        let nodes: Vec<&Node> = lineage.nodes.iter().filter(|n| n.kind == kind).collect();
        let _ = write!(out, "<div><h3>{} ({})</h3><ul>", kind.title(), nodes.len());
        for node in nodes {
            let _ = write!(out, "<li id=\"lineage-{}\">", escape(&node.id));
            node_text(node, out);
            out.push_str("</li>");
        }
        out.push_str("</ul></div>\n");
    }
    out.push_str("</div>\n<h3>Edges</h3>\n<ul class=\"edges\">");
    let label = |id: &str| {
        lineage
            .nodes
            .iter()
            .find(|n| n.id == id)
            .map_or_else(|| escape(id), |n| escape(&n.label))
    };
    for edge in &lineage.edges {
        let _ = write!(
            out,
            "<li class=\"edge-{}\">{} → {} <span class=\"muted\">({})</span></li>",
            svg::edge_class(edge.kind),
            label(&edge.from),
            label(&edge.to),
            svg::edge_class(edge.kind)
        );
    }
    out.push_str("</ul>\n");
}

fn node_text(node: &Node, out: &mut String) {
    let _ = write!(out, "<strong>{}</strong>", escape(&node.label));
    if let Some(detail) = &node.detail {
        let _ = write!(out, " <span class=\"muted\">{}</span>", escape(detail));
    }
    for mark in &node.marks {
        let _ = write!(out, " <span class=\"mark-tag\">{}</span>", mark.label());
    }
}

fn inventory(inventory: &Inventory, out: &mut String) {
    out.push_str("<section id=\"inventory\">\n<h2>Inventory</h2>\n");
    let _ = writeln!(out, "<h3>Models ({})</h3>", inventory.models.len());
    if inventory.models.is_empty() {
        out.push_str("<p class=\"empty\">No model training was found.</p>\n");
    }
    for model in &inventory.models {
        model_card(model, &inventory.entry_points, out);
    }
    entry_points(&inventory.entry_points, out);
    monitoring(&inventory.monitoring, out);
    pins(&inventory.pins, out);
    out.push_str("</section>\n");
}

fn model_card(model: &ModelInfo, entries: &[EntryInfo], out: &mut String) {
    let mut kind = Vec::new();
    if model.unsupervised {
        kind.push("unsupervised");
    }
    if model.notebook {
        kind.push("trained in a notebook");
    }
    let _ = write!(
        out,
        "<div class=\"card\"><h4><code>{}</code>{} <span class=\"muted\">{}</span></h4><dl>",
        escape(&model.class),
        model
            .inner
            .as_deref()
            .map(|inner| format!(" of <code>{}</code>", escape(inner)))
            .unwrap_or_default(),
        kind.join(", ")
    );
    let mut row = |term: &str, value: String| {
        let _ = write!(out, "<dt>{term}</dt><dd>{value}</dd>");
    };
    row(
        "Trained at",
        format!(
            "{}{} <span class=\"muted\">on <code>{}</code></span>",
            place(&model.trained_at),
            model
                .through
                .as_deref()
                .map(|through| format!(
                    " <span class=\"muted\">through {}</span>",
                    prose_string(through)
                ))
                .unwrap_or_default(),
            escape(&model.x)
        ),
    );
    row("Data", list_or(&model.data, "none found", |d| code(d)));
    row("Seeds", escape(&model.seeds));
    row(
        "Saved to",
        list_or(&model.saved, "not saved", |s| {
            let artifact = s.artifact.as_deref().map_or_else(
                || "<span class=\"muted\">(path not known)</span>".to_string(),
                code,
            );
            let loaded = if s.loaded_at.is_empty() {
                "loaded nowhere in the project".to_string()
            } else {
                format!(
                    "loaded at {}",
                    s.loaded_at.iter().map(place).collect::<Vec<_>>().join("; ")
                )
            };
            let traced = if s.traced {
                ""
            } else {
                " <span class=\"muted\">(the last model fitted before this save; the \
                 analysis cannot tell that it is this one)</span>"
            };
            format!(
                "{artifact} by <code>{}</code> at {}{traced} <span class=\"muted\">({loaded})</span>",
                escape(&s.function),
                place(&s.at)
            )
        }),
    );
    row(
        "Served by",
        list_or(&model.served_by, "no entry point loads it", |&i| {
            entries.get(i).map_or_else(
                || format!("entry point #{i}"),
                |e| format!("<code>{}</code> ({})", escape(&e.name), escape(&e.kind)),
            )
        }),
    );
    if !model.unshipped_preprocessors.is_empty() {
        row(
            "Preprocessors not shipped",
            list_or(&model.unshipped_preprocessors, "", |p| {
                format!(
                    "<span class=\"warn-text\"><code>{}</code></span> at {}",
                    escape(&p.class),
                    place(&p.at)
                )
            }),
        );
    }
    if !model.chained_on.is_empty() {
        row(
            "Chained on",
            list_or(&model.chained_on, "", |c| {
                format!("<span class=\"warn-text\">{}</span>", prose_string(c))
            }),
        );
    }
    out.push_str("</dl>");
    features(model, out);
    out.push_str("</div>\n");
}

fn features(model: &ModelInfo, out: &mut String) {
    if model.features.is_empty() {
        let _ = write!(
            out,
            "<p class=\"muted\">Features: not named in the code{}.</p>",
            if model.features_open {
                " (the matrix is a frame read whole)"
            } else {
                ""
            }
        );
        return;
    }
    out.push_str(
        "<table class=\"features\"><thead><tr><th>Feature</th><th>Built as</th>\
         <th>Where</th></tr></thead><tbody>",
    );
    for f in &model.features {
        let _ = write!(
            out,
            "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&f.name),
            if f.model_output {
                " <span class=\"mark-tag\">model output</span>"
            } else {
                ""
            },
            f.how.as_deref().map_or_else(
                || "<span class=\"muted\">a column as read</span>".into(),
                code
            ),
            f.built_at.as_ref().map(place).unwrap_or_default(),
        );
    }
    out.push_str("</tbody></table>");
    if model.features_open {
        out.push_str("<p class=\"muted\">The matrix may hold more columns than these.</p>");
    }
}

fn code(text: &str) -> String {
    format!("<code>{}</code>", escape(text))
}

/// The items as an HTML list, or `empty` (muted) when there are none.
fn list_or<T>(items: &[T], empty: &str, show: impl Fn(&T) -> String) -> String {
    match items {
        [] => format!("<span class=\"muted\">{}</span>", escape(empty)),
        [one] => show(one),
        many => format!(
            "<ul>{}</ul>",
            many.iter()
                .map(|item| format!("<li>{}</li>", show(item)))
                .collect::<String>()
        ),
    }
}

fn yes_no(value: bool) -> &'static str {
    if value {
        "<span class=\"yes\">yes</span>"
    } else {
        "<span class=\"no\">no</span>"
    }
}

fn entry_points(entries: &[EntryInfo], out: &mut String) {
    let _ = writeln!(out, "<h3>Entry points ({})</h3>", entries.len());
    if entries.is_empty() {
        out.push_str(
            "<p class=\"empty\">No route, handler, app or batch job serves a model.</p>\n",
        );
        return;
    }
    out.push_str(
        "<table><thead><tr><th>Entry point</th><th>Kind</th><th>Where</th><th>Loads</th>\
         <th>Logs inputs or predictions</th><th>Inputs known</th></tr></thead><tbody>\n",
    );
    for e in entries {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td></tr>",
            escape(&e.name),
            escape(&e.kind),
            place(&e.at),
            list_or(&e.artifacts, "nothing found", |a| code(a)),
            yes_no(e.logs),
            yes_no(e.inputs_known),
        );
    }
    out.push_str("</tbody></table>\n");
}

fn monitoring(m: &MonitoringInfo, out: &mut String) {
    out.push_str("<h3>Monitoring</h3>\n");
    if m.found.is_empty()
        && m.declared_external.is_none()
        && m.declared_functions.is_empty()
        && m.in_manifests.is_empty()
    {
        out.push_str(
            "<p class=\"empty\">No drift monitoring found in the code, declared in the \
             configuration or named in a dependency manifest.</p>\n",
        );
        return;
    }
    out.push_str("<dl class=\"flat\">");
    let _ = write!(
        out,
        "<dt>Found in code</dt><dd>{}</dd>",
        list_or(&m.found, "none", |(what, at)| format!(
            "{} at {}",
            code(what),
            place(at)
        ))
    );
    let _ = write!(
        out,
        "<dt>Declared external</dt><dd>{}</dd>",
        m.declared_external
            .as_deref()
            .map_or_else(|| "<span class=\"muted\">no</span>".to_string(), code)
    );
    let _ = write!(
        out,
        "<dt>Declared functions</dt><dd>{}</dd>",
        list_or(&m.declared_functions, "none", |f| code(f))
    );
    let _ = write!(
        out,
        "<dt>In dependency manifests</dt><dd>{}</dd>",
        list_or(&m.in_manifests, "none", |(manifest, library)| format!(
            "{} in {}",
            code(library),
            escape(manifest)
        ))
    );
    out.push_str("</dl>\n");
}

fn pins(pins: &[Pin], out: &mut String) {
    out.push_str("<h3>Library pins</h3>\n");
    if pins.is_empty() {
        out.push_str("<p class=\"empty\">No ML library to pin was seen.</p>\n");
        return;
    }
    out.push_str(
        "<table><thead><tr><th>Library</th><th>Version</th><th>Manifest</th></tr></thead>\
         <tbody>\n",
    );
    for pin in pins {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            escape(&pin.library),
            pin.version.as_deref().map_or_else(
                || "<span class=\"no\">not pinned to one version</span>".to_string(),
                code
            ),
            pin.manifest.as_deref().map_or_else(
                || "<span class=\"no\">no manifest lists it</span>".to_string(),
                escape
            ),
        );
    }
    out.push_str("</tbody></table>\n");
}

fn evidence_label(evidence: Evidence) -> (&'static str, &'static str) {
    match evidence {
        Evidence::Automated => ("automated", "automated evidence"),
        Evidence::Manual => ("manual", "manual or notebook only"),
        Evidence::Against => ("against", "a finding against it"),
        Evidence::None => ("none", "nothing either way"),
        Evidence::NotStatic => ("not-static", "code cannot show it"),
    }
}

fn ml_test_score(score: &MlTestScore, out: &mut String) {
    out.push_str("<section id=\"ml-test-score\">\n<h2>ML Test Score</h2>\n");
    let _ = writeln!(
        out,
        "<p class=\"callout\"><strong>{}.</strong> Breck et al. (2017) score each test 1 point \
         when automated and 0.5 when done by hand; a section's score is the sum of its tests, \
         and the final score is the lowest section's.</p>",
        escape(score.label.trim_end_matches('.'))
    );
    if score.sections.is_empty() {
        out.push_str("<p class=\"empty\">No section was estimated.</p>\n</section>\n");
        return;
    }
    let _ = writeln!(
        out,
        "<p class=\"final-score\">Final score <span class=\"value\">{}</span> \
         <span class=\"muted\">the minimum over the sections: {}</span></p>",
        points(score.final_score),
        score
            .sections
            .iter()
            .map(|s| format!("{} {}", escape(s.name), points(s.score)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for section in &score.sections {
        let _ = writeln!(
            out,
            "<h3>{} <span class=\"score\">{} / {}</span></h3>",
            escape(section.name),
            points(section.score),
            section.tests.len()
        );
        out.push_str(
            "<table class=\"mlts\"><thead><tr><th>Test</th><th>What it asks</th>\
             <th>Evidence</th><th class=\"num\">Points</th><th>Notes</th></tr></thead><tbody>\n",
        );
        for test in &section.tests {
            let (class, label) = evidence_label(test.evidence);
            let _ = writeln!(
                out,
                "<tr><td class=\"nowrap\">{}</td><td>{}</td>\
                 <td><span class=\"badge ev-{class}\">{label}</span></td>\
                 <td class=\"num\">{}</td><td>{}</td></tr>",
                escape(test.id),
                escape(test.title),
                points(test.points),
                list_or(&test.notes, "", |n| prose_string(n)),
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</section>\n");
}

fn findings(groups: &[FamilyFindings], out: &mut String) {
    out.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n");
    for group in groups {
        let _ = writeln!(
            out,
            "<h3 id=\"family-{}\">{} <span class=\"count\">{}</span></h3>",
            escape(group.family),
            escape(group.title),
            group.findings.len()
        );
        if group.findings.is_empty() {
            out.push_str("<p class=\"empty\">No findings.</p>\n");
        }
        for finding in &group.findings {
            finding_into(finding, out);
        }
    }
    out.push_str("</section>\n");
}

fn finding_into(f: &AuditFinding, out: &mut String) {
    let _ = write!(
        out,
        "<article class=\"finding sev-{sev}\" id=\"{id}\"><header>{badge} \
         <span class=\"code\">{code}</span> <span class=\"name\">{name}</span>{preview}\
         <span class=\"where\">{where_}</span></header>\n<p class=\"message\">",
        sev = f.severity.as_str(),
        id = escape(&f.id),
        badge = severity_badge(f.severity),
        code = escape(f.code),
        name = escape(f.name),
        preview = if f.preview {
            format!(" {PREVIEW_TAG}")
        } else {
            String::new()
        },
        where_ = location(&f.path, f.cell, f.line),
    );
    prose(&f.message, out);
    out.push_str("</p>\n");
    excerpt(&f.excerpt, out);
    if !f.related.is_empty() {
        out.push_str("<div class=\"related\"><h4>Related</h4><ul>");
        for r in &f.related {
            let _ = write!(
                out,
                "<li><span class=\"where\">{}</span> {}</li>",
                location(&r.path, r.cell, r.line),
                prose_string(&r.message)
            );
        }
        out.push_str("</ul></div>\n");
    }
    out.push_str("<div class=\"explain\">");
    if !f.why.is_empty() {
        let _ = write!(
            out,
            "<div><h4>Why it matters</h4><p>{}</p></div>",
            prose_string(&f.why)
        );
    }
    if !f.fix.is_empty() {
        let _ = write!(
            out,
            "<div><h4>How to fix</h4><p>{}</p></div>",
            prose_string(&f.fix)
        );
    }
    out.push_str("</div>\n");
    if !f.rule_url.is_empty() {
        let _ = write!(
            out,
            "<p class=\"rule-link\"><a href=\"{}\">{} {} rule page</a></p>",
            escape(&f.rule_url),
            escape(f.code),
            escape(f.name)
        );
    }
    out.push_str("</article>\n");
}

/// The excerpt as numbered code lines, the flagged ones highlighted.
fn excerpt(lines: &[ExcerptLine], out: &mut String) {
    if lines.is_empty() {
        return;
    }
    out.push_str("<pre class=\"excerpt\"><code>");
    for line in lines {
        let _ = write!(
            out,
            "<span class=\"row{}\"><span class=\"ln\">{}</span><span class=\"src\">",
            if line.flagged { " hl" } else { "" },
            line.line
        );
        highlight(&line.text, out);
        out.push_str("</span></span>");
    }
    out.push_str("</code></pre>\n");
}

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "case", "class",
    "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if",
    "import", "in", "is", "lambda", "match", "nonlocal", "not", "or", "pass", "raise", "return",
    "try", "while", "with", "yield",
];

/// One line of Python with keywords, strings, comments and numbers wrapped in spans. A
/// line-by-line guess (a string opened on an earlier line is not known here); everything is
/// escaped whatever the guess.
fn highlight(line: &str, out: &mut String) {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let at = |i: usize| chars.get(i).map_or(line.len(), |&(offset, _)| offset);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        let start = i;
        if c == '#' {
            span("c", &line[at(i)..], out);
            return;
        }
        if c == '"' || c == '\'' {
            i = string_end(&chars, i);
            span("s", &line[at(start)..at(i)], out);
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].1.is_alphanumeric() || chars[i].1 == '_') {
                i += 1;
            }
            let word = &line[at(start)..at(i)];
            let quote = chars.get(i).is_some_and(|&(_, q)| q == '"' || q == '\'');
            if quote && word.len() <= 2 && word.chars().all(|p| "rRbBfFuU".contains(p)) {
                i = string_end(&chars, i);
                span("s", &line[at(start)..at(i)], out);
            } else if KEYWORDS.contains(&word) {
                span("k", word, out);
            } else {
                escape_into(word, out);
            }
            continue;
        }
        if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].1.is_ascii_alphanumeric() || chars[i].1 == '.') {
                i += 1;
            }
            span("n", &line[at(start)..at(i)], out);
            continue;
        }
        escape_into(&line[at(i)..at(i + 1)], out);
        i += 1;
    }
}

/// The index just past the string literal opening at `i` (a quote), or the line's end.
fn string_end(chars: &[(usize, char)], i: usize) -> usize {
    let quote = chars[i].1;
    let triple = chars.get(i + 1).map(|c| c.1) == Some(quote)
        && chars.get(i + 2).map(|c| c.1) == Some(quote);
    let mut j = if triple { i + 3 } else { i + 1 };
    while j < chars.len() {
        match chars[j].1 {
            '\\' => j += 2,
            c if c == quote => {
                if !triple {
                    return j + 1;
                }
                if chars.get(j + 1).map(|c| c.1) == Some(quote)
                    && chars.get(j + 2).map(|c| c.1) == Some(quote)
                {
                    return j + 3;
                }
                j += 1;
            }
            _ => j += 1,
        }
    }
    chars.len()
}

fn span(class: &str, text: &str, out: &mut String) {
    let _ = write!(out, "<span class=\"{class}\">");
    escape_into(text, out);
    out.push_str("</span>");
}

fn questions(questions: &[Question], out: &mut String) {
    out.push_str("<section id=\"questions\">\n<h2>Questions for the reviewer</h2>\n");
    out.push_str(
        "<p class=\"lead\">What no static analysis can answer: tick each one by hand once \
         the team has answered it.</p>\n",
    );
    if questions.is_empty() {
        out.push_str("<p class=\"empty\">No questions.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<table class=\"questions\"><thead><tr><th class=\"tick\">Done</th><th>Topic</th>\
         <th>Question</th><th>Source</th></tr></thead><tbody>\n",
    );
    for q in questions {
        let _ = writeln!(
            out,
            "<tr><td class=\"tick\">\u{2610}</td><td class=\"topic\">{}</td><td>{}</td>\
             <td class=\"source\">{}</td></tr>",
            escape(q.topic),
            prose_string(q.question),
            escape(q.source)
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}

/// The page's style: a system font stack, a centred column, colours that survive printing
/// in black and white (every colour also has a word or a border next to it).
const CSS: &str = r#"
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;--accent:#0969da;
--red:#cf222e;--red-bg:#ffebe9;--amber:#9a6700;--amber-bg:#fff8c5;--orange:#bc4c00;
--green:#1a7f37;--green-bg:#dafbe1;--violet:#8250df;--violet-bg:#fbefff;--blue-bg:#ddf4ff}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;color:var(--fg);background:#eef1f4;font:15px/1.55 system-ui,-apple-system,
"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif}
code,pre{font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",
monospace;font-size:.88em}
code{background:rgba(175,184,193,.2);padding:.1em .35em;border-radius:5px}
a{color:var(--accent);text-decoration:none}
a:hover{text-decoration:underline}
.container{max-width:1180px;margin:0 auto;padding:0 24px}
header.top{background:#161b22;color:#f0f3f6;padding:18px 0 0}
header.top .brand{margin:0;font-size:13px;letter-spacing:.08em;text-transform:uppercase;
color:#9198a1;font-weight:600}
header.top h1{margin:4px 0 6px;font-size:26px;line-height:1.25;font-weight:600}
header.top h1 code{background:rgba(240,246,252,.12);color:#fff;font-size:.9em}
header.top .meta{margin:0 0 14px;color:#c9d1d9;font-size:14px}
header.top nav{display:flex;flex-wrap:wrap;gap:4px}
header.top nav a{color:#c9d1d9;padding:8px 12px;font-size:14px;border-bottom:2px solid
transparent}
header.top nav a:hover{color:#fff;border-bottom-color:#f78166;text-decoration:none}
section{background:#fff;border:1px solid var(--line);border-radius:12px;padding:20px 26px;
margin:22px 0}
h2{margin:0 0 14px;font-size:21px;font-weight:600;padding-bottom:8px;border-bottom:1px solid
var(--line)}
h3{margin:18px 0 8px;font-size:17px;font-weight:600}
h4{margin:0 0 4px;font-size:14px;font-weight:600}
.lead{color:var(--muted);margin:0 0 12px}
.empty,.muted{color:var(--muted)}
.empty{font-style:italic}
.note{background:var(--amber-bg);border:1px solid #e8d48b;border-radius:8px;padding:8px 12px}
table{width:100%;border-collapse:collapse;font-size:14px;margin:6px 0 12px}
th{text-align:left;font-weight:600;color:var(--muted);font-size:12.5px;text-transform:
uppercase;letter-spacing:.03em;border-bottom:2px solid var(--line);padding:6px 10px}
td{padding:5px 10px;border-bottom:1px solid #e6eaef;vertical-align:top}
tfoot td{font-weight:600;border-top:2px solid var(--line);border-bottom:0}
.num{text-align:right;font-variant-numeric:tabular-nums}
.zero{color:#afb8c1}
.nowrap{white-space:nowrap}
table.readiness td:first-child{white-space:nowrap}
td.sculley,td.note{color:var(--muted);font-size:13px}
td.note{background:none;border:0;border-bottom:1px solid #e6eaef;border-radius:0;padding:7px
10px}
.badge{display:inline-block;padding:1px 9px;border-radius:999px;font-size:12px;
font-weight:600;line-height:1.6;white-space:nowrap;border:1px solid transparent}
.sev-error.badge,.status-blocking{background:var(--red-bg);color:var(--red);border-color:
#ffcecb}
.sev-warning.badge,.status-attention{background:var(--amber-bg);color:var(--amber);
border-color:#f0d87a}
.sev-info.badge{background:var(--blue-bg);color:var(--accent);border-color:#b6e3ff}
.status-review{background:var(--violet-bg);color:var(--violet);border-color:#e7cdfa}
.status-clear{background:var(--green-bg);color:var(--green);border-color:#aceebb}
.status-na{background:var(--soft);color:var(--muted);border-color:var(--line)}
.tag-preview{display:inline-block;font-size:11px;font-weight:600;text-transform:uppercase;
letter-spacing:.05em;color:var(--violet);border:1px solid #d8b9ff;border-radius:4px;
padding:0 5px;margin-left:4px;vertical-align:1px}
.tiles{display:grid;grid-template-columns:repeat(8,1fr);gap:10px;margin:4px 0 14px}
.tile{border:1px solid var(--line);border-radius:10px;padding:7px 12px;background:var(--soft)}
.tile .value{display:block;font-size:22px;font-weight:650;line-height:1.2}
.tile .label{display:block;font-size:12px;line-height:1.3;color:var(--muted)}
.t-error .value{color:var(--red)}.t-warning .value{color:var(--amber)}
.t-info .value{color:var(--accent)}.t-preview .value{color:var(--violet)}
ol.fix-first{margin:0;padding-left:26px}
ol.fix-first li{margin:0 0 8px;padding-left:4px;font-size:14.5px}
ol.fix-first .message{margin:1px 0 0;font-size:14px;line-height:1.45}
.reach{font-size:13px;color:var(--muted)}
.reach-label{font-weight:600}
.code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-weight:600;
font-size:.9em}
.where{color:var(--muted);font-size:13px;margin-left:6px}
.drawing{overflow:hidden}
svg.lineage{display:block;width:100%;height:auto;font-family:inherit}
svg.lineage .column-title{font-size:12.5px;font-weight:600;fill:#59636e;text-anchor:middle;
letter-spacing:.06em;text-transform:uppercase}
svg.lineage .column-rule{stroke:#d1d9e0;stroke-width:1}
svg.lineage .empty-column{fill:none;stroke:#d1d9e0;stroke-dasharray:4 4}
svg.lineage .empty-text{fill:#8c959f;font-size:12.5px;font-style:italic;text-anchor:middle}
.node rect{fill:#fff;stroke:#8c959f;stroke-width:1.5}
.node.warned rect{stroke:#d4a72c;stroke-width:2.2;fill:#fffdf2}
.node.chained rect{stroke:#e16f24;stroke-width:2.4;fill:#fff8f2}
.node.blocking rect{stroke:#cf222e;stroke-width:2.6;fill:#fff6f6}
.node .label{font-size:13.5px;font-weight:600;fill:#1f2328}
.node .detail{font-size:12.5px;fill:#59636e}
.node .mark{font-size:11.5px;font-weight:600}
.mark-chained,.mark-preprocessor{fill:#bc4c00}
.mark-blocking{fill:#cf222e}
.mark-unmonitored,.mark-notebook,.mark-writers{fill:#9a6700}
.edge{fill:none;stroke-width:1.7}
.edge.reads{stroke:#8c959f}
.edge.saves{stroke:#0969da}
.edge.loads{stroke:#1a7f37}
.edge.feeds{stroke:#cf222e;stroke-width:2.8;stroke-dasharray:7 4}
.edge.watches{stroke:#8250df;stroke-dasharray:3 3}
.arrow-reads path{fill:#8c959f}.arrow-saves path{fill:#0969da}
.arrow-loads path{fill:#1a7f37}.arrow-feeds path{fill:#cf222e}
.arrow-watches path{fill:#8250df}
ul.legend{list-style:none;display:flex;flex-wrap:wrap;gap:6px 22px;padding:10px 0 0;margin:8px
0 0;border-top:1px solid #e6eaef;font-size:13px;color:var(--muted)}
ul.legend li{display:flex;align-items:center;gap:7px}
svg.swatch{display:inline-block}
.mark-tag{display:inline-block;font-size:11.5px;font-weight:600;color:var(--orange);
background:#fff1e5;border:1px solid #ffd8b5;border-radius:4px;padding:0 6px}
.lineage-list{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:8px 20px}
.lineage-list ul,ul.edges{margin:0;padding-left:18px;font-size:14px}
.card{border:1px solid var(--line);border-radius:10px;padding:12px 16px;margin:0 0 12px}
.card h4{font-size:15px;margin:0 0 8px}
dl{display:grid;grid-template-columns:210px 1fr;gap:4px 14px;margin:0 0 8px;font-size:14px}
dt{color:var(--muted);font-weight:600}
dd{margin:0}
dd ul,td ul{margin:0;padding-left:18px}
.warn-text{color:var(--orange)}
.yes{color:var(--green);font-weight:600}
.no{color:var(--red);font-weight:600}
.callout{background:var(--blue-bg);border:1px solid #b6e3ff;border-radius:8px;padding:10px 14px;
font-size:14px}
table.mlts{table-layout:fixed}
table.mlts th:nth-child(1){width:110px}table.mlts th:nth-child(2){width:26%}
table.mlts th:nth-child(3){width:180px}table.mlts th:nth-child(4){width:72px}
.final-score{font-size:15px}
.final-score .value{font-size:24px;font-weight:650;margin:0 8px}
.score{color:var(--muted);font-weight:500;font-size:14px;margin-left:6px}
.ev-automated{background:var(--green-bg);color:var(--green)}
.ev-manual{background:var(--amber-bg);color:var(--amber)}
.ev-against{background:var(--red-bg);color:var(--red)}
.ev-none,.ev-not-static{background:var(--soft);color:var(--muted);border-color:var(--line)}
h3 .count{display:inline-block;min-width:24px;text-align:center;font-size:12px;background:
var(--soft);border:1px solid var(--line);border-radius:999px;padding:0 7px;color:var(--muted);
vertical-align:2px}
.finding{border:1px solid var(--line);border-left:4px solid #8c959f;border-radius:8px;
padding:12px 16px;margin:0 0 14px;break-inside:avoid;page-break-inside:avoid}
.finding.sev-error{border-left-color:var(--red)}
.finding.sev-warning{border-left-color:#d4a72c}
.finding.sev-info{border-left-color:var(--accent)}
.finding header .name{font-weight:600}
.finding .message{margin:8px 0}
pre.excerpt{background:var(--soft);border:1px solid #e6eaef;border-radius:8px;padding:8px 0;
margin:8px 0;overflow-x:auto;font-size:13px;line-height:1.5}
pre.excerpt code{background:none;padding:0;font-size:inherit;display:block;min-width:
max-content}
pre.excerpt .row{display:block;padding:0 14px 0 0;border-left:3px solid transparent}
pre.excerpt .row.hl{background:#fff0d9;border-left-color:#d4a72c}
.finding.sev-error pre.excerpt .row.hl{background:var(--red-bg);border-left-color:var(--red)}
pre.excerpt .ln{display:inline-block;width:3.2em;padding-right:1em;text-align:right;
color:#8c959f;user-select:none}
pre.excerpt .k{color:#cf222e}
pre.excerpt .s{color:#0a3069}
pre.excerpt .c{color:#6e7781;font-style:italic}
pre.excerpt .n{color:#0550ae}
.related ul{margin:2px 0 8px;padding-left:20px;font-size:14px}
.related .where{margin-left:0}
.explain{display:grid;grid-template-columns:1fr 1fr;gap:10px 24px;font-size:14px;margin-top:6px}
.explain p{margin:0}
.rule-link{margin:8px 0 0;font-size:13px}
td.tick{font-size:18px;width:56px;text-align:center;line-height:1.2}
td.topic{font-weight:600;white-space:nowrap}
td.source{color:var(--muted);font-size:13px}
footer{color:var(--muted);font-size:13px;padding-bottom:30px}
@media (max-width:900px){.tiles{grid-template-columns:repeat(4,1fr)}
.explain{grid-template-columns:1fr}dl{grid-template-columns:1fr}}
@media print{
body{background:none;font-size:11pt}
.container{max-width:none;padding:0}
header.top{background:none;color:#000;padding:0;border-bottom:2px solid #000}
header.top .brand,header.top .meta{color:#333}
header.top h1 code{background:none;color:#000}
header.top nav{display:none}
section{border:0;border-radius:0;padding:0;margin:18px 0}
h2{break-after:avoid}
h3,h4{break-after:avoid}
.finding,.card,tr,.tile{break-inside:avoid;page-break-inside:avoid}
pre.excerpt{white-space:pre-wrap;overflow:visible}
pre.excerpt code{min-width:0}
.drawing{break-inside:avoid}
a{color:inherit}
.rule-link a::after{content:" (" attr(href) ")";font-size:9pt;color:#555}
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(id: &str, message: &str, path: &str) -> AuditFinding {
        AuditFinding {
            id: id.to_string(),
            code: "LEAK001",
            name: "preprocessing-before-split",
            severity: Severity::Error,
            preview: true,
            path: path.to_string(),
            cell: Some(3),
            line: 2,
            column: 1,
            end_line: 2,
            end_column: 9,
            message: message.to_string(),
            excerpt: vec![
                ExcerptLine {
                    line: 1,
                    text: "import x  # <b>".to_string(),
                    flagged: false,
                },
                ExcerptLine {
                    line: 2,
                    text: "y = f(\"</pre>\", 3)".to_string(),
                    flagged: true,
                },
            ],
            why: "because `fit` sees <everything>".to_string(),
            fix: "split first".to_string(),
            rule_url: "https://example.invalid/rules/LEAK001.md".to_string(),
            related: vec![Related {
                path: path.to_string(),
                cell: None,
                line: 7,
                message: "split <here>".to_string(),
            }],
        }
    }

    fn audit(lineage: Lineage) -> Audit {
        let f = finding(
            "f0",
            "a <script>alert('x')</script> message & more",
            "a&b/<evil>.ipynb",
        );
        Audit {
            version: AUDIT_VERSION,
            tool: Tool {
                name: "mlready",
                version: "0.0.0",
            },
            path: "proj<&>".to_string(),
            files: FileCounts {
                scripts: 2,
                notebooks: 1,
                unreadable: 0,
            },
            preview_included: true,
            summary: Summary {
                families: vec![FamilyStatus {
                    family: "leakage",
                    title: "Leakage",
                    status: Status::Blocking,
                    counts: Counts {
                        error: 1,
                        warning: 0,
                        info: 0,
                    },
                    preview: 1,
                    sculley: "§2",
                    note: Some("a <note>".to_string()),
                }],
                fix_first: vec![FixFirst {
                    code: f.code,
                    name: f.name,
                    severity: f.severity,
                    preview: f.preview,
                    path: f.path.clone(),
                    cell: f.cell,
                    line: f.line,
                    message: f.message.clone(),
                    reach: "training only".to_string(),
                    id: "f0".to_string(),
                }],
                counts: Counts {
                    error: 1,
                    warning: 0,
                    info: 0,
                },
                preview: 1,
                models: 0,
                entry_points: 0,
                artifacts: 0,
            },
            lineage,
            inventory: Inventory::default(),
            ml_test_score: MlTestScore {
                label: "Static estimate from code alone".to_string(),
                sections: vec![MltsSection {
                    name: "Data",
                    tests: vec![MltsTest {
                        id: "Data 1",
                        title: "Feature expectations are captured in a schema",
                        evidence: Evidence::Manual,
                        points: 0.5,
                        notes: vec!["seen <here>".to_string()],
                    }],
                    score: 0.5,
                }],
                final_score: 0.5,
            },
            findings: vec![FamilyFindings {
                family: "leakage",
                title: "Leakage",
                findings: vec![f],
            }],
            questions: vec![Question {
                topic: "Feedback loops",
                question: "Do predictions influence future training data?",
                source: "Sculley et al. §4",
            }],
            generated_at: None,
        }
    }

    fn html(audit: &Audit) -> String {
        let mut bytes = Vec::new();
        render(audit, &mut bytes).expect("writing to a Vec does not fail");
        String::from_utf8(bytes).expect("the page is UTF-8")
    }

    #[test]
    fn strings_from_the_code_are_escaped() {
        let page = html(&audit(Lineage::default()));
        assert!(!page.contains("<script"), "a script tag got through");
        assert!(
            page.contains("a &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; message &amp; more")
        );
        assert!(page.contains("a&amp;b/&lt;evil&gt;.ipynb, cell 3, line 2"));
        assert!(page.contains("proj&lt;&amp;&gt;"));
        assert!(page.contains("<code>fit</code> sees &lt;everything&gt;"));
        assert!(page.contains("&quot;&lt;/pre&gt;&quot;"));
        assert!(!page.contains("<evil>") && !page.contains("<here>") && !page.contains("<b>"));
    }

    #[test]
    fn nothing_is_fetched_and_no_script_runs() {
        let page = html(&audit(svg::tests_support::sample(20)));
        for needle in ["<script", "src=", "@import", "url(http", "<link", "<iframe"] {
            assert!(!page.contains(needle), "the page contains {needle}");
        }
        // `url(` appears only for the SVG's own arrowheads.
        for (at, _) in page.match_indices("url(") {
            assert!(
                page[at..].starts_with("url(#arrow-"),
                "{}",
                &page[at..at + 40]
            );
        }
    }

    #[test]
    fn sections_and_findings_have_their_ids_in_order() {
        let page = html(&audit(svg::tests_support::sample(10)));
        let ids = [
            "id=\"summary\"",
            "id=\"lineage\"",
            "id=\"inventory\"",
            "id=\"ml-test-score\"",
            "id=\"findings\"",
            "id=\"questions\"",
        ];
        let positions: Vec<usize> = ids
            .iter()
            .map(|id| page.find(id).unwrap_or_else(|| panic!("{id} missing")))
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
        assert!(page.contains("<article class=\"finding sev-error\" id=\"f0\">"));
        assert!(page.contains("href=\"#f0\""));
        assert!(page.contains("<svg class=\"lineage\""));
        assert!(page.contains("\u{2610}"));
        assert!(page.contains("Static estimate from code alone"));
        assert!(page.contains("class=\"row hl\""));
        assert!(page.contains("class=\"tag-preview\""));
    }

    #[test]
    fn an_empty_lineage_says_so() {
        let page = html(&audit(Lineage::default()));
        assert!(page.contains("No model was found"));
        assert!(!page.contains("<svg class=\"lineage\""));
    }

    #[test]
    fn a_large_lineage_is_listed_not_drawn() {
        let lineage = svg::tests_support::sample(svg::DRAW_LIMIT + 1);
        let page = html(&audit(lineage));
        assert!(!page.contains("<svg class=\"lineage\""));
        assert!(page.contains(&format!(
            "The lineage has {} nodes, more than the {}",
            svg::DRAW_LIMIT + 1,
            svg::DRAW_LIMIT
        )));
        assert!(page.contains("id=\"lineage-n40\""));
        let page = html(&audit(svg::tests_support::sample(svg::DRAW_LIMIT)));
        assert!(page.contains("<svg class=\"lineage\""));
    }

    #[test]
    fn the_same_audit_gives_the_same_bytes() {
        let audit = audit(svg::tests_support::sample(30));
        assert_eq!(html(&audit), html(&audit));
    }

    #[test]
    fn python_lines_are_highlighted_and_escaped() {
        let mut out = String::new();
        highlight(
            "if x < 3: print(f'a<b', \"c\\\"d\")  # note & <tag>",
            &mut out,
        );
        assert_eq!(
            out,
            "<span class=\"k\">if</span> x &lt; <span class=\"n\">3</span>: print(\
             <span class=\"s\">f&#39;a&lt;b&#39;</span>, <span class=\"s\">&quot;c\\&quot;d\
             &quot;</span>)  <span class=\"c\"># note &amp; &lt;tag&gt;</span>"
        );
        let mut out = String::new();
        highlight("s = 'unterminated é", &mut out);
        assert_eq!(out, "s = <span class=\"s\">&#39;unterminated é</span>");
    }

    #[test]
    fn points_read_like_the_rubric() {
        assert_eq!(points(1.0), "1");
        assert_eq!(points(0.5), "0.5");
        assert_eq!(points(2.5000002), "2.5");
        assert_eq!(points(0.0), "0");
    }

    #[test]
    fn the_demo_project_renders_with_every_finding_linked() {
        let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/churn-demo");
        let settings = crate::settings::Settings {
            preview: true,
            ..Default::default()
        };
        let options = crate::engine::RunOptions {
            project: true,
            keep_projects: true,
            ..Default::default()
        };
        let report = crate::engine::check_with(std::slice::from_ref(&demo), &settings, &options)
            .expect("the demo project is readable");
        let audit = crate::audit::build(&demo, &report, &settings);
        assert!(
            !audit.lineage.nodes.is_empty(),
            "the demo trains and serves models"
        );
        let page = html(&audit);
        assert!(page.contains("<svg class=\"lineage\""));
        for group in &audit.findings {
            for f in &group.findings {
                assert!(
                    page.contains(&format!("id=\"{}\"", f.id)),
                    "{} missing",
                    f.id
                );
            }
        }
        for fix in &audit.summary.fix_first {
            assert!(page.contains(&format!("href=\"#{}\"", fix.id)));
        }
        assert!(!page.contains("<script"));
    }
}
