//! Limits on what one file may cost (issue 12): its size, the time its parse and model build
//! may take, and the memory they may claim. A file over a limit is reported (PARSE005) and the
//! run goes on with the others: one hostile file never takes the other files' results down.
//!
//! Size is checked before the file is read (and, for a notebook, again on the code of its
//! cells). Time and memory are checked cooperatively, from the parser's progress callback and
//! between the statements the model builder reads: [`exceeded`] is cheap enough to call often.
//! Memory is also checked before the parse, against an estimate of what the file will need,
//! because an allocation that fails aborts the process and loses every result.

use std::cell::RefCell;
use std::fmt;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The default for `max-file-size`: far above any hand-written source file.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10_000_000;
/// The default for `file-time-limit`: a 10 MB file of dense generated code parses and builds in
/// under 5 seconds on the development machine (its whole check takes 6), so a slower runner
/// has room; this is for inputs
/// that make the analysis crawl.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(30);
/// A notebook's JSON may be far larger than its code (images in outputs): it is read when it is
/// at most this many times `max-file-size`, and its code is then held to `max-file-size`.
pub const NOTEBOOK_FILE_FACTOR: u64 = 20;
/// Peak bytes of memory per byte of code, measured on dense generated code (about 95) with a
/// margin: the estimate checked before a file is parsed.
const BYTES_PER_BYTE: u64 = 120;
/// Peak bytes per byte of a notebook's JSON while it is parsed (measured up to 17).
const NOTEBOOK_BYTES_PER_BYTE: u64 = 20;
/// Of the memory the process may use, the share one file's analysis may bring it to.
const CEILING_SHARE: f64 = 0.85;
/// Below this estimate a file is started without looking at memory first (about 500 KB of
/// code, or a 3 MB notebook).
const SMALL_NEED: u64 = 64 << 20;
/// How many calls of [`exceeded`] between two looks at the clock and at memory.
const TICKS: u32 = 1024;

/// The configured per-file limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of code (a notebook's cells joined) beyond which a file is not analysed.
    pub max_file_size: u64,
    /// Time the parse and the model build of one file may take.
    pub time: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            time: DEFAULT_TIME_LIMIT,
        }
    }
}

/// Why the analysis of a file stopped before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// It ran past the time limit.
    Time(Duration),
    /// The process came near the memory it may use (bytes in use, bytes allowed).
    Memory { used: u64, allowed: u64 },
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Time(limit) => write!(
                f,
                "the analysis was stopped after {} (the per-file time limit)",
                seconds(*limit)
            ),
            Stop::Memory { used, allowed } => write!(
                f,
                "the analysis was stopped when mlready came to use {} of the {} it may use",
                size(*used),
                size(*allowed)
            ),
        }
    }
}

struct Budget {
    started: Instant,
    limit: Duration,
    ticks: u32,
    stopped: Option<Stop>,
}

thread_local! {
    static BUDGET: RefCell<Option<Budget>> = const { RefCell::new(None) };
}

/// Runs `work` (the parse and model build of one file) within `limits`: the returned stop says
/// whether, and why, [`exceeded`] told it to give up.
pub fn within<T>(limits: &Limits, work: impl FnOnce() -> T) -> (T, Option<Stop>) {
    BUDGET.with(|budget| {
        *budget.borrow_mut() = Some(Budget {
            started: Instant::now(),
            limit: limits.time,
            ticks: 0,
            stopped: None,
        });
    });
    let out = work();
    let stopped = BUDGET.with(|budget| budget.borrow_mut().take().and_then(|b| b.stopped));
    (out, stopped)
}

/// Whether the file being analysed on this thread is over its time or memory budget. Once it
/// says yes it keeps saying yes. Outside [`within`], never.
pub fn exceeded() -> bool {
    BUDGET.with(|budget| {
        let mut budget = budget.borrow_mut();
        let Some(budget) = budget.as_mut() else {
            return false;
        };
        if budget.stopped.is_some() {
            return true;
        }
        budget.ticks += 1;
        if budget.ticks < TICKS {
            return false;
        }
        budget.ticks = 0;
        if budget.started.elapsed() > budget.limit {
            budget.stopped = Some(Stop::Time(budget.limit));
        } else if let Some((used, allowed)) = over_memory(0) {
            budget.stopped = Some(Stop::Memory { used, allowed });
        }
        budget.stopped.is_some()
    })
}

