//! The lineage drawn as SVG, laid out here.
