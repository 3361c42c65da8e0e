//! The cache of per-file results (DESIGN.md, `--no-cache`, `--cache-dir`): what analysing one
//! file produced (its findings, its inline suppressions and its project summary), stored so that
//! a run over unchanged files parses nothing and the project stage joins stored summaries.
//!
//! One pack per project and settings: `<cache dir>/<build>/<project and settings key>.pack`,
//! where the cache dir is `.mlready_cache/` at the project root unless `--cache-dir` or
//! `MLREADY_CACHE_DIR` names another. A pack maps each file's display path to the digest of
//! the content it was made from, the digests of the other files its analysis read (imported
//! constant modules), and the encoded result. An entry is used only when all of these match
//! the files as they are now; the pack as a whole only when its header names this build and
//! these settings and its checksum holds. Anything else (a truncated, corrupt, foreign or
//! other-version pack) is ignored and rewritten, never trusted and never fatal. Packs are
//! written to a temporary file and renamed into place, so two runs at once never leave a torn
//! pack: the last one to finish wins.

use crate::finding::{Location, Severity, Span};
use crate::project::FileSummary;
use crate::registry;
use crate::report::{Diagnostic, RelatedLocation};
use crate::suppress::Directive;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use xxhash_rust::xxh3::{Xxh3, xxh3_64, xxh3_128};

/// The folder name of a project's cache, at its root.
pub const DIR_NAME: &str = ".mlready_cache";

/// The first bytes of every pack.
const MAGIC: &[u8; 8] = b"MLRCACHE";
/// The layout of packs; bumped whenever [`Stored`] or the pack layout changes shape.
const FORMAT: u32 = 1;

/// The digest of a file's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Digest(u64, u64);

pub fn digest(bytes: &[u8]) -> Digest {
    let value = xxh3_128(bytes);
    Digest((value >> 64) as u64, value as u64)
}

/// Identifies the settings that change a file's analysis: the rules run and the options of
/// the project summary. Everything else (severity overrides, per-file ignores, the output)
/// is applied after the cache, so changing it reuses the stored results.
pub fn settings_key(rules: &[&str], summary: Option<bool>) -> u64 {
    let mut hasher = Xxh3::new();
    let mut codes: Vec<&str> = rules.to_vec();
    codes.sort_unstable();
    for code in codes {
        hasher.update(code.as_bytes());
        hasher.update(b",");
    }
    hasher.update(match summary {
        None => b"no summary".as_slice(),
        Some(false) => b"summary",
        Some(true) => b"summary, declared entries",
    });
    hasher.digest()
}

/// This build of mlready: its version, and the size and time of the executable, so that a
/// rebuilt binary of the same version never reads results an older build wrote.
pub fn build_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let version = env!("CARGO_PKG_VERSION");
        let stamp = std::env::current_exe()
            .and_then(std::fs::metadata)
            .ok()
            .map(|meta| {
                let modified = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                xxh3_64(format!("{}:{modified}", meta.len()).as_bytes())
            });
        match stamp {
            Some(stamp) => format!("{version}-{stamp:016x}"),
            None => version.to_string(),
        }
    })
}

/// A finding of one file as stored: its file is the entry's, its rule is found again by code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredDiagnostic {
    code: String,
    severity: Severity,
    start: Location,
    end: Location,
    span: Span,
    message: String,
    help: Option<String>,
    /// Related places, all in the same file.
    related: Vec<(Location, Span, String)>,
    preview: bool,
}

impl StoredDiagnostic {
    pub fn of(diagnostic: &Diagnostic) -> StoredDiagnostic {
        StoredDiagnostic {
            code: diagnostic.code.to_string(),
            severity: diagnostic.severity,
            start: diagnostic.start,
            end: diagnostic.end,
            span: diagnostic.span,
            message: diagnostic.message.clone(),
            help: diagnostic.help.clone(),
            related: diagnostic
                .related
                .iter()
                .map(|r| (r.location, r.span, r.message.clone()))
                .collect(),
            preview: diagnostic.preview,
        }
    }

