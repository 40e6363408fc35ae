//! The normalisation every format goes through, so that character offsets are stable.

/// Normalises extracted text: CRLF and lone CR become LF, vertical tab and form feed (page breaks
/// in `pdftotext` output, manual line breaks pasted from Word) become LF, U+FEFF is dropped and
/// `[bookmark: …]` debris left by DOCX converters is removed. Everything else is kept verbatim.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\u{0B}' | '\u{0C}' => out.push('\n'),
            '\u{FEFF}' => {}
            _ => out.push(c),
        }
    }
    remove_bookmarks(&out)
}

/// The longest `[bookmark: …]` marker that is removed; longer brackets are left alone.
const MAX_BOOKMARK_LEN: usize = 200;

/// Removes `[bookmark: NAME]` markers (as written by pandoc and similar DOCX converters).
fn remove_bookmarks(text: &str) -> String {
    const OPEN: &str = "[bookmark:";
    if !text.contains(OPEN) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        let end = from
            .char_indices()
            .take_while(|&(i, c)| i <= MAX_BOOKMARK_LEN && c != '\n')
            .find(|&(_, c)| c == ']')
            .map(|(i, _)| i);
        match end {
            Some(i) => rest = from.get(i + 1..).unwrap_or(""),
            None => {
                out.push_str(OPEN);
                rest = from.get(OPEN.len()..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_become_lf() {
        assert_eq!(normalize("a\r\nb\rc\nd\r"), "a\nb\nc\nd\n");
        assert_eq!(normalize("a\r\r\nb"), "a\n\nb");
        assert_eq!(normalize("page1\u{0C}page2\u{0B}x"), "page1\npage2\nx");
    }

    #[test]
    fn bom_is_dropped_anywhere() {
        assert_eq!(normalize("\u{FEFF}标题\n\u{FEFF}正文"), "标题\n正文");
    }

    #[test]
    fn bookmarks_are_removed() {
        assert_eq!(normalize("报告[bookmark: _GoBack]正文"), "报告正文");
        assert_eq!(
            normalize("[bookmark: _Toc123]一、总体情况[bookmark: id_1]"),
            "一、总体情况"
        );
        // Unterminated or spanning lines: kept.
        assert_eq!(normalize("a[bookmark: x\n]b"), "a[bookmark: x\n]b");
        assert_eq!(normalize("a[bookmark:"), "a[bookmark:");
    }

    #[test]
    fn everything_else_is_verbatim() {
        let s = "全角，半角,\u{2002}EN SPACE  两个空格\t制表\u{3000}全角空格（括号）";
        assert_eq!(normalize(s), s);
    }
}
