//! What mlready knows about ML libraries, as tables: which classes are estimators of which
//! kind, which calls split data, seed or draw from random number generators, load models.
//! Rules and the semantic model read these tables; no rule keeps a list of its own.
//!
//! Classes are looked up by their top-level package and their own name, so that
//! `sklearn.preprocessing.StandardScaler` and `sklearn.preprocessing._data.StandardScaler`
//! are the same class.
//!
//! Tables of a topic beyond the estimators have their file: [`serving`] (web frameworks,
//! serving libraries, requests), [`monitoring`] (log sinks, drift monitors, deployment) and
//! [`artifacts`] (saving, loading, reading and writing files); so do PyTorch's modules, modes and
//! optimizers (`torch.rs`, re-exported here).

pub mod artifacts;
pub mod monitoring;
pub mod serving;
mod torch;

pub use torch::{
    ModeDependence, TorchClass, builds_no_layers, is_grad_switch, is_inference_function_name,
    is_lightning_inference_hook, is_lightning_module, is_mode_dependent_function,
    is_no_grad_context, is_torch_model_loader, is_torch_module_base, is_torch_module_wrapper,
    is_torch_optimizer, keeps_gradients, leaves_module_alone, torch_class,
};

/// What an estimator class does when it is fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Learns statistics from X alone (scalers, imputers, PCA, vectorizers).
    Transformer,
    /// Learns only the set of values it sees (one-hot, ordinal and label encoders): stateful,
    /// but fitting it on test rows tells a model nothing about them.
    Encoder,
    /// Learns from X and y (feature selectors, target encoders).
    SupervisedTransformer,
    /// Needs no fit statistics worth leaking (PolynomialFeatures, FunctionTransformer).
    StatelessTransformer,
    /// Changes the rows (imbalanced-learn samplers).
    Resampler,
    /// A predictive model (classifier, regressor, clusterer, detector, neural network).
    Model,
    /// A composite that fits its steps inside (Pipeline, ColumnTransformer, searches).
    Composite,
    /// A cross-validation splitter (KFold, ShuffleSplit, ...).
    Splitter,
    /// A model read back from disk (joblib, pickle, MLflow, Keras, torch).
    Loaded,
}

impl Category {
    pub fn is_stateful_transformer(self) -> bool {
        matches!(
            self,
            Category::Transformer | Category::Encoder | Category::SupervisedTransformer
        )
    }

    /// Whether fitting learns statistics of the rows (means, quantiles, components, selected
    /// columns, target means), more than the set of values present.
    pub fn learns_row_statistics(self) -> bool {
        matches!(
            self,
            Category::Transformer | Category::SupervisedTransformer
        )
    }
}

/// Whether an estimator's result depends on a random seed it was not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Randomness {
    /// Deterministic, or seeded by the library itself by default.
    None,
    /// Draws from `random_state`; unseeded when it is absent or None.
    RandomState,
    /// Random only when a shuffle flag is set (`KFold(shuffle=True)`).
    WhenShuffled,
}

/// A known estimator class.
#[derive(Debug, Clone, Copy)]
pub struct ClassInfo {
    pub category: Category,
    pub randomness: Randomness,
}

const fn info(category: Category, randomness: Randomness) -> ClassInfo {
    ClassInfo {
        category,
        randomness,
    }
}

use Category::*;
use Randomness::{RandomState as Rs, WhenShuffled};

const T: ClassInfo = info(Transformer, Randomness::None);
const E: ClassInfo = info(Encoder, Randomness::None);
const TR: ClassInfo = info(Transformer, Rs);
const ST: ClassInfo = info(SupervisedTransformer, Randomness::None);
const STR: ClassInfo = info(SupervisedTransformer, Rs);
const NT: ClassInfo = info(StatelessTransformer, Randomness::None);
const M: ClassInfo = info(Model, Randomness::None);
const MR: ClassInfo = info(Model, Rs);
const C: ClassInfo = info(Composite, Randomness::None);
const CR: ClassInfo = info(Composite, Rs);
const R: ClassInfo = info(Resampler, Randomness::None);
const RR: ClassInfo = info(Resampler, Rs);
const S: ClassInfo = info(Splitter, Randomness::None);
const SR: ClassInfo = info(Splitter, Rs);
const SS: ClassInfo = info(Splitter, WhenShuffled);