    /// The diagnostic again, at `path`; `None` when this build has no rule of that code.
    fn restore(self, path: &str) -> Option<Diagnostic> {
        let rule = registry::all().find(|rule| rule.code == self.code)?;
        Some(Diagnostic {
            code: rule.code,
            name: rule.name,
            severity: self.severity,
            path: path.to_string(),
            start: self.start,
            end: self.end,
            span: self.span,
            message: self.message,
            help: self.help,
            related: self
                .related
                .into_iter()
                .map(|(location, span, message)| RelatedLocation {
                    path: path.to_string(),
                    location,
                    span,
                    message,
                    file: None,
                })
                .collect(),
            file: None,
            preview: self.preview,
        })
    }
}

/// What analysing one file produced.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Stored {
    pub diagnostics: Vec<StoredDiagnostic>,
    pub directives: Vec<Directive>,
    pub summary: Option<FileSummary>,
}

/// A stored result, ready to use.
pub struct Restored {
    pub diagnostics: Vec<Diagnostic>,
    pub directives: Vec<Directive>,
    pub summary: Option<FileSummary>,
}

/// One file's entry, still encoded: a run decodes only the entries it uses, and writes the
/// others back as they were.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    digest: Digest,
    /// Other files the analysis read, with the digest of what it read (`None`: missing).
    reads: Vec<(PathBuf, Option<Digest>)>,
    body: Vec<u8>,
}

impl Entry {
    /// Encodes `stored`, made from content of `digest` while reading the files `reads`.
    pub fn new(
        digest: Digest,
        reads: Vec<(PathBuf, Option<Digest>)>,
        stored: &Stored,
    ) -> Option<Entry> {
        let body = postcard::to_stdvec(stored).ok()?;
        Some(Entry {
            digest,
            reads,
            body,
        })
    }

    /// The stored result, when it was made from `digest` and the files it read are
    /// unchanged; `path` is the display path its findings are reported at.
    pub fn restore(&self, digest: Digest, path: &str, reads: &ReadDigests) -> Option<Restored> {
        if self.digest != digest
            || !self
                .reads
                .iter()
                .all(|(read, seen)| reads.digest_of(read) == *seen)
        {
            return None;
        }
        let stored: Stored = postcard::from_bytes(&self.body).ok()?;
        let diagnostics = stored
            .diagnostics
            .into_iter()
            .map(|d| d.restore(path))
            .collect::<Option<Vec<_>>>()?;
        Some(Restored {
            diagnostics,
            directives: stored.directives,
            summary: stored.summary,
        })
    }
}

/// The digests of files read by analyses (imported constant modules), each read once a run.
#[derive(Default)]
pub struct ReadDigests {
    known: Mutex<HashMap<PathBuf, Option<Digest>>>,
}

impl ReadDigests {
    /// Digests as the analyses of this run see the files: `--stdin-filename`'s text stands in
    /// for its file, so a result that read it is valid only while the file on disk says the
    /// same.
    pub fn with_standing_in(path: &Path, bytes: &[u8]) -> ReadDigests {
        let known = HashMap::from([(path.to_path_buf(), Some(digest(bytes)))]);
        ReadDigests {
            known: Mutex::new(known),
        }
    }

    pub fn digest_of(&self, path: &Path) -> Option<Digest> {
        if let Some(known) = self.known.lock().ok().and_then(|k| k.get(path).copied()) {
            return known;
        }
        let found = crate::files::read_if_regular(path).map(|bytes| digest(&bytes));
        if let Ok(mut known) = self.known.lock() {
            known.insert(path.to_path_buf(), found);
        }
        found
    }
}

/// The stored results of one project under one set of settings, by display path (sorted, so
/// that the same results make the same pack).
pub struct Pack {
    /// Where the pack is read from and written to.
    path: PathBuf,
    /// The folder holding the pack's build folder, which gets a `.gitignore`.
    dir: PathBuf,
    header: Header,
    pub entries: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Header {
    format: u32,
    build: String,
    settings: u64,
    root: String,
}

impl Pack {
    /// The pack of the project at `root` under settings `key`, in `dir` (its cache folder):
    /// what was stored there, or an empty pack when nothing usable was.
    pub fn open(dir: &Path, root: &Path, key: u64) -> Pack {
        Pack::open_as(dir, root, key, build_id())
    }

