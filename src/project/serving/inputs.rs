//! Request inputs: what a handler can build from its request (schemas, parameters, keys read
//! from the body) and where its model's input comes from.

use super::{is_identifier, mentions, split_decorated};
use crate::ml;
use crate::model::{Kind, ValueId};
use crate::project::extract::{Extractor, string_literal};
use crate::project::summary::Entry;
use crate::source::python::Syntax;
use std::collections::HashSet;
use tree_sitter::Node;

impl<'a> Extractor<'a> {
    /// BentoML's IO descriptors name the request schema in the decorator
    /// (`@svc.api(input=JSON(pydantic_model=CreditApplication))`): the handler's parameter
    /// holds that schema's fields.
    pub(super) fn descriptor_schema(&self, handler: Node, entry: &mut Entry) {
        let Some(parent) = handler.parent() else {
            return;
        };
        let (decorators, _) = split_decorated(parent);
        for decorator in decorators {
            let text = self.text(decorator);
            let Some((_, rest)) = text.split_once("pydantic_model=") else {
                continue;
            };
            let name: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                .collect();
            if !name.is_empty() {
                entry.schema_types.push(self.qualify(&name));
                entry.open = false;
            }
        }
    }

    /// Whether `request` is Flask's (or Quart's) global request object in this file.
    pub(super) fn global_request(&self) -> bool {
        self.imports
            .get("request")
            .is_some_and(|q| q == "flask.request" || q == "quart.request")
    }

    /// A one-row literal (`[[a, b]]`, `np.array([[a, b]])`) assigned to a name that a
    /// predict call of the bodies takes as its input: its length and the name of each value.
    pub(super) fn row_predicted_by_name(
        &self,
        bodies: &[Node],
    ) -> Option<(usize, Vec<Option<String>>)> {
        let mut predicted: Vec<&str> = Vec::new();
        for body in bodies {
            for &node in self.nodes_in(*body) {
                if node.kind_name() != "call" {
                    continue;
                }
                let Some(function) = node.field("function") else {
                    continue;
                };
                let last = self.text(function).rsplit('.').next().unwrap_or("");
                if ml::PREDICT_METHODS.contains(&last)
                    && let Some(first) = node
                        .field("arguments")
                        .and_then(|a| a.named_child(0))
                        .filter(|f| f.kind_name() == "identifier")
                {
                    predicted.push(self.text(first));
                }
            }
        }
        if predicted.is_empty() {
            return None;
        }
        // Every assignment of a predicted name: a row assigned to a name that is bound again
        // (`data = np.array([[...]])`, then `data = prep(data)[-1:]`) may not be what the model
        // gets, and is not read as its input.
        let mut rows: Vec<(&str, Vec<Node>)> = Vec::new();
        let mut bound: Vec<&str> = Vec::new();
        for body in bodies {
            let mut cursor = body.walk();
            let mut stack = vec![*body];
            while let Some(node) = stack.pop() {
                if matches!(node.kind_name(), "assignment" | "augmented_assignment")
                    && let Some(left) = node.field("left")
                {
                    for name in assigned_names(left, self) {
                        if predicted.contains(&name) {
                            bound.push(name);
                        }
                    }
                    if let Some(right) = node.field("right")
                        && predicted.contains(&self.text(left))
                        && let Some(items) = self.positional_row(right)
                    {
                        rows.push((self.text(left), items));
                    }
                }
                stack.extend(node.named_children(&mut cursor));
            }
        }
        let (name, items) = rows.into_iter().next()?;
        if bound.iter().filter(|b| **b == name).count() != 1 {
            return None;
        }
        Some((items.len(), self.row_names(&items)))
    }