/// Whether analysing `code_bytes` of code would likely bring the process past the memory it may
/// use: (the estimate of what it needs, what is left), when it would.
pub fn too_big_for_memory(code_bytes: u64) -> Option<(u64, u64)> {
    short_of(code_bytes.saturating_mul(BYTES_PER_BYTE))
}

/// [`too_big_for_memory`] for reading a notebook's JSON of `file_bytes`: parsed, a notebook
/// takes up to about 17 times its size (many small cells, long metadata arrays).
pub fn notebook_too_big_for_memory(file_bytes: u64) -> Option<(u64, u64)> {
    short_of(file_bytes.saturating_mul(NOTEBOOK_BYTES_PER_BYTE))
}

fn short_of(need: u64) -> Option<(u64, u64)> {
    // Most files need a few megabytes: reading /proc for each of thousands of them costs more
    // than it can save, and the checks during the build still watch them.
    if need < SMALL_NEED {
        return None;
    }
    over_memory(need).map(|(used, allowed)| (need, allowed.saturating_sub(used)))
}

/// (in use, allowed) when what the process uses plus `more` passes its ceiling.
fn over_memory(more: u64) -> Option<(u64, u64)> {
    let ceiling = ceiling()?;
    let usage = usage()?;
    if let Some(allowed) = ceiling.address_space
        && usage.address_space + more > allowed
    {
        return Some((usage.address_space, allowed));
    }
    if let Some(allowed) = ceiling.resident
        && usage.resident + more > allowed
    {
        return Some((usage.resident, allowed));
    }
    None
}

/// What the process may use: its address-space limit (`ulimit -v`), and the resident memory
/// its control group or the machine allows, each scaled by [`CEILING_SHARE`].
#[derive(Debug, Clone, Copy)]
struct Ceiling {
    address_space: Option<u64>,
    resident: Option<u64>,
}

fn ceiling() -> Option<Ceiling> {
    static CEILING: OnceLock<Option<Ceiling>> = OnceLock::new();
    *CEILING.get_or_init(|| {
        let scale = |bytes: u64| (bytes as f64 * CEILING_SHARE) as u64;
        let address_space = std::fs::read_to_string("/proc/self/limits")
            .ok()
            .and_then(|text| address_space_limit(&text))
            .map(scale);
        let machine = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|text| kib_field(&text, "MemTotal:"));
        let group = control_group_limit();
        let resident = match (machine, group) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
        .map(scale);
        (address_space.is_some() || resident.is_some()).then_some(Ceiling {
            address_space,
            resident,
        })
    })
}

struct Usage {
    address_space: u64,
    resident: u64,
}

fn usage() -> Option<Usage> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    Some(Usage {
        address_space: kib_field(&status, "VmSize:")?,
        resident: kib_field(&status, "VmRSS:")?,
    })
}

/// The soft "Max address space" of `/proc/self/limits`, in bytes, unless unlimited.
fn address_space_limit(limits: &str) -> Option<u64> {
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max address space"))?;
    let soft = line["Max address space".len()..]
        .split_whitespace()
        .next()?;
    soft.parse().ok()
}

/// A `Name:   1234 kB` field of `/proc/meminfo` or `/proc/self/status`, in bytes.
fn kib_field(text: &str, name: &str) -> Option<u64> {
    let line = text.lines().find(|line| line.starts_with(name))?;
    let kib: u64 = line[name.len()..].split_whitespace().next()?.parse().ok()?;
    Some(kib * 1024)
}

/// The memory limit of the process's control group (v2 `memory.max`, v1
/// `memory.limit_in_bytes`), when one is set.
fn control_group_limit() -> Option<u64> {
    let groups = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    for line in groups.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        let file = if controllers.is_empty() {
            format!("/sys/fs/cgroup{path}/memory.max")
        } else if controllers.split(',').any(|c| c == "memory") {
            format!("/sys/fs/cgroup/memory{path}/memory.limit_in_bytes")
        } else {
            continue;
        };
        if let Ok(text) = std::fs::read_to_string(file) {
            // "max", or a v1 "no limit" near u64::MAX, is no limit.
            if let Ok(bytes) = text.trim().parse::<u64>()
                && bytes < 1 << 60
            {
                return Some(bytes);
            }
        }
    }
    None
}

