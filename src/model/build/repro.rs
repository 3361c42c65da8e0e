//! Reproducibility facts (REPRO002, REPRO005): where work is put on a GPU, where deterministic
//! kernels are requested, where the run records its parameters or metrics, and which model
//! saves sit in a loop (checkpoints).

use super::{Args, Builder, span, string_value};
use crate::model::{Kind, ValueId};
use crate::source::python::Syntax;
use tree_sitter::Node;

/// Packages whose calls record a run's parameters, metrics or artifacts.
const TRACKERS: &[&str] = &[
    "mlflow",
    "wandb",
    "neptune",
    "comet_ml",
    "clearml",
    "dvclive",
    "aim",
    "sacred",
    "mlrun",
    "polyaxon",
    "determined",
    "guild",
];

/// Lightning's trainer, which logs hyperparameters and metrics by default and puts them in
/// its checkpoints.
fn is_lightning_trainer(qualified: &str) -> bool {
    matches!(
        qualified,
        "pytorch_lightning.Trainer" | "lightning.Trainer" | "lightning.pytorch.Trainer"
    )
}

/// A function whose name says it writes down a run's metadata: a verb that records
/// (`save_`, `log_`, `write_`, ...) and a noun that is metadata (`params`, `metrics`,
/// `config`, `metadata`, ...). `load_config` and `log_message` are not.
pub(crate) fn records_metadata_by_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let verb = ["save", "log", "write", "dump", "record", "store", "export"]
        .iter()
        .any(|v| lower.starts_with(v));
    let noun = [
        "meta", "param", "metric", "config", "hparam", "card", "manifest", "info",
    ]
    .iter()
    .any(|n| lower.contains(n));
    verb && noun
}

