use crate::finding::{Severity, Span};
use crate::model::security::{Binding, NamedLiteral};
use crate::rule::{Check, Context, Sink};

crate::rule::rule! {
    code: "SEC001",
    name: "hard-coded-secret",
    family: "security",
    severity: Error,
    also: [Info],
    scope: File,
    check: Check::File(check),
}

/// A secret found in some text: where, what kind, and how much of it a message may show.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Secret {
    pub start: usize,
    pub end: usize,
    pub kind: String,
    /// The first characters a message may show (the format's prefix); empty for passwords.
    pub shown: String,
    /// The secret's length in characters.
    pub len: usize,
}

/// Three sources, one report per secret: well-known key formats and connection strings with
/// a password anywhere in the code text (strings and comments alike: a key pasted in a comment
/// is leaked too), string literals bound to secret-like names (from the model), and the saved
/// outputs of notebook cells.
fn check(ctx: &Context, sink: &mut Sink) {
    let text = ctx.file.raw_text();
    let mut found = Vec::new();
    scan_text(text, &mut found);
    for named in &ctx.model.security.named_literals {
        if let Some(secret) = named_secret(named) {
            found.push(secret);
        }
    }
    let mut kept: Vec<Secret> = Vec::new();
    for secret in found {
        if !kept
            .iter()
            .any(|k| k.start < secret.end && secret.start < k.end)
        {
            kept.push(secret);
        }
    }
    kept.sort_by_key(|s| s.start);
    let test = ctx.file.is_test_module();
    for secret in kept {
        let finding = sink.report(
            &RULE,
            Span::new(secret.start, secret.end),
            format!("{} is written in the code: {}", secret.kind, describe(&secret)),
        );
        finish(finding, test);
    }
    let Some(notebook) = &ctx.file.notebook else {
        return;
    };
    for output in &notebook.outputs {
        let Some(cell) = notebook.cells.get(output.cell) else {
            continue;
        };
        let mut found = Vec::new();
        scan_text(&output.text, &mut found);
        let first_line_end = text
            .get(cell.offset..cell.offset + cell.len)
            .and_then(|c| c.find('\n'))
            .map_or(cell.offset + cell.len, |n| cell.offset + n);
        for secret in found {
            let finding = sink.report(
                &RULE,
                Span::new(cell.offset, first_line_end),
                format!(
                    "{} is saved in the output of cell {}: {}",
                    secret.kind,
                    cell.number,
                    describe(&secret)
                ),
            );
            finish(finding, test);
        }
    }
}

fn finish(finding: &mut crate::finding::Finding, test: bool) {
    finding.help(
        "treat it as leaked: revoke and rotate it, read it at run time from the environment \
         (`os.environ[\"...\"]`) or a secrets manager, and purge it from the git history and \
         from saved notebook outputs",
    );
    // A credential in a test is usually a fixture value; still worth a look.
    if test {
        finding.severity(Severity::Info);
    }
}

/// `` `AKIA…` (20 characters) ``; only the length for passwords.
fn describe(secret: &Secret) -> String {
    if secret.shown.is_empty() {
        format!("{} characters, not shown", secret.len)
    } else {
        format!("`{}…` ({} characters)", secret.shown, secret.len)
    }
}

/// Key formats and connection strings with a password in `text`.
pub(crate) fn scan_text(text: &str, out: &mut Vec<Secret>) {
    scan_formats(text, out);
    scan_pem(text, out);
    scan_connection_strings(text, out);
    scan_kaggle_json(text, out);
}

/// The text of a `kaggle.json` (`{"username":"ana","key":"<32 hex>"}`), as a shell line writes
/// it (`!echo '{...}' > ~/.kaggle/kaggle.json`) or a cell prints it.
fn scan_kaggle_json(text: &str, out: &mut Vec<Secret>) {
    for (at, _) in text.match_indices("\"username\"") {
        let near = window_of(text, at, 200);
        let Some(key_at) = near.find("\"key\"") else {
            continue;
        };
        let rest = near[key_at + 5..].trim_start_matches([' ', ':']);
        let Some(value) = rest.strip_prefix('"') else {
            continue;
        };
        let hex_len = value.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(value.len());
        if hex_len != 32 || !value[hex_len..].starts_with('"') || !looks_random(&value[..32]) {
            continue;
        }
        let start = at + (near.len() - value.len());
        out.push(Secret {
            start,
            end: start + 32,
            kind: "a Kaggle API key".to_string(),
            shown: value.chars().take(4).collect(),
            len: 32,
        });
    }
}

