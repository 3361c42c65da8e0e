//! discover: walks the paths given on the command line (stub, being written).
