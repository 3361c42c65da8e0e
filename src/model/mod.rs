//! analyze: the per-file semantic model (stub, being written).

#[derive(Debug, Default)]
pub struct FileModel {}
