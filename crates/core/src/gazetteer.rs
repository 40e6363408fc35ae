//! Leftmost-longest search for the tables' names in a text: the segmenter's hottest loop.
//!
//! At each character a name could start at, the longest name starting there is looked up in a
//! character-wise double-array trie (crawdad); when there is one, the search goes on after it.
//! That is the leftmost-longest rule of an Aho-Corasick automaton, found without one: an
//! automaton walks every character through states and failure links spread over a megabyte,
//! where most positions of a report start no name. So before the trie, a filter of 8 KiB (it
//! stays in the L1 cache) looks at the first two characters: only where they could begin a name
//! (about one position in seven in a report) does the trie walk. Time stays linear: a walk
//! never goes past the longest name.

use anyhow::{anyhow, Result};

/// The filter's bits: a hash of a position's first two characters sets or tests one of them.
const FILTER_BITS: u32 = 16;
const FILTER_WORDS: usize = 1 << (FILTER_BITS - 6);
/// crawdad's trie reserves this character to mark a key that is a prefix of another: the walk
/// must stop before it, or it would read a match one character past the key.
const TRIE_END_MARKER: char = crawdad::END_MARKER;

/// The names of the tables, each with a value, searched leftmost-longest.
pub struct Gazetteer {
    /// None when there are no names (a data folder may empty every table).
    trie: Option<crawdad::Trie>,
    starts: StartFilter,
}

impl Gazetteer {
    /// A gazetteer of `names`, each with its value; no name may be empty or listed twice.
    pub fn new<'n>(names: impl IntoIterator<Item = (&'n str, u32)>) -> Result<Self> {
        let names: Vec<(&str, u32)> = names.into_iter().collect();
        if let Some((name, _)) = names.iter().find(|(n, _)| n.contains(TRIE_END_MARKER)) {
            return Err(anyhow!("the name {name:?} holds the character U+FFFF"));
        }
        let starts = StartFilter::new(names.iter().map(|(n, _)| *n));
        let trie = if names.is_empty() {
            None
        } else {
            Some(crawdad::Trie::from_records(names).map_err(|e| anyhow!("{e}"))?)
        };
        Ok(Self { trie, starts })
    }

    /// Calls `found(start, end, value)` for every leftmost-longest match in `text`, in text order
    /// and without overlaps (byte offsets).
    pub fn for_each_match(&self, text: &str, mut found: impl FnMut(usize, usize, u32)) {
        let Some(trie) = &self.trie else {
            return;
        };
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let (may_start, first_width) = self.starts.test(eight_bytes_at(bytes, at));
            if may_start {
                if let Some((value, end)) = longest_at(trie, text, at) {
                    found(at, end, value);
                    at = end;
                    continue;
                }
            }
            at += first_width;
        }
    }
}

/// Whether a text may start with one of a set of names, by its first two characters: never a
/// miss, and for a text of Chinese words, a false hit about one time in seven with the names of
/// the tables. Its 8 KiB stay in the L1 cache.
pub struct StartFilter {
    /// Hashes of the first two characters of every name of two or more (a fixed size: the index
    /// needs no bounds check).
    pairs: Box<[u64; FILTER_WORDS]>,
    /// The names of one character (the form 委), as filter keys: tested one by one, exactly, as
    /// there are only a few, where a second filter would let through a common character.
    singles: Vec<u64>,
    /// One bit per single's last byte (mod 64): most positions fail the pair filter, and this
    /// one test spares them the exact comparisons.
    single_last_bytes: u64,
}

impl StartFilter {
    /// A filter of `names`; empty names are no names.
    pub fn new<'n>(names: impl IntoIterator<Item = &'n str>) -> Self {
        let mut pairs = Box::new([0u64; FILTER_WORDS]);
        let mut singles = Vec::new();
        let mut single_last_bytes = 0;
        for name in names.into_iter().filter(|n| !n.is_empty()) {
            let word = eight_bytes_at(name.as_bytes(), 0);
            let (pair, first_width) = start_key(word);
            if first_width == name.len() {
                singles.push(word & low_bytes(first_width));
                single_last_bytes |= last_byte_bit(word, first_width);
            } else {
                set(&mut pairs, pair);
            }
        }
        Self {
            pairs,
            singles,
            single_last_bytes,
        }
    }

    /// Whether `text` may start with a name.
    pub fn may_start(&self, text: &str) -> bool {
        !text.is_empty() && self.test(eight_bytes_at(text.as_bytes(), 0)).0
    }

    /// Whether the text whose first eight bytes are `word` may start with a name; and the width
    /// of its first character.
    #[inline(always)]
    fn test(&self, word: u64) -> (bool, usize) {
        let (pair, first_width) = start_key(word);
        let may_start = test(&self.pairs, pair)
            || (self.single_last_bytes & last_byte_bit(word, first_width) != 0
                && self.singles.contains(&(word & low_bytes(first_width))));
        (may_start, first_width)
    }
}

/// The longest name starting at byte `at` of `text`: its value and where it ends.
fn longest_at(trie: &crawdad::Trie, text: &str, at: usize) -> Option<(u32, usize)> {
    let rest = &text[at..];
    let haystack = rest.chars().take_while(|&c| c != TRIE_END_MARKER);
    let (value, chars) = trie.common_prefix_search(haystack).last()?;
    let end = rest
        .char_indices()
        .nth(chars)
        .map_or(rest.len(), |(i, _)| i);
    Some((value, at + end))
}

