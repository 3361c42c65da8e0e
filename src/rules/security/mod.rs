//! Security: secrets written into code or outputs, unpickling of untrusted data, and code
//! downloaded with a model and run.

crate::rule::rules![
    hard_coded_secret,
    unsafe_model_deserialization,
    trust_remote_code
];
