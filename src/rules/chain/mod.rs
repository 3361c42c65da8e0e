//! Chained models: a model that learns from another model's outputs or errors, so the two can
//! only be retrained, versioned and shipped together (correction cascades, Sculley et al. §2).

mod helpers;

crate::rule::rules![
    model_output_as_feature,
    loaded_model_output_as_feature,
    residual_correction_model
];
