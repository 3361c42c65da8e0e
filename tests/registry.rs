//! The registry's invariants: codes and names well-formed and unique, every rule registered
//! (STYLE.md §2.2: Cargo silently ignores an undeclared file, so this test is what makes
//! "forgot to register" impossible), and every rule covered by a fixture.

use mlready::rule::{Check, Rule};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The code prefixes of DESIGN.md's families, plus the engine's PARSE and SUP.
const PREFIXES: [&str; 13] = [
    "LEAK", "SKEW", "CHAIN", "MON", "REPRO", "CFG", "DEAD", "GLUE", "NB", "API", "SEC", "PARSE",
    "SUP",
];

fn manifest(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn rules() -> Vec<&'static Rule> {
    mlready::registry::all().collect()
}

fn split_code(code: &str) -> Option<(&str, &str)> {
    let digits = code.len().checked_sub(3)?;
    let (prefix, number) = code.split_at(digits);
    let ok = !prefix.is_empty()
        && prefix.chars().all(|c| c.is_ascii_uppercase())
        && number.chars().all(|c| c.is_ascii_digit());
    ok.then_some((prefix, number))
}

#[test]
fn codes_and_names_are_unique_and_well_formed() {
    let rules = rules();
    assert!(!rules.is_empty());
    let mut codes = BTreeSet::new();
    let mut names = BTreeSet::new();
    let mut problems = Vec::new();
    for rule in &rules {
        if !codes.insert(rule.code) {
            problems.push(format!("duplicate code {}", rule.code));
        }
        if !names.insert(rule.name) {
            problems.push(format!("duplicate name {}", rule.name));
        }
        match split_code(rule.code) {
            Some((prefix, number)) => {
                if !PREFIXES.contains(&prefix) {
                    problems.push(format!("{}: unknown family prefix {prefix}", rule.code));
                }
                if number == "000" {
                    problems.push(format!("{}: numbers start at 001", rule.code));
                }
            }
            None => problems.push(format!("{}: not PREFIX + three digits", rule.code)),
        }
        let kebab = !rule.name.is_empty()
            && rule.name.split('-').all(|word| {
                !word.is_empty()
                    && word
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                    && word.starts_with(|c: char| c.is_ascii_lowercase())
            });
        if !kebab {
            problems.push(format!("{}: `{}` is not kebab-case", rule.code, rule.name));
        }
        if rule.name.starts_with("no-") {
            problems.push(format!(
                "{}: a rule name names the pattern flagged, not `no-...`",
                rule.code
            ));
        }
        // Lookups by code and by name find this very rule.
        let by_code = mlready::registry::find(rule.code).map(|r| r.name);
        let by_name = mlready::registry::find(rule.name).map(|r| r.code);
        if by_code != Some(rule.name) || by_name != Some(rule.code) {
            problems.push(format!("{}: lookup by code or name is wrong", rule.code));
        }
    }
    // One prefix per family, one family per prefix.
    let mut prefix_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut family_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for rule in &rules {
        if let Some((prefix, _)) = split_code(rule.code) {
            prefix_of.entry(rule.family).or_default().insert(prefix);
            family_of.entry(prefix).or_default().insert(rule.family);
        }
    }
    for (family, prefixes) in &prefix_of {
        if prefixes.len() > 1 {
            problems.push(format!("family {family} has prefixes {prefixes:?}"));
        }
    }
    for (prefix, families) in &family_of {
        if families.len() > 1 {
            problems.push(format!("prefix {prefix} is in families {families:?}"));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// `rules![a, b, c]` of a family `mod.rs`: the module names, in order.
fn listed_rules(mod_rs: &str) -> Option<Vec<String>> {
    let start = mod_rs.find("rules![")? + "rules![".len();
    let end = start + mod_rs[start..].find(']')?;
    Some(
        mod_rs[start..end]
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

/// `mod name;` / `pub mod name;` / `pub(crate) mod name;` lines of a `mod.rs`.
fn declared_modules(mod_rs: &str) -> BTreeSet<String> {
    mod_rs
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            let rest = line.split_once("mod ")?.1;
            let before = &line[..line.len() - rest.len() - "mod ".len()];
            let visibility = before.trim();
            let plain = visibility.is_empty() || visibility.starts_with("pub");
            let name = rest.strip_suffix(';')?.trim();
            (plain && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                .then(|| name.to_string())
        })
        .collect()
}

/// What the registry says about one rule file: the rule's name and family.
struct Registered {
    name: String,
    family: String,
}

/// `src/rules/<family>/<file>.rs` → the rule declared there, from registry::all().
fn registered_sources() -> BTreeMap<String, Registered> {
    let registered = rules();
    let sources: BTreeMap<String, Registered> = registered
        .iter()
        .map(|rule| {
            let file = rule
                .source
                .rsplit_once(':')
                .map_or(rule.source, |(file, _)| file);
            let entry = Registered {
                name: rule.name.to_string(),
                family: rule.family.to_string(),
            };
            (file.replace('\\', "/"), entry)
        })
        .collect();
    assert_eq!(sources.len(), registered.len(), "two rules in one file");
    sources
}

/// Compares the rule files under `crate_root/src/rules/<family>/` with the family `rules![...]`
/// lists and with what the registry holds (`sources`).
fn registration_problems(crate_root: &Path, sources: &BTreeMap<String, Registered>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(crate_root.join("src/rules"))
        .expect("src/rules exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    entries.sort();
    if entries.is_empty() {
        problems.push("no family folders under src/rules".to_string());
    }
    for family_dir in entries {
        let family = family_dir
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let mod_rs = std::fs::read_to_string(family_dir.join("mod.rs")).unwrap_or_default();
        let Some(listed) = listed_rules(&mod_rs) else {
            problems.push(format!("src/rules/{family}/mod.rs has no `rules![...]`"));
            continue;
        };
        let declared = declared_modules(&mod_rs);
        let mut files: Vec<_> = std::fs::read_dir(&family_dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        let mut stems = BTreeSet::new();
        for file in files {
            if file.is_dir() {
                problems.push(format!(
                    "{}: rule files live directly in the family folder",
                    file.display()
                ));
                continue;
            }
            if file.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
            if stem == "mod" {
                continue;
            }
            stems.insert(stem.clone());
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            let declares_rule = text.contains("rule! {") || text.contains("rule!{");
            let relative = format!("src/rules/{family}/{stem}.rs");
            if listed.contains(&stem) {
                let Some(rule) = sources.get(&relative) else {
                    problems.push(format!(
                        "{relative} is in `rules![...]` but its rule is not in registry::all() \
                         (is the family in src/registry.rs?)"
                    ));
                    continue;
                };
                let snake = rule.name.replace('-', "_");
                if snake != stem {
                    problems.push(format!(
                        "{relative}: the file of rule `{}` must be named {snake}.rs",
                        rule.name
                    ));
                }
                if rule.family != family {
                    problems.push(format!(
                        "{relative}: family `{}` but the folder is `{family}`",
                        rule.family
                    ));
                }
            } else if declares_rule {
                problems.push(format!(
                    "{relative} declares a rule but is not listed in src/rules/{family}/mod.rs \
                     `rules![...]`"
                ));
            } else if !declared.contains(&stem) {
                problems.push(format!(
                    "{relative} is neither in `rules![...]` nor declared with `mod {stem};`: \
                     Cargo ignores it"
                ));
            }
        }
        for name in &listed {
            if !stems.contains(name) {
                problems.push(format!(
                    "src/rules/{family}/mod.rs lists `{name}` but there is no {name}.rs"
                ));
            }
        }
    }
    for file in sources.keys() {
        if !crate_root.join(file).is_file() {
            problems.push(format!("a registered rule's source {file} does not exist"));
        }
    }
    problems
}

#[test]
fn every_rule_file_is_registered() {
    let problems = registration_problems(&manifest(""), &registered_sources());
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_registration_check_catches_a_forgotten_file() {
    let root = std::env::temp_dir().join(format!("mlready-test-registry-{}", std::process::id()));
    let family = root.join("src/rules/repro");
    std::fs::create_dir_all(&family).unwrap();
    let write = |name: &str, text: &str| std::fs::write(family.join(name), text).unwrap();
    write(
        "mod.rs",
        "//! Repro.\n\nmod helpers;\ncrate::rule::rules![seeded, named_wrong];\n",
    );
    write("seeded.rs", "crate::rule::rule! { code: \"REPRO001\" }\n");
    write(
        "named_wrong.rs",
        "crate::rule::rule! { code: \"REPRO002\" }\n",
    );
    write("helpers.rs", "pub fn help() {}\n");
    write(
        "forgotten.rs",
        "crate::rule::rule! { code: \"REPRO003\" }\n",
    );
    write("orphan.rs", "pub fn orphan() {}\n");
    let sources = BTreeMap::from([
        (
            "src/rules/repro/seeded.rs".to_string(),
            Registered {
                name: "seeded".into(),
                family: "repro".into(),
            },
        ),
        (
            "src/rules/repro/named_wrong.rs".to_string(),
            Registered {
                name: "right-name".into(),
                family: "repro".into(),
            },
        ),
    ]);
    let problems = registration_problems(&root, &sources);
    let _ = std::fs::remove_dir_all(&root);
    let text = problems.join("\n");
    assert_eq!(problems.len(), 3, "{text}");
    assert!(
        text.contains("forgotten.rs declares a rule but is not listed"),
        "{text}"
    );
    assert!(text.contains("orphan.rs is neither"), "{text}");
    assert!(text.contains("must be named right_name.rs"), "{text}");
}

/// Every code named by an `expect:` comment in a file under `fixtures/`.
fn expected_codes() -> BTreeMap<String, Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&manifest("fixtures"), &mut files);
    let mut codes: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for file in files {
        let bytes = std::fs::read(&file).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        for (at, _) in text.match_indices("expect:") {
            let rest = &text[at + "expect:".len()..];
            let end = rest.find(['\n', '"', '\\']).unwrap_or(rest.len());
            for word in rest[..end].split([',', ' ', '\t']) {
                if split_code(word).is_some() {
                    codes
                        .entry(word.to_string())
                        .or_default()
                        .push(file.clone());
                }
            }
        }
    }
    codes
}

fn missing_fixtures(engine: bool) -> Vec<&'static str> {
    let expected = expected_codes();
    rules()
        .into_iter()
        .filter(|rule| matches!(rule.check, Check::Engine) == engine)
        .filter(|rule| !expected.contains_key(rule.code))
        .map(|rule| rule.code)
        .collect()
}

#[test]
fn every_rule_has_a_fixture() {
    let missing = missing_fixtures(false);
    assert!(
        missing.is_empty(),
        "no fixture under fixtures/ has `# expect: CODE` for: {missing:?}"
    );
}

#[test]
fn every_engine_rule_has_a_fixture() {
    let missing = missing_fixtures(true);
    assert!(
        missing.is_empty(),
        "no fixture under fixtures/ has `# expect: CODE` for the engine rules: {missing:?}"
    );
}

#[test]
fn fixture_expectations_name_known_rules() {
    let known: BTreeSet<&str> = rules().iter().map(|r| r.code).collect();
    let unknown: Vec<String> = expected_codes()
        .into_iter()
        .filter(|(code, _)| !known.contains(code.as_str()))
        .map(|(code, files)| format!("{code} in {}", files[0].display()))
        .collect();
    assert!(unknown.is_empty(), "unknown codes expected: {unknown:?}");
}

#[test]
fn the_registry_helpers_parse_what_they_read() {
    assert_eq!(
        listed_rules("//! doc\n\ncrate::rule::rules![\n    a_b,\n    c,\n];\n"),
        Some(vec!["a_b".to_string(), "c".to_string()])
    );
    assert_eq!(listed_rules("mod x;"), None);
    assert_eq!(
        declared_modules("mod helpers;\npub(crate) mod shared;\n// mod commented;\n"),
        BTreeSet::from(["helpers".to_string(), "shared".to_string()])
    );
    assert_eq!(split_code("LEAK001"), Some(("LEAK", "001")));
    assert_eq!(split_code("leak001"), None);
    assert_eq!(split_code("LEAK01"), None);
}

/// The README's rule table says each rule's severities and tier as the registry does.
#[test]
fn readme_rule_table_shows_each_tier() {
    let readme = std::fs::read_to_string(manifest("README.md")).expect("README.md");
    for rule in rules() {
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| {} | {} |", rule.code, rule.name)))
            .unwrap_or_else(|| panic!("{} has no row in the README's rule table", rule.code));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let severities: Vec<&str> = rule.severities().iter().map(|s| s.as_str()).collect();
        assert_eq!(
            cells.get(3).copied().unwrap_or(""),
            severities.join(" / "),
            "{}: the severity column says what `also` in the rule declares: {row}",
            rule.code
        );
        let tier = cells.get(5).copied().unwrap_or("");
        let expected = if rule.preview {
            "preview".to_string()
        } else if rule.preview_at.is_empty() {
            "default".to_string()
        } else {
            let branches: Vec<&str> = rule.preview_at.iter().map(|s| s.as_str()).collect();
            format!("default ({}: preview)", branches.join("/"))
        };
        assert_eq!(tier, expected, "{}: {row}", rule.code);
    }
}
