//! What mlready knows about PyTorch (and Lightning, torchvision, torchaudio): which classes
//! are layers that depend on the training mode, containers, wrappers and architectures; which
//! calls switch gradients or modes, load models or build no layers (API001, API002).

/// What a `torch.nn` class (or a torchvision model) is, for the mode of the module it makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TorchClass {
    /// A layer: whether it behaves differently in training and evaluation.
    Layer(ModeDependence),
    /// A container of the layers passed to it (`Sequential`, `ModuleList`).
    Container,
    /// A wrapper that shares the mode of the module it wraps (`DataParallel`).
    Wrapper,
    /// A model architecture; `None` when its layers depend on its arguments.
    Model(Option<bool>),
}

/// Whether a layer behaves differently in training and evaluation mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeDependence {
    Always,
    Never,
    /// Decided by a keyword argument: dependent when it is given a non-zero number or True;
    /// `default` when it is absent.
    Keyword {
        name: &'static str,
        default: bool,
    },
}

/// `torch.nn` layers whose output differs between training and evaluation mode.
const MODE_DEPENDENT_LAYERS: &[&str] = &[
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "AlphaDropout",
    "FeatureAlphaDropout",
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "LazyBatchNorm1d",
    "LazyBatchNorm2d",
    "LazyBatchNorm3d",
    "SyncBatchNorm",
    "RReLU",
];

/// The class a qualified name makes, if it is a `torch.nn` module class or a torchvision model.
pub fn torch_class(qualified: &str) -> Option<TorchClass> {
    let name = qualified.rsplit('.').next()?;
    if let Some(rest) = qualified.strip_prefix("torch.nn.") {
        let first = rest.split('.').next().unwrap_or(rest);
        let not_modules = ["utils", "functional", "init", "attention", "parameter"];
        if not_modules.contains(&first)
            || !name.starts_with(|c: char| c.is_ascii_uppercase())
            || name.starts_with("Parameter")
            || name.starts_with("Uninitialized")
            || name == "Buffer"
        {
            return None;
        }
        use ModeDependence::*;
        let class = match name {
            "Sequential" | "ModuleList" | "ModuleDict" | "TransformerEncoder"
            | "TransformerDecoder" => TorchClass::Container,
            "DataParallel" | "DistributedDataParallel" => TorchClass::Wrapper,
            "RNN" | "LSTM" | "GRU" | "MultiheadAttention" => TorchClass::Layer(Keyword {
                name: "dropout",
                default: false,
            }),
            "Transformer" | "TransformerEncoderLayer" | "TransformerDecoderLayer" => {
                TorchClass::Layer(Keyword {
                    name: "dropout",
                    default: true,
                })
            }
            "InstanceNorm1d" | "InstanceNorm2d" | "InstanceNorm3d" | "LazyInstanceNorm1d"
            | "LazyInstanceNorm2d" | "LazyInstanceNorm3d" => TorchClass::Layer(Keyword {
                name: "track_running_stats",
                default: false,
            }),
            // Subclassing or calling the base class itself: layers unknown.
            "Module" => TorchClass::Model(None),
            _ if MODE_DEPENDENT_LAYERS.contains(&name) => TorchClass::Layer(Always),
            _ => TorchClass::Layer(Never),
        };
        return Some(class);
    }
    if qualified.starts_with("torchvision.models.") {
        if name.contains("Weights") || !is_torchvision_architecture(name) {
            return None;
        }
        // Vision transformers default to no dropout; every other family has batch norm,
        // dropout or stochastic depth.
        let dependent = !name.starts_with("vit_") && name != "VisionTransformer";
        return Some(TorchClass::Model(dependent.then_some(true)));
    }
    // Audio and image transforms (spectrograms, decibels, resampling, masking and other
    // augmentations) do the same in both modes: an augmentation that should not run at
    // inference is left out by the code, not switched off by `eval()`.
    let transform = ["torchaudio.transforms.", "torchvision.transforms."]
        .iter()
        .any(|prefix| qualified.starts_with(prefix));
    if transform && name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return Some(TorchClass::Layer(ModeDependence::Never));
    }
    None
}

/// torchvision model builders and classes, by the start of their names.
fn is_torchvision_architecture(name: &str) -> bool {
    const FAMILIES: &[&str] = &[
        "resnet",
        "resnext",
        "wide_resnet",
        "vgg",
        "alexnet",
        "squeezenet",
        "densenet",
        "inception",
        "googlenet",
        "mobilenet",
        "mnasnet",
        "shufflenet",
        "efficientnet",
        "regnet",
        "convnext",
        "vit_",
        "swin",
        "maxvit",
        "fasterrcnn",
        "maskrcnn",
        "keypointrcnn",
        "retinanet",
        "ssd",
        "fcos",
        "deeplabv3",
        "fcn_",
        "lraspp",
        "r3d_",
        "r2plus1d",
        "mc3_",
        "s3d",
        "mvit",
        "raft",
    ];
    const CLASSES: &[&str] = &[
        "ResNet",
        "VGG",
        "AlexNet",
        "SqueezeNet",
        "DenseNet",
        "Inception3",
        "GoogLeNet",
        "MobileNetV2",
        "MobileNetV3",
        "MNASNet",
        "ShuffleNetV2",
        "EfficientNet",
        "RegNet",
        "ConvNeXt",
        "VisionTransformer",
        "SwinTransformer",
        "MaxVit",
    ];
    let lower = name.to_ascii_lowercase();
    FAMILIES.iter().any(|f| lower.starts_with(f)) || CLASSES.contains(&name)
}