    /// Follows a model's input back to where its values come from (catalog §3.1, F_serve):
    /// the names it is built with, whether those reach the request through names (resolved),
    /// and whether something the analysis cannot see supplies it (open).
    pub(super) fn input_flow(&self, input: ValueId, handler: Node, flow: &mut InputFlow) {
        let parameters = handler_parameters(handler, self);
        let mut seen: HashSet<ValueId> = HashSet::new();
        // Values written as items of a list, tuple or dict literal.
        let mut elements: HashSet<ValueId> = HashSet::new();
        let mut stack = vec![input];
        let mut budget = FLOW_BUDGET;
        while let Some(id) = stack.pop() {
            if id.index() >= self.model.values.len() || !seen.insert(id) {
                continue;
            }
            if budget == 0 {
                // Too much to follow: what else reaches the input is unknown.
                flow.open = true;
                return;
            }
            budget -= 1;
            let value = &self.model.values[id];
            let text = self
                .file
                .text
                .get(value.span.start..value.span.end)
                .unwrap_or("");
            // `[float(v) for v in request.form.values()]`, `list(data.values())` with `data`
            // the request's body: the values in the order the client sent them.
            if let Some(mapping) = text.strip_suffix(".values()")
                && flow.values_of.is_none()
                && (matches!(&value.kind,
                    Kind::Import(q) | Kind::Call { function: q } if is_request_object(q))
                    || value
                        .inputs
                        .iter()
                        .any(|&i| self.whole_body(i, handler, &parameters)))
            {
                flow.values_of = Some(mapping.trim().to_string());
                // Whatever fields the client sends: the serving columns are unknown.
                flow.open = true;
            }
            // `df.columns = [c.replace("_", " ") for c in df.columns]`,
            // `df.reindex(columns=bundle["columns"], fill_value=0)`: the frame's columns are
            // renamed or replaced by names the analysis does not know.
            if renames_columns(text) {
                flow.open = true;
                continue;
            }
            if let Some(columns) = self.model.columns(id) {
                // Columns assigned on the serving frame are built; columns only named by a
                // selection (`X[FEATURES]`) are what the model expects, not what exists.
                let built = columns.known.iter().filter(|c| c.span.is_some());
                flow.names.extend(built.map(|c| c.name.clone()));
                if !columns.open
                    && !columns.known.is_empty()
                    && (matches!(value.kind, Kind::Call { .. })
                        || columns.known.iter().all(|c| c.span.is_some()))
                {
                    // `pd.DataFrame(rows, columns=[...])`, `pd.DataFrame({"age": [age]})`,
                    // `CustomData(...).get_data_as_data_frame()`: a frame made with every
                    // column named. Its columns are what the model gets, whatever the values
                    // come from, so nothing behind it is followed.
                    flow.names
                        .extend(columns.known.iter().map(|c| c.name.clone()));
                    flow.resolved = true;
                    continue;
                }
            }
            // `schema.load(request.get_json())` with a marshmallow schema of the file: the
            // fields it loads.
            if let Some(fields) = self.schema_loaded(id) {
                flow.names.extend(fields.iter().cloned());
                flow.resolved = true;
                continue;
            }
            // A row of several values (`[age, income]`); a list of one (`[features]`) may be
            // a vector given whole.
            if let Kind::Tuple(items) = &value.kind
                && items.len() > 1
            {
                elements.extend(items.iter().copied());
            }
            // `[float(age)]`, `[a / b]`: an item converted or computed from values is still
            // made of single values.
            if elements.contains(&id) && is_scalar_expression(&value.kind, text) {
                elements.extend(value.inputs.iter().copied());
            }
            match &value.kind {
                Kind::Dict(pairs) => {
                    // `{"age": req.age, ...}` flowing into the frame: its keys are the names.
                    flow.names.extend(pairs.iter().map(|(k, _)| k.clone()));
                    flow.resolved = true;
                    continue;
                }
                Kind::Estimator(_)
                | Kind::TorchModule(_)
                | Kind::Optimizer { .. }
                | Kind::Generator { .. }
                | Kind::Function(_)
                | Kind::Number(_)
                | Kind::Str(_)
                | Kind::NoneLiteral => continue,
                Kind::Param { index } => {
                    if value.span.start != handler.start_byte() {
                        // A parameter of a helper the handler calls: the call's arguments
                        // are followed at the call.
                        continue;
                    }
                    match parameters.get(*index) {
                        Some(Parameter::Receiver) => {}
                        Some(Parameter::Named(name)) => {
                            flow.names.push(name.clone());
                            flow.resolved = true;
                        }
                        Some(Parameter::Schema(_)) => flow.resolved = true,
                        // `[[age, income]]`, `{"age": [age]}`: one value, named by the
                        // parameter.
                        Some(Parameter::Bare(name)) if elements.contains(&id) => {
                            flow.names.push(name.clone());
                            flow.resolved = true;
                        }
                        Some(Parameter::Raw(_) | Parameter::Bare(_)) | None => flow.open = true,
                    }
                    continue;
                }
                Kind::Import(qualified) => {
                    // `request.json` used whole: the body's fields are unknown.
                    if is_request_object(qualified) {
                        flow.open = true;
                    }
                    continue;
                }
                Kind::Call { function }
                    if is_frame_constructor(function)
                        && self
                            .model
                            .columns(id)
                            .is_none_or(|c| c.open || c.known.is_empty()) =>
                {
                    // `pd.DataFrame(body["rows"])`, `pd.DataFrame([data])`,
                    // `pd.json_normalize(payload)`: the body (or a list of rows in it) is the
                    // frame's data, and its columns are whatever the client sends. A key
                    // read on the way names the container, not a column. Dict literals and
                    // other inputs are followed as usual.
                    for &i in &value.inputs {
                        if self.whole_body(i, handler, &parameters) {
                            flow.open = true;
                        } else {
                            stack.push(i);
                        }
                    }
                    continue;
                }
                // `age = st.number_input("Age")`: one value the user enters; the name it is
                // given is read where the frame is built.
                Kind::Call { function } if is_value_widget(function) => continue,
                Kind::Call { function } => {
                    if is_request_object(function) || is_data_source(function) {
                        flow.open = true;
                        continue;
                    }
                    if !is_plain_library(function) && !flow.calls.contains(function) {
                        flow.calls.push(function.clone());
                    }
                }
                Kind::Unknown if value.inputs.is_empty() => {
                    // Something with no known origin (`self.features`, a global of an
                    // unknown call) reaches the input.
                    flow.open = true;
                    continue;
                }
                _ => {}
            }
            // `build_features(req)` of a name the file neither defines nor imports (a star
            // import, a class): what it builds is unknown.
            if let Some(callee) = call_callee(text)
                && is_identifier(callee)
                && !self.functions.contains_key(callee)
                && !self.imports.contains_key(callee)
                && !BUILTINS.contains(&callee)
            {
                flow.open = true;
                continue;
            }
            // `store.get_online_features(features=[...])`: the listed features are read.
            if let Some((callee, _)) = text.split_once('(')
                && callee.trim_end().ends_with("get_online_features")
            {
                flow.resolved = true;
                continue;
            }
            // `payload["age"]`, `request.json["age"]`, `payload.get("age")`: a field read by
            // name from the request.
            if let Some(key) = keyed_read(text) {
                flow.names.push(key);
                let receiver = value
                    .inputs
                    .iter()
                    .copied()
                    .find(|&i| !matches!(self.model.values[i].kind, Kind::Str(_)));
                if receiver.is_some_and(|r| self.is_request(r, handler, &parameters, 3)) {
                    flow.resolved = true;
                    continue;
                }
            }
            // `req.age` on a handler parameter.
            if let Some((head, field)) = text.split_once('.')
                && is_identifier(head)
                && is_identifier(field)
                && parameters
                    .iter()
                    .any(|p| matches!(p, Parameter::Schema(n) | Parameter::Raw(n) | Parameter::Bare(n) if n == head))
            {
                flow.names.push(field.to_string());
            }
            stack.extend(value.inputs.iter().copied());
        }
    }

