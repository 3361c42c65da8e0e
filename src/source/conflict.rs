//! Git merge-conflict markers left in a file: `<<<<<<< ours`, `|||||||  base` (diff3),
//! `=======`, `>>>>>>> theirs`, each at the start of a line. A notebook holding them is not
//! JSON, and a script holding them is not Python: the finding names the conflict and its line
//! instead of the parser's first complaint.

/// The first conflict of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// 1-based line of the first marker.
    pub line: usize,
    /// Byte offset of that line's start.
    pub offset: usize,
    /// The marker line as written (without its line break), shortened for a message.
    pub marker: String,
    /// How many conflicts the text holds (its `<<<<<<<` lines; at least 1).
    pub count: usize,
}

/// The kind of marker a line is, if it is one. A marker is exactly seven characters,
/// alone or followed by a space (and a label): `<<<<<<<<` is not one.
fn marker(line: &str) -> Option<char> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    ['<', '|', '=', '>'].into_iter().find(|&c| {
        let seven = &line.as_bytes()[..line.len().min(7)];
        let rest = line.get(7..).unwrap_or("");
        seven.len() == 7
            && seven.iter().all(|&b| b == c as u8)
            && match c {
                '=' => rest.trim().is_empty(),
                _ => rest.is_empty() || rest.starts_with(' '),
            }
    })
}

/// Every marker line of `text`, in order: (1-based line, byte offset of its start, the line as
/// written, shortened for a message, and the kind of marker).
fn markers(text: &str) -> Vec<(usize, usize, String, char)> {
    let mut found = Vec::new();
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.strip_suffix('\n').unwrap_or(line);
        if let Some(kind) = marker(bare) {
            let shown: String = bare.trim_end().chars().take(60).collect();
            found.push((index + 1, offset, shown, kind));
        }
        offset += line.len();
    }
    found
}

/// The merge conflicts of `text`, described by their first marker line for which `pick`
/// (given the marker's byte range) is true; none when the text holds no opening (`<<<<<<<`)
/// or closing (`>>>>>>>`) marker: a lone `=======` line is not taken for a conflict.
pub fn find_where(text: &str, pick: impl Fn(usize, usize) -> bool) -> Option<Conflict> {
    let all = markers(text);
    let opening = all.iter().filter(|m| m.3 == '<').count();
    if opening == 0 && !all.iter().any(|m| m.3 == '>') {
        return None;
    }
    let (line, offset, marker, _) = all
        .into_iter()
        .find(|(_, offset, marker, _)| pick(*offset, offset + marker.len()))?;
    Some(Conflict {
        line,
        offset,
        marker,
        count: opening.max(1),
    })
}

/// The merge conflicts of `text`, described by their first marker line.
pub fn find(text: &str) -> Option<Conflict> {
    find_where(text, |_, _| true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_seven_characters_at_the_start_of_a_line() {
        assert_eq!(marker("<<<<<<< HEAD"), Some('<'));
        assert_eq!(marker("<<<<<<<"), Some('<'));
        assert_eq!(marker("<<<<<<< HEAD\r"), Some('<'));
        assert_eq!(marker("======="), Some('='));
        assert_eq!(marker("=======  "), Some('='));
        assert_eq!(marker(">>>>>>> feature/x"), Some('>'));
        assert_eq!(marker("||||||| merged common ancestors"), Some('|'));
        assert_eq!(marker("<<<<<<<< HEAD"), None);
        assert_eq!(marker("<<<<<<<HEAD"), None);
        assert_eq!(marker(" <<<<<<< HEAD"), None);
        assert_eq!(marker("======= x"), None);
        assert_eq!(marker("x = 1"), None);
        assert_eq!(marker(""), None);
        assert_eq!(marker("<<"), None);
        assert_eq!(marker("é<<<<<<"), None);
    }

    #[test]
    fn the_first_marker_is_reported_with_the_number_of_conflicts() {
        let text = "{\n <<<<<<< HEAD\n\"a\": [\n<<<<<<< HEAD\nx\n=======\ny\n>>>>>>> b\n\
                    <<<<<<< HEAD\n=======\n>>>>>>> b\n";
        let found = find(text).unwrap();
        assert_eq!(found.line, 4);
        assert_eq!(found.offset, text.find("<<<<<<< HEAD\nx").unwrap());
        assert_eq!(found.marker, "<<<<<<< HEAD");
        assert_eq!(found.count, 2);
        assert_eq!(find("a\n=======\nb\n"), None);
        assert_eq!(find("{}"), None);
        assert_eq!(find(""), None);
        let closing_only = find("x\n>>>>>>> theirs").unwrap();
        assert_eq!((closing_only.line, closing_only.count), (2, 1));
        let picked = find_where(text, |start, _| start > 30).unwrap();
        assert_eq!((picked.line, picked.count), (6, 2));
        assert_eq!(find_where(text, |_, _| false), None);
    }

    /// Markers anywhere (first or last line, no final newline, inside what would be a
    /// string, next to multi-byte characters, CRLF) never panic and are found at their line.
    #[test]
    fn markers_at_odd_places_never_panic() {
        let pieces = [
            "<<<<<<< HEAD",
            "=======",
            ">>>>>>> b",
            "\"x = '<<<<<<< HEAD'\"",
            "é",
            "",
            "\r",
            "<<<<<<<",
            "{\"cells\": [",
            "日本語 >>>>>>> x",
            "|||||||",
        ];
        let mut seed: u64 = 7;
        for _ in 0..3000 {
            let mut text = String::new();
            let lines = (seed % 7) as usize;
            for _ in 0..lines {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
                if seed & 1 == 0 {
                    text.push('\n');
                } else if seed & 2 == 0 {
                    text.push_str("\r\n");
                }
            }
            seed = seed.wrapping_add(1);
            if let Some(found) = find(&text) {
                assert!(text.is_char_boundary(found.offset), "{text:?}");
                assert!(
                    text[found.offset..].starts_with(&found.marker[..1]),
                    "{text:?}"
                );
                assert!(found.count >= 1);
            }
            let _ =
                crate::source::notebook::load("a.ipynb".into(), "a.ipynb".into(), text.as_bytes());
        }
    }
}