/// scikit-learn classes by name. Estimators whose result depends on `random_state` are
/// marked so; deterministic ones (or ones random only in rare tie-breaking, like a single
/// decision tree with all features) are not, because a warning there would be noise.
const SKLEARN: &[(&str, ClassInfo)] = &[
    // preprocessing: learn statistics from X
    ("StandardScaler", T),
    ("MinMaxScaler", T),
    ("MaxAbsScaler", T),
    ("RobustScaler", T),
    ("Normalizer", NT),
    ("QuantileTransformer", T),
    ("PowerTransformer", T),
    ("KBinsDiscretizer", T),
    ("OneHotEncoder", E),
    ("OrdinalEncoder", E),
    ("LabelEncoder", E),
    ("LabelBinarizer", E),
    ("MultiLabelBinarizer", E),
    ("TargetEncoder", STR),
    ("SimpleImputer", T),
    ("KNNImputer", T),
    // Random only with sample_posterior=True, imputation_order="random" or
    // n_nearest_features set; the defaults are deterministic.
    ("IterativeImputer", T),
    ("MissingIndicator", T),
    ("PCA", T),
    ("IncrementalPCA", T),
    ("KernelPCA", T),
    ("TruncatedSVD", TR),
    ("FastICA", TR),
    ("NMF", T),
    ("FactorAnalysis", T),
    // Initialised by an exact SVD (svd_flip makes it deterministic); the seed only
    // resamples atoms that end up unused.
    ("SparsePCA", T),
    ("MiniBatchSparsePCA", TR),
    ("DictionaryLearning", T),
    ("LatentDirichletAllocation", TR),
    ("CountVectorizer", T),
    ("TfidfVectorizer", T),
    ("TfidfTransformer", T),
    ("DictVectorizer", E),
    ("VarianceThreshold", T),
    ("Isomap", T),
    ("LocallyLinearEmbedding", T),
    ("SpectralEmbedding", T),
    ("TSNE", TR),
    ("MDS", TR),
    ("Nystroem", TR),
    ("RBFSampler", TR),
    ("RandomTreesEmbedding", TR),
    ("GaussianRandomProjection", TR),
    ("SparseRandomProjection", TR),
    // stateless or nearly so
    ("PolynomialFeatures", NT),
    ("SplineTransformer", T),
    ("FunctionTransformer", NT),
    ("Binarizer", NT),
    ("HashingVectorizer", NT),
    ("FeatureHasher", NT),
    // supervised feature selection and encoding
    ("SelectKBest", ST),
    ("SelectPercentile", ST),
    ("SelectFpr", ST),
    ("SelectFdr", ST),
    ("SelectFwe", ST),
    ("GenericUnivariateSelect", ST),
    ("SelectFromModel", ST),
    ("RFE", ST),
    ("RFECV", ST),
    ("SequentialFeatureSelector", ST),
    ("LinearDiscriminantAnalysis", M),
    ("PLSRegression", M),
    // composites
    ("Pipeline", C),
    ("ColumnTransformer", C),
    ("FeatureUnion", C),
    ("TransformedTargetRegressor", C),
    ("GridSearchCV", C),
    ("HalvingGridSearchCV", C),
    ("RandomizedSearchCV", CR),
    ("HalvingRandomSearchCV", CR),
    ("CalibratedClassifierCV", C),
    ("StackingClassifier", C),
    ("StackingRegressor", C),
    ("VotingClassifier", C),
    ("VotingRegressor", C),
    ("OneVsRestClassifier", C),
    ("OneVsOneClassifier", C),
    ("MultiOutputClassifier", C),
    ("MultiOutputRegressor", C),
    // The seed only orders the chain when order="random"; the default order is the columns'.
    ("ClassifierChain", C),
    ("RegressorChain", C),
    ("BaggingClassifier", CR),
    ("BaggingRegressor", CR),
    ("AdaBoostClassifier", C),
    ("AdaBoostRegressor", C),
    // models whose result depends on the seed
    ("RandomForestClassifier", MR),
    ("RandomForestRegressor", MR),
    ("ExtraTreesClassifier", MR),
    ("ExtraTreesRegressor", MR),
    ("IsolationForest", MR),
    ("SGDClassifier", MR),
    ("SGDRegressor", MR),
    ("SGDOneClassSVM", MR),
    ("Perceptron", MR),
    ("PassiveAggressiveClassifier", MR),
    ("PassiveAggressiveRegressor", MR),
    ("MLPClassifier", MR),
    ("MLPRegressor", MR),
    ("BernoulliRBM", MR),
    ("KMeans", MR),
    ("MiniBatchKMeans", MR),
    ("BisectingKMeans", MR),
    ("SpectralClustering", MR),
    ("GaussianMixture", MR),
    ("BayesianGaussianMixture", MR),
    ("RANSACRegressor", MR),
    ("ExtraTreeClassifier", MR),
    ("ExtraTreeRegressor", MR),
    // Fits random subsets of rows once their combinations exceed max_subpopulation (1e4),
    // that is from a few dozen rows on.
    ("TheilSenRegressor", MR),
    ("DummyClassifier", M),
    // deterministic models (or random only in rare tie-breaking)
    ("LogisticRegression", M),
    ("LogisticRegressionCV", M),
    ("LinearRegression", M),
    ("Ridge", M),
    ("RidgeCV", M),
    ("RidgeClassifier", M),
    ("RidgeClassifierCV", M),
    ("Lasso", M),
    ("LassoCV", M),
    ("LassoLars", M),
    ("LassoLarsCV", M),
    ("LassoLarsIC", M),
    ("Lars", M),
    ("ElasticNet", M),
    ("ElasticNetCV", M),
    ("BayesianRidge", M),
    ("ARDRegression", M),
    ("HuberRegressor", M),
    ("QuantileRegressor", M),
    ("PoissonRegressor", M),
    ("GammaRegressor", M),
    ("TweedieRegressor", M),
    ("OrthogonalMatchingPursuit", M),
    ("SVC", M),
    ("SVR", M),
    ("NuSVC", M),
    ("NuSVR", M),
    ("LinearSVC", M),
    ("LinearSVR", M),
    ("OneClassSVM", M),
    ("KNeighborsClassifier", M),
    ("KNeighborsRegressor", M),
    ("RadiusNeighborsClassifier", M),
    ("RadiusNeighborsRegressor", M),
    ("NearestNeighbors", M),
    ("NearestCentroid", M),
    ("LocalOutlierFactor", M),
    ("EllipticEnvelope", M),
    ("GaussianNB", M),
    ("MultinomialNB", M),
    ("BernoulliNB", M),
    ("ComplementNB", M),
    ("CategoricalNB", M),
    ("DecisionTreeClassifier", M),
    ("DecisionTreeRegressor", M),
    ("GradientBoostingClassifier", M),
    ("GradientBoostingRegressor", M),
    ("HistGradientBoostingClassifier", M),
    ("HistGradientBoostingRegressor", M),
    ("QuadraticDiscriminantAnalysis", M),
    ("GaussianProcessClassifier", M),
    ("GaussianProcessRegressor", M),
    ("KernelRidge", M),
    ("IsotonicRegression", M),
    ("AgglomerativeClustering", M),
    ("DBSCAN", M),
    ("HDBSCAN", M),
    ("OPTICS", M),
    ("Birch", M),
    ("MeanShift", M),
    ("AffinityPropagation", M),
    ("DummyRegressor", M),
    // splitters
    ("KFold", SS),
    ("StratifiedKFold", SS),
    ("GroupKFold", S),
    ("StratifiedGroupKFold", SS),
    ("RepeatedKFold", SR),
    ("RepeatedStratifiedKFold", SR),
    ("ShuffleSplit", SR),
    ("StratifiedShuffleSplit", SR),
    ("GroupShuffleSplit", SR),
    ("TimeSeriesSplit", S),
    ("LeaveOneOut", S),
    ("LeavePOut", S),
    ("LeaveOneGroupOut", S),
    ("LeavePGroupsOut", S),
    ("PredefinedSplit", S),
];

