//! The rules, one folder per family (stub, being written).
