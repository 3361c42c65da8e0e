//! "Did you mean": the rule code, family prefix or rule name closest to a misspelt one, for
//! the messages about unknown rules in suppressions, selectors and `mlready rule`.

use crate::registry;

/// The code, family prefix or name of a registered rule that `text` most likely misspells
/// (`LAEK001` → `LEAK001`, `LAEK` → `LEAK`, `preprocesing-before-split` →
/// `preprocessing-before-split`), or `None` when nothing is close or two are equally close.
pub fn rule(text: &str) -> Option<String> {
    let mut candidates: Vec<String> = Vec::new();
    for rule in registry::all() {
        candidates.push(rule.code.to_string());
        candidates.push(rule.name.to_string());
        let family: String = rule
            .code
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .collect();
        if !candidates.contains(&family) {
            candidates.push(family);
        }
    }
    closest(text, candidates.iter().map(String::as_str)).map(str::to_string)
}

/// The candidate closest to `text` (case-insensitive), when it is within a third of the
/// text's length (at least 1 edit, at most 3) and no other candidate is as close. A tie is
/// no suggestion: a leakage code that no rule has is one digit from `LEAK001` and from
/// `LEAK002` alike, and guessing one of them would mislead.
pub fn closest<'a>(text: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let text = text.trim().to_ascii_lowercase();
    if text.is_empty() {
        return None;
    }
    let limit = (text.chars().count() / 3).clamp(1, 3);
    let mut best: Option<(usize, &'a str)> = None;
    let mut tied = false;
    for candidate in candidates {
        let distance = distance(&text, &candidate.to_ascii_lowercase());
        if distance == 0 || distance > limit {
            continue;
        }
        match best {
            Some((known, _)) if distance > known => {}
            Some((known, _)) if distance == known => tied = true,
            _ => {
                best = Some((distance, candidate));
                tied = false;
            }
        }
    }
    if tied { None } else { best.map(|(_, c)| c) }
}

/// Edit distance counting an insertion, a deletion, a substitution or the swap of two
/// neighbouring characters as one edit (optimal string alignment): `LAEK` is one edit from
/// `LEAK`, the typo people make.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: the one before the previous is needed for swaps.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_a_swap_as_one_edit() {
        assert_eq!(distance("laek001", "leak001"), 1);
        assert_eq!(distance("leak01", "leak001"), 1);
        assert_eq!(distance("leak001", "leak001"), 0);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("selcet", "select"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn misspelt_codes_prefixes_and_names_get_the_registered_one() {
        assert_eq!(rule("LAEK001").as_deref(), Some("LEAK001"));
        assert_eq!(rule("laek001").as_deref(), Some("LEAK001"));
        assert_eq!(rule("LAEK").as_deref(), Some("LEAK"));
        assert_eq!(rule("SKEWW").as_deref(), Some("SKEW"));
        assert_eq!(rule("LEA").as_deref(), Some("LEAK"));
        assert_eq!(rule("REPOR006").as_deref(), Some("REPRO006"));
        assert_eq!(
            rule("preprocesing-before-split").as_deref(),
            Some("preprocessing-before-split")
        );
        assert_eq!(
            rule("absolute_local_path").as_deref(),
            Some("absolute-local-path")
        );
    }

    #[test]
    fn nothing_is_suggested_when_nothing_is_close_or_two_are_as_close() {
        assert_eq!(rule("E501"), None);
        assert_eq!(rule("XYZ123"), None);
        assert_eq!(rule("totally-unrelated-words"), None);
        assert_eq!(rule(""), None);
        // A leakage code no rule has is one digit from several that exist: no guess.
        let unwritten = (1..10)
            .map(|n| format!("LEAK{n:03}"))
            .find(|code| crate::registry::find(code).is_none())
            .expect("a free LEAK00N code");
        assert_eq!(rule(&unwritten), None);
        // A registered code is not a misspelling of another.
        assert_eq!(closest("LEAK001", ["LEAK001"]), None);
    }

    #[test]
    fn short_texts_allow_one_edit_and_long_ones_at_most_three() {
        assert_eq!(closest("ab", ["ac"]), Some("ac"));
        assert_eq!(closest("ab", ["cd"]), None);
        assert_eq!(
            closest("abcdefghijklmnopqrstu", ["abcdefghijklmnopqrxyz"]),
            Some("abcdefghijklmnopqrxyz")
        );
        assert_eq!(
            closest("abcdefghijklmnopqrstu", ["abcdefghijklmnopqwxyz"]),
            None
        );
    }
}