/// imbalanced-learn: samplers draw with `random_state`, except the deterministic
/// under-samplers and cleaning methods.
const IMBLEARN: &[(&str, ClassInfo)] = &[
    ("RandomOverSampler", RR),
    ("SMOTE", RR),
    ("SMOTEN", RR),
    ("SMOTENC", RR),
    ("ADASYN", RR),
    ("BorderlineSMOTE", RR),
    ("SVMSMOTE", RR),
    ("KMeansSMOTE", RR),
    ("RandomUnderSampler", RR),
    ("ClusterCentroids", RR),
    ("NearMiss", R),
    ("TomekLinks", R),
    ("EditedNearestNeighbours", R),
    ("RepeatedEditedNearestNeighbours", R),
    ("AllKNN", R),
    ("CondensedNearestNeighbour", RR),
    ("OneSidedSelection", RR),
    ("NeighbourhoodCleaningRule", R),
    ("InstanceHardnessThreshold", RR),
    ("SMOTEENN", RR),
    ("SMOTETomek", RR),
    ("Pipeline", C),
    ("BalancedRandomForestClassifier", MR),
    ("BalancedBaggingClassifier", CR),
    ("EasyEnsembleClassifier", CR),
    ("RUSBoostClassifier", CR),
];

/// Whether an imbalanced-learn sampler copies rows or makes new ones from them (over-sampling,
/// also combined with cleaning), rather than only removing rows.
pub fn duplicates_rows(qualified: &str) -> bool {
    matches!(
        split_qualified(qualified),
        Some((
            "imblearn",
            "RandomOverSampler"
                | "SMOTE"
                | "SMOTEN"
                | "SMOTENC"
                | "ADASYN"
                | "BorderlineSMOTE"
                | "SVMSMOTE"
                | "KMeansSMOTE"
                | "SMOTEENN"
                | "SMOTETomek"
        ))
    )
}

/// Gradient-boosting libraries seed themselves with a fixed default (xgboost seed 0,
/// LightGBM's fixed C++ seeds, CatBoost random_seed 0): deterministic unless told otherwise.
const BOOSTING: &[(&str, ClassInfo)] = &[
    ("XGBClassifier", M),
    ("XGBRegressor", M),
    ("XGBRanker", M),
    ("XGBRFClassifier", M),
    ("XGBRFRegressor", M),
    ("LGBMClassifier", M),
    ("LGBMRegressor", M),
    ("LGBMRanker", M),
    ("CatBoostClassifier", M),
    ("CatBoostRegressor", M),
    ("CatBoostRanker", M),
    ("CatBoost", M),
];

/// category_encoders: every encoder there learns from the data; those that use y are
/// supervised.
const CATEGORY_ENCODERS: &[(&str, ClassInfo)] = &[
    ("TargetEncoder", ST),
    ("LeaveOneOutEncoder", ST),
    ("CatBoostEncoder", ST),
    ("JamesSteinEncoder", ST),
    ("MEstimateEncoder", ST),
    ("WOEEncoder", ST),
    ("GLMMEncoder", ST),
    ("QuantileEncoder", ST),
    ("OneHotEncoder", E),
    ("OrdinalEncoder", E),
    ("BinaryEncoder", E),
    ("CountEncoder", T),
    ("HashingEncoder", NT),
    ("BaseNEncoder", E),
    ("HelmertEncoder", E),
    ("SumEncoder", E),
    ("BackwardDifferenceEncoder", E),
    ("PolynomialEncoder", E),
];

const UMAP: &[(&str, ClassInfo)] = &[("UMAP", TR)];

/// Keras/TensorFlow models and preprocessing layers fitted with `adapt`.
const KERAS: &[(&str, ClassInfo)] = &[
    ("Sequential", M),
    ("Model", M),
    ("Normalization", T),
    ("TextVectorization", T),
    ("StringLookup", T),
    ("IntegerLookup", T),
    ("Discretization", T),
    ("Tokenizer", T),
];

/// The class named by a qualified name, if mlready knows it.
pub fn class_info(qualified: &str) -> Option<ClassInfo> {
    let (package, name) = split_qualified(qualified)?;
    let table: &[(&str, ClassInfo)] = match package {
        "sklearn" => SKLEARN,
        "imblearn" => IMBLEARN,
        "xgboost" | "lightgbm" | "catboost" => BOOSTING,
        "category_encoders" => CATEGORY_ENCODERS,
        "umap" => UMAP,
        "keras" | "tensorflow" => KERAS,
        _ => return None,
    };
    table
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, info)| *info)
}

/// The packages whose classes [`class_info`] knows, for resolving `from X import *`.
pub const KNOWN_PACKAGES: &[&str] = &[
    "sklearn",
    "imblearn",
    "xgboost",
    "lightgbm",
    "catboost",
    "category_encoders",
    "umap",
    "keras",
    "tensorflow",
];

/// The libraries models are trained with: (top-level module, distribution on PyPI). The
/// audit reads which of them training files import (and whether manifests pin them), and
/// which modules hold model code.
pub const MODEL_LIBRARIES: &[(&str, &str)] = &[
    ("sklearn", "scikit-learn"),
    ("torch", "torch"),
    ("tensorflow", "tensorflow"),
    ("keras", "keras"),
    ("xgboost", "xgboost"),
    ("lightgbm", "lightgbm"),
    ("catboost", "catboost"),
    ("statsmodels", "statsmodels"),
    ("transformers", "transformers"),
    ("prophet", "prophet"),
    ("lightning", "lightning"),
    ("pytorch_lightning", "pytorch-lightning"),
];

/// The distribution of the model library a qualified name belongs to (`sklearn.svm.SVC`:
/// `scikit-learn`).
pub fn model_library(qualified: &str) -> Option<&'static str> {
    let top = qualified.split('.').next()?;
    MODEL_LIBRARIES
        .iter()
        .find(|(module, _)| *module == top)
        .map(|&(_, distribution)| distribution)
}

/// Ensembles that give each of their sub-estimators (and the sub-estimators' own steps) a
/// seed drawn from their own `random_state` (scikit-learn's `_set_random_states`), so an
/// estimator passed to them is as seeded as the ensemble.
pub fn seeds_sub_estimators(qualified: &str) -> bool {
    matches!(
        split_qualified(qualified),
        Some((
            "sklearn",
            "BaggingClassifier" | "BaggingRegressor" | "AdaBoostClassifier" | "AdaBoostRegressor"
        )) | Some((
            "imblearn",
            "BalancedBaggingClassifier" | "EasyEnsembleClassifier" | "RUSBoostClassifier"
        ))
    )
}

/// Whether a qualified name is a function that splits arrays into train and test parts,
/// returning `a_train, a_test, b_train, b_test, ...` for its positional arguments.
pub fn is_train_test_split(qualified: &str) -> bool {
    matches!(
        split_qualified(qualified),
        Some(("sklearn", "train_test_split"))
    )
}