    /// The fields of a request schema of the file that a value was loaded with:
    /// `schema.load(body)` where `schema = ApplicantSchema()`, or `ApplicantSchema().load(body)`
    /// (marshmallow's `load` and `validate`, pydantic's `parse_obj` and `model_validate`).
    fn schema_loaded(&self, id: ValueId) -> Option<&[String]> {
        let value = &self.model.values[id];
        let text = self.file.text.get(value.span.start..value.span.end)?;
        let callee = call_callee(text)?;
        let (_, method) = callee.rsplit_once('.')?;
        if !matches!(method, "load" | "parse_obj" | "model_validate" | "validate") {
            return None;
        }
        let receiver = value.inputs.first()?;
        let receiver = &self.model.values[*receiver];
        let made = self
            .file
            .text
            .get(receiver.span.start..receiver.span.end)?
            .trim();
        let class = made.strip_suffix("()").unwrap_or(made);
        let class = class.rsplit('.').next().unwrap_or(class);
        self.summary
            .schemas
            .iter()
            .find(|s| s.name == class && !s.vector)
            .map(|s| s.fields.as_slice())
    }

    /// Whether a value given to a frame constructor is the request's rows: the request, a
    /// key of it (`body["rows"]`, `payload.get("instances")`), or a list of those (`[data]`).
    fn whole_body(&self, id: ValueId, handler: Node, parameters: &[Parameter]) -> bool {
        let value = &self.model.values[id];
        if let Kind::Tuple(items) = &value.kind {
            return !items.is_empty()
                && items
                    .iter()
                    .all(|&i| self.whole_body(i, handler, parameters));
        }
        // A dict literal names its keys; a request schema's fields are known (`[req.dict()]`,
        // `[schema.load(body)]`).
        if matches!(value.kind, Kind::Dict(_))
            || self.schema_request(id, handler, parameters, 3)
            || self.schema_loaded(id).is_some()
        {
            return false;
        }
        if self.is_request(id, handler, parameters, 3) {
            return true;
        }
        let text = self
            .file
            .text
            .get(value.span.start..value.span.end)
            .unwrap_or("");
        keyed_read(text).is_some()
            && value
                .inputs
                .iter()
                .copied()
                .find(|&i| !matches!(self.model.values[i].kind, Kind::Str(_)))
                .is_some_and(|r| self.is_request(r, handler, parameters, 3))
    }

