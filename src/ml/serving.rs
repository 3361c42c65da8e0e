//! What mlready knows about serving code: web frameworks and serving libraries, their
//! handler bases, route registrations and hooks, the request objects and schemas a handler
//! reads, and the calls that build a response.

/// Web frameworks whose route decorators make a serving entry point.
pub const WEB_FRAMEWORKS: &[&str] = &[
    "fastapi",
    "flask",
    "starlette",
    "quart",
    "sanic",
    "litestar",
    "aiohttp",
    "django",
    "falcon",
    "bottle",
    "tornado",
    "connexion",
    "flask_restful",
    "flask_restx",
    "ninja",
    "rest_framework",
];

/// Module names (the first word of the file name: `serve_model.py`, `app.py`,
/// `predictor.py`) that make a file a serving module by convention (S7).
pub const SERVING_MODULES: &[&str] = &[
    "serve",
    "server",
    "serving",
    "service",
    "app",
    "application",
    "api",
    "inference",
    "infer",
    "predict",
    "predictor",
    "prediction",
    "predictions",
    "score",
    "scoring",
    "scorer",
];

/// Handler names that serve predictions by convention.
pub const SERVING_FUNCTIONS: &[&str] = &[
    "predict",
    "score",
    "infer",
    "inference",
    "handler",
    "handle",
];

/// Libraries whose modules may hold a serving entry point (besides web frameworks).
pub const SERVING_LIBRARIES: &[&str] = &[
    "mlflow",
    "kserve",
    "kfserving",
    "ts",
    "litserve",
    "seldon_core",
    "bentoml",
    "ray",
    "gradio",
    "streamlit",
    "sagemaker",
    "azureml",
];

/// Serving-library base classes and the method that serves.
/// A base matches by its qualified name or, ending in `.`, by prefix (`ts.torch_handler.`
/// covers TorchServe's `ImageClassifier`, `TextHandler`, ...). These handlers serve a model by
/// definition: they are entry points even when the analysis cannot see the prediction (a
/// torch module called as `self.model(x)`).
pub const HANDLER_BASES: &[(&str, &[&str], &str)] = &[
    (
        "mlflow.pyfunc.PythonModel",
        &["predict", "predict_stream"],
        "MLflow pyfunc",
    ),
    (
        "mlflow.pyfunc.model.PythonModel",
        &["predict"],
        "MLflow pyfunc",
    ),
    ("kserve.Model", &["predict"], "KServe model"),
    ("kserve.model.Model", &["predict"], "KServe model"),
    ("kserve.KFModel", &["predict"], "KServe model"),
    ("kfserving.KFModel", &["predict"], "KServe model"),
    (
        "ts.torch_handler.",
        &["inference", "handle", "postprocess", "preprocess"],
        "TorchServe handler",
    ),
    ("litserve.LitAPI", &["predict"], "LitServe API"),
    (
        "seldon_core.user_model.SeldonComponent",
        &["predict", "predict_raw"],
        "Seldon model",
    ),
];

/// Class-based web views (Flask MethodView and Flask-RESTful resources, Django and Django
/// REST framework views): a method named after an HTTP verb serves requests. Like routes,
/// they are entry points only when they predict.
pub const VIEW_BASES: &[(&str, &str)] = &[
    ("flask.views.", "Flask view"),
    ("flask_restful.Resource", "Flask-RESTful resource"),
    ("flask_restx.Resource", "Flask-RESTX resource"),
    ("django.views.", "Django view"),
    ("rest_framework.", "Django REST framework view"),
    ("tornado.web.RequestHandler", "Tornado handler"),
    ("falcon.", "Falcon resource"),
];

/// Methods of a class-based view that handle a request.
pub const VIEW_METHODS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "dispatch_request",
    "create",
    "on_get",
    "on_post",
];

/// Calls that register a handler on an app or router by argument rather than by decorator
/// (`app.add_api_route("/p", predict)`, `app.add_url_rule("/p", view_func=predict)`,
/// `Route("/p", endpoint=predict)`, aiohttp's `router.add_post("/p", predict)`).
pub const ROUTE_REGISTRATIONS: &[&str] = &[
    "add_api_route",
    "add_url_rule",
    "add_route",
    "add_post",
    "add_get",
    "add_put",
    "Route",
    "APIRoute",
    "WebSocketRoute",
    "api_route",
];

/// Route-registering decorator methods of web frameworks.
pub const ROUTE_METHODS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "route",
    "api_route",
    "websocket",
    "api",
];

/// Decorators and registrations that run code around every request of a web app.
pub const HOOK_METHODS: &[&str] = &[
    "middleware",
    "before_request",
    "after_request",
    "teardown_request",
    "before_app_request",
    "after_app_request",
];