/// Functions that load a saved model or object from disk.
pub fn is_model_loader(qualified: &str) -> bool {
    matches!(
        qualified,
        "joblib.load"
            | "pickle.load"
            | "pickle.loads"
            | "dill.load"
            | "cloudpickle.load"
            | "torch.load"
            | "skops.io.load"
            | "keras.models.load_model"
            | "keras.saving.load_model"
            | "tensorflow.keras.models.load_model"
            | "tensorflow.saved_model.load"
            | "onnxruntime.InferenceSession"
            | "sentence_transformers.SentenceTransformer"
            | "transformers.pipeline"
            | "tensorflow_hub.load"
            | "tensorflow_hub.KerasLayer"
    ) || (qualified.starts_with("mlflow.") && qualified.ends_with(".load_model"))
        || ((qualified.starts_with("transformers.")
            || qualified.starts_with("sentence_transformers.")
            || qualified.starts_with("diffusers."))
            && qualified.ends_with(".from_pretrained")
            && !is_pretrained_preprocessor(qualified))
}

/// `AutoTokenizer.from_pretrained`, `AutoProcessor`, `AutoConfig`: what a hub repository holds
/// besides the model. Their outputs are token ids and pixel values, not a model's output.
fn is_pretrained_preprocessor(qualified: &str) -> bool {
    let class = qualified
        .strip_suffix(".from_pretrained")
        .and_then(|c| c.rsplit('.').next())
        .unwrap_or("");
    ["Tokenizer", "Processor", "FeatureExtractor", "Config"]
        .iter()
        .any(|part| class.contains(part))
}

/// Models that learn without a label (clusterers, mixtures, outlier detectors, neighbour
/// searches): their output used as a feature is a chained unsupervised model, and predicting
/// the rows they were fitted on leaks no label.
pub fn is_unsupervised_model(qualified: &str) -> bool {
    let Some((package, name)) = split_qualified(qualified) else {
        return false;
    };
    match package {
        "sklearn" => matches!(
            name,
            "KMeans"
                | "MiniBatchKMeans"
                | "BisectingKMeans"
                | "SpectralClustering"
                | "SpectralBiclustering"
                | "SpectralCoclustering"
                | "AgglomerativeClustering"
                | "FeatureAgglomeration"
                | "DBSCAN"
                | "HDBSCAN"
                | "OPTICS"
                | "Birch"
                | "MeanShift"
                | "AffinityPropagation"
                | "GaussianMixture"
                | "BayesianGaussianMixture"
                | "IsolationForest"
                | "LocalOutlierFactor"
                | "OneClassSVM"
                | "SGDOneClassSVM"
                | "EllipticEnvelope"
                | "NearestNeighbors"
                | "KernelDensity"
                | "BernoulliRBM"
        ),
        "hdbscan" | "pyod" | "kmodes" => true,
        _ => false,
    }
}

/// Which random number generator a global seeding call seeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rng {
    /// numpy's global RandomState (also what scikit-learn uses when `random_state` is None).
    Numpy,
    /// Python's `random` module.
    Python,
    Torch,
    TensorFlow,
}

impl Rng {
    /// The generator, for messages: "numpy's global random generator".
    pub fn label(self) -> &'static str {
        match self {
            Rng::Numpy => "numpy's global random generator",
            Rng::Python => "the global generator of Python's `random` module",
            Rng::Torch => "torch's global random generator",
            Rng::TensorFlow => "tensorflow's global random generator",
        }
    }

    pub fn fix(self) -> &'static str {
        match self {
            Rng::Numpy => "np.random.seed(SEED)",
            Rng::Python => "random.seed(SEED)",
            Rng::Torch => "torch.manual_seed(SEED)",
            Rng::TensorFlow => "tf.random.set_seed(SEED)",
        }
    }
}

/// The generators a seeding call seeds, if it is one.
pub fn seeds(qualified: &str) -> &'static [Rng] {
    const ALL: &[Rng] = &[Rng::Numpy, Rng::Python, Rng::Torch, Rng::TensorFlow];
    match qualified {
        "numpy.random.seed" => &[Rng::Numpy],
        "random.seed" => &[Rng::Python],
        "torch.manual_seed" | "torch.random.manual_seed" | "torch.cuda.manual_seed_all" => {
            &[Rng::Torch]
        }
        "tensorflow.random.set_seed" | "tensorflow.set_random_seed" => &[Rng::TensorFlow],
        "keras.utils.set_random_seed"
        | "tensorflow.keras.utils.set_random_seed"
        | "lightning.seed_everything"
        | "pytorch_lightning.seed_everything"
        | "lightning.pytorch.seed_everything"
        | "transformers.set_seed"
        | "accelerate.utils.set_seed"
        | "fastai.torch_core.set_seed" => ALL,
        // A seeding helper of the project (`from utils import seed_everything`): its body is
        // in another file, and it is there to seed every generator the code uses.
        _ if is_seed_helper(qualified) => ALL,
        _ => &[],
    }
}

/// A function name that says it computes a metric (`compute_mcrmse`, `normalized_gini`,
/// `rmsle`, `eval_kappa`, `quadratic_weighted_kappa`).
pub fn is_metric_name(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "score", "metric", "rmse", "mse", "mae", "mape", "rmsle", "auc", "gini", "accuracy",
        "kappa", "qwk", "f1", "logloss", "log_loss", "error", "r2", "evaluate", "ndcg", "mapk",
    ];
    // Asked of every call's name: one pass of one automaton, not a lowercased copy searched
    // twenty times.
    static WORDS_AUTOMATON: std::sync::OnceLock<aho_corasick::AhoCorasick> =
        std::sync::OnceLock::new();
    WORDS_AUTOMATON
        .get_or_init(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(WORDS)
                .expect("plain words build an automaton")
        })
        .is_match(name)
}

/// A qualified name from a library (not the user's own code).
pub fn is_library(qualified: &str) -> bool {
    const LIBRARIES: &[&str] = &[
        "sklearn",
        "numpy",
        "random",
        "jax",
        "scipy",
        "pandas",
        "torch",
        "tensorflow",
        "keras",
        "lightgbm",
        "xgboost",
        "catboost",
        "statsmodels",
        "imblearn",
        "optuna",
        "mlflow",
        "matplotlib",
        "seaborn",
        "transformers",
    ];
    let first = qualified.split('.').next().unwrap_or(qualified);
    LIBRARIES.contains(&first)
}