impl Builder<'_> {
    /// A call of a qualified function: GPU placement, determinism switches, run tracking.
    pub(super) fn repro_call(&mut self, qualified: &str, args: &Args, node: Node) {
        let at = span(node);
        let last = qualified.rsplit('.').next().unwrap_or(qualified);
        let root = qualified.split('.').next().unwrap_or(qualified);
        let first_text = args.positional.first().map(|&(_, n)| self.text(n));
        let facts = &mut self.model.repro;
        match qualified {
            // `torch.device("cuda")`, `torch.device("cuda" if torch.cuda.is_available() ...)`.
            "torch.device" if first_text.is_some_and(names_cuda) => {
                facts.gpu.push(at);
            }
            "torch.use_deterministic_algorithms"
                if first_text.is_some_and(|t| t != "False" && t != "0") =>
            {
                facts.deterministic.push(at);
            }
            "tensorflow.config.experimental.enable_op_determinism"
            | "tensorflow.config.enable_op_determinism"
            | "transformers.enable_full_determinism"
            | "transformers.trainer_utils.enable_full_determinism"
            | "monai.utils.set_determinism" => facts.deterministic.push(at),
            "tensorflow.device"
                if first_text.is_some_and(|t| t.to_ascii_lowercase().contains("gpu")) =>
            {
                facts.tf_gpu.push(at);
            }
            "tensorflow.config.experimental.set_memory_growth"
            | "tensorflow.config.set_memory_growth" => facts.tf_gpu.push(at),
            _ => {}
        }
        // `set_seed(seed, deterministic=True)` (accelerate, mmengine), `make_deterministic()`.
        if last.to_ascii_lowercase().contains("determinis")
            || args
                .keyword("deterministic")
                .is_some_and(|(_, n)| matches!(self.text(n), "True" | "\"warn\"" | "'warn'"))
                && !is_lightning_trainer(qualified)
        {
            self.model.repro.deterministic.push(at);
        }
        if is_lightning_trainer(qualified) {
            self.model.repro.trainers.push(at);
            let gpu = args.keyword("accelerator").is_some_and(|(_, n)| {
                string_value(self.text(n)).is_some_and(|s| matches!(s.as_str(), "gpu" | "cuda"))
            }) || args
                .keyword("gpus")
                .is_some_and(|(_, n)| !matches!(self.text(n), "None" | "0" | "[]" | "\"\"" | "''"));
            if gpu {
                self.model.repro.gpu.push(at);
            }
            if args
                .keyword("deterministic")
                .is_some_and(|(_, n)| matches!(self.text(n), "True" | "\"warn\"" | "'warn'"))
            {
                self.model.repro.deterministic.push(at);
            }
        }
        if records_data_version(qualified, last, args, self) {
            self.model.repro.data_versions.push(at);
        }
        if TRACKERS.contains(&root)
            || is_lightning_trainer(qualified)
            || records_metadata_by_name(last)
            || is_sidecar_write(qualified, args, self)
        {
            self.model.repro.metadata.push(at);
        }
    }

    /// A method call: `.cuda()`, `.to("cuda")`, `.to(device="cuda:0")`, and a tracker's run
    /// (`run.log(...)`) or a metadata method (`self.save_hyperparameters()`).
    pub(super) fn repro_method(
        &mut self,
        receiver: ValueId,
        method: &str,
        args: &Args,
        node: Node,
    ) {
        let at = span(node);
        match method {
            "cuda" => self.model.repro.gpu.push(at),
            "to" => {
                let device = args.get(0, &["device"]);
                if let Some((value, n)) = device
                    && (names_cuda(self.text(n)) || self.holds_cuda_string(value))
                {
                    self.model.repro.gpu.push(at);
                }
            }
            _ => {}
        }
        let tracked = match self.kind(receiver) {
            Kind::Call { function } | Kind::Import(function) => {
                TRACKERS.contains(&function.split('.').next().unwrap_or(function))
            }
            _ => false,
        };
        let versioned = match method {
            "option" | "options" => {
                args.positional.first().is_some_and(|&(_, n)| {
                    let text = self.text(n).to_ascii_lowercase();
                    text.contains("versionasof") || text.contains("timestampasof")
                }) || args
                    .keywords
                    .iter()
                    .any(|(k, ..)| matches!(k.as_str(), "versionAsOf" | "timestampAsOf"))
            }
            "use_artifact" | "log_input" => true,
            "log_param" | "log_params" => tracked && names_data(args, self),
            _ => false,
        };
        if versioned {
            self.model.repro.data_versions.push(at);
        }
        if tracked || records_metadata_by_name(method) || method == "save_hyperparameters" {
            self.model.repro.metadata.push(at);
        }
    }

    /// `torch.backends.cudnn.deterministic = True`, `cudnn.benchmark = True`,
    /// `os.environ["TF_DETERMINISTIC_OPS"] = "1"`, `wandb.config.lr = 0.1`.
    pub(super) fn repro_assignment(&mut self, node: Node) {
        let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
            return;
        };
        let target = self.text(left);
        let value = self.text(right);
        let truthy = !matches!(value, "False" | "0" | "\"0\"" | "'0'" | "None");
        let at = span(node);
        if target.ends_with("cudnn.deterministic") && truthy {
            self.model.repro.deterministic.push(at);
        } else if target.ends_with("cudnn.benchmark") && truthy {
            self.model.repro.benchmark.push(at);
        } else if target.contains("TF_DETERMINISTIC_OPS") && truthy {
            self.model.repro.deterministic.push(at);
        } else if target.starts_with("wandb.config") {
            self.model.repro.metadata.push(at);
        }
    }

    /// After a model save is recorded: whether it sits in a loop of its function body (a
    /// checkpoint written every epoch).
    pub(super) fn repro_save(&mut self, node: Node) {
        let mut current = node.parent();
        while let Some(parent) = current {
            match parent.kind_name() {
                "for_statement" | "while_statement" => {
                    self.model.repro.looped_saves.push(span(node));
                    return;
                }
                "function_definition" | "class_definition" | "lambda" => return,
                _ => {}
            }
            current = parent.parent();
        }
    }

    /// A device value that is, or is chosen among, string literals naming CUDA
    /// (`device = "cuda" if torch.cuda.is_available() else "cpu"`). Looks two levels down.
    fn holds_cuda_string(&self, value: ValueId) -> bool {
        let is_cuda = |v: ValueId| matches!(self.kind(v), Kind::Str(s) if names_cuda_str(s));
        if is_cuda(value) {
            return true;
        }
        let inputs = &self.model.values[value].inputs;
        inputs.iter().any(|&i| {
            is_cuda(i)
                || matches!(self.kind(i), Kind::Call { function } if function == "torch.device")
                    && self.model.values[i].inputs.iter().any(|&j| is_cuda(j))
        })
    }
}

