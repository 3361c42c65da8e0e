//! Security facts (build/security.rs): string literals bound to secret-like names, calls that
//! unpickle data of an untrusted origin, and calls that run code downloaded with a model.

use crate::finding::Span;

/// What the SEC rules read.
#[derive(Debug, Default)]
pub struct SecurityFacts {
    /// String literals assigned or passed to a name: `api_key = "..."`, `login(token="...")`,
    /// `os.environ["HF_TOKEN"] = "..."`, `{"password": "..."}`. Only literals without
    /// interpolation, at most [`MAX_NAMED`] per file.
    pub named_literals: Vec<NamedLiteral>,
    /// Deserialising calls whose input comes from an untrusted origin.
    pub unsafe_loads: Vec<UnsafeLoad>,
    /// Calls that opt in to running code fetched with a model or dataset.
    pub remote_code: Vec<RemoteCode>,
    /// Parameters that receive an uploaded file (FastAPI's `file: UploadFile`,
    /// `file: bytes = File(...)`): the function's definition span and the parameter's index,
    /// as [`crate::model::Kind::Param`] values carry them.
    pub upload_params: Vec<(Span, usize)>,
}

/// The most named literals kept for one file.
pub const MAX_NAMED: usize = 4096;

/// How a literal is tied to its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// `name = "..."`, `self.name = "..."`, `config["name"] = "..."`.
    Assigned,
    /// `os.environ["NAME"] = "..."` (also `os.putenv`, `os.environ.setdefault`).
    Environment,
    /// A keyword argument `name="..."`, or a parameter default `def f(name="...")`.
    Keyword,
    /// A dict literal entry `{"name": "..."}`.
    DictEntry,
    /// The `"key"` of a dict literal that also has a `"username"` (a `kaggle.json`).
    KaggleKey,
    /// `wandb.login(key="...")`.
    WandbKey,
}

#[derive(Debug, Clone)]
pub struct NamedLiteral {
    /// The name as written (identifier, attribute, key or keyword).
    pub name: String,
    /// The literal's content.
    pub value: String,
    pub binding: Binding,
    /// The literal's span.
    pub span: Span,
}

/// Where the bytes a deserialiser reads come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// An upload in a web request (`request.files`, `st.file_uploader`).
    Upload,
    /// An `http(s)://` or `ftp://` URL given directly.
    Url,
    /// A download (`urlretrieve`, `requests.get`, `hf_hub_download`, `gdown.download`).
    Download,
    /// A path or bytes the user gives at run time (`sys.argv`, argparse, `input()`).
    UserInput,
    /// A path written in the code (`"models/model.pkl"`): the project's own artifact, safe as
    /// long as nobody else can replace the file.
    OwnArtifact,
}

#[derive(Debug, Clone)]
pub struct UnsafeLoad {
    /// The deserialiser (`pickle.load`, `torch.load`).
    pub function: String,
    pub origin: Origin,
    /// What the origin is, for the message (`requests.get`, `sys.argv`, the URL's host).
    pub origin_text: String,
    /// `torch.load` without `weights_only=` (safe by default since torch 2.6).
    pub torch_default: bool,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct RemoteCode {
    /// The callee as written or qualified (`transformers.AutoModel.from_pretrained`).
    pub function: String,
    /// The argument that opts in (`trust_remote_code=True`, `safe_mode=False`, `trust_repo=True`).
    pub flag: &'static str,
    /// The repository id, when it is a literal (or a name bound to one).
    pub repo: Option<String>,
    /// Pinned to a full commit hash (`revision="<40 hex>"`, `owner/repo:<40 hex>`).
    pub pinned: bool,
    pub span: Span,
}