/// `10 MB`, `1.5 GB`, `512 KB`, `300 bytes` (decimal units, as `max-file-size` reads them).
pub fn size(bytes: u64) -> String {
    let b = bytes as f64;
    if bytes >= 1_000_000_000 {
        format!("{} GB", trim(b / 1e9))
    } else if bytes >= 1_000_000 {
        format!("{} MB", trim(b / 1e6))
    } else if bytes >= 1_000 {
        format!("{} KB", trim(b / 1e3))
    } else if bytes == 1 {
        "1 byte".to_string()
    } else {
        format!("{bytes} bytes")
    }
}

fn trim(value: f64) -> String {
    let text = format!("{value:.1}");
    text.strip_suffix(".0").unwrap_or(&text).to_string()
}

fn seconds(duration: Duration) -> String {
    let s = duration.as_secs_f64();
    if s >= 1.0 {
        format!("{} s", trim(s))
    } else {
        format!("{} ms", trim(s * 1e3))
    }
}

/// Reads a size: a number of bytes, or a number with a unit (`10MB`, `1.5 GB`, `500kb`;
/// decimal: 1 MB is 1,000,000 bytes).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size (write it like `10MB` or `500KB`)"))?;
    let scale = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" | "bytes" => 1.0,
        "kb" | "k" => 1e3,
        "mb" | "m" => 1e6,
        "gb" | "g" => 1e9,
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{text}`: use B, KB, MB or GB"
            ));
        }
    };
    let bytes = number * scale;
    if !bytes.is_finite() || bytes < 1.0 || bytes > u64::MAX as f64 {
        return Err(format!("`{text}` is not a size mlready can use"));
    }
    Ok(bytes as u64)
}

/// Reads a time limit in seconds (`20`, `0.5`).
pub fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .trim()
        .trim_end_matches('s')
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !seconds.is_finite() || seconds <= 0.0 || seconds > 1e9 {
        return Err(format!("`{text}` is not a time limit mlready can use"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_and_print_in_decimal_units() {
        assert_eq!(parse_size("10MB"), Ok(10_000_000));
        assert_eq!(parse_size("1.5 GB"), Ok(1_500_000_000));
        assert_eq!(parse_size("500kb"), Ok(500_000));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("10 TB").is_err());
        assert!(parse_size("0").is_err());
        assert_eq!(size(10_000_000), "10 MB");
        assert_eq!(size(23_456_789), "23.5 MB");
        assert_eq!(size(999), "999 bytes");
        assert_eq!(size(1), "1 byte");
        assert_eq!(parse_seconds("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_seconds("20s"), Ok(Duration::from_secs(20)));
        assert!(parse_seconds("-1").is_err());
        assert!(parse_seconds("0").is_err());
    }

    #[test]
    fn proc_fields_are_read_in_bytes() {
        let limits = "Limit                     Soft Limit           Hard Limit           Units\n\
                      Max address space         4294967296           unlimited            bytes\n";
        assert_eq!(address_space_limit(limits), Some(4_294_967_296));
        let unlimited =
            "Max address space         unlimited            unlimited            bytes\n";
        assert_eq!(address_space_limit(unlimited), None);
        assert_eq!(
            kib_field("VmRSS:\t   2048 kB\nVmSize: 1 kB", "VmRSS:"),
            Some(2048 * 1024)
        );
    }

    #[test]
    fn the_budget_stops_work_past_its_time_and_only_inside_within() {
        assert!(!exceeded());
        let limits = Limits {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            time: Duration::from_nanos(1),
        };
        let (calls, stopped) = within(&limits, || {
            let mut calls = 0;
            while !exceeded() {
                calls += 1;
                assert!(calls < 10 * TICKS, "the budget never stopped the work");
            }
            calls
        });
        assert!(calls >= TICKS - 1);
        assert_eq!(stopped, Some(Stop::Time(limits.time)));
        assert!(!exceeded(), "outside `within` nothing is stopped");
        let (_, stopped) = within(&Limits::default(), exceeded);
        assert_eq!(stopped, None);
    }
}