/// A call that only sets how things are shown or warned about: warnings filters, pandas
/// display options, plot styles (`plt.style.use`, `sns.set_theme`). It changes no data and
/// shows nothing.
pub fn is_setting_call(receiver: &str, name: &str) -> bool {
    match receiver {
        "warnings" => matches!(name, "filterwarnings" | "simplefilter"),
        "pd" | "pandas" => matches!(name, "set_option" | "reset_option"),
        "plt.style" | "matplotlib.style" => name == "use",
        "plt.rcParams" | "matplotlib.rcParams" | "mpl.rcParams" => name == "update",
        "sns" | "seaborn" => name.starts_with("set"),
        "plt" | "matplotlib.pyplot" | "matplotlib" | "mpl" => name == "rc",
        _ => false,
    }
}

/// A call that only shows something (a notebook's display and plotting calls): `print`,
/// `display`, `df.head()`, `df.describe()`, `plt.show()`, `sns.heatmap(...)`. `receiver` is the
/// text before the last dot ("" for a plain function).
pub fn is_display_call(receiver: &str, name: &str) -> bool {
    const FUNCTIONS: &[&str] = &["print", "display", "len", "type", "repr"];
    const METHODS: &[&str] = &[
        "head",
        "tail",
        "describe",
        "info",
        "show",
        "plot",
        "hist",
        "boxplot",
        "value_counts",
        "unique",
        "nunique",
        "corr",
        "sample",
        "isnull",
        "isna",
        "notnull",
        "memory_usage",
        "get_params",
        "summary",
    ];
    let plotting = [
        "plt",
        "sns",
        "px",
        "matplotlib.pyplot",
        "seaborn",
        "plotly.express",
    ]
    .iter()
    .any(|p| receiver == *p || receiver.starts_with(&format!("{p}.")));
    if is_setting_call(receiver, name) {
        return true;
    }
    if receiver.is_empty() {
        FUNCTIONS.contains(&name)
    } else {
        plotting || METHODS.contains(&name)
    }
}

/// The category of an estimator given the keywords it is built with, where they change what
/// fitting learns: a `CountVectorizer` with no document-frequency cut-off (`min_df`, `max_df`,
/// `max_features`) learns only which tokens exist, as an encoder learns categories.
pub fn category_with(
    qualified: &str,
    category: Category,
    given: impl Fn(&str) -> bool,
) -> Category {
    let name = qualified.rsplit('.').next().unwrap_or("");
    let counts_documents = ["min_df", "max_df", "max_features"]
        .iter()
        .any(|k| given(k));
    if qualified.starts_with("sklearn.") && name == "CountVectorizer" && !counts_documents {
        return Category::Encoder;
    }
    category
}

/// A scaler that maps each feature through its own strictly increasing function
/// (standardising, min-max, robust scaling, power transforms): the order of the values of
/// every feature is kept, whatever rows the function was learned from. (A quantile transform
/// can map distinct values to one and clips outside what it saw: not one of them.)
pub fn is_monotone_scaler(qualified: &str) -> bool {
    qualified.starts_with("sklearn.")
        && matches!(
            qualified.rsplit('.').next().unwrap_or(""),
            "StandardScaler"
                | "MinMaxScaler"
                | "MaxAbsScaler"
                | "RobustScaler"
                | "PowerTransformer"
        )
}

/// A model made of decision trees (forests, boosting, single trees): it splits each feature at
/// thresholds between its values, so an increasing function of a feature changes nothing it
/// learns or predicts.
pub fn is_tree_model(qualified: &str) -> bool {
    let name = qualified.rsplit('.').next().unwrap_or("");
    let package = qualified.split('.').next().unwrap_or("");
    match package {
        "sklearn" => {
            name.starts_with("RandomForest")
                || name.starts_with("ExtraTrees")
                || name.starts_with("GradientBoosting")
                || name.starts_with("HistGradientBoosting")
                || name.starts_with("DecisionTree")
                || name.starts_with("ExtraTree")
                || name == "IsolationForest"
        }
        "xgboost" => name.starts_with("XGB") || name == "train",
        "lightgbm" => name.starts_with("LGBM") || name == "train",
        "catboost" => name.starts_with("CatBoost"),
        _ => false,
    }
}

/// A linear model: scikit-learn's `linear_model` and the linear support vector machines. With
/// the tree models, the models that take each column as a number or a category as it is.
pub fn is_linear_model(qualified: &str) -> bool {
    let name = qualified.rsplit('.').next().unwrap_or("");
    (qualified.starts_with("sklearn.linear_model.")
        && class_info(qualified).is_some_and(|c| c.category == Category::Model))
        || (qualified.starts_with("sklearn.svm.") && matches!(name, "LinearSVC" | "LinearSVR"))
}

/// An encoder of categories (one-hot, ordinal, target and the `category_encoders` family):
/// a column it encodes is used as a category on purpose, and unseen values are its business.
pub fn is_category_encoder(qualified: &str) -> bool {
    let name = qualified.rsplit('.').next().unwrap_or("");
    name.ends_with("Encoder")
        && name != "LabelEncoder"
        && class_info(qualified).is_some_and(|c| {
            matches!(
                c.category,
                Category::Encoder | Category::SupervisedTransformer | Category::Transformer
            )
        })
}

/// A column name that says it identifies rows or entities: `id`, `index`, `row_id`, `rowid`,
/// `uuid`, `*_id` (any case), and camel case `customerID`, `PassengerId`. Words that only end
/// in the letters (`paid`, `valid`, `grid`, `android`, `covid`) are not identifiers, and
/// neither is the code of a kind (`travel_type_id`, `item_category_id`, `cat_id`,
/// `state_id`): a category with a few levels that new rows share, not one entity.
pub fn is_identifier_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if matches!(lower.as_str(), "id" | "index" | "row_id" | "rowid" | "uuid") {
        return true;
    }
    let stem = if lower.len() > 3 && lower.ends_with("_id") {
        &lower[..lower.len() - 3]
    } else {
        let bytes = name.as_bytes();
        let camel = bytes.len() > 2
            && (name.ends_with("ID") || name.ends_with("Id"))
            && bytes[bytes.len() - 3].is_ascii_lowercase();
        if !camel {
            return false;
        }
        &lower[..lower.len() - 2]
    };
    let last_word = stem.rsplit('_').next().unwrap_or(stem);
    !(matches!(
        last_word,
        "type"
            | "category"
            | "cat"
            | "class"
            | "kind"
            | "status"
            | "state"
            | "dept"
            | "department"
            | "gender"
            | "level"
            | "grade"
            | "tier"
            | "segment"
    ) || ["type", "category", "class", "status"]
        .iter()
        .any(|kind| last_word.ends_with(kind)))
}

