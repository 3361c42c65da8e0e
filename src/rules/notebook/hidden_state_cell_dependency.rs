use crate::finding::Span;
use crate::model::NameEvent;
use crate::rule::{Check, Context, Sink};
use std::collections::{HashMap, HashSet};

crate::rule::rule! {
    code: "NB002",
    name: "hidden-state-cell-dependency",
    family: "notebook",
    severity: Error,
    scope: Notebook,
    check: Check::File(check),
}

/// Replays the notebook's module-scope names in document order (the model's
/// [`crate::model::ModuleNames`]): a read of a name that no earlier cell bound, or that a
/// `del` removed, fails Restart & Run All with a `NameError`. The first such read of each
/// name is reported, with the later cell that defines it when there is one. Silent where the
/// analysis cannot know the names: after an opaque point (star import, `exec`, `globals()`,
/// `%run`), in notebooks with syntax errors, for names a function declares `global` or a list
/// comprehension uses (Python 2 leaks them), and for
/// names defined nowhere when something may inject them (a papermill `parameters` cell, the
/// `--pylab` kernels of nbformat 3).
fn check(ctx: &Context, sink: &mut Sink) {
    let Some(notebook) = &ctx.file.notebook else {
        return;
    };
    let names = &ctx.model.names;
    if !ctx.model.syntax_errors.is_empty() || names.incomplete {
        return;
    }
    // Names nothing in the notebook defines may still exist: a papermill `parameters` cell
    // has names injected after it, and nbformat 3 notebooks date from the days of
    // `ipython notebook --pylab`, which star-imported numpy and pyplot into every kernel.
    let injected = notebook.nbformat < 4 || notebook.cells.iter().any(|c| c.parameters);
    let maybe_defined: HashSet<u32> = names.maybe_defined.iter().copied().collect();
    // Where each name is bound, in event order.
    let mut binds: HashMap<u32, Vec<usize>> = HashMap::new();
    for (index, event) in names.events.iter().enumerate() {
        if let NameEvent::Bind(name, _) = event {
            binds.entry(*name).or_default().push(index);
        }
    }
    let cell_of = |at: usize| ctx.file.cell_at(at).map_or(0, |c| c.number);
    let mut bound: HashSet<u32> = HashSet::new();
    let mut deleted: HashMap<u32, Span> = HashMap::new();
    let mut reported: HashSet<u32> = HashSet::new();
    for (index, event) in names.events.iter().enumerate() {
        let (name, at) = match *event {
            NameEvent::Bind(name, _) => {
                bound.insert(name);
                deleted.remove(&name);
                continue;
            }
            NameEvent::Delete(name, at) => {
                if bound.remove(&name) {
                    deleted.insert(name, at);
                }
                continue;
            }
            // From here on any name may exist.
            NameEvent::Opaque(_) => return,
            NameEvent::Read(name, at) => (name, at),
        };
        let text = names.name(name);
        if bound.contains(&name)
            || reported.contains(&name)
            || maybe_defined.contains(&name)
            || is_predefined(text)
        {
            continue;
        }
        let cell = cell_of(at.start);
        // The first binding after the read that is not part of the read's own statement
        // (`n += 1` and `x = x + 1` bind after the read fails).
        let after = binds.get(&name).map_or(&[][..], |list| {
            &list[list.partition_point(|&b| b < index)..]
        });
        let next = after
            .iter()
            .filter_map(|&b| match names.events[b] {
                NameEvent::Bind(_, span) => Some(span),
                _ => None,
            })
            .find(|def| cell_of(def.start) != cell || def.start > at.start);
        // Bound further down the same cell: a loop may bind it before the read runs again.
        if next.is_some_and(|def| cell_of(def.start) == cell) {
            continue;
        }
        let later = next;
        reported.insert(name);
        if let Some(del) = deleted.get(&name) {
            let del_cell = cell_of(del.start);
            sink.report(
                &RULE,
                at,
                format!(
                    "cell {cell} reads `{text}`, which `del {text}` in cell {del_cell} removed \
                     before it: Restart & Run All stops here with a NameError"
                ),
            )
            .help(format!(
                "drop the `del {text}` or move it below the last use of `{text}`"
            ))
            .related(*del, "deleted here");
            continue;
        }
        match later {
            Some(def) => {
                let def_cell = cell_of(def.start);
                sink.report(
                    &RULE,
                    at,
                    format!(
                        "cell {cell} reads `{text}`, which only cell {def_cell} below defines: \
                         Restart & Run All stops here with a NameError"
                    ),
                )
                .help(format!(
                    "move the definition of `{text}` (cell {def_cell}) above cell {cell}, or \
                     move this cell below it"
                ))
                .related(def, "defined here");
            }
            None if injected => {}
            None => {
                sink.report(
                    &RULE,
                    at,
                    format!(
                        "cell {cell} reads `{text}`, but no cell defines it (a deleted cell or \
                         a missing import?): Restart & Run All stops here with a NameError"
                    ),
                )
                .help(format!(
                    "restore the import or the cell that defines `{text}`, above cell {cell}"
                ));
            }
        }
    }
}