/// The eight bytes at `at`, zeros past the end, as a number (first byte lowest).
#[inline(always)]
fn eight_bytes_at(bytes: &[u8], at: usize) -> u64 {
    match bytes.get(at..at + 8) {
        Some(eight) => u64::from_le_bytes(eight.try_into().unwrap_or_default()),
        None => {
            let mut padded = [0u8; 8];
            let tail = bytes.get(at..).unwrap_or_default();
            padded[..tail.len()].copy_from_slice(tail);
            u64::from_le_bytes(padded)
        }
    }
}

/// The filter key of a position whose eight bytes are `word`: the bytes of its first two
/// characters (a zero byte stands for the end of the text); and the width of the first.
#[inline(always)]
fn start_key(word: u64) -> (u64, usize) {
    let first = width(word as u8);
    let second = width((word >> (8 * first)) as u8);
    (word & low_bytes(first + second), first)
}

/// The bit, of 64, of the last byte of the first character of `word`, which is `width` wide.
#[inline(always)]
fn last_byte_bit(word: u64, width: usize) -> u64 {
    1 << ((word >> (8 * (width - 1))) & 63)
}

/// A mask of the `n` (1 to 8) lowest bytes.
#[inline(always)]
fn low_bytes(n: usize) -> u64 {
    u64::MAX >> (8 * (8 - n))
}

/// The width of the UTF-8 character led by `lead`. Chinese characters (three bytes) take a
/// branch the CPU predicts, so the next position is known before this one's bytes are read.
#[inline(always)]
fn width(lead: u8) -> usize {
    if lead & 0xF0 == 0xE0 {
        3
    } else if lead < 0x80 {
        1
    } else if lead < 0xE0 {
        2
    } else {
        4
    }
}

#[inline(always)]
fn bit(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - FILTER_BITS)) as usize
}

fn set(bits: &mut [u64; FILTER_WORDS], key: u64) {
    let i = bit(key);
    bits[i >> 6] |= 1 << (i & 63);
}

#[inline(always)]
fn test(bits: &[u64; FILTER_WORDS], key: u64) -> bool {
    let i = bit(key);
    bits[i >> 6] & (1 << (i & 63)) != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn matches(names: &[&str], text: &str) -> Vec<(usize, usize, u32)> {
        let gazetteer = Gazetteer::new(names.iter().enumerate().map(|(i, n)| (*n, i as u32)))
            .expect("gazetteer");
        let mut found = Vec::new();
        gazetteer.for_each_match(text, |s, e, v| found.push((s, e, v)));
        found
    }

    /// The rule spelled out: at each position in turn, the longest name starting there.
    fn leftmost_longest_by_hand(names: &[&str], text: &str) -> Vec<(usize, usize, u32)> {
        let mut found = Vec::new();
        let mut at = 0;
        while at < text.len() {
            let longest = names
                .iter()
                .enumerate()
                .filter(|(_, n)| text[at..].starts_with(**n))
                .max_by_key(|(_, n)| n.len());
            match longest {
                Some((i, n)) => {
                    found.push((at, at + n.len(), i as u32));
                    at += n.len();
                }
                None => at += text[at..].chars().next().map_or(1, char::len_utf8),
            }
        }
        found
    }

    #[test]
    fn the_longest_name_at_the_leftmost_start_wins() {
        let names = ["天津市", "天津市司法局", "司法局", "市司法"];
        // 天津市司法局 at 0 hides 市司法 and 司法局 inside it.
        assert_eq!(matches(&names, "在天津市司法局"), vec![(3, 21, 1)]);
        assert_eq!(matches(&names, "天津市人民"), vec![(0, 9, 0)]);
    }

    #[test]
    fn names_of_one_character_and_at_the_end_are_found() {
        let names = ["法", "民法典"];
        assert_eq!(matches(&names, "宪法"), vec![(3, 6, 0)]);
        assert_eq!(matches(&names, "学民法典"), vec![(3, 12, 1)]);
    }

    #[test]
    fn the_trie_end_marker_in_a_text_is_no_part_of_a_name() {
        // crawdad marks a key that prefixes another with U+FFFF; the text's own U+FFFF must not
        // lengthen the match 世界 into 世界\u{ffff}.
        let names = ["世界", "世界中"];
        assert_eq!(matches(&names, "世界\u{ffff}中"), vec![(0, 6, 0)]);
        assert!(Gazetteer::new([("a\u{ffff}", 0)]).is_err());
    }

    #[test]
    fn no_names_find_nothing() {
        assert_eq!(matches(&[], "天津市"), vec![]);
    }

    proptest! {
        #[test]
        fn the_search_is_the_rule_spelled_out(
            names in prop::collection::btree_set("[天津市区法a-c]{1,4}", 1..12),
            text in "[天津市区法a-c。\u{ffff}]{0,40}",
        ) {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            prop_assert_eq!(matches(&names, &text), leftmost_longest_by_hand(&names, &text));
        }
    }
}
