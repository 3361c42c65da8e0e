//! The lineage drawn as SVG, laid out here: one column per [`NodeKind`] (data, training,
//! artifacts, entry points, monitoring, left to right), nodes ordered within their column by
//! a few barycenter sweeps so that edges cross less, edges drawn as curves.
//!
//! Layout is plain integer arithmetic on the nodes' order in [`Lineage::nodes`], so the same
//! lineage gives the same drawing byte for byte. Past [`DRAW_LIMIT`] nodes a drawing stops
//! being readable; the HTML report then lists nodes and edges instead.

use super::html::{escape, escape_into};
use super::model::{EdgeKind, Lineage, Mark, Node, NodeKind};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Lineages with more nodes than this are listed, not drawn (one limit for every format).
pub use super::DRAW_LIMIT;

const MARGIN: i32 = 16;
const NODE_W: i32 = 200;
const COLUMN_GAP: i32 = 64;
/// Column titles above the first row of nodes.
const HEADER: i32 = 40;
/// A node's label and detail lines; each mark adds a row below them.
const NODE_BASE_H: i32 = 48;
const MARK_ROW: i32 = 17;
const ROW_GAP: i32 = 22;
/// Spacing of the lanes below the nodes that long back edges run along.
const LANE: i32 = 14;
/// Characters that fit in a node at the label's and detail's font sizes.
const LABEL_CHARS: usize = 25;
const DETAIL_CHARS: usize = 29;
/// Barycenter sweeps (each one left to right, then right to left).
const SWEEPS: usize = 4;

/// Where a node stands in the drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
}

/// The laid-out lineage: a box per node (indexed like [`Lineage::nodes`]) and the edges
/// resolved to node indexes.
#[derive(Debug, Clone)]
pub struct Layout {
    pub boxes: Vec<Placed>,
    pub edges: Vec<(usize, usize, EdgeKind)>,
    /// Each column's kind and left edge.
    pub columns: Vec<(NodeKind, i32)>,
    /// Where the nodes end and the lanes of long back edges begin.
    pub nodes_bottom: i32,
    pub width: i32,
    pub height: i32,
}

fn column_of(kind: NodeKind) -> usize {
    NodeKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

fn node_height(node: &Node) -> i32 {
    NODE_BASE_H + MARK_ROW * node.marks.len() as i32
}

/// Lays `lineage` out. Edges naming a node that does not exist are left out.
pub fn layout(lineage: &Lineage) -> Layout {
    let by_id: BTreeMap<&str, usize> = lineage
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let edges: Vec<(usize, usize, EdgeKind)> = lineage
        .edges
        .iter()
        .filter_map(|e| {
            let from = *by_id.get(e.from.as_str())?;
            let to = *by_id.get(e.to.as_str())?;
            Some((from, to, e.kind))
        })
        .collect();
    let columns = order(lineage, &edges);
    let tallest = columns
        .iter()
        .map(|column| column_height(lineage, column))
        .max()
        .unwrap_or(0);
    let mut boxes = vec![
        Placed {
            x: 0,
            y: 0,
            w: NODE_W,
            h: NODE_BASE_H,
        };
        lineage.nodes.len()
    ];
    let mut lefts = Vec::new();
    for (c, column) in columns.iter().enumerate() {
        let x = MARGIN + c as i32 * (NODE_W + COLUMN_GAP);
        lefts.push((NodeKind::ALL[c], x));
        // Shorter columns are centred against the tallest one.
        let mut y = HEADER + (tallest - column_height(lineage, column)) / 2;
        for &n in column {
            let h = node_height(&lineage.nodes[n]);
            boxes[n] = Placed { x, y, w: NODE_W, h };
            y += h + ROW_GAP;
        }
    }
    let nodes_bottom = HEADER + tallest.max(NODE_BASE_H);
    let lanes = edges
        .iter()
        .filter(|(from, to, _)| is_long_back(&boxes[*from], &boxes[*to]))
        .count() as i32;
    Layout {
        boxes,
        edges,
        columns: lefts,
        nodes_bottom,
        width: 2 * MARGIN + 5 * NODE_W + 4 * COLUMN_GAP,
        height: nodes_bottom + LANE * (lanes + 1) + MARGIN,
    }
}

fn column_height(lineage: &Lineage, column: &[usize]) -> i32 {
    let boxes: i32 = column.iter().map(|&n| node_height(&lineage.nodes[n])).sum();
    boxes + ROW_GAP * (column.len() as i32 - 1).max(0)
}

/// The nodes of each column in drawing order: the lineage's order first, then barycenter
/// sweeps, keeping the order with the fewest crossings seen.
fn order(lineage: &Lineage, edges: &[(usize, usize, EdgeKind)]) -> Vec<Vec<usize>> {
    let mut columns: Vec<Vec<usize>> = vec![Vec::new(); NodeKind::ALL.len()];
    for (i, node) in lineage.nodes.iter().enumerate() {
        columns[column_of(node.kind)].push(i);
    }
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); lineage.nodes.len()];
    for &(from, to, _) in edges {
        neighbours[from].push(to);
        neighbours[to].push(from);
    }
    let mut best = columns.clone();
    let mut best_crossings = crossings(&columns, edges, lineage.nodes.len());
    for _ in 0..SWEEPS {
        for c in (0..columns.len()).chain((0..columns.len()).rev()) {
            let rank = ranks(&columns, lineage.nodes.len());
            sort_by_barycenter(&mut columns[c], &neighbours, &rank);
        }
        let now = crossings(&columns, edges, lineage.nodes.len());
        if now < best_crossings {
            best_crossings = now;
            best = columns.clone();
        }
    }
    best
}