    /// Whether a value is (or is converted from) a handler parameter typed with a request
    /// schema.
    fn schema_request(
        &self,
        id: ValueId,
        handler: Node,
        parameters: &[Parameter],
        depth: usize,
    ) -> bool {
        let value = &self.model.values[id];
        match &value.kind {
            Kind::Param { index } => {
                value.span.start == handler.start_byte()
                    && matches!(parameters.get(*index), Some(Parameter::Schema(_)))
            }
            _ if depth > 0 => value
                .inputs
                .iter()
                .any(|&i| self.schema_request(i, handler, parameters, depth - 1)),
            _ => false,
        }
    }

    /// Whether a value is the request itself: a handler parameter, `flask.request.json`,
    /// `request.get_json()`, or one of those parsed or converted (`json.loads(...)`,
    /// `req.dict()`).
    fn is_request(
        &self,
        id: ValueId,
        handler: Node,
        parameters: &[Parameter],
        depth: usize,
    ) -> bool {
        let value = &self.model.values[id];
        match &value.kind {
            Kind::Param { index } => {
                value.span.start == handler.start_byte()
                    && !matches!(parameters.get(*index), Some(Parameter::Receiver))
            }
            Kind::Import(q) => is_request_object(q),
            Kind::Call { function } if is_request_object(function) => true,
            Kind::Call { .. } | Kind::Unknown if depth > 0 => {
                let mut inputs = value.inputs.iter().copied().filter(|&i| {
                    !matches!(self.model.values[i].kind, Kind::Str(_) | Kind::Number(_))
                });
                inputs
                    .next()
                    .is_some_and(|i| self.is_request(i, handler, parameters, depth - 1))
                    && inputs.next().is_none()
            }
            _ => false,
        }
    }

    /// Whether a dict literal is (part of) what the handler returns.
    pub(super) fn is_response(&self, node: Node) -> bool {
        let mut current = node.parent();
        for _ in 0..6 {
            let Some(parent) = current else {
                return false;
            };
            match parent.kind_name() {
                "return_statement" => return true,
                "function_definition" | "class_definition" | "module" => return false,
                "call" => {
                    let callee = parent.field("function").map_or("", |f| self.text(f));
                    let last = callee.rsplit('.').next().unwrap_or(callee);
                    if ml::serving::RESPONSES.contains(&last) {
                        return true;
                    }
                    // The dict is an argument of a call that is not a response: a frame,
                    // a feature function.
                    return false;
                }
                _ => {}
            }
            current = parent.parent();
        }
        false
    }

    /// A row that is a vector taken whole from somewhere: `[payload["x"]]`, `payload["x"]`,
    /// `row.values` (not a list of values written out).
    pub(super) fn vector_row(&self, node: Node) -> bool {
        match node.kind_name() {
            "list" => {
                node.named_child_count() == 1
                    && node.named_child(0).is_some_and(|only| {
                        matches!(
                            only.kind_name(),
                            "subscript" | "attribute" | "identifier" | "call"
                        )
                    })
            }
            "subscript" | "attribute" => true,
            _ => false,
        }
    }