/// Base classes that make a class an `nn.Module`.
pub fn is_torch_module_base(qualified: &str) -> bool {
    matches!(
        qualified,
        "torch.nn.Module" | "torch.nn.modules.Module" | "torch.nn.modules.module.Module"
    ) || is_lightning_module(qualified)
}

/// `LightningModule`, whose trainer switches the mode around validation, test and predict.
pub fn is_lightning_module(qualified: &str) -> bool {
    (qualified.starts_with("pytorch_lightning.") || qualified.starts_with("lightning."))
        && qualified.ends_with(".LightningModule")
}

/// Methods of a `LightningModule` that the trainer runs in evaluation mode under no_grad.
pub fn is_lightning_inference_hook(name: &str) -> bool {
    matches!(
        name,
        "validation_step"
            | "test_step"
            | "predict_step"
            | "validation_epoch_end"
            | "test_epoch_end"
    ) || name.starts_with("on_validation_")
        || name.starts_with("on_test_")
        || name.starts_with("on_predict_")
}

/// Functions that return a whole model read from disk or a hub (a module, in unknown mode).
pub fn is_torch_model_loader(qualified: &str) -> bool {
    matches!(qualified, "torch.load" | "torch.hub.load")
}

/// Functions that return the module passed to them, sharing its mode.
pub fn is_torch_module_wrapper(qualified: &str) -> bool {
    qualified == "torch.compile"
}

/// `torch.optim` optimizers (not the learning-rate schedulers next to them).
pub fn is_torch_optimizer(qualified: &str) -> bool {
    let Some(rest) = qualified.strip_prefix("torch.optim.") else {
        return false;
    };
    if rest.starts_with("lr_scheduler") || rest.starts_with("swa_utils") {
        return false;
    }
    matches!(
        rest.rsplit('.').next().unwrap_or(rest),
        "SGD"
            | "Adam"
            | "AdamW"
            | "Adamax"
            | "Adadelta"
            | "Adagrad"
            | "Adafactor"
            | "ASGD"
            | "LBFGS"
            | "NAdam"
            | "RAdam"
            | "RMSprop"
            | "Rprop"
            | "SparseAdam"
    )
}

/// Context managers (and decorators) that turn off gradient tracking: inference.
pub fn is_no_grad_context(qualified: &str) -> bool {
    matches!(
        qualified,
        "torch.no_grad"
            | "torch.inference_mode"
            | "torch.autograd.no_grad"
            | "torch.autograd.inference_mode"
            | "torch.autograd.grad_mode.no_grad"
            | "torch.autograd.grad_mode.inference_mode"
    )
}

/// `set_grad_enabled(flag)`: inference when the flag is `False`.
pub fn is_grad_switch(qualified: &str) -> bool {
    matches!(
        qualified,
        "torch.set_grad_enabled"
            | "torch.autograd.set_grad_enabled"
            | "torch.autograd.grad_mode.set_grad_enabled"
    )
}

/// Functional forms of mode-dependent layers (`F.dropout(x, training=self.training)`).
pub fn is_mode_dependent_function(qualified: &str) -> bool {
    qualified.starts_with("torch.nn.functional.")
        && matches!(
            qualified.rsplit('.').next().unwrap_or(""),
            "dropout"
                | "dropout1d"
                | "dropout2d"
                | "dropout3d"
                | "alpha_dropout"
                | "feature_alpha_dropout"
                | "batch_norm"
                | "rrelu"
        )
}

/// Calls that cannot add a layer to the module being built: builtins, tensor functions,
/// the standard library's helpers. Any other call in a module's class may build layers the
/// analysis cannot see.
pub fn builds_no_layers(qualified: &str) -> bool {
    const BUILTINS: &[&str] = &[
        "super",
        "range",
        "len",
        "int",
        "float",
        "bool",
        "str",
        "list",
        "tuple",
        "dict",
        "set",
        "zip",
        "enumerate",
        "isinstance",
        "issubclass",
        "getattr",
        "setattr",
        "hasattr",
        "print",
        "min",
        "max",
        "sum",
        "abs",
        "round",
        "sorted",
        "reversed",
        "map",
        "filter",
        "any",
        "all",
        "iter",
        "next",
        "type",
        "repr",
        "format",
        "divmod",
        "pow",
        "ValueError",
        "TypeError",
        "NotImplementedError",
        "RuntimeError",
        "AssertionError",
        "KeyError",
    ];
    const PACKAGES: &[&str] = &[
        "math",
        "numpy",
        "collections",
        "functools",
        "itertools",
        "typing",
        "warnings",
        "logging",
        "operator",
        "einops",
        "copy",
    ];
    if !qualified.contains('.') {
        return BUILTINS.contains(&qualified);
    }
    let package = qualified.split('.').next().unwrap_or("");
    if package == "torch" {
        return !is_torch_model_loader(qualified)
            && !qualified.starts_with("torch.jit.")
            && !qualified.starts_with("torch.hub.");
    }
    PACKAGES.contains(&package)
}