/// A function of the user's own code named as a seeding helper (`seed_everything`,
/// `set_seed`, `utils.seed_all`, `fix_seeds`). Functions of known libraries are judged by the
/// table above, not by their names.
fn is_seed_helper(qualified: &str) -> bool {
    if is_library(qualified) {
        return false;
    }
    let name = qualified.rsplit('.').next().unwrap_or(qualified);
    matches!(
        name.trim_start_matches('_').to_ascii_lowercase().as_str(),
        "seed_everything"
            | "seed_all"
            | "set_seed"
            | "set_seeds"
            | "set_all_seeds"
            | "set_random_seed"
            | "set_random_seeds"
            | "seed_torch"
            | "fix_seed"
            | "fix_seeds"
            | "fix_all_seeds"
            | "setup_seed"
            | "init_seed"
            | "init_seeds"
            | "seed_everything_"
            | "reset_seeds"
            | "make_deterministic"
    )
}

/// The global generator a call draws from, if it draws from one.
pub fn draws_from(qualified: &str) -> Option<Rng> {
    if let Some(name) = qualified.strip_prefix("numpy.random.") {
        let not_drawing = matches!(
            name,
            "seed"
                | "default_rng"
                | "RandomState"
                | "Generator"
                | "SeedSequence"
                | "get_state"
                | "set_state"
                | "PCG64"
                | "MT19937"
                | "Philox"
                | "SFC64"
                | "BitGenerator"
        );
        return (!not_drawing && !name.contains('.')).then_some(Rng::Numpy);
    }
    if let Some(name) = qualified.strip_prefix("random.") {
        let drawing = matches!(
            name,
            "random"
                | "randint"
                | "randrange"
                | "choice"
                | "choices"
                | "shuffle"
                | "sample"
                | "uniform"
                | "gauss"
                | "normalvariate"
                | "triangular"
                | "betavariate"
                | "expovariate"
                | "getrandbits"
                | "randbytes"
        );
        return drawing.then_some(Rng::Python);
    }
    if let Some(name) = qualified.strip_prefix("torch.") {
        let drawing = matches!(
            name,
            "rand"
                | "randn"
                | "randint"
                | "randperm"
                | "rand_like"
                | "randn_like"
                | "randint_like"
                | "normal"
                | "bernoulli"
                | "multinomial"
                | "poisson"
        );
        return drawing.then_some(Rng::Torch);
    }
    if let Some(name) = qualified.strip_prefix("tensorflow.random.") {
        let drawing = matches!(
            name,
            "uniform"
                | "normal"
                | "shuffle"
                | "truncated_normal"
                | "categorical"
                | "gamma"
                | "poisson"
        );
        return drawing.then_some(Rng::TensorFlow);
    }
    None
}

/// Constructors of explicit generator objects: unseeded when called without a seed.
pub fn is_generator_constructor(qualified: &str) -> bool {
    matches!(
        qualified,
        "numpy.random.default_rng" | "numpy.random.RandomState" | "numpy.random.Generator"
    )
}

/// Methods of a fitted estimator whose result is the model's score for each row.
pub fn is_score_method(method: &str) -> bool {
    matches!(
        method,
        "predict_proba" | "decision_function" | "predict_log_proba" | "score_samples"
    )
}

/// Methods whose name alone says that a call predicts, whatever its receiver: what serving
/// code reads where the receiver is not known to be an estimator (`app.state.model.predict(x)`,
/// a BentoML runner's `predict.run(x)`, a Ray Serve deployment's `predict` method).
pub const PREDICT_METHODS: &[&str] = &[
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "predict_on_batch",
];

/// Methods that make predictions from a fitted estimator: the [`PREDICT_METHODS`], the
/// [score methods](is_score_method), and the methods that predict only on a receiver known to
/// be an estimator (`apply` is also a frame's, `fit_predict` also fits, `kneighbors` finds
/// neighbours).
pub fn is_predict_method(method: &str) -> bool {
    PREDICT_METHODS.contains(&method)
        || is_score_method(method)
        || matches!(method, "fit_predict" | "apply" | "kneighbors")
}

/// Methods of an array that keep the values (and so what they mean): a reshape of model
/// scores is still model scores.
pub fn keeps_values(method: &str) -> bool {
    matches!(
        method,
        "ravel"
            | "flatten"
            | "reshape"
            | "squeeze"
            | "copy"
            | "astype"
            | "numpy"
            | "detach"
            | "cpu"
            | "to_numpy"
            | "item"
            | "tolist"
            | "values"
            | "T"
    )
}

/// How a cross-validation splitter orders rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitterInfo {
    /// Rows are shuffled regardless of arguments (ShuffleSplit family, repeated k-fold).
    pub always_shuffled: bool,
    /// Rows are shuffled when `shuffle=True` (KFold family).
    pub shuffle_flag: bool,
    /// Keeps groups together.
    pub grouped: bool,
    /// Respects time order (TimeSeriesSplit).
    pub ordered: bool,
}

/// What a splitter class does with row order, by its own name.
pub fn splitter_info(qualified: &str) -> Option<SplitterInfo> {
    let (package, name) = split_qualified(qualified)?;
    if !matches!(package, "sklearn" | "sktime" | "imblearn") {
        return None;
    }
    let info = |always_shuffled, shuffle_flag, grouped, ordered| SplitterInfo {
        always_shuffled,
        shuffle_flag,
        grouped,
        ordered,
    };
    Some(match name {
        "KFold" | "StratifiedKFold" => info(false, true, false, false),
        "StratifiedGroupKFold" => info(false, true, true, false),
        "GroupKFold" | "LeaveOneGroupOut" | "LeavePGroupsOut" => info(false, false, true, false),
        "RepeatedKFold" | "RepeatedStratifiedKFold" | "ShuffleSplit" | "StratifiedShuffleSplit" => {
            info(true, false, false, false)
        }
        "GroupShuffleSplit" => info(true, false, true, false),
        "TimeSeriesSplit"
        | "ExpandingWindowSplitter"
        | "SlidingWindowSplitter"
        | "SingleWindowSplitter"
        | "ExpandingGreedySplitter" => info(false, false, false, true),
        "LeaveOneOut" | "LeavePOut" | "PredefinedSplit" => info(false, false, false, false),
        _ => return None,
    })
}