    /// `[[a, b, c]]` or `np.array([[a, b, c]])`: the values of the one row.
    pub(super) fn positional_row<'n>(&self, node: Node<'n>) -> Option<Vec<Node<'n>>> {
        let list = match node.kind_name() {
            "list" => node,
            "call" => {
                let callee = self.qualify(self.text(node.field("function")?));
                if !matches!(
                    callee.as_str(),
                    "numpy.array" | "numpy.asarray" | "torch.tensor"
                ) {
                    return None;
                }
                node.field("arguments")?.named_child(0)?
            }
            _ => return None,
        };
        if list.kind_name() != "list" {
            return None;
        }
        let row = list.named_child(0)?;
        if row.kind_name() != "list" || list.named_child_count() != 1 {
            return None;
        }
        let mut cursor = row.walk();
        let items: Vec<Node> = row.named_children(&mut cursor).collect();
        if items
            .iter()
            .any(|i| matches!(i.kind_name(), "list_splat" | "comment"))
        {
            return None;
        }
        Some(items)
    }

    /// The name each value of a positional row is read through: `tenure`, `req.tenure`,
    /// `request.form["tenure"]`, `data.get("tenure")`, each possibly converted
    /// (`float(...)`, `int(...)`); None for anything else.
    pub(super) fn row_names(&self, items: &[Node]) -> Vec<Option<String>> {
        items.iter().map(|item| self.value_name(*item, 0)).collect()
    }

    fn value_name(&self, node: Node, depth: usize) -> Option<String> {
        match node.kind_name() {
            "identifier" => Some(self.text(node).to_string()),
            "attribute" => {
                let object = node.field("object")?;
                // `req.age`, not `np.nan` or `self.x.y`.
                if object.kind_name() != "identifier"
                    || self.imports.contains_key(self.text(object))
                {
                    return None;
                }
                Some(self.text(node.field("attribute")?).to_string())
            }
            "subscript" => string_literal(self.text(node.field("subscript")?)),
            "parenthesized_expression" if depth < 3 => {
                self.value_name(node.named_child(0)?, depth + 1)
            }
            "call" if depth < 3 => {
                let function = self.text(node.field("function")?);
                let arguments = node.field("arguments")?;
                if arguments.named_child_count() != 1 {
                    // `request.form.get("age", 0)`
                    if function.ends_with(".get") && arguments.named_child_count() == 2 {
                        return string_literal(self.text(arguments.named_child(0)?));
                    }
                    return None;
                }
                let only = arguments.named_child(0)?;
                if function.ends_with(".get") || function.ends_with(".getlist") {
                    return string_literal(self.text(only));
                }
                if ml::serving::SCALAR_CONVERSIONS.contains(&self.qualify(function).as_str()) {
                    return self.value_name(only, depth + 1);
                }
                None
            }
            _ => None,
        }
    }

    /// Parameter annotations: schema types and plain named values.
    pub(super) fn parameters(&self, handler: Node, entry: &mut Entry) {
        let Some(parameters) = handler.field("parameters") else {
            return;
        };
        let mut raw_body = false;
        let mut cursor = parameters.walk();
        for parameter in parameters.named_children(&mut cursor) {
            if !matches!(
                parameter.kind_name(),
                "typed_parameter" | "typed_default_parameter"
            ) {
                continue;
            }
            let name = parameter
                .field("name")
                .or_else(|| parameter.named_child(0))
                .map(|n| self.text(n).to_string())
                .unwrap_or_default();
            let Some(annotation) = parameter.field("type") else {
                continue;
            };
            let annotation = self.text(annotation).trim().to_string();
            if ml::serving::PRIMITIVES.contains(&annotation.as_str()) {
                entry.available.push(name);
            } else if is_raw_body(&annotation)
                && !self.defines_schema(&annotation)
                && !is_schema_list(&annotation)
            {
                raw_body = true;
            } else {
                let inner = annotation
                    .trim_start_matches("List[")
                    .trim_start_matches("list[")
                    .trim_end_matches(']')
                    .to_string();
                entry.schema_types.push(self.qualify(&inner));
            }
        }
        let _ = raw_body;
    }

    /// Whether the file defines a request schema of this name (a pydantic `Request` is a
    /// schema, Starlette's `Request` is the raw request).
    fn defines_schema(&self, annotation: &str) -> bool {
        self.summary.schemas.iter().any(|s| s.name == annotation)
    }
}

/// Whether code reads the body or parameters of Flask's global request
/// (`request.get_json()`, `request.json`, `request.form["age"]`).
pub(super) fn reads_request_body(text: &str) -> bool {
    ml::serving::REQUEST_BODY_ACCESSORS
        .iter()
        .any(|accessor| mentions(text, accessor))
}

/// Calls that make a frame from rows or records given whole.
fn is_frame_constructor(function: &str) -> bool {
    ml::serving::FRAME_CONSTRUCTORS.contains(&function)
}

/// What the values reaching a model's input show (see `input_flow`).
#[derive(Default)]
pub(super) struct InputFlow {
    /// Feature names the input is built with.
    pub(super) names: Vec<String>,
    /// The input reaches the request through names, or is a frame of named columns.
    pub(super) resolved: bool,
    /// Something the analysis cannot see supplies the input.
    pub(super) open: bool,
    /// Functions of other modules whose results reach the input.
    pub(super) calls: Vec<String>,
    /// The input is the values of a request's mapping, in the order the client sent them
    /// (`[float(v) for v in request.form.values()]`): the mapping as written.
    pub(super) values_of: Option<String>,
}

/// Values followed back from one model input before giving up.
const FLOW_BUDGET: usize = 400;

/// A handler parameter, as the model numbers them (`Kind::Param`).
pub(super) enum Parameter {
    /// `self`, `cls`.
    Receiver,
    /// A plain value (`age: int`): a feature of that name.
    Named(String),
    /// A request schema (`req: ChurnRequest`): its fields.
    Schema(String),
    /// A raw body (`payload: dict`, `request: Request`): fields unknown.
    Raw(String),
    /// No annotation: a value (a query or path parameter, a Gradio input) when it is written
    /// into a row or a dict, a body of unknown fields when it is used whole.
    Bare(String),
}