/// Each node's position within its column, scaled to 0..1 so columns of different sizes
/// compare.
fn ranks(columns: &[Vec<usize>], nodes: usize) -> Vec<f64> {
    let mut rank = vec![0.0; nodes];
    for column in columns {
        let len = column.len().max(1) as f64;
        for (position, &n) in column.iter().enumerate() {
            rank[n] = (position as f64 + 0.5) / len;
        }
    }
    rank
}

/// Sorts a column by the mean rank of each node's neighbours (its own rank when it has
/// none); ties keep the current order, so the result is deterministic.
fn sort_by_barycenter(column: &mut [usize], neighbours: &[Vec<usize>], rank: &[f64]) {
    let mut keyed: Vec<(f64, usize, usize)> = column
        .iter()
        .enumerate()
        .map(|(position, &n)| {
            let around = &neighbours[n];
            let center = if around.is_empty() {
                rank[n]
            } else {
                around.iter().map(|&m| rank[m]).sum::<f64>() / around.len() as f64
            };
            (center, position, n)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for (slot, (_, _, n)) in column.iter_mut().zip(keyed) {
        *slot = n;
    }
}

/// Pairs of edges that cross, counting edges as straight segments between column ranks.
fn crossings(columns: &[Vec<usize>], edges: &[(usize, usize, EdgeKind)], nodes: usize) -> usize {
    let mut column = vec![0usize; nodes];
    let mut position = vec![0usize; nodes];
    for (c, members) in columns.iter().enumerate() {
        for (p, &n) in members.iter().enumerate() {
            column[n] = c;
            position[n] = p;
        }
    }
    // Each edge as (left column, right column, position there, position there).
    let segments: Vec<(usize, usize, usize, usize)> = edges
        .iter()
        .map(|&(a, b, _)| {
            let (l, r) = if column[a] <= column[b] {
                (a, b)
            } else {
                (b, a)
            };
            (column[l], column[r], position[l], position[r])
        })
        .collect();
    let mut count = 0;
    for (i, s) in segments.iter().enumerate() {
        for t in &segments[i + 1..] {
            if s.0 == t.0 && s.1 == t.1 && (s.2 < t.2 && s.3 > t.3 || s.2 > t.2 && s.3 < t.3) {
                count += 1;
            }
        }
    }
    count
}

/// A back edge that spans more than one column gap would cross the columns between: it
/// runs along a lane under the nodes instead.
fn is_long_back(from: &Placed, to: &Placed) -> bool {
    to.x < from.x && from.x - to.x > NODE_W + COLUMN_GAP
}

/// The class of an edge kind, in the drawing, its legend and the list fallback.
pub(super) fn edge_class(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Reads => "reads",
        EdgeKind::Saves => "saves",
        EdgeKind::Loads => "loads",
        EdgeKind::Feeds => "feeds",
        EdgeKind::Watches => "watches",
    }
}

/// The class of a node's box: its most serious mark decides the border.
fn node_class(node: &Node) -> &'static str {
    let has = |mark| node.marks.contains(&mark);
    if has(Mark::Blocking) {
        "node blocking"
    } else if has(Mark::Chained) || has(Mark::PreprocessorMissing) {
        "node chained"
    } else if !node.marks.is_empty() {
        "node warned"
    } else {
        "node"
    }
}