/// Whether a call records or pins the version of the data: `mlflow.log_input`, a
/// `log_param(s)` whose arguments name the data (or cannot be read), `dvc.api` reads,
/// `hashlib` digests, W&B artifacts.
fn records_data_version(qualified: &str, last: &str, args: &Args, builder: &Builder) -> bool {
    let root = qualified.split('.').next().unwrap_or(qualified);
    match root {
        "dvc" | "hashlib" | "lakefs" | "lakefs_sdk" | "lakefs_client" | "delta" => true,
        _ if TRACKERS.contains(&root) => match last {
            "log_input" | "use_artifact" | "Artifact" => true,
            "log_param" | "log_params" | "set_tag" | "set_tags" => names_data(args, builder),
            _ => false,
        },
        _ => false,
    }
}

/// Arguments that name the data (`"data_version"`, `{"dataset": ...}`), or that the
/// analysis cannot read (a dict built elsewhere may hold it).
fn names_data(args: &Args, builder: &Builder) -> bool {
    let Some((_, first)) = args.positional.first() else {
        return args.splat;
    };
    if !matches!(first.kind_name(), "string" | "dictionary") {
        return true;
    }
    let text = builder.text(*first).to_ascii_lowercase();
    [
        "data", "snapshot", "version", "commit", "hash", "rev", "sha",
    ]
    .iter()
    .any(|w| text.contains(w))
}

/// `open("meta.json", "w")`, `json.dump(...)`, `yaml.safe_dump(...)`: a sidecar written.
fn is_sidecar_write(qualified: &str, args: &Args, builder: &Builder) -> bool {
    match qualified {
        "json.dump" | "yaml.dump" | "yaml.safe_dump" | "toml.dump" | "omegaconf.OmegaConf.save" => {
            true
        }
        "open" => {
            let path = args
                .get(0, &["file"])
                .and_then(|(_, n)| string_value(builder.text(n)));
            let mode = args
                .get(1, &["mode"])
                .and_then(|(_, n)| string_value(builder.text(n)));
            path.is_some_and(|p| {
                let p = p.to_ascii_lowercase();
                [".json", ".yaml", ".yml", ".toml"]
                    .iter()
                    .any(|e| p.ends_with(e))
            }) && mode.is_some_and(|m| m.contains('w') || m.contains('a'))
        }
        _ => false,
    }
}

/// Source text of a device argument that names CUDA: a `"cuda"`/`"cuda:0"` literal, or an
/// expression holding one (`"cuda" if torch.cuda.is_available() else "cpu"`).
fn names_cuda(text: &str) -> bool {
    ["\"cuda", "'cuda"].iter().any(|q| text.contains(q))
}

fn names_cuda_str(s: &str) -> bool {
    s == "cuda" || s.starts_with("cuda:")
}

#[cfg(test)]
mod tests {
    use super::records_metadata_by_name;

    #[test]
    fn metadata_writers_by_name() {
        for name in [
            "save_metadata",
            "log_params",
            "write_model_card",
            "dump_config",
            "log_metrics",
        ] {
            assert!(records_metadata_by_name(name), "{name}");
        }
        for name in [
            "load_config",
            "log_message",
            "save_model",
            "save",
            "get_params",
        ] {
            assert!(!records_metadata_by_name(name), "{name}");
        }
    }
}