/// The handler's parameters in the order the model numbers them.
pub(super) fn handler_parameters(handler: Node, x: &Extractor) -> Vec<Parameter> {
    let Some(parameters) = handler.field("parameters") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut cursor = parameters.walk();
    for parameter in parameters.named_children(&mut cursor) {
        let name = crate::source::python::parameter_name(parameter);
        let Some(name) = name.map(|n| x.text(n).to_string()) else {
            continue;
        };
        let annotation = parameter
            .field("type")
            .map(|t| x.text(t).trim().to_string());
        let kind = if name == "self" || name == "cls" {
            Parameter::Receiver
        } else {
            match annotation {
                Some(a) if ml::serving::PRIMITIVES.contains(&a.as_str()) => Parameter::Named(name),
                Some(a) if !is_raw_body(&a) || x.defines_schema(&a) || is_schema_list(&a) => {
                    Parameter::Schema(name)
                }
                Some(_) => Parameter::Raw(name),
                None => Parameter::Bare(name),
            }
        };
        out.push(kind);
    }
    // `@svc.api(input=JSON(pydantic_model=Schema))`: the request parameter is that schema.
    let described = handler
        .parent()
        .filter(|p| p.kind_name() == "decorated_definition")
        .is_some_and(|p| {
            x.text(p)[..handler.start_byte() - p.start_byte()].contains("pydantic_model=")
        });
    if described
        && let Some(first) = out
            .iter_mut()
            .find(|p| matches!(p, Parameter::Raw(_) | Parameter::Bare(_)))
        && let Parameter::Raw(name) | Parameter::Bare(name) = first
    {
        *first = Parameter::Schema(std::mem::take(name));
    }
    out
}

/// `dict`, `Dict[str, Any]`, `Request`, `Any`: an annotation that names no fields.
fn is_raw_body(annotation: &str) -> bool {
    ml::serving::RAW_BODIES
        .iter()
        .any(|r| annotation == *r || annotation.starts_with(&format!("{r}[")))
}

/// `list[Trip]`, `List[Trip]`: a list of request schemas (a batch of named rows), not a raw
/// list; `list[float]` or `List[dict]` stays raw.
fn is_schema_list(annotation: &str) -> bool {
    let Some(inner) = ["list[", "List["]
        .iter()
        .find_map(|p| annotation.strip_prefix(p))
        .and_then(|rest| rest.strip_suffix(']'))
    else {
        return false;
    };
    let inner = inner.trim();
    !inner.is_empty()
        && inner.split('.').all(is_identifier)
        && !is_raw_body(inner)
        && !ml::serving::PRIMITIVES.contains(&inner)
        && !matches!(inner, "float" | "int" | "str" | "bool" | "Any" | "object")
}

/// The request object of a web framework, or a value read from it whole.
fn is_request_object(qualified: &str) -> bool {
    ml::serving::REQUEST_OBJECTS
        .iter()
        .any(|r| qualified == *r || qualified.starts_with(&format!("{r}.")))
}

/// A conversion of one value (`float(x)`, `int(x)`) or arithmetic on names (`a / b`).
fn is_scalar_expression(kind: &Kind, text: &str) -> bool {
    match kind {
        Kind::Call { function } => matches!(
            function.as_str(),
            "float" | "int" | "str" | "bool" | "round" | "abs"
        ),
        Kind::Unknown => {
            !text.contains(['.', '[', '(', '{']) && text.contains(['+', '-', '*', '/', '%'])
        }
        _ => false,
    }
}

/// A frame's columns set to names read from elsewhere: an assignment to `df.columns` (the
/// value it binds is spanned by its target) or a `reindex` / `set_axis` call.
fn renames_columns(text: &str) -> bool {
    let text = text.trim();
    if let Some(object) = text.strip_suffix(".columns") {
        return object.split('.').all(is_identifier);
    }
    call_callee(text).is_some_and(|callee| {
        let last = callee.rsplit('.').next().unwrap_or(callee);
        callee.contains('.') && matches!(last, "reindex" | "set_axis" | "rename_axis")
    })
}

/// A Streamlit widget that gives one value (`st.number_input`, `st.sidebar.selectbox`).
fn is_value_widget(function: &str) -> bool {
    let Some(rest) = function.strip_prefix("streamlit.") else {
        return false;
    };
    let widget = rest.strip_prefix("sidebar.").unwrap_or(rest);
    ml::serving::STREAMLIT_VALUE_INPUTS.contains(&widget)
}

/// A call that reads data from a file, a database or the network.
fn is_data_source(function: &str) -> bool {
    let last = function.rsplit('.').next().unwrap_or(function);
    (function.starts_with("pandas.") && last.starts_with("read_"))
        || matches!(
            function,
            "numpy.load" | "numpy.loadtxt" | "numpy.genfromtxt" | "numpy.fromfile" | "open"
        )
        || ml::serving::OPAQUE_SOURCES.contains(&function)
}

/// Libraries whose functions transform values they are given and bring in no features.
fn is_plain_library(function: &str) -> bool {
    let top = function.split('.').next().unwrap_or(function);
    !function.contains('.') || ml::serving::PLAIN_LIBRARIES.contains(&top)
}