/// Writes the lineage as an SVG drawing (with a viewBox, so it scales to its container).
pub fn draw(lineage: &Lineage, out: &mut String) {
    let layout = layout(lineage);
    let _ = writeln!(
        out,
        "<svg class=\"lineage\" viewBox=\"0 0 {w} {h}\" \
         width=\"{w}\" height=\"{h}\" role=\"img\" aria-labelledby=\"lineage-title\">\
         <title id=\"lineage-title\">Model lineage: {n} nodes, {e} edges</title>",
        w = layout.width,
        h = layout.height,
        n = lineage.nodes.len(),
        e = layout.edges.len(),
    );
    out.push_str("<defs>");
    for kind in [
        EdgeKind::Reads,
        EdgeKind::Saves,
        EdgeKind::Loads,
        EdgeKind::Feeds,
        EdgeKind::Watches,
    ] {
        let class = edge_class(kind);
        let _ = write!(
            out,
            "<marker id=\"arrow-{class}\" class=\"arrow-{class}\" viewBox=\"0 0 10 10\" \
             refX=\"9\" refY=\"5\" markerWidth=\"9\" markerHeight=\"9\" \
             markerUnits=\"userSpaceOnUse\" orient=\"auto\">\
             <path d=\"M0,0 L10,5 L0,10 z\"/></marker>"
        );
    }
    out.push_str("</defs>\n");
    draw_columns(lineage, &layout, out);
    draw_edges(&layout, out);
    for (node, placed) in lineage.nodes.iter().zip(&layout.boxes) {
        draw_node(node, placed, out);
    }
    out.push_str("</svg>\n");
}

fn draw_columns(lineage: &Lineage, layout: &Layout, out: &mut String) {
    for &(kind, x) in &layout.columns {
        let count = lineage.nodes.iter().filter(|n| n.kind == kind).count();
        let _ = write!(
            out,
            "<text class=\"column-title\" x=\"{}\" y=\"{}\">{}</text>",
            x + NODE_W / 2,
            HEADER - 18,
            kind.title()
        );
        let _ = write!(
            out,
            "<line class=\"column-rule\" x1=\"{x}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\"/>",
            y = HEADER - 10,
            x2 = x + NODE_W
        );
        if count == 0 {
            let _ = write!(
                out,
                "<rect class=\"empty-column\" x=\"{x}\" y=\"{HEADER}\" width=\"{NODE_W}\" \
                 height=\"{NODE_BASE_H}\" rx=\"8\"/><text class=\"empty-text\" x=\"{}\" \
                 y=\"{}\">none found</text>",
                x + NODE_W / 2,
                HEADER + NODE_BASE_H / 2 + 4
            );
        }
        out.push('\n');
    }
}