/// Names that exist without a definition: Python 3 and Python 2 builtins, IPython's own
/// (`display`, `In`, `Out`, `_`, `_i3`, `_5`, ...), line magics IPython's automagic runs when
/// typed alone (`ls`, `pwd`, `whos`), the names PySpark and Databricks kernels provide, and any
/// dunder name.
fn is_predefined(name: &str) -> bool {
    if name.starts_with("__") && name.ends_with("__") && name.len() > 4 {
        return true;
    }
    // IPython's output history: `_`, `__`, `___`, `_i`, `_ii`, `_iii`, `_N`, `_iN`.
    if let Some(rest) = name.strip_prefix('_') {
        let digits = rest.strip_prefix('i').unwrap_or(rest);
        if digits.chars().all(|c| c.is_ascii_digit())
            || matches!(rest, "_" | "__" | "ii" | "iii" | "oh" | "ih" | "dh")
        {
            return true;
        }
    }
    BUILTINS.binary_search(&name).is_ok()
}

/// Sorted (a test checks it).
const BUILTINS: &[&str] = &[
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "BaseException",
    "BaseExceptionGroup",
    "BlockingIOError",
    "BrokenPipeError",
    "BufferError",
    "BytesWarning",
    "ChildProcessError",
    "ConnectionAbortedError",
    "ConnectionError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "DeprecationWarning",
    "EOFError",
    "Ellipsis",
    "EncodingWarning",
    "EnvironmentError",
    "Exception",
    "ExceptionGroup",
    "False",
    "FileExistsError",
    "FileNotFoundError",
    "FloatingPointError",
    "FutureWarning",
    "GeneratorExit",
    "IOError",
    "ImportError",
    "ImportWarning",
    "In",
    "IndentationError",
    "IndexError",
    "InterruptedError",
    "IsADirectoryError",
    "KeyError",
    "KeyboardInterrupt",
    "LookupError",
    "MemoryError",
    "ModuleNotFoundError",
    "NameError",
    "None",
    "NotADirectoryError",
    "NotImplemented",
    "NotImplementedError",
    "OSError",
    "Out",
    "OverflowError",
    "PendingDeprecationWarning",
    "PermissionError",
    "ProcessLookupError",
    "PythonFinalizationError",
    "RecursionError",
    "ReferenceError",
    "ResourceWarning",
    "RuntimeError",
    "RuntimeWarning",
    "StandardError",
    "StopAsyncIteration",
    "StopIteration",
    "SyntaxError",
    "SyntaxWarning",
    "SystemError",
    "SystemExit",
    "TabError",
    "TimeoutError",
    "True",
    "TypeError",
    "UnboundLocalError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "UnicodeError",
    "UnicodeTranslateError",
    "UnicodeWarning",
    "UserWarning",
    "ValueError",
    "Warning",
    "WindowsError",
    "ZeroDivisionError",
    "_",
    "abs",
    "aiter",
    "alias",
    "all",
    "anext",
    "any",
    "apply",
    "ascii",
    "basestring",
    "bin",
    "bool",
    "breakpoint",
    "buffer",
    "bytearray",
    "bytes",
    "callable",
    "cd",
    "chr",
    "classmethod",
    "clear",
    "cmp",
    "coerce",
    "compile",
    "complex",
    "copyright",
    "credits",
    "dbutils",
    "delattr",
    "dhist",
    "dict",
    "dir",
    "display",
    "displayHTML",
    "divmod",
    "enumerate",
    "eval",
    "exec",
    "execfile",
    "exit",
    "file",
    "filter",
    "float",
    "format",
    "frozenset",
    "get_ipython",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "help",
    "hex",
    "id",
    "input",
    "int",
    "intern",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "license",
    "list",
    "ll",
    "locals",
    "long",
    "ls",
    "lsmagic",
    "magic",
    "map",
    "max",
    "memoryview",
    "min",
    "next",
    "object",
    "oct",
    "open",
    "ord",
    "pinfo",
    "pow",
    "print",
    "property",
    "pwd",
    "quit",
    "range",
    "raw_input",
    "reduce",
    "reload",
    "repr",
    "reversed",
    "round",
    "sc",
    "set",
    "setattr",
    "slice",
    "sorted",
    "spark",
    "sqlContext",
    "staticmethod",
    "str",
    "sum",
    "super",
    "tuple",
    "type",
    "unichr",
    "unicode",
    "vars",
    "who",
    "whos",
    "xmode",
    "xrange",
    "zip",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_are_sorted_for_the_binary_search() {
        assert!(BUILTINS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn ipython_history_and_dunders_are_predefined() {
        for name in ["_", "__", "___", "_i", "_ii", "_iii", "_i12", "_7", "_oh", "__name__"] {
            assert!(is_predefined(name), "{name}");
        }
        for name in ["_x", "sns", "Y_pred", "_ix", "__x"] {
            assert!(!is_predefined(name), "{name}");
        }
    }
}