/// The key of `x["age"]` or `x.get("age")` / `x.get("age", 0)`.
fn keyed_read(text: &str) -> Option<String> {
    let text = text.trim();
    if let Some(inner) = text.strip_suffix(']') {
        let open = inner.rfind('[')?;
        if open == 0 {
            return None;
        }
        return string_literal(&inner[open + 1..]);
    }
    let inner = text.strip_suffix(')')?;
    let at = inner.rfind(".get(")?;
    if at == 0 {
        return None;
    }
    let arguments = &inner[at + ".get(".len()..];
    let first = arguments.split(',').next()?;
    string_literal(first)
}

/// Builtins that convert or combine the values they are given.
const BUILTINS: &[&str] = &[
    "float",
    "int",
    "str",
    "bool",
    "list",
    "dict",
    "tuple",
    "set",
    "len",
    "round",
    "abs",
    "min",
    "max",
    "sum",
    "zip",
    "map",
    "sorted",
    "reversed",
    "enumerate",
    "range",
    "print",
    "isinstance",
];

/// The callee of a call's text (`build(x)` → `build`, `pd.DataFrame([...])` →
/// `pd.DataFrame`), when the text is one call of a dotted name.
fn call_callee(text: &str) -> Option<&str> {
    let text = text.trim();
    if !text.ends_with(')') {
        return None;
    }
    let (callee, _) = text.split_once('(')?;
    let callee = callee.trim_end();
    (!callee.is_empty() && callee.split('.').all(is_identifier)).then_some(callee)
}