fn draw_edges(layout: &Layout, out: &mut String) {
    let mut lane = 0;
    for &(from, to, kind) in &layout.edges {
        let (a, b) = (&layout.boxes[from], &layout.boxes[to]);
        let path = if b.x > a.x {
            // Forward: right side of the source to the left side of the target.
            let (x1, y1, x2, y2) = (a.x + a.w, a.y + a.h / 2, b.x - 2, b.y + b.h / 2);
            let bend = (x2 - x1) / 2;
            format!(
                "M{x1},{y1} C{},{y1} {},{y2} {x2},{y2}",
                x1 + bend,
                x2 - bend
            )
        } else if is_long_back(a, b) {
            // Long back edge: down from the source, along its own lane, up into the target.
            lane += 1;
            let y = layout.nodes_bottom + LANE * lane;
            let (x1, y1, x2, y2) = (a.x + a.w / 2, a.y + a.h, b.x + b.w / 2, b.y + b.h + 2);
            format!(
                "M{x1},{y1} C{x1},{y} {x1},{y} {},{y} L{},{y} C{x2},{y} {x2},{y} {x2},{y2}",
                x1 - 12,
                x2 + 12
            )
        } else if b.x < a.x {
            // Back edge to the next column: left side of the source to the right side of
            // the target, below the forward edges' attachment points.
            let (x1, y1, x2, y2) = (a.x, a.y + a.h * 3 / 4, b.x + b.w + 2, b.y + b.h * 3 / 4);
            let bend = (x1 - x2) / 2;
            format!(
                "M{x1},{y1} C{},{y1} {},{y2} {x2},{y2}",
                x1 - bend,
                x2 + bend
            )
        } else {
            // Within a column: an arc out to the right.
            let (x1, y1, x2, y2) = (a.x + a.w, a.y + a.h / 2, b.x + b.w + 2, b.y + b.h / 2);
            format!("M{x1},{y1} C{},{y1} {},{y2} {x2},{y2}", x1 + 40, x2 + 40)
        };
        let class = edge_class(kind);
        let _ = writeln!(
            out,
            "<path class=\"edge {class}\" d=\"{path}\" marker-end=\"url(#arrow-{class})\"/>"
        );
    }
}

fn draw_node(node: &Node, at: &Placed, out: &mut String) {
    let full = match &node.detail {
        Some(detail) => format!("{}: {detail}", node.label),
        None => node.label.clone(),
    };
    let _ = write!(
        out,
        "<g class=\"{}\" data-node=\"{}\"><title>{}</title>\
         <rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"8\"/>\
         <text class=\"label\" x=\"{}\" y=\"{}\">{}</text>",
        node_class(node),
        escape(&node.id),
        escape(&full),
        at.x,
        at.y,
        at.w,
        at.h,
        at.x + 10,
        at.y + 20,
        escape(&clip_label(&node.label, LABEL_CHARS)),
    );
    if let Some(detail) = &node.detail {
        let _ = write!(
            out,
            "<text class=\"detail\" x=\"{}\" y=\"{}\">",
            at.x + 10,
            at.y + 38
        );
        escape_into(&clip_end(detail, DETAIL_CHARS), out);
        out.push_str("</text>");
    }
    for (row, mark) in node.marks.iter().enumerate() {
        let _ = write!(
            out,
            "<text class=\"mark mark-{}\" x=\"{}\" y=\"{}\">\u{25B2} {}</text>",
            mark_class(*mark),
            at.x + 10,
            at.y + NODE_BASE_H + 8 + MARK_ROW * row as i32,
            mark.label()
        );
    }
    out.push_str("</g>\n");
}

fn mark_class(mark: Mark) -> &'static str {
    match mark {
        Mark::Chained => "chained",
        Mark::NotebookOnly => "notebook",
        Mark::Blocking => "blocking",
        Mark::Unmonitored => "unmonitored",
        Mark::PreprocessorMissing => "preprocessor",
        Mark::SeveralWriters => "writers",
    }
}

/// `text` cut to `max` characters, an ellipsis at the end.
fn clip_end(text: &str, max: usize) -> String {
    super::build::clip(text, max)
}

/// A label cut to `max` characters. Paths lose their leading folders first (the file name
/// says most), other text its end.
fn clip_label(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut rest = text.trim_start_matches('…');
    while let Some((_, tail)) = rest.split_once('/') {
        rest = tail;
        if rest.chars().count() + 2 <= max {
            return format!("…/{rest}");
        }
    }
    clip_end(text, max)
}

