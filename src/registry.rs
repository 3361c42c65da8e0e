//! Every rule, in one list (stub, being written).