    fn open_as(dir: &Path, root: &Path, key: u64, build: &str) -> Pack {
        let root = root.to_string_lossy().into_owned();
        let name = xxh3_64(format!("{root}\0{key:016x}").as_bytes());
        let header = Header {
            format: FORMAT,
            build: build.to_string(),
            settings: key,
            root,
        };
        let path = dir.join(sanitize(build)).join(format!("{name:016x}.pack"));
        let entries = crate::files::read(&path)
            .ok()
            .and_then(|bytes| decode(&bytes, &header))
            .unwrap_or_default();
        Pack {
            path,
            dir: dir.to_path_buf(),
            header,
            entries,
        }
    }

    /// Writes the pack: to a temporary file beside it, then renamed over it. A cache that
    /// cannot be written is no error: the next run analyses again.
    pub fn save(&self) -> std::io::Result<()> {
        let Some(folder) = self.path.parent() else {
            return Ok(());
        };
        // The folder is ours when it is `.mlready_cache` or mlready made it now.
        let ours = self.dir.file_name().is_some_and(|n| n == DIR_NAME)
            || std::fs::read_dir(&self.dir).map_or(true, |mut entries| entries.next().is_none());
        std::fs::create_dir_all(folder)?;
        mark_cache_dir(&self.dir, ours);
        prune_other_builds(&self.dir, folder);
        let bytes = encode(&self.header, &self.entries).map_err(std::io::Error::other)?;
        let temporary = folder.join(format!(
            ".{}.{}.{}.tmp",
            self.path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id(),
            unique()
        ));
        let written = std::fs::File::create(&temporary)
            .and_then(|mut file| file.write_all(&bytes).and_then(|()| file.sync_data()))
            .and_then(|()| std::fs::rename(&temporary, &self.path));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written
    }

    #[cfg(test)]
    fn path(&self) -> &Path {
        &self.path
    }
}

/// How long the folder of another build may go unused before a run of this one deletes it.
const STALE_BUILD: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// Deletes the folders other builds of mlready left in `dir` and have not written for a week:
/// every upgrade (and, for developers, every rebuild) starts a folder of its own, and nothing
/// else would ever remove the old ones. A build still in use keeps its folder fresh.
fn prune_other_builds(dir: &Path, current: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let stale = entry
            .metadata()
            .ok()
            .filter(|meta| meta.is_dir())
            .and_then(|meta| meta.modified().ok())
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age > STALE_BUILD);
        // Only a folder that is plainly one of ours: named like a build and holding nothing
        // but packs. `--cache-dir` may name a folder that holds other things too.
        if stale && path != current && is_build_name(&entry.file_name()) && holds_only_packs(&path)
        {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// `0.1.0-0123456789abcdef` or `0.1.0`: what [`sanitize`] makes of a [`build_id`].
fn is_build_name(name: &std::ffi::OsStr) -> bool {
    let Some(name) = name.to_str() else {
        return false;
    };
    let (version, stamp) = match name.rsplit_once('-') {
        Some((version, stamp)) => (version, Some(stamp)),
        None => (name, None),
    };
    let version_like = version.starts_with(|c: char| c.is_ascii_digit())
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-');
    let stamp_like =
        stamp.is_none_or(|s| s.len() == 16 && s.chars().all(|c| c.is_ascii_hexdigit()));
    version_like && stamp_like
}

/// Whether `folder` holds only pack files and temporary packs.
fn holds_only_packs(folder: &Path) -> bool {
    std::fs::read_dir(folder).is_ok_and(|entries| {
        entries.flatten().all(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            entry.file_type().is_ok_and(|t| t.is_file())
                && (name.ends_with(".pack") || name.ends_with(".tmp"))
        })
    })
}

/// A number no other temporary file of this process has used.
fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() as u64);
    (NEXT.fetch_add(1, Ordering::Relaxed) << 32) ^ nanos
}