/// Functions that read a dataset: their result is all the rows, not split yet.
pub fn is_data_source(qualified: &str) -> bool {
    let last = qualified.rsplit('.').next().unwrap_or(qualified);
    let package = qualified.split('.').next().unwrap_or(qualified);
    match package {
        "pandas" | "polars" | "modin" | "dask" => {
            last.starts_with("read_") || last == "DataFrame" || last == "scan_csv"
        }
        "numpy" => matches!(last, "load" | "loadtxt" | "genfromtxt" | "fromfile"),
        "sklearn" => {
            qualified.contains(".datasets.")
                && (last.starts_with("load_")
                    || last.starts_with("fetch_")
                    || last.starts_with("make_"))
        }
        "datasets" => last == "load_dataset",
        "seaborn" | "sns" => last == "load_dataset",
        "openml" => last == "get_dataset",
        _ => false,
    }
}

/// Metric functions: `sklearn.metrics.*` scores, errors, curves and reports, and the same
/// from other libraries.
pub fn is_metric(qualified: &str) -> bool {
    let last = qualified.rsplit('.').next().unwrap_or(qualified);
    let package = qualified.split('.').next().unwrap_or(qualified);
    let metric_name = last.ends_with("_score")
        || last.ends_with("_error")
        || last.ends_with("_loss")
        || last.ends_with("_curve")
        || matches!(
            last,
            "confusion_matrix"
                | "classification_report"
                | "accuracy"
                | "auc"
                | "r2"
                | "rmse"
                | "mae"
                | "mse"
                | "mape"
                | "ndcg"
                | "dcg"
        );
    match package {
        "sklearn" => qualified.contains(".metrics") && !last.starts_with("make_"),
        "imblearn" => qualified.contains(".metrics"),
        "sktime" | "torchmetrics" | "evaluate" | "scipy" => metric_name,
        _ => false,
    }
}

/// Cross-validation helpers that fit an estimator on folds of the data they are given:
/// (function, whether its result is out-of-fold predictions).
pub fn cross_validation(qualified: &str) -> Option<bool> {
    if !qualified.starts_with("sklearn") && !qualified.starts_with("imblearn") {
        return None;
    }
    match qualified.rsplit('.').next()? {
        "cross_val_predict" => Some(true),
        "cross_val_score"
        | "cross_validate"
        | "permutation_test_score"
        | "learning_curve"
        | "validation_curve" => Some(false),
        _ => None,
    }
}

/// Methods of a loaded model (or a pretrained encoder) whose result is the model's output.
pub fn is_loaded_model_output_method(method: &str) -> bool {
    is_predict_method(method)
        || matches!(
            method,
            "encode" | "embed" | "embed_documents" | "embed_query" | "predict_on_batch"
        )
}

/// What a method of a data frame or series (or a numpy array) does, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataMethod {
    /// Keeps the columns and the rows' meaning (filters, sorts, fills, casts, copies).
    KeepsColumns,
    /// A statistic over rows, one value per column or per group (`mean`, `value_counts`).
    Statistic,
    /// A statistic broadcast back to every row (`rank`, `transform` of a groupby).
    RowStatistic,
    /// Looks at neighbouring rows (`shift`, `diff`, `pct_change`): future or past by the sign
    /// of its periods.
    Shift,
    /// Fills from later rows.
    BackFill,
    /// Fills from earlier rows, or accumulates over earlier rows.
    PastOnly,
    /// A window (`rolling`, `expanding`, `ewm`).
    Window,
    Other,
}

/// What a data-frame method does to its receiver's columns and rows. (`select_dtypes` keeps
/// an unknown subset of the columns: it is `Other`, so the result's columns are unknown.)
pub fn data_method(method: &str) -> DataMethod {
    use DataMethod::*;
    match method {
        "copy"
        | "dropna"
        | "reset_index"
        | "sort_values"
        | "sort_index"
        | "astype"
        | "round"
        | "head"
        | "tail"
        | "query"
        | "replace"
        | "clip"
        | "abs"
        | "where"
        | "mask"
        | "drop_duplicates"
        | "to_numpy"
        | "infer_objects"
        | "convert_dtypes"
        | "reindex"
        | "set_axis"
        | "fillna"
        | "interpolate"
        | "sample"
        | "nlargest"
        | "nsmallest"
        | "explode"
        | "pipe"
        | "reset_index(drop=True)"
        | "__array__" => KeepsColumns,
        "mean" | "median" | "std" | "var" | "sum" | "min" | "max" | "quantile" | "mode"
        | "nunique" | "value_counts" | "count" | "describe" | "size" | "agg" | "aggregate"
        | "first" | "last" | "idxmax" | "idxmin" | "prod" | "sem" | "skew" | "kurt" => Statistic,
        "rank" | "transform" => RowStatistic,
        "shift" | "diff" | "pct_change" => Shift,
        "bfill" | "backfill" => BackFill,
        "ffill" | "pad" | "cumsum" | "cumcount" | "cumprod" | "cummax" | "cummin" => PastOnly,
        "rolling" | "expanding" | "ewm" => Window,
        _ => Other,
    }
}

/// Methods of a PyTorch or Keras module that return the module itself (moved, cast or
/// switched to inference mode).
pub fn returns_same_module(method: &str) -> bool {
    matches!(
        method,
        "to" | "eval" | "cuda" | "cpu" | "half" | "float" | "double" | "requires_grad_"
    )
}

/// Methods of a data frame or series that keep some of its rows (for the row anchors of
/// the chained-model rules: a model that predicts `df.dropna()` may not see its training rows).
pub fn drops_rows(method: &str) -> bool {
    matches!(
        method,
        "dropna" | "drop_duplicates" | "head" | "tail" | "query" | "nlargest" | "nsmallest"
    )
}

/// Attributes of a data frame that are not columns (`df.values`, `df.shape`).
pub fn is_frame_attribute(name: &str) -> bool {
    matches!(
        name,
        "values"
            | "index"
            | "columns"
            | "shape"
            | "dtypes"
            | "dtype"
            | "loc"
            | "iloc"
            | "at"
            | "iat"
            | "T"
            | "str"
            | "dt"
            | "cat"
            | "size"
            | "ndim"
            | "empty"
            | "name"
            | "plot"
            | "axes"
            | "attrs"
            | "flags"
            | "sparse"
            | "array"
            | "hist"
            | "style"
    ) || name.starts_with('_')
}

