//! Words a file's text must contain before the summary reads the tree for them: one SIMD
//! pass over the text (aho-corasick's packed searcher) instead of a walk of every node, so
//! the project stage adds little to files that have nothing to say to it.

use aho_corasick::AhoCorasick;
use aho_corasick::packed::Searcher;
use std::sync::OnceLock;

/// A set of words (given as several lists) searched in one pass.
pub struct Words {
    lists: &'static [&'static [&'static str]],
    packed: OnceLock<Option<Searcher>>,
    fallback: OnceLock<AhoCorasick>,
}

impl Words {
    pub const fn new(lists: &'static [&'static [&'static str]]) -> Words {
        Words {
            lists,
            packed: OnceLock::new(),
            fallback: OnceLock::new(),
        }
    }

    /// The words in order: bit i of [`Words::found`] is the i-th.
    fn words(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.lists.iter().flat_map(|list| list.iter().copied())
    }

    /// Which of the words occur in `text`, as a bit set (bit i: word i); a word that only
    /// occurs overlapping an earlier match may be missed, which only makes a caller read
    /// the tree less.
    pub fn found(&self, text: &str) -> u64 {
        debug_assert!(self.words().count() <= 64);
        let mut set = 0u64;
        match self.searcher() {
            Some(searcher) => {
                for found in searcher.find_iter(text) {
                    set |= 1 << found.pattern().as_usize();
                }
            }
            None => {
                for found in self.automaton().find_iter(text) {
                    set |= 1 << found.pattern().as_usize();
                }
            }
        }
        set
    }

    /// Whether any of the words occurs in `text`.
    pub fn any(&self, text: &str) -> bool {
        match self.searcher() {
            Some(searcher) => searcher.find(text).is_some(),
            None => self.automaton().is_match(text),
        }
    }

    /// The bit of `word` in [`Words::found`]'s set.
    pub fn bit(&self, word: &str) -> u64 {
        self.words().position(|w| w == word).map_or(0, |i| 1 << i)
    }

    fn searcher(&self) -> Option<&Searcher> {
        self.packed
            .get_or_init(|| Searcher::new(self.words()))
            .as_ref()
    }

    fn automaton(&self) -> &AhoCorasick {
        self.fallback
            .get_or_init(|| AhoCorasick::new(self.words()).expect("plain words build an automaton"))
    }
}

#[cfg(test)]
mod tests {
    use super::Words;

    static WORDS: Words = Words::new(&[&["ks_2samp", "print("], &["papermill"]]);

    #[test]
    fn finds_each_word_in_one_pass() {
        let found = WORDS.found("x = ks_2samp(a, b)\nprint(x)\n");
        assert_eq!(found, WORDS.bit("ks_2samp") | WORDS.bit("print("));
        assert!(WORDS.any("!papermill run.ipynb"));
        assert!(!WORDS.any("nothing here"));
        assert_eq!(WORDS.found(""), 0);
    }
}