/// A build id as a folder name.
fn sanitize(build: &str) -> String {
    build
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Gives a cache folder of mlready's own its `.gitignore` (so `git add .` never takes it) and
/// a `CACHEDIR.TAG` (so backup tools skip it), as ruff does. A folder named by `--cache-dir`
/// that already held other things is left as it is.
fn mark_cache_dir(dir: &Path, ours: bool) {
    let tag = dir.join("CACHEDIR.TAG");
    if !ours && !tag.exists() {
        return;
    }
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        let _ = std::fs::write(&ignore, "# Automatically created by mlready.\n*\n");
    }
    if !tag.exists() {
        let _ = std::fs::write(
            &tag,
            "Signature: 8a477f597d28d172789f06886806bc55\n\
             # This file is a cache directory tag created by mlready.\n\
             # For information about cache directory tags see https://bford.info/cachedir/\n",
        );
    }
}

/// `MAGIC`, the body's length and checksum, then the body: the header and the entries.
fn encode(header: &Header, entries: &BTreeMap<String, Entry>) -> Result<Vec<u8>, postcard::Error> {
    let body = postcard::to_stdvec(&(header, entries))?;
    let mut bytes = Vec::with_capacity(body.len() + 24);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&(body.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&xxh3_64(&body).to_le_bytes());
    bytes.extend_from_slice(&body);
    Ok(bytes)
}

/// The entries of a pack, when it is whole and was written by this build for `expected`.
fn decode(bytes: &[u8], expected: &Header) -> Option<BTreeMap<String, Entry>> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (length, rest) = rest.split_first_chunk::<8>()?;
    let (checksum, body) = rest.split_first_chunk::<8>()?;
    if u64::from_le_bytes(*length) != body.len() as u64
        || u64::from_le_bytes(*checksum) != xxh3_64(body)
    {
        return None;
    }
    let (header, entries): (Header, BTreeMap<String, Entry>) = postcard::from_bytes(body).ok()?;
    (header == *expected).then_some(entries)
}

/// The files a file's analysis read besides itself, recorded while it runs on this thread.
pub mod reads {
    use std::cell::RefCell;
    use std::path::{Path, PathBuf};

    thread_local! {
        static READS: RefCell<Option<Vec<PathBuf>>> = const { RefCell::new(None) };
    }

    /// Runs `analysis`, returning what it returned and the files it [`record`]ed.
    pub fn recording<T>(analysis: impl FnOnce() -> T) -> (T, Vec<PathBuf>) {
        let outer = READS.with(|r| r.borrow_mut().replace(Vec::new()));
        let value = analysis();
        let mut read = READS.with(|r| std::mem::replace(&mut *r.borrow_mut(), outer));
        let mut read = read.take().unwrap_or_default();
        read.sort();
        read.dedup();
        (value, read)
    }

