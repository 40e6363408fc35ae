//! Reports reposted in traditional characters (a portal's big5 mirror: 湘潭縣數據局, 《中華人民共和國
//! 政府信息公開條例》) are read in simplified characters, which every table of govkg is written in.
//!
//! The conversion (fast2s) maps one character to one character, so every offset into the text is
//! the same as in the file: a fact's span still points at its words in the original.

/// How much of a text is sampled to decide whether it is written in traditional characters.
const SAMPLE_CHARS: usize = 4000;
/// A text is traditional when at least this share of its sampled Chinese characters change (a
/// simplified report keeps a few traditional forms, in names and quotations: 乾隆, 於).
const MIN_CHANGED_SHARE: f64 = 0.05;
/// …and at least this many.
const MIN_CHANGED: usize = 10;

/// The text in simplified characters when it is written in traditional ones; `None` when it is
/// not (or when a conversion would not keep one character for one).
pub fn simplified(text: &str) -> Option<String> {
    let sample_end = text
        .char_indices()
        .nth(SAMPLE_CHARS)
        .map_or(text.len(), |(i, _)| i);
    let sample = &text[..sample_end];
    let converted = fast2s::convert(sample);
    let (mut han, mut changed) = (0usize, 0usize);
    for (a, b) in sample.chars().zip(converted.chars()) {
        if crate::html::is_cjk(a) {
            han += 1;
            changed += usize::from(a != b);
        }
    }
    if changed < MIN_CHANGED || (changed as f64) < MIN_CHANGED_SHARE * han as f64 {
        return None;
    }
    let whole = fast2s::convert(text);
    (whole.chars().count() == text.chars().count()).then_some(whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_traditional_text_is_read_in_simplified_characters_at_the_same_offsets() {
        let text = "湘潭縣數據局關於2025年度法治政府建設工作情況的報告\n嚴格執行《中華人民共和國政府信息公開條例》。";
        let simplified = simplified(text).expect("a traditional text");
        assert!(simplified.starts_with("湘潭县数据局"), "{simplified}");
        assert!(simplified.contains("《中华人民共和国政府信息公开条例》"));
        assert_eq!(simplified.chars().count(), text.chars().count());
        assert_eq!(simplified.len(), text.len());
    }

    #[test]
    fn a_simplified_text_with_a_few_traditional_forms_stays_as_it_is() {
        let body =
            "2024年，东丽区坚持依法行政，推进法治政府建设，全面落实行政执法三项制度。".repeat(20);
        let text = format!("{body}乾隆年间的於陵故城、嚴氏宗祠列入保护名录。{body}");
        assert_eq!(simplified(&text), None);
        assert_eq!(simplified(""), None);
        assert_eq!(simplified("plain ASCII text, no Chinese at all"), None);
    }
}