/// Lineages for the tests of the layout and of the HTML page.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;
    use crate::audit::model::Edge;

    pub(crate) fn node(id: usize, kind: NodeKind, marks: Vec<Mark>) -> Node {
        Node {
            id: format!("n{id}"),
            kind,
            label: format!("node {id} with a rather long label that must be clipped"),
            detail: Some("detail".to_string()),
            path: None,
            marks,
        }
    }

    pub(crate) fn edge(from: usize, to: usize, kind: EdgeKind) -> Edge {
        Edge {
            from: format!("n{from}"),
            to: format!("n{to}"),
            kind,
        }
    }

    /// A lineage of `n` nodes spread over the columns, each wired to a few others.
    pub(crate) fn sample(n: usize) -> Lineage {
        let nodes: Vec<Node> = (0..n)
            .map(|i| {
                let kind = NodeKind::ALL[i * 5 / n.max(1)];
                let marks = if i % 4 == 0 {
                    vec![Mark::Chained, Mark::Unmonitored]
                } else {
                    Vec::new()
                };
                node(i, kind, marks)
            })
            .collect();
        let mut edges = Vec::new();
        for i in 0..n {
            for j in [i + n / 5, i + n / 5 + 1, i + 2 * n / 5] {
                if j < n && nodes[i].kind < nodes[j].kind {
                    edges.push(edge(i, j, EdgeKind::Reads));
                }
            }
            if i + n / 5 < n && i % 3 == 0 {
                edges.push(edge(i + n / 5, i, EdgeKind::Feeds));
            }
        }
        edges.push(edge(n - 1, 0, EdgeKind::Feeds));
        edges.push(edge(0, 999, EdgeKind::Loads));
        Lineage { nodes, edges }
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::{edge, node, sample};
    use super::*;

    fn overlap(a: &Placed, b: &Placed) -> bool {
        a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
    }

    #[test]
    fn thirty_nodes_do_not_overlap_and_stay_inside_the_view() {
        let lineage = sample(30);
        let layout = layout(&lineage);
        assert_eq!(layout.boxes.len(), 30);
        for (i, a) in layout.boxes.iter().enumerate() {
            assert!(a.x >= 0 && a.y >= HEADER && a.x + a.w <= layout.width);
            assert!(a.y + a.h <= layout.height);
            for b in &layout.boxes[i + 1..] {
                assert!(!overlap(a, b), "{a:?} overlaps {b:?}");
            }
        }
        // The edge to a node that does not exist is left out.
        assert_eq!(layout.edges.len(), lineage.edges.len() - 1);
    }

    #[test]
    fn columns_follow_the_node_kinds_left_to_right() {
        let lineage = sample(30);
        let layout = layout(&lineage);
        for (node, placed) in lineage.nodes.iter().zip(&layout.boxes) {
            let column = column_of(node.kind) as i32;
            assert_eq!(placed.x, MARGIN + column * (NODE_W + COLUMN_GAP));
        }
    }

    #[test]
    fn barycenter_sweeps_untangle_a_crossed_pair() {
        // Data n0 → training n3, data n1 → training n2: drawn in lineage order they cross.
        let lineage = Lineage {
            nodes: vec![
                node(0, NodeKind::Data, vec![]),
                node(1, NodeKind::Data, vec![]),
                node(2, NodeKind::Training, vec![]),
                node(3, NodeKind::Training, vec![]),
            ],
            edges: vec![edge(0, 3, EdgeKind::Reads), edge(1, 2, EdgeKind::Reads)],
        };
        let layout = layout(&lineage);
        let order = |a: usize, b: usize| layout.boxes[a].y < layout.boxes[b].y;
        assert_eq!(order(0, 1), order(3, 2), "the two edges cross");
    }

    #[test]
    fn drawing_is_deterministic_and_escaped() {
        let mut lineage = sample(12);
        lineage.nodes[0].label = "<script>alert(1)</script> & co".to_string();
        let (mut one, mut two) = (String::new(), String::new());
        draw(&lineage, &mut one);
        draw(&lineage, &mut two);
        assert_eq!(one, two);
        assert!(!one.contains("<script"));
        assert!(one.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
        assert!(one.contains("viewBox=\"0 0 "));
        assert!(one.contains("chained model") && one.contains("not monitored"));
    }

    #[test]
    fn labels_keep_the_file_name() {
        assert_eq!(
            clip_label("…/some/very/long/folder/names/train_model.py", 25),
            "…/names/train_model.py"
        );
        assert_eq!(clip_label("short.py", 25), "short.py");
        assert_eq!(clip_label(&"x".repeat(40), 10).chars().count(), 10);
    }
}
