//! Reading files named by users or met in their projects, which may be anything: only regular
//! files are opened. Reading a named pipe waits for a writer forever, and reading a device may
//! never end, so what a path holds is looked at first (issue 12).

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Why a path gave no contents.
#[derive(Debug)]
pub enum NotRead {
    /// Nothing is there.
    Missing,
    /// A symbolic link whose target does not exist (the target as the link says it).
    DanglingLink(PathBuf),
    /// A folder.
    Folder,
    /// A named pipe, a socket or a device (what it is): never opened.
    Special(&'static str),
    /// The file is there but reading it failed (permissions, not UTF-8 for text, ...).
    Io(io::Error),
}

impl fmt::Display for NotRead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotRead::Missing => write!(f, "no such file or directory"),
            NotRead::DanglingLink(target) => {
                write!(f, "dangling symbolic link to `{}`", target.display())
            }
            NotRead::Folder => write!(f, "a folder, not a file"),
            NotRead::Special(kind) => write!(f, "not a regular file ({kind})"),
            NotRead::Io(err) => write!(f, "{err}"),
        }
    }
}

/// What stands at `path`, when it is a regular file (symlinks followed).
pub fn regular(path: &Path) -> Result<std::fs::Metadata, NotRead> {
    let metadata = std::fs::metadata(path).map_err(|err| missing_or(path, err))?;
    if metadata.is_dir() {
        return Err(NotRead::Folder);
    }
    if !metadata.is_file() {
        return Err(NotRead::Special(special_kind(&metadata.file_type())));
    }
    Ok(metadata)
}

/// The bytes of `path`, when it is a regular file; nothing else is opened.
pub fn read(path: &Path) -> Result<Vec<u8>, NotRead> {
    regular(path)?;
    std::fs::read(path).map_err(|err| missing_or(path, err))
}

/// The bytes of `path` when it is a regular file, else nothing, without asking why: for the
/// lookups that probe many places where most are not there (a module's candidate files), one
/// `stat` each, where [`read`] also looks for a dangling link to name it.
pub fn read_if_regular(path: &Path) -> Option<Vec<u8>> {
    let metadata = std::fs::metadata(path).ok()?;
    if !metadata.is_file() {
        return None;
    }
    std::fs::read(path).ok()
}

/// The text of `path`, when it is a regular UTF-8 file; nothing else is opened.
pub fn read_text(path: &Path) -> Result<String, NotRead> {
    regular(path)?;
    std::fs::read_to_string(path).map_err(|err| missing_or(path, err))
}

/// `err` as a [`NotRead`]: a path that is not there is missing, or a dangling link.
pub fn missing_or(path: &Path, err: io::Error) -> NotRead {
    if err.kind() != io::ErrorKind::NotFound {
        return NotRead::Io(err);
    }
    match std::fs::read_link(path) {
        Ok(target) => NotRead::DanglingLink(target),
        Err(_) => NotRead::Missing,
    }
}

/// What a file that is neither regular nor a folder is.
pub fn special_kind(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    let _ = kind;
    "a special file"
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::testutil::TempDir;

    #[test]
    fn only_regular_files_are_read() {
        let tmp = TempDir::new("files");
        let file = tmp.write("a.toml", "x = 1\n");
        assert_eq!(read_text(&file).unwrap(), "x = 1\n");
        assert!(matches!(read(&tmp.0), Err(NotRead::Folder)));
        assert!(matches!(read(&tmp.0.join("none")), Err(NotRead::Missing)));
        let link = tmp.0.join("link");
        std::os::unix::fs::symlink("gone.toml", &link).unwrap();
        let err = read(&link).unwrap_err();
        assert_eq!(err.to_string(), "dangling symbolic link to `gone.toml`");
        let pipe = tmp.0.join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&pipe).status();
        assert!(made.is_ok_and(|s| s.success()));
        // Opening the pipe would block this test forever.
        let err = read_text(&pipe).unwrap_err();
        assert_eq!(err.to_string(), "not a regular file (a named pipe)");
        // The probe that does not say why: the file's bytes, else nothing, the pipe unopened.
        assert_eq!(read_if_regular(&file).unwrap(), b"x = 1\n");
        for nothing in [&tmp.0, &tmp.0.join("none"), &link, &pipe] {
            assert_eq!(read_if_regular(nothing), None, "{}", nothing.display());
        }
        let latin = tmp.0.join("latin.toml");
        std::fs::write(&latin, b"\xe9\n").unwrap();
        assert!(matches!(read_text(&latin), Err(NotRead::Io(_))));
    }
}