/// Encoders that replace a category by a statistic of the label over its rows (target or
/// mean encoding and its variants).
pub fn is_target_encoder(qualified: &str) -> bool {
    match split_qualified(qualified) {
        Some(("category_encoders", name)) => matches!(
            name,
            "TargetEncoder"
                | "LeaveOneOutEncoder"
                | "CatBoostEncoder"
                | "JamesSteinEncoder"
                | "MEstimateEncoder"
                | "WOEEncoder"
                | "GLMMEncoder"
                | "QuantileEncoder"
                | "SummaryEncoder"
        ),
        Some(("sklearn", "TargetEncoder")) => true,
        _ => false,
    }
}

/// Splits `sklearn.preprocessing.StandardScaler` into (`sklearn`, `StandardScaler`).
/// Calls that read the wall clock: the time at which the code runs. `first` is the first
/// argument when it is a string literal: `pd.to_datetime("now")`, `pd.Timestamp("today")` and
/// `np.datetime64("now")` read the clock, the same calls on a column or a date do not.
pub fn reads_wall_clock(qualified: &str, first: Option<&str>) -> bool {
    let now_word = first.is_some_and(|s| {
        matches!(
            s.trim().to_ascii_lowercase().as_str(),
            "now" | "today" | "utcnow"
        )
    });
    match qualified {
        "datetime.datetime.now"
        | "datetime.datetime.today"
        | "datetime.datetime.utcnow"
        | "datetime.date.today"
        | "pandas.Timestamp.now"
        | "pandas.Timestamp.today"
        | "pandas.Timestamp.utcnow"
        | "pandas.datetime.now"
        | "pandas.datetime.today"
        | "time.time"
        | "time.time_ns"
        | "arrow.now"
        | "arrow.utcnow"
        | "pendulum.now"
        | "pendulum.today"
        | "polars.datetime.now" => true,
        "pandas.to_datetime" | "pandas.Timestamp" | "numpy.datetime64" => now_word,
        _ => false,
    }
}

/// Data sources whose frame is indexed by row position unless `index_col` says otherwise:
/// text files and frames built in the code. Parquet, pickles, HDF and databases keep the
/// index they were saved with.
pub fn reads_positional_frame(qualified: &str) -> bool {
    let name = qualified.rsplit('.').next().unwrap_or(qualified);
    qualified.starts_with("pandas.")
        && matches!(
            name,
            "read_csv" | "read_table" | "read_excel" | "read_json" | "read_fwf" | "DataFrame"
        )
}

/// Keyword arguments that name the columns a model takes as categories (LightGBM,
/// CatBoost, scikit-learn's `HistGradientBoosting*`).
pub fn declares_categories(keyword: &str) -> bool {
    matches!(
        keyword,
        "categorical_feature" | "cat_features" | "categorical_features"
    )
}

/// A table of reference codes, named as such (`countries`, `ref.currency_codes`,
/// `iso_languages`, `calendar`): static dimensions that do not change with the events joined
/// to them.
pub fn is_reference_table(table: &str) -> bool {
    let name = table
        .trim_matches(|c| matches!(c, '`' | '"' | '[' | ']'))
        .rsplit('.')
        .next()
        .unwrap_or(table)
        .to_ascii_lowercase();
    [
        "countr", "currenc", "language", "calendar", "timezone", "zipcode", "postal", "iso_",
        "lookup", "_codes",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// Functions that read a frame from a database or a warehouse by a query or a table name:
/// the rows are the table as it is when the code runs.
pub fn is_warehouse_read(qualified: &str) -> bool {
    matches!(
        qualified,
        "pandas.read_sql"
            | "pandas.read_sql_query"
            | "pandas.read_sql_table"
            | "pandas.read_gbq"
            | "pandas_gbq.read_gbq"
            | "polars.read_database"
            | "polars.read_database_uri"
            | "spark.sql"
            | "spark.table"
    )
}

fn split_qualified(qualified: &str) -> Option<(&str, &str)> {
    let package = qualified.split('.').next()?;
    let name = qualified.rsplit('.').next()?;
    Some((package, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_names_and_their_look_alikes() {
        for id in [
            "id",
            "ID",
            "Id",
            "index",
            "row_id",
            "rowid",
            "RowId",
            "uuid",
            "customer_id",
            "STORE_ID",
            "customerID",
            "PassengerId",
        ] {
            assert!(is_identifier_name(id), "{id}");
        }
        for word in [
            "paid",
            "valid",
            "grid",
            "fluid",
            "android",
            "covid",
            "GRID",
            "Paid",
            "idx",
            "_id",
            "travel_type_id",
            "item_category_id",
            "cat_id",
            "state_id",
            "dept_id",
            "RoomTypeID",
        ] {
            assert!(!is_identifier_name(word), "{word}");
        }
    }

    #[test]
    fn clock_reads_need_the_now_word_where_the_call_also_parses() {
        assert!(reads_wall_clock("datetime.datetime.now", None));
        assert!(reads_wall_clock("datetime.date.today", None));
        assert!(reads_wall_clock("time.time", None));
        assert!(reads_wall_clock("pandas.to_datetime", Some("now")));
        assert!(reads_wall_clock("numpy.datetime64", Some("today")));
        assert!(!reads_wall_clock("pandas.to_datetime", Some("2024-01-01")));
        assert!(!reads_wall_clock("pandas.to_datetime", None));
        assert!(!reads_wall_clock("time.sleep", None));
    }

    #[test]
    fn classes_resolve_through_submodules() {
        let scaler = class_info("sklearn.preprocessing._data.StandardScaler").unwrap();
        assert_eq!(scaler.category, Category::Transformer);
        assert!(class_info("mylib.StandardScaler").is_none());
        assert_eq!(
            class_info("sklearn.ensemble.RandomForestClassifier")
                .unwrap()
                .randomness,
            Randomness::RandomState
        );
    }

    #[test]
    fn rng_tables() {
        assert_eq!(draws_from("numpy.random.rand"), Some(Rng::Numpy));
        assert_eq!(draws_from("numpy.random.seed"), None);
        assert_eq!(draws_from("random.seed"), None);
        assert_eq!(draws_from("torch.randn"), Some(Rng::Torch));
        assert_eq!(seeds("numpy.random.seed"), &[Rng::Numpy]);
    }

    #[test]
    fn project_seed_helpers_seed_every_generator() {
        assert_eq!(seeds("utils.seed_everything").len(), 4);
        assert_eq!(seeds("src.common.set_seed").len(), 4);
        assert_eq!(seeds("helpers.fix_seeds").len(), 4);
        assert!(seeds("utils.load_data").is_empty());
        assert!(seeds("numpy.random.shuffle").is_empty());
        assert!(seeds("torch.utils.data.set_seed").is_empty());
    }
}
