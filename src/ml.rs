//! What mlready knows about ML libraries, as tables (stub, being written).