    /// Notes that the analysis running on this thread read `path`.
    pub fn record(path: &Path) {
        READS.with(|r| {
            if let Some(read) = r.borrow_mut().as_mut() {
                read.push(path.to_path_buf());
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::TempDir;

    fn stored() -> Stored {
        Stored {
            diagnostics: vec![StoredDiagnostic {
                code: "LEAK001".into(),
                severity: Severity::Error,
                start: Location {
                    cell: Some(2),
                    line: 3,
                    column: 1,
                },
                end: Location {
                    cell: Some(2),
                    line: 3,
                    column: 9,
                },
                span: Span::new(10, 18),
                message: "scaler fitted on all rows".into(),
                help: Some("split first".into()),
                related: vec![(Location::default(), Span::new(0, 2), "here".into())],
                preview: false,
            }],
            directives: Vec::new(),
            summary: Some(FileSummary {
                path: "train.py".into(),
                feature_lists: vec![("FEATURES".into(), vec!["age".into()])],
                ..FileSummary::default()
            }),
        }
    }

    #[test]
    fn a_pack_round_trips_and_an_entry_is_used_only_for_the_same_content() {
        let dir = TempDir::new("cache");
        let root = dir.0.join("project");
        let content = digest(b"import sklearn\n");
        let mut pack = Pack::open(&dir.0.join(DIR_NAME), &root, 7);
        assert!(pack.entries.is_empty());
        let entry = Entry::new(content, Vec::new(), &stored()).unwrap();
        pack.entries.insert("train.py".into(), entry);
        pack.save().unwrap();
        assert!(dir.0.join(DIR_NAME).join(".gitignore").is_file());

        let again = Pack::open(&dir.0.join(DIR_NAME), &root, 7);
        let entry = &again.entries["train.py"];
        let reads = ReadDigests::default();
        let restored = entry.restore(content, "src/train.py", &reads).unwrap();
        assert_eq!(restored.diagnostics.len(), 1);
        assert_eq!(restored.diagnostics[0].code, "LEAK001");
        assert_eq!(restored.diagnostics[0].name, "preprocessing-before-split");
        assert_eq!(restored.diagnostics[0].path, "src/train.py");
        assert_eq!(restored.diagnostics[0].related[0].path, "src/train.py");
        assert_eq!(restored.summary.unwrap().feature_lists[0].1, vec!["age"]);
        assert!(
            entry
                .restore(digest(b"import sklearn\n\n"), "train.py", &reads)
                .is_none()
        );
    }

    #[test]
    fn another_build_other_settings_or_another_project_start_empty() {
        let dir = TempDir::new("cache");
        let cache = dir.0.join(DIR_NAME);
        let root = dir.0.join("project");
        let mut pack = Pack::open_as(&cache, &root, 7, "0.0.1-old");
        pack.entries.insert(
            "train.py".into(),
            Entry::new(digest(b"x"), Vec::new(), &stored()).unwrap(),
        );
        pack.save().unwrap();
        assert_eq!(
            Pack::open_as(&cache, &root, 7, "0.0.1-old").entries.len(),
            1
        );
        assert!(Pack::open_as(&cache, &root, 7, "0.0.2").entries.is_empty());
        assert!(
            Pack::open_as(&cache, &root, 8, "0.0.1-old")
                .entries
                .is_empty()
        );
        let other = dir.0.join("other");
        assert!(
            Pack::open_as(&cache, &other, 7, "0.0.1-old")
                .entries
                .is_empty()
        );
    }

    #[test]
    fn a_truncated_corrupt_or_foreign_pack_is_ignored_and_rewritten() {
        let dir = TempDir::new("cache");
        let cache = dir.0.join(DIR_NAME);
        let root = dir.0.join("project");
        let mut pack = Pack::open(&cache, &root, 1);
        pack.entries.insert(
            "train.py".into(),
            Entry::new(digest(b"x"), Vec::new(), &stored()).unwrap(),
        );
        pack.save().unwrap();
        let path = pack.path().to_path_buf();
        let whole = std::fs::read(&path).unwrap();

        let truncated = &whole[..whole.len() - 5];
        std::fs::write(&path, truncated).unwrap();
        assert!(Pack::open(&cache, &root, 1).entries.is_empty());

        let mut flipped = whole.clone();
        let last = flipped.len() - 3;
        flipped[last] ^= 0x55;
        std::fs::write(&path, &flipped).unwrap();
        assert!(Pack::open(&cache, &root, 1).entries.is_empty());

        std::fs::write(&path, b"{\"not\": \"a pack\"}").unwrap();
        let reopened = Pack::open(&cache, &root, 1);
        assert!(reopened.entries.is_empty());
        reopened.save().unwrap();
        assert!(Pack::open(&cache, &root, 1).entries.is_empty());
        assert_ne!(std::fs::read(&path).unwrap(), b"{\"not\": \"a pack\"}");
    }

    #[test]
    fn folders_other_builds_left_unused_for_a_week_are_removed() {
        let dir = TempDir::new("prune");
        let cache = dir.0.join(DIR_NAME);
        let root = dir.0.join("project");
        let old = cache.join("0.0.1-00000000000000ab");
        let recent = cache.join("0.0.2-00000000000000cd");
        for folder in [&old, &recent] {
            std::fs::create_dir_all(folder).unwrap();
            std::fs::write(folder.join("x.pack"), b"pack").unwrap();
        }
        let month_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(30 * 86400);
        std::fs::File::open(&old)
            .unwrap()
            .set_modified(month_ago)
            .unwrap();
        let mut pack = Pack::open(&cache, &root, 1);
        pack.entries.insert(
            "train.py".into(),
            Entry::new(digest(b"x"), Vec::new(), &stored()).unwrap(),
        );
        pack.save().unwrap();
        assert!(!old.exists(), "a week unused: removed");
        assert!(recent.exists(), "another build in use keeps its folder");
        assert!(pack.path().exists());
        assert!(cache.join(".gitignore").exists());
    }

    /// `--cache-dir` may name a folder that holds other things: nothing of them is removed,
    /// and the folder gets no `.gitignore`.
    #[test]
    fn a_shared_cache_dir_keeps_what_is_not_ours() {
        let dir = TempDir::new("shared-cache");
        let shared = dir.0.join("shared");
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(30 * 86400);
        let keep = [
            shared.join("important_project"),
            shared.join("0.0.9-notes"),
            shared.join("0.0.1-00000000000000aa"),
        ];
        for folder in &keep {
            std::fs::create_dir_all(folder).unwrap();
        }
        std::fs::write(keep[0].join("data.txt"), b"precious").unwrap();
        std::fs::write(keep[2].join("notes.txt"), b"not a pack").unwrap();
        for folder in &keep {
            std::fs::File::open(folder)
                .unwrap()
                .set_modified(old)
                .unwrap();
        }
        let mut pack = Pack::open(&shared, &dir.0.join("project"), 1);
        pack.entries.insert(
            "train.py".into(),
            Entry::new(digest(b"x"), Vec::new(), &stored()).unwrap(),
        );
        pack.save().unwrap();
        for folder in &keep {
            assert!(folder.exists(), "{}", folder.display());
        }
        assert!(!shared.join(".gitignore").exists());
        assert!(!shared.join("CACHEDIR.TAG").exists());
        assert!(pack.path().exists());
        assert!(is_build_name(std::ffi::OsStr::new(
            "0.1.0-0123456789abcdef"
        )));
        assert!(is_build_name(std::ffi::OsStr::new("0.1.0")));
        assert!(!is_build_name(std::ffi::OsStr::new("important_project")));
        assert!(!is_build_name(std::ffi::OsStr::new("0.0.9-notes")));
    }

    #[test]
    fn an_entry_whose_read_file_changed_is_not_used() {
        let dir = TempDir::new("cache");
        let constants = dir.0.join("features.py");
        std::fs::write(&constants, "FEATURES = ['age']\n").unwrap();
        let read = vec![(constants.clone(), Some(digest(b"FEATURES = ['age']\n")))];
        let entry = Entry::new(digest(b"x"), read, &stored()).unwrap();
        assert!(
            entry
                .restore(digest(b"x"), "train.py", &ReadDigests::default())
                .is_some()
        );
        std::fs::write(&constants, "FEATURES = ['age', 'income']\n").unwrap();
        assert!(
            entry
                .restore(digest(b"x"), "train.py", &ReadDigests::default())
                .is_none()
        );
    }

    #[test]
    fn a_finding_of_a_rule_this_build_lacks_makes_the_entry_unusable() {
        let mut unknown = stored();
        unknown.diagnostics[0].code = "GONE999".into();
        let entry = Entry::new(digest(b"x"), Vec::new(), &unknown).unwrap();
        assert!(
            entry
                .restore(digest(b"x"), "train.py", &ReadDigests::default())
                .is_none()
        );
    }

    #[test]
    fn reads_are_recorded_per_analysis() {
        let ((), read) = reads::recording(|| {
            reads::record(Path::new("b.py"));
            reads::record(Path::new("a.py"));
            reads::record(Path::new("b.py"));
        });
        assert_eq!(read, vec![PathBuf::from("a.py"), PathBuf::from("b.py")]);
        reads::record(Path::new("outside.py"));
        let ((), none) = reads::recording(|| ());
        assert!(none.is_empty());
    }
}