/// Functions that receive a module or an optimizer without switching the module's mode or
/// resetting gradients (printing, saving, copying, learning-rate schedulers).
pub fn leaves_module_alone(qualified: &str) -> bool {
    matches!(
        qualified,
        "print"
            | "len"
            | "str"
            | "repr"
            | "isinstance"
            | "type"
            | "id"
            | "hasattr"
            | "getattr"
            | "vars"
            | "dir"
            | "format"
            | "torch.save"
            | "copy.deepcopy"
            | "copy.copy"
    ) || qualified.starts_with("logging.")
        || qualified.starts_with("torch.optim.lr_scheduler.")
        || qualified.starts_with("torch.optim.swa_utils.")
}

/// Methods that receive an optimizer without resetting its gradients (a gradient scaler's).
pub fn keeps_gradients(method: &str) -> bool {
    matches!(method, "unscale_" | "scale" | "update" | "add_param_group")
}

/// Function names that say the function evaluates or predicts: `evaluate`, `validate`,
/// `test`, `predict`, `infer` and their variants (`evaluate_model`, `predict_batch`,
/// `run_inference`, `val_epoch`).
pub fn is_inference_function_name(name: &str) -> bool {
    const ANYWHERE: &[&str] = &[
        "eval",
        "evaluate",
        "evaluation",
        "validate",
        "validation",
        "predict",
        "prediction",
        "predictions",
        "inference",
    ];
    // Ambiguous alone (`infer_shape`, `contest`): only as the first word.
    const FIRST: &[&str] = &["val", "valid", "test", "testing", "infer"];
    let lower = name.trim_start_matches('_').to_ascii_lowercase();
    let mut words = lower.split('_').filter(|w| !w.is_empty());
    let Some(first) = words.next() else {
        return false;
    };
    ANYWHERE.contains(&first) || FIRST.contains(&first) || words.any(|w| ANYWHERE.contains(&w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torch_tables() {
        assert_eq!(
            torch_class("torch.nn.Dropout"),
            Some(TorchClass::Layer(ModeDependence::Always))
        );
        assert_eq!(
            torch_class("torch.nn.modules.linear.Linear"),
            Some(TorchClass::Layer(ModeDependence::Never))
        );
        assert_eq!(
            torch_class("torch.nn.Sequential"),
            Some(TorchClass::Container)
        );
        assert_eq!(
            torch_class("torchaudio.transforms.MelSpectrogram"),
            Some(TorchClass::Layer(ModeDependence::Never))
        );
        assert_eq!(
            torch_class("torchvision.transforms.v2.RandomHorizontalFlip"),
            Some(TorchClass::Layer(ModeDependence::Never))
        );
        assert_eq!(torch_class("torchaudio.transforms.functional"), None);
        assert_eq!(torch_class("torch.nn.Parameter"), None);
        assert_eq!(torch_class("torch.nn.functional.relu"), None);
        assert_eq!(torch_class("torch.nn.utils.rnn.PackedSequence"), None);
        assert_eq!(
            torch_class("torchvision.models.resnet18"),
            Some(TorchClass::Model(Some(true)))
        );
        assert_eq!(torch_class("torchvision.models.ResNet18_Weights"), None);
        assert_eq!(torch_class("torchvision.models.list_models"), None);
        assert!(is_torch_optimizer("torch.optim.AdamW"));
        assert!(is_torch_optimizer("torch.optim.adam.Adam"));
        assert!(!is_torch_optimizer("torch.optim.lr_scheduler.StepLR"));
        assert!(is_inference_function_name("evaluate_model"));
        assert!(is_inference_function_name("predict_batch"));
        assert!(is_inference_function_name("run_inference"));
        assert!(is_inference_function_name("test"));
        assert!(is_inference_function_name("_validate"));
        assert!(!is_inference_function_name("train_epoch"));
        assert!(!is_inference_function_name("latest"));
        assert!(!is_inference_function_name("contest_entry"));
        assert!(builds_no_layers("torch.cat"));
        assert!(!builds_no_layers("torch.load"));
        assert!(!builds_no_layers("timm.create_model"));
        assert!(!builds_no_layers("ConvBlock"));
    }
}