/// A token format: its prefixes, what it is, the characters of its body, and the lengths
/// its body may have.
struct Format {
    prefixes: &'static [&'static str],
    kind: &'static str,
    body: fn(char) -> bool,
    min: usize,
    max: usize,
}

fn upper_digit(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}
fn alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}
fn alnum_underscore(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}
fn alnum_dash(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}
fn url_safe(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// The published formats (prefix and body length) of common providers' keys.
const FORMATS: &[Format] = &[
    Format {
        prefixes: &["AKIA", "ASIA"],
        kind: "an AWS access key id",
        body: upper_digit,
        min: 16,
        max: 16,
    },
    Format {
        prefixes: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        kind: "a GitHub token",
        body: alnum,
        min: 36,
        max: 36,
    },
    Format {
        prefixes: &["github_pat_"],
        kind: "a GitHub token",
        body: alnum_underscore,
        min: 70,
        max: 100,
    },
    Format {
        prefixes: &["sk-ant-"],
        kind: "an Anthropic API key",
        body: url_safe,
        min: 80,
        max: 200,
    },
    Format {
        prefixes: &["sk-proj-", "sk-svcacct-", "sk-admin-"],
        kind: "an OpenAI API key",
        body: url_safe,
        min: 40,
        max: 300,
    },
    Format {
        prefixes: &["sk-"],
        kind: "an OpenAI API key",
        body: alnum,
        min: 48,
        max: 48,
    },
    Format {
        prefixes: &["hf_"],
        kind: "a Hugging Face token",
        body: alnum,
        min: 34,
        max: 34,
    },
    Format {
        prefixes: &["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"],
        kind: "a Slack token",
        body: alnum_dash,
        min: 20,
        max: 250,
    },
    Format {
        prefixes: &["AIza"],
        kind: "a Google API key",
        body: url_safe,
        min: 35,
        max: 35,
    },
    Format {
        prefixes: &["sk_live_", "rk_live_"],
        kind: "a Stripe live key",
        body: alnum,
        min: 20,
        max: 250,
    },
];

/// Every prefix of [`FORMATS`], searched for in one pass: (format, prefix) by pattern id.
static PREFIXES: std::sync::LazyLock<(aho_corasick::AhoCorasick, Vec<(usize, &'static str)>)> =
    std::sync::LazyLock::new(|| {
        let patterns: Vec<(usize, &'static str)> = FORMATS
            .iter()
            .enumerate()
            .flat_map(|(index, format)| format.prefixes.iter().map(move |p| (index, *p)))
            .collect();
        let searcher = aho_corasick::AhoCorasick::new(patterns.iter().map(|(_, p)| p))
            .expect("the key prefixes are a valid set of patterns");
        (searcher, patterns)
    });

fn scan_formats(text: &str, out: &mut Vec<Secret>) {
    let (searcher, patterns) = &*PREFIXES;
    // One pass finds every prefix (overlapping: `sk-` and `sk-proj-` at the same place);
    // the hits are then judged format by format, in the order of FORMATS.
    let mut hits: Vec<(usize, usize, &'static str)> = searcher
        .find_overlapping_iter(text)
        .map(|m| {
            let (format, prefix) = patterns[m.pattern().as_usize()];
            (format, m.start(), prefix)
        })
        .collect();
    hits.sort_by_key(|&(format, at, _)| (format, at));
    for (format, at, prefix) in hits {
        let format = &FORMATS[format];
        // A key starts a word: `task-...` does not hold `sk-`.
        if text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            continue;
        }
        let body_start = at + prefix.len();
        // Bounded: a long run of key characters is read once per prefix, not per hit.
        let window = window_of(text, body_start, format.max + 1);
        let body_len = window
            .find(|c: char| !(format.body)(c))
            .unwrap_or(window.len());
        let end = body_start + body_len;
        // The key ends its word too.
        if text[end..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            continue;
        }
        let body = &text[body_start..end];
        if body_len < format.min || body_len > format.max || !looks_random(body) {
            continue;
        }
        if format.kind == "a Slack token" && !body.contains(|c: char| c.is_ascii_digit()) {
            continue;
        }
        out.push(Secret {
            start: at,
            end,
            kind: format.kind.to_string(),
            shown: text[at..end].chars().take(4).collect(),
            len: end - at,
        });
    }
}

/// A generated key, not a placeholder (`AKIAXXXXXXXXXXXXXXXX`, `hf_xxxx...`, AWS's documented
/// `AKIAIOSFODNN7EXAMPLE`): several distinct characters, no filler word.
fn looks_random(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    if ["example", "xxxx", "your", "0000", "1234", "abcd", "test", "dummy", "fake"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return false;
    }
    let mut seen = [false; 128];
    let mut distinct = 0;
    for b in body.bytes() {
        let slot = usize::from(b & 0x7f);
        if !seen[slot] {
            seen[slot] = true;
            distinct += 1;
        }
    }
    distinct >= 8
}

/// `-----BEGIN RSA PRIVATE KEY-----` followed by key material (a bare header, as in a check
/// `line.startswith("-----BEGIN")`, is not a key).
fn scan_pem(text: &str, out: &mut Vec<Secret>) {
    for (at, _) in text.match_indices("-----BEGIN ") {
        let rest = window_of(text, at + "-----BEGIN ".len(), 64);
        let Some(label_len) = rest.find("-----") else {
            continue;
        };
        let label = &rest[..label_len];
        if label.len() > 40 || !label.ends_with("PRIVATE KEY") {
            continue;
        }
        let body_start = at + "-----BEGIN ".len() + label_len + 5;
        let window_end = (body_start + 400).min(text.len());
        let Some(window) = text.get(body_start..window_end) else {
            continue;
        };
        let mut run = 0;
        let mut material = false;
        for c in window.chars() {
            if c.is_ascii_alphanumeric() || c == '+' || c == '/' {
                run += 1;
                if run >= 40 {
                    material = true;
                    break;
                }
            } else {
                run = 0;
            }
        }
        if !material {
            continue;
        }
        let end = window_of(text, body_start, 16 * 1024)
            .find("-----END")
            .map_or(window_end, |n| body_start + n);
        out.push(Secret {
            start: at,
            end,
            kind: format!("a private key ({label})"),
            shown: String::new(),
            len: end - at,
        });
    }
}

/// `postgresql://user:pass@host/db` and the like: a URL whose user info holds a password.
fn scan_connection_strings(text: &str, out: &mut Vec<Secret>) {
    for (at, _) in text.match_indices("://") {
        let mut from = at.saturating_sub(32);
        while !text.is_char_boundary(from) {
            from += 1;
        }
        let scheme_start = from
            + crate::source::trailing_run_start(&text[from..at], |c| {
                c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')
            });
        let scheme = &text[scheme_start..at];
        if !scheme.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let rest = window_of(text, at + 3, 512);
        let authority_len = rest
            .find(|c: char| {
                c.is_whitespace()
                    || matches!(c, '/' | '?' | '#' | '"' | '\'' | '`' | ')' | ',' | '<' | '>' | '\\')
            })
            .unwrap_or(rest.len());
        let authority = &rest[..authority_len];
        let Some((userinfo, host)) = authority.rsplit_once('@') else {
            continue;
        };
        let Some((user, password)) = userinfo.split_once(':') else {
            continue;
        };
        if host.is_empty()
            || password.is_empty()
            || password.eq_ignore_ascii_case(user)
            || is_placeholder(password)
            || password.contains(['{', '}', '$', '[', ']', '(', '*'])
            || password.contains("%s")
        {
            continue;
        }
        let start = at + 3 + user.len() + 1;
        out.push(Secret {
            start,
            end: start + password.len(),
            kind: format!("the password of a `{scheme}://` URL"),
            shown: String::new(),
            len: password.chars().count(),
        });
    }
}

/// At most `len` bytes of `text` from `start` (shortened to a character boundary).
fn window_of(text: &str, start: usize, len: usize) -> &str {
    let mut end = start.saturating_add(len).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(start..end).unwrap_or("")
}

/// What a literal bound to a secret-like name is, if its value looks like a real credential.
fn named_secret(named: &NamedLiteral) -> Option<Secret> {
    let mut value = named.value.as_str();
    let (kind, shown) = match named.binding {
        Binding::KaggleKey => {
            let hex = value.len() == 32 && value.chars().all(|c| c.is_ascii_hexdigit());
            (hex && looks_random(value)).then_some(("a Kaggle API key", true))?
        }
        Binding::WandbKey => credential_shaped(value).then_some(("a Weights & Biases API key", true))?,
        _ => {
            let name = named.name.to_ascii_lowercase();
            if name == "authorization" {
                value = value
                    .strip_prefix("Bearer ")
                    .or_else(|| value.strip_prefix("token "))?;
                credential_shaped(value).then_some(("a bearer token", true))?
            } else {
                match secret_name(&name)? {
                    NameKind::Password => {
                        password_shaped(value, &name).then_some(("a password", false))?
                    }
                    NameKind::Key(kind) => credential_shaped(value).then_some((kind, true))?,
                }
            }
        }
    };
    let what = match named.binding {
        Binding::Environment => format!("{kind} (environment variable `{}`)", named.name),
        Binding::Keyword => format!("{kind} (argument `{}=`)", named.name),
        Binding::KaggleKey | Binding::WandbKey => kind.to_string(),
        Binding::Assigned | Binding::DictEntry => format!("{kind} (`{}`)", named.name),
    };
    // The literal's quotes are part of its span; the secret is inside.
    Some(Secret {
        start: named.span.start,
        end: named.span.end,
        kind: what,
        shown: if shown {
            value.chars().take(4).collect()
        } else {
            String::new()
        },
        len: value.chars().count(),
    })
}

enum NameKind {
    Password,
    Key(&'static str),
}

/// Whether a name says it holds a secret, and which kind.
fn secret_name(name: &str) -> Option<NameKind> {
    let name = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_');
    if ["password", "passwd", "_pwd", "_pass", "passphrase"]
        .iter()
        .any(|s| name.ends_with(s))
        || matches!(name, "pwd" | "pass")
    {
        return Some(NameKind::Password);
    }
    if name.ends_with("secret")
        || name.ends_with("secret_key")
        || name.ends_with("secret_access_key")
        || name.ends_with("secretkey")
    {
        return Some(NameKind::Key("a secret key"));
    }
    const KEYS: &[&str] = &[
        "api_key",
        "apikey",
        "access_key",
        "private_key",
        "auth_key",
        "client_key",
        "license_key",
        "encryption_key",
        "signing_key",
        "master_key",
        "subscription_key",
        "account_key",
        "consumer_key",
        "service_key",
        "access_key_id",
        // A provider's name and `_key`: `OPENAI_KEY`, `KAGGLE_KEY`.
        "openai_key",
        "anthropic_key",
        "kaggle_key",
        "cohere_key",
        "groq_key",
        "gemini_key",
        "mistral_key",
        "pinecone_key",
        "serpapi_key",
        "wandb_key",
        "comet_key",
        "hf_key",
        "huggingface_key",
    ];
    if KEYS.iter().any(|s| name.ends_with(s)) {
        return Some(NameKind::Key("an API key"));
    }
    if name.ends_with("token") {
        // Tokenizer vocabulary: `pad_token = "<pad>"`, `eos_token`, `max_token`.
        const VOCABULARY: &[&str] = &[
            "pad", "bos", "eos", "unk", "sep", "cls", "mask", "start", "end", "special", "bot",
            "eot", "image", "img", "audio", "video", "vision", "placeholder", "default", "user",
            "assistant", "system", "sos", "max", "min", "num", "n_", "stop", "split", "word",
            "prefix", "suffix", "boundary", "sentinel", "think", "tool", "answer", "prompt",
            "response", "label", "class", "new", "next", "first", "last", "current",
        ];
        if VOCABULARY.iter().any(|w| name.contains(w)) {
            return None;
        }
        return Some(NameKind::Key("a token"));
    }
    None
}

/// An API key or token: long, one word, letters and digits, no placeholder.
fn credential_shaped(value: &str) -> bool {
    value.len() >= 16
        && value.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '/' | '=' | '.' | ':' | '~')
        })
        && (value.contains(|c: char| c.is_ascii_digit())
            || (value.len() >= 24
                && value.contains(|c: char| c.is_ascii_uppercase())
                && value.contains(|c: char| c.is_ascii_lowercase())))
        && value.contains(|c: char| c.is_ascii_alphabetic())
        && !is_env_name(value)
        && !value.contains("://")
        && !value.starts_with(['/', '.', '~'])
        && !has_file_extension(value)
        && !is_placeholder(value)
        && looks_random(value)
}

/// A password: one word of six characters or more, with a digit, a symbol or mixed case,
/// that is not a placeholder nor the name itself.
fn password_shaped(value: &str, name: &str) -> bool {
    let has_digit = value.contains(|c: char| c.is_ascii_digit());
    let has_symbol = value.contains(|c: char| c.is_ascii_punctuation());
    let mixed = value.contains(|c: char| c.is_ascii_uppercase())
        && value.contains(|c: char| c.is_ascii_lowercase());
    value.chars().count() >= 6
        && !value.contains(char::is_whitespace)
        && (has_digit || has_symbol || mixed)
        && !value.eq_ignore_ascii_case(name)
        && !is_env_name(value)
        && !is_placeholder(value)
        && !value.contains(['{', '}', '$', '<', '>'])
        && !value.contains("%s")
        && !value.contains("%(")
        && !value.contains("://")
}

/// `OPENAI_API_KEY`: the name of a variable to read, not a value.
fn is_env_name(value: &str) -> bool {
    value.contains('_')
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn has_file_extension(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    [
        ".json", ".txt", ".pem", ".key", ".env", ".yaml", ".yml", ".pkl", ".cfg", ".ini", ".csv",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}

/// Examples and placeholders: `your-api-key`, `<TOKEN>`, `xxx`, `***`, `changeme`, `...`.
pub(crate) fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "your", "xxx", "***", "...", "…", "changeme", "change_me", "change-me", "example",
        "placeholder", "dummy", "fake", "sample", "replace", "insert", "todo", "redacted",
        "secret", "password", "passwd", "token", "<", ">", "enter", "here", "foo", "bar",
        "test", "mock", "none", "null", "default", "demo", "my_", "my-", "123456", "abcdef",
        "qwerty", "pass", "pwd", "user", "admin", "root", "key",
    ];
    if lower.trim().is_empty() || WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    let first = lower.chars().next().unwrap_or(' ');
    lower.chars().all(|c| c == first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        scan_text(text, &mut out);
        out.into_iter().map(|s| s.kind).collect()
    }

    #[test]
    fn real_formats_are_found() {
        for (text, kind) in [
            ("key = 'AKIAQ3EGTR5KMW2NXH7P'", "an AWS access key id"),
            (
                "t = \"ghp_R7kq2mZ9vXw4LpT1nB8sYd3HfJ6cQe0UaG5o\"",
                "a GitHub token",
            ),
            (
                "# 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 token",
                "a Hugging Face token",
            ),
            (
                "openai.api_key = 'sk-proj-Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6kM9nP2rS5uX8'",
                "an OpenAI API key",
            ),
            ("AIzaSyD7kq2mZ9vXw4LpT1nB8sYd3HfJ6cQe0Ua", "a Google API key"),
            (
                "!echo '{\"username\": \"ana\", \"key\": \"7d9c2e4f1a8b3c6d5e0f9a2b4c7d1e3f\"}'",
                "a Kaggle API key",
            ),
            (
                "url = 'postgresql://ml:Tr41n!ngDB@db.internal:5432/feats'",
                "the password of a `postgresql://` URL",
            ),
        ] {
            assert_eq!(kinds(text), [kind], "{text}");
        }
    }

    #[test]
    fn placeholders_and_look_alikes_are_not() {
        for text in [
            "key = 'AKIAIOSFODNN7EXAMPLE'",
            "key = 'AKIAXXXXXXXXXXXXXXXX'",
            "api_key = 'sk-...'",
            "api_key = 'sk-your-key-here'",
            "task-ghp_R7kq2mZ9vXw4LpT1nB8sYd3HfJ6cQe0UaG5o",
            "from huggingface_hub import hf_hub_download",
            "url = 'postgresql://user:password@localhost/db'",
            "url = f'postgresql://{user}:{password}@{host}/db'",
            "url = 'mongodb+srv://admin:<password>@cluster0.mongodb.net'",
            "url = 'https://github.com/a/b'",
            "if line.startswith('-----BEGIN RSA PRIVATE KEY-----'):",
            "url = 'redis://:${REDIS_PASSWORD}@redis:6379'",
        ] {
            assert!(kinds(text).is_empty(), "{text}: {:?}", kinds(text));
        }
    }

    #[test]
    fn named_literals() {
        let named = |name: &str, value: &str, binding| NamedLiteral {
            name: name.into(),
            value: value.into(),
            binding,
            span: Span::new(0, value.len() + 2),
        };
        for (name, value) in [
            ("api_key", "a8f5f167f44f4964e6c998dee827110c"),
            ("HF_TOKEN", "Qm3RtZkLpWnXvBcYdEa9FgHjKs"),
            ("db_password", "Tr41n1ngDB!"),
            ("client_secret", "9d8e7f6a5b4c3d2e1f0a9b8c"),
        ] {
            assert!(named_secret(&named(name, value, Binding::Assigned)).is_some(), "{name}");
        }
        for (name, value) in [
            ("api_key", "your-api-key"),
            ("api_key", "OPENAI_API_KEY"),
            ("pad_token", "<pad>"),
            ("eos_token", "</s>"),
            ("password", "password"),
            ("password", "changeme"),
            ("token", "<TOKEN>"),
            ("hf_token", "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
            ("private_key", "~/.ssh/id_rsa"),
            ("secret_key", "keys/service-account.json"),
            ("target_key", "label_2024_v1_final"),
            ("password", "***"),
            ("password_field", "pwd_input_2"),
            ("api_key", ""),
        ] {
            assert!(
                named_secret(&named(name, value, Binding::Assigned)).is_none(),
                "{name} = {value}"
            );
        }
    }
}