/// Parameter annotations that are plain values, not a request schema.
pub const PRIMITIVES: &[&str] = &[
    "int",
    "float",
    "str",
    "bool",
    "bytes",
    "Optional[int]",
    "Optional[float]",
    "Optional[str]",
];

/// Annotations of a raw request or body: the payload's fields are unknown.
pub const RAW_BODIES: &[&str] = &[
    "dict",
    "Dict",
    "Request",
    "Any",
    "list",
    "List",
    "JSONResponse",
];

/// Streamlit's input widgets: what the user sends the app.
pub const STREAMLIT_INPUTS: &[&str] = &[
    "number_input",
    "text_input",
    "text_area",
    "selectbox",
    "multiselect",
    "slider",
    "select_slider",
    "radio",
    "checkbox",
    "date_input",
    "time_input",
    "file_uploader",
    "camera_input",
    "chat_input",
    "data_editor",
];

/// The Streamlit widgets among those that give one value each (not a file, a table or a
/// chat): the name a widget's value is bound to is the feature it fills.
pub const STREAMLIT_VALUE_INPUTS: &[&str] = &[
    "number_input",
    "text_input",
    "text_area",
    "selectbox",
    "slider",
    "select_slider",
    "radio",
    "checkbox",
    "toggle",
    "date_input",
    "time_input",
];

/// Calls that build a response from a dict.
pub const RESPONSES: &[&str] = &[
    "jsonify",
    "JSONResponse",
    "ORJSONResponse",
    "UJSONResponse",
    "Response",
    "make_response",
    "dumps",
];

/// Calls that read data from a place the analysis cannot see.
pub const OPAQUE_SOURCES: &[&str] = &[
    "pandas.read_sql",
    "pandas.read_sql_query",
    "pandas.read_sql_table",
    "pandas.read_gbq",
    "requests.get",
    "requests.post",
    "httpx.get",
    "httpx.post",
];

/// Calls that make a frame from rows or records given whole (a request's body, a list of
/// rows).
pub const FRAME_CONSTRUCTORS: &[&str] = &[
    "pandas.DataFrame",
    "pandas.DataFrame.from_records",
    "pandas.DataFrame.from_dict",
    "pandas.json_normalize",
    "pandas.io.json.json_normalize",
    "polars.DataFrame",
    "polars.from_dicts",
];

/// What web frameworks call the request object, read whole or as an attribute of it.
pub const REQUEST_OBJECTS: &[&str] = &[
    "flask.request",
    "quart.request",
    "bottle.request",
    "sanic.request",
];

/// Reads of the body or parameters of Flask's global request (`request.get_json()`,
/// `request.json`, `request.form["age"]`).
pub const REQUEST_BODY_ACCESSORS: &[&str] = &[
    "request.json",
    "request.get_json",
    "request.form",
    "request.args",
    "request.values",
    "request.data",
    "request.get_data",
    "request.files",
];

/// HTTP client modules: a call of theirs is a request to another service.
pub const HTTP_CLIENTS: &[&str] = &[
    "requests.",
    "httpx.",
    "aiohttp.",
    "urllib.request.",
    "urllib3.",
    "http.client.",
];

/// Libraries whose functions transform the values they are given and bring in no features.
pub const PLAIN_LIBRARIES: &[&str] = &[
    "pandas",
    "numpy",
    "scipy",
    "sklearn",
    "torch",
    "tensorflow",
    "keras",
    "xgboost",
    "lightgbm",
    "catboost",
    "math",
    "json",
    "datetime",
    "time",
    "collections",
    "itertools",
    "functools",
    "typing",
    "pydantic",
    "fastapi",
    "flask",
    "starlette",
    "polars",
    "dataclasses",
];

/// A web framework's name in messages, from its top-level module.
pub fn framework_name(module: &str) -> &str {
    match module {
        "fastapi" => "FastAPI",
        "flask" | "flask_restful" | "flask_restx" => "Flask",
        "starlette" => "Starlette",
        "django" | "rest_framework" | "ninja" => "Django",
        "litestar" => "Litestar",
        "sanic" => "Sanic",
        "quart" => "Quart",
        "aiohttp" => "aiohttp",
        "falcon" => "Falcon",
        "bottle" => "Bottle",
        "tornado" => "Tornado",
        other => other,
    }
}

/// Calls that convert one request value to a scalar without computing anything
/// (`float(request.form["age"])`): the value keeps the name it was read through.
pub const SCALAR_CONVERSIONS: &[&str] = &[
    "float",
    "int",
    "str",
    "bool",
    "numpy.float64",
    "numpy.float32",
    "numpy.int64",
    "numpy.int32",
];
