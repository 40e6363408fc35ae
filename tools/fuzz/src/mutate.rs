//! A small seeded mutator for the stable bounded pass: the same seed gives the same inputs on
//! every machine, so a failure there is replayed by its seed. It does what libFuzzer's
//! mutators do most, plus what govkg's own input shapes make worth trying: the markup and
//! punctuation the readers and rules react to, inserted, and runs of them repeated.

/// Tokens the readers and the rules react to: quotation and title marks, brackets, HTML, DOCX
/// and Markdown markup, line ends, encodings' signatures, and words of the knowledge tables.
const TOKENS: &[&str] = &[
    "《",
    "》",
    "“",
    "”",
    "‘",
    "’",
    "「",
    "」",
    "〈",
    "〉",
    "（",
    "）",
    "(",
    ")",
    "[",
    "]",
    "](",
    "![",
    "<",
    ">",
    "</",
    "<p>",
    "</p>",
    "<div>",
    "</div>",
    "<b>",
    "</b>",
    "<font>",
    "<br>",
    "<table><tr><td>",
    "<!--",
    "-->",
    "<script>",
    "</script>",
    "<meta charset=gbk>",
    "&amp;",
    "&#x4e2d;",
    "&#",
    "<w:p>",
    "</w:p>",
    "<w:t>",
    "</w:t>",
    "xmlns:w=\"",
    "```",
    "`",
    "**",
    "_",
    "~~",
    "# ",
    "> ",
    "- ",
    "1. ",
    "| a | b |",
    "---\n",
    "\\",
    "\n",
    "\r\n",
    "\r",
    "\u{0B}",
    "\u{FEFF}",
    "\u{2002}",
    "\u{3000}",
    "，",
    "。",
    "、",
    "；",
    "：",
    "\0",
    "PK\u{3}\u{4}",
    "%PDF-",
    "[bookmark: x]",
    "区",
    "市",
    "县",
    "委",
    "党组",
    "司法局",
    "人民政府",
    "我办",
    "中共",
    "天津市",
    "东丽区",
    "条例",
    "办法",
    "规定",
    "中华人民共和国",
    "宪法",
    "民法典",
    "专项行动",
    "改革",
    "年",
    "2024年",
    "报告",
    "印发",
    "制定",
    "街道",
    "第",
    "届",
];

/// A SplitMix64 generator: tiny, seedable, good enough to pick mutations.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

/// `input` changed by one to four mutations; `other` is a second seed for splices. The result
/// is at most `max_len` bytes.
pub fn mutate(input: &[u8], other: &[u8], rng: &mut Rng, max_len: usize) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        mutate_once(&mut out, other, rng);
    }
    out.truncate(max_len);
    out
}

fn mutate_once(out: &mut Vec<u8>, other: &[u8], rng: &mut Rng) {
    let at = rng.below(out.len() + 1);
    match rng.below(8) {
        // Flip a bit.
        0 if !out.is_empty() => {
            let i = rng.below(out.len());
            out[i] ^= 1 << rng.below(8);
        }
        // A byte that often means something: 0, 0xFF, a UTF-8 lead or continuation byte, '<'.
        1 if !out.is_empty() => {
            let i = rng.below(out.len());
            out[i] = [0x00, 0xFF, 0xE4, 0x80, 0xBF, b'<', b'"', 0xC0][rng.below(8)];
        }
        // Delete a range.
        2 => {
            let end = (at + 1 + rng.below(64)).min(out.len());
            out.drain(at..end);
        }
        // Insert a token.
        3 | 4 => insert(out, at, TOKENS[rng.below(TOKENS.len())].as_bytes()),
        // A token repeated into a long run (nesting, unclosed brackets, lines without breaks).
        5 => {
            let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
            let run = token.repeat(16 << rng.below(7));
            insert(out, at, &run);
        }
        // Repeat a slice of the input itself.
        6 if !out.is_empty() => {
            let start = rng.below(out.len());
            let end = (start + 1 + rng.below(256)).min(out.len());
            let piece = out[start..end].repeat(1 + rng.below(32));
            insert(out, at, &piece);
        }
        // Splice: a piece of the other seed in place of the rest.
        _ => {
            if other.is_empty() {
                out.truncate(at);
            } else {
                let start = rng.below(other.len());
                let end = (start + 1 + rng.below(4096)).min(other.len());
                out.truncate(at);
                out.extend_from_slice(&other[start..end]);
            }
        }
    }
}

fn insert(out: &mut Vec<u8>, at: usize, piece: &[u8]) {
    let at = at.min(out.len());
    out.splice(at..at, piece.iter().copied());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_inputs() {
        let seed = "天津市东丽区司法局《条例》".as_bytes();
        let run = |s| {
            let mut rng = Rng::new(s);
            (0..200)
                .map(|_| mutate(seed, b"<p>other</p>", &mut rng, 1 << 16))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        assert!(run(7).iter().all(|m| m.len() <= 1 << 16));
        assert!(run(7).iter().any(|m| m.as_slice() != seed));
    }
}