/// The names an assignment's left side binds (`x`, `x, y = ...`, `(a, [b, c]) = ...`).
fn assigned_names<'t>(left: Node, x: &Extractor<'t>) -> Vec<&'t str> {
    match left.kind_name() {
        "identifier" => vec![x.text(left)],
        "pattern_list" | "tuple_pattern" | "list_pattern" | "tuple" | "list" => {
            let mut cursor = left.walk();
            left.named_children(&mut cursor)
                .flat_map(|child| assigned_names(child, x))
                .collect()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::summary_of;

    /// (available, resolved, open, positional names) of the only entry point of `code`.
    fn entry(code: &str) -> (Vec<String>, bool, bool, Vec<Option<String>>) {
        let summary = summary_of("app.py", code);
        let [entry] = summary.entries.as_slice() else {
            panic!("one entry point expected: {:?}", summary.entries);
        };
        (
            entry.available.clone(),
            entry.resolved,
            entry.open,
            entry.positional_names.clone(),
        )
    }

    const FLASK: &str = "import joblib\nimport pandas as pd\nfrom flask import Flask, request\napp = Flask(__name__)\nmodel = joblib.load('m.pkl')\n";

    #[test]
    fn a_positional_row_names_the_request_fields_it_is_made_of_in_order() {
        let code = format!(
            "{FLASK}@app.post('/p')\ndef predict():\n    income = float(request.form['income'])\n    age = int(request.form.get('age'))\n    return {{'p': model.predict([[income, age]])[0]}}\n"
        );
        assert_eq!(
            entry(&code).3,
            [Some("income".to_string()), Some("age".to_string())]
        );
        // Values that cannot be named stay unnamed.
        let code = format!(
            "{FLASK}@app.post('/p')\ndef predict():\n    values = [float(v) for v in request.form.values()]\n    return {{'p': model.predict([[values[0], values[1]]])[0]}}\n"
        );
        assert!(entry(&code).3.iter().all(Option::is_none));
    }

    #[test]
    fn unannotated_parameters_are_values_in_a_row_and_unknown_used_whole() {
        let fastapi = "import joblib\nimport pandas as pd\nfrom fastapi import FastAPI\napp = FastAPI()\nmodel = joblib.load('m.pkl')\n";
        let (available, resolved, open, _) = entry(&format!(
            "{fastapi}@app.get('/p')\ndef predict(age, income):\n    X = pd.DataFrame({{'age': [float(age)], 'income': [income]}})\n    return {{'p': model.predict(X)[0]}}\n"
        ));
        assert!(resolved && !open, "{available:?}");
        assert!(available.contains(&"age".to_string()));
        let (_, _, open, _) = entry(&format!(
            "{fastapi}@app.post('/p')\ndef predict(payload):\n    return {{'p': model.predict(pd.DataFrame(payload))[0]}}\n"
        ));
        assert!(open);
    }

    #[test]
    fn a_marshmallow_load_names_its_fields_and_renamed_columns_are_unknown() {
        let code = format!(
            "{FLASK}from marshmallow import Schema, fields\nclass Loan(Schema):\n    amount = fields.Float()\n    term = fields.Int()\nloan_schema = Loan()\n@app.post('/p')\ndef predict():\n    data = loan_schema.load(request.get_json())\n    return {{'p': model.predict(pd.DataFrame([data]))[0]}}\n"
        );
        let (available, resolved, open, _) = entry(&code);
        assert!(resolved && !open, "{available:?}");
        assert!(available.contains(&"term".to_string()));
        let code = format!(
            "{FLASK}@app.post('/p')\ndef predict():\n    X = pd.DataFrame({{'a': [request.json['a']]}})\n    X = X.reindex(columns=model.feature_names_in_, fill_value=0)\n    return {{'p': model.predict(X)[0]}}\n"
        );
        assert!(entry(&code).2);
    }

    #[test]
    fn a_positional_row_keeps_the_name_of_each_value() {
        let summary = summary_of(
            "app.py",
            "import joblib\nimport numpy as np\nfrom flask import Flask, request\napp = Flask(__name__)\nmodel = joblib.load('m.joblib')\n@app.route('/p', methods=['POST'])\ndef p():\n    body = request.get_json()\n    writing = float(body['writing_score'])\n    X = np.array([[float(request.form['math_score']), writing, body.get('reading_score', 0), body['v'][0], np.nan]])\n    return {'y': model.predict(X).tolist()}\n",
        );
        let entry = &summary.entries[0];
        assert_eq!(entry.positional, Some(5));
        let names: Vec<Option<&str>> = entry
            .positional_names
            .iter()
            .map(|n| n.as_deref())
            .collect();
        assert_eq!(
            names,
            [
                Some("math_score"),
                Some("writing"),
                Some("reading_score"),
                None,
                None
            ]
        );
    }

    #[test]
    fn a_row_of_the_values_of_the_request_names_its_mapping() {
        let values_row = |body: &str| {
            let code = format!(
                "import joblib\nimport numpy as np\nfrom flask import Flask, request\n\
                 app = Flask(__name__)\nmodel = joblib.load('m.joblib')\nDEFAULTS = {{'a': 0}}\n\
                 @app.route('/p', methods=['POST'])\ndef p():\n{body}"
            );
            let summary = summary_of("app.py", &code);
            let entry = &summary.entries[0];
            (entry.values_row.clone(), entry.open)
        };
        let form = "    x = [int(v) for v in request.form.values()]\n    \
                    return str(model.predict([np.array(x)])[0])\n";
        assert_eq!(values_row(form), (Some("request.form".to_string()), true));
        let json = "    data = request.get_json(force=True)\n    \
                    return str(model.predict([np.array(list(data.values()))])[0])\n";
        assert_eq!(values_row(json).0.as_deref(), Some("data"));
        let part = "    body = request.json\n    \
                    row = [float(v) for v in body['features'].values()]\n    \
                    return str(model.predict([row])[0])\n";
        assert_eq!(values_row(part).0.as_deref(), Some("body['features']"));
        // The code's own dict, and a mapping that is not the request: their order is the code's.
        let own = "    body = request.json\n    row = {'a': float(body['a']), 'b': float(body['b'])}\n    \
                   return str(model.predict([list(row.values())])[0])\n";
        assert_eq!(values_row(own).0, None);
        let constant = "    return str(model.predict([list(DEFAULTS.values())])[0])\n";
        assert_eq!(values_row(constant).0, None);
        let by_name = "    x = [int(request.form[n]) for n in ['a', 'b']]\n    \
                       return str(model.predict([x])[0])\n";
        assert_eq!(values_row(by_name).0, None);
    }

    #[test]
    fn a_handler_names_the_constants_it_uses() {
        let summary = summary_of(
            "app.py",
            "import joblib\nimport pandas as pd\nfrom fastapi import FastAPI\napp = FastAPI()\nmodel = joblib.load('m.joblib')\nFEATURES = ['a', 'b']\n@app.post('/p')\ndef p(payload: dict):\n    return {'y': model.predict(pd.DataFrame([payload])[FEATURES]).tolist()}\n",
        );
        assert_eq!(summary.entries[0].constants, ["FEATURES"]);
        assert_eq!(summary.entries[0].predict_columns, ["a", "b"]);
        assert_eq!(
            summary.feature_list_places.len(),
            summary.feature_lists.len()
        );
        assert_eq!(summary.feature_list_places[0].start.line, 6);
    }

    #[test]
    fn a_row_whose_name_is_bound_again_is_not_the_model_input() {
        let summary = summary_of(
            "app.py",
            "import joblib\nimport numpy as np\nfrom flask import Flask, request\napp = Flask(__name__)\nmodel = joblib.load('m.joblib')\n@app.route('/p', methods=['POST'])\ndef p():\n    data = np.array([[request.form['a'], request.form['b']]])\n    data, label = prep(data)\n    return {'y': model.predict(data).tolist()}\n",
        );
        assert_eq!(summary.entries[0].positional, None);
    }
}
