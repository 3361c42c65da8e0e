//! render: one function per output format over the same report (stub, being written).
