//! What mlready knows about artifacts and data files: the functions and methods that save and
//! load models, read and write data, open files and build paths.

/// Functions that save their first argument to the path (or file) in their second.
pub const SAVE_FUNCTIONS: &[&str] = &[
    "joblib.dump",
    "sklearn.externals.joblib.dump",
    "pickle.dump",
    "cloudpickle.dump",
    "dill.dump",
    "skops.io.dump",
    "torch.save",
    "tensorflow.saved_model.save",
    "tensorflow.keras.models.save_model",
    "keras.models.save_model",
    "keras.saving.save_model",
];

/// The keywords MLflow flavors name the model argument with.
pub const MLFLOW_MODEL_KEYWORDS: &[&str] = &[
    "sk_model",
    "model",
    "xgb_model",
    "lgb_model",
    "cb_model",
    "pytorch_model",
    "python_model",
    "keras_model",
    "tf_saved_model_dir",
];

/// Functions that read a data file (their first argument).
pub const READ_FUNCTIONS: &[&str] = &[
    "pandas.read_csv",
    "pandas.read_parquet",
    "pandas.read_json",
    "pandas.read_feather",
    "pandas.read_excel",
    "pandas.read_pickle",
    "pandas.read_table",
    "pandas.read_hdf",
    "pandas.read_orc",
    "polars.read_csv",
    "polars.read_parquet",
    "polars.scan_parquet",
    "polars.scan_csv",
    "numpy.load",
    "numpy.loadtxt",
    "numpy.genfromtxt",
    "pyarrow.parquet.read_table",
];

/// Functions that write data (path first, then the data).
pub const WRITE_FUNCTIONS: &[&str] = &["numpy.save", "numpy.savetxt", "numpy.savez"];

/// Functions that open a file: their result stands for the path they opened.
pub const OPEN_FUNCTIONS: &[&str] = &["open", "io.open", "gzip.open", "bz2.open", "lzma.open"];

/// Path builders whose result is their arguments joined.
pub const PATH_FUNCTIONS: &[&str] = &[
    "os.path.join",
    "pathlib.Path",
    "pathlib.PurePath",
    "pathlib.PosixPath",
    "str",
    "os.fspath",
    "os.path.abspath",
    "os.path.expanduser",
    "os.path.normpath",
    "os.path.realpath",
];

/// Methods that save a fitted model to a path: `model.save("m.keras")`,
/// `booster.save_model("m.json")`, `model.save_pretrained("out/")`.
pub const SAVE_METHODS: &[&str] = &["save", "save_model", "save_pretrained", "save_weights"];

/// File extensions of model artifacts, for saves on a receiver the analysis does not know.
pub const MODEL_EXTENSIONS: &[&str] = &[
    ".pkl", ".pickle", ".joblib", ".sav", ".pt", ".pth", ".h5", ".keras", ".onnx", ".cbm", ".ubj",
    ".model", ".bst",
];
