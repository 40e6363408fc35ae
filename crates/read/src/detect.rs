//! Format detection: extension first, then magic numbers and sniffing.

use super::{docx, ReadError};

/// What the bytes are to be read as, before decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Docx,
    Html,
    Markdown,
    /// Plain text unless the decoded text turns out to be an HTML document.
    TextOrHtml,
}

/// Decides how to read `bytes` from the lower-cased extension `ext` and the bytes themselves.
/// Files that are certainly not reports (PDF, OLE, RTF, images, archives, executables) are
/// rejected here with a message that says what they are.
pub(crate) fn classify(ext: &str, bytes: &[u8]) -> Result<Kind, ReadError> {
    let start = skip_bom_and_space(bytes);
    if ext == "pdf" || start.starts_with(b"%PDF") {
        return Err(ReadError::Pdf);
    }
    if bytes.starts_with(OLE_MAGIC) {
        return Err(match ext {
            "docx" | "docm" => ReadError::EncryptedDocx,
            "xls" | "xlsx" | "ppt" | "pptx" | "msg" | "msi" => {
                ReadError::Binary(format!("legacy Office .{ext} (OLE2 compound file)"))
            }
            _ => ReadError::LegacyDoc,
        });
    }
    if start.starts_with(b"{\\rtf") {
        return Err(ReadError::Rtf);
    }
    if is_zip(bytes) {
        return match docx::probe(bytes) {
            docx::Probe::Docx => Ok(Kind::Docx),
            docx::Probe::NoDocument if ext == "docx" => Err(ReadError::CorruptDocx(
                "the archive has no word/document.xml".to_string(),
            )),
            docx::Probe::NoDocument => Err(ReadError::Binary(
                "ZIP archive without word/document.xml".to_string(),
            )),
            docx::Probe::Broken(why) if ext == "docx" => Err(ReadError::CorruptDocx(why)),
            docx::Probe::Broken(_) => Err(ReadError::Binary("damaged ZIP archive".to_string())),
        };
    }
    if let Some(kind) = magic_kind(bytes) {
        return Err(ReadError::Binary(kind.to_string()));
    }
    match ext {
        "docx" | "docm" | "dotx" => Err(ReadError::CorruptDocx(
            "not a ZIP archive (a DOCX file is a ZIP archive)".to_string(),
        )),
        "md" | "markdown" | "mdown" | "mkd" | "mkdn" => Ok(Kind::Markdown),
        "html" | "htm" | "xhtml" | "shtml" | "xht" => Ok(Kind::Html),
        _ => Ok(Kind::TextOrHtml),
    }
}

const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(b"PK\x05\x06")
        || bytes.starts_with(b"PK\x07\x08")
}

/// Skips a UTF-8 BOM and ASCII whitespace at the start.
fn skip_bom_and_space(bytes: &[u8]) -> &[u8] {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    b.get(n..).unwrap_or(b)
}

/// Names well-known binary formats by their magic number.
fn magic_kind(b: &[u8]) -> Option<&'static str> {
    const TABLE: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "PNG image"),
        (b"\xFF\xD8\xFF", "JPEG image"),
        (b"GIF87a", "GIF image"),
        (b"GIF89a", "GIF image"),
        (b"II*\x00", "TIFF image"),
        (b"MM\x00*", "TIFF image"),
        (b"\x7FELF", "ELF executable"),
        (b"\x1F\x8B", "gzip archive"),
        (b"\xFD7zXZ\x00", "xz archive"),
        (b"7z\xBC\xAF\x27\x1C", "7-Zip archive"),
        (b"Rar!\x1A\x07", "RAR archive"),
        (b"\x28\xB5\x2F\xFD", "zstd archive"),
        (b"SQLite format 3\x00", "SQLite database"),
        (b"\x00asm", "WebAssembly module"),
        (b"\xCA\xFE\xBA\xBE", "Java class or Mach-O binary"),
        (b"\xFE\xED\xFA\xCE", "Mach-O binary"),
        (b"\xFE\xED\xFA\xCF", "Mach-O binary"),
        (b"\xCE\xFA\xED\xFE", "Mach-O binary"),
        (b"\xCF\xFA\xED\xFE", "Mach-O binary"),
        (b"OggS", "Ogg media"),
        (b"\x1A\x45\xDF\xA3", "Matroska/WebM media"),
        (b"wOFF", "WOFF font"),
        (b"wOF2", "WOFF2 font"),
    ];
    for (magic, kind) in TABLE {
        if b.starts_with(magic) {
            return Some(kind);
        }
    }
    if b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WEBP") {
        return Some("WebP image");
    }
    if b.starts_with(b"RIFF") && b.len() >= 12 {
        return Some("RIFF media");
    }
    if b.get(4..8) == Some(b"ftyp") {
        return Some("MP4/QuickTime media");
    }
    if b.starts_with(b"BZh") && b.get(4..10) == Some(b"1AY&SY") {
        return Some("bzip2 archive");
    }
    if b.starts_with(b"MZ") && b.iter().take(64).any(|&c| c == 0) {
        return Some("Windows executable");
    }
    if b.starts_with(b"ID3") && b.iter().take(10).any(|&c| c == 0) {
        return Some("MP3 audio");
    }
    None
}

/// Rejects decoded "text" that is really binary: NUL characters, or more than 1% control
/// characters (tab, line feed, carriage return, vertical tab, form feed are not counted).
pub(crate) fn check_decoded_text(text: &str) -> Result<(), ReadError> {
    if text.contains('\0') {
        return Err(ReadError::Binary("contains NUL bytes".to_string()));
    }
    let mut total = 0usize;
    let mut control = 0usize;
    for c in text.chars() {
        total += 1;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{0B}' | '\u{0C}') {
            control += 1;
        }
    }
    if control > 0 && control * 100 > total {
        let pct = control * 100 / total.max(1);
        return Err(ReadError::Binary(format!("{pct}% control characters")));
    }
    Ok(())
}

/// True when decoded text is an HTML document rather than plain text that mentions tags: it
/// starts (after whitespace and comments) with `<!DOCTYPE html`, `<html` or `<head`.
pub(crate) fn looks_like_html_document(text: &str) -> bool {
    let mut t = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    // Skip an XML declaration and leading comments.
    loop {
        if t.starts_with("<?xml") {
            match t.find("?>") {
                Some(i) => t = t.get(i + 2..).unwrap_or("").trim_start(),
                None => return false,
            }
        } else if t.starts_with("<!--") {
            match t.find("-->") {
                Some(i) => t = t.get(i + 3..).unwrap_or("").trim_start(),
                None => return false,
            }
        } else {
            break;
        }
    }
    let head: String = t.chars().take(16).collect::<String>().to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.starts_with("<head")
}

/// True when the text contains at least one tag-like `<x`, `</x` or `<!`.
pub(crate) fn has_tags(text: &str) -> bool {
    text.match_indices('<').any(|(i, _)| {
        let next = text.get(i + 1..).and_then(|s| s.chars().next());
        next.is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!')
    })
}

#[cfg(test)]
mod tests {
    use super::super::{read_bytes, ReadError};
    use super::*;

    #[test]
    fn pdf_by_extension_or_magic() {
        let e = read_bytes("a.pdf", b"hello").unwrap_err();
        assert!(matches!(e, ReadError::Pdf));
        assert!(e.to_string().contains("pdftotext -layout FILE out.txt"));
        assert!(matches!(
            read_bytes("a.txt", b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n"),
            Err(ReadError::Pdf)
        ));
        assert!(matches!(
            read_bytes("noext", b"\xEF\xBB\xBF  %PDF-1.4"),
            Err(ReadError::Pdf)
        ));
    }

    #[test]
    fn ole_doc_suggests_docx() {
        let mut ole = OLE_MAGIC.to_vec();
        ole.extend_from_slice(&[0u8; 64]);
        let e = read_bytes("old.doc", &ole).unwrap_err();
        assert!(matches!(e, ReadError::LegacyDoc));
        assert!(e.to_string().contains(".docx"));
        assert!(matches!(
            read_bytes("locked.docx", &ole),
            Err(ReadError::EncryptedDocx)
        ));
        assert!(matches!(
            read_bytes("sheet.xls", &ole),
            Err(ReadError::Binary(_))
        ));
    }

    #[test]
    fn non_ole_doc_is_sniffed() {
        // Government sites often serve HTML or text with a .doc name.
        let got = read_bytes(
            "fake.doc",
            "<html><body><p>报告正文</p></body></html>".as_bytes(),
        )
        .unwrap();
        assert_eq!(got.format, super::super::SourceFormat::Html);
        assert_eq!(got.text, "报告正文");
        assert!(matches!(
            read_bytes("a.doc", b"{\\rtf1\\ansi hello}"),
            Err(ReadError::Rtf)
        ));
    }

    #[test]
    fn binary_magic_numbers() {
        let cases: &[(&str, &[u8], &str)] = &[
            (
                "a.png",
                b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR",
                "PNG image",
            ),
            ("a.txt", b"\xFF\xD8\xFF\xE0\x00\x10JFIF", "JPEG image"),
            ("a", b"GIF89a\x01\x00", "GIF image"),
            ("a.bin", b"\x7FELF\x02\x01\x01", "ELF executable"),
            ("a.gz", b"\x1F\x8B\x08\x00", "gzip archive"),
        ];
        for (name, bytes, kind) in cases {
            let e = read_bytes(name, bytes).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("binary file ({kind}), not a report"),
                "{name}"
            );
        }
    }

    #[test]
    fn nul_bytes_and_control_characters_are_binary() {
        let e = read_bytes("a.bin", b"abc\x00\x00\x00\x01\x02def").unwrap_err();
        assert_eq!(
            e.to_string(),
            "binary file (contains NUL bytes), not a report"
        );
        let e = read_bytes("a.txt", b"ab\x01\x02\x03\x04\x05cd").unwrap_err();
        assert!(matches!(e, ReadError::Binary(_)), "{e}");
        // A single stray control character in a long text is tolerated.
        let mut long = "报告正文。".repeat(100);
        long.push('\u{07}');
        assert!(read_bytes("a.txt", long.as_bytes()).is_ok());
    }

    #[test]
    fn zip_without_document_is_binary_but_docx_name_is_corrupt() {
        let zip = super::super::docx::tests::zip_with(&[("xl/workbook.xml", b"<x/>".as_slice())]);
        let e = read_bytes("book.xlsx", &zip).unwrap_err();
        assert_eq!(
            e.to_string(),
            "binary file (ZIP archive without word/document.xml), not a report"
        );
        let e = read_bytes("r.docx", &zip).unwrap_err();
        assert!(matches!(e, ReadError::CorruptDocx(_)), "{e}");
        let e = read_bytes("r.docx", b"plain text, not a zip").unwrap_err();
        assert!(matches!(e, ReadError::CorruptDocx(_)), "{e}");
    }

    #[test]
    fn html_document_sniffing() {
        assert!(looks_like_html_document(
            "\n <!DOCTYPE HTML PUBLIC \"-//W3C\"><html>"
        ));
        assert!(looks_like_html_document(
            "<?xml version=\"1.0\"?>\n<!-- x --><html xmlns=\"\">"
        ));
        assert!(looks_like_html_document("<HTML><BODY>"));
        assert!(!looks_like_html_document("# 标题\n<!-- INFO END -->\n正文"));
        assert!(!looks_like_html_document("正文里提到 <html> 标签"));
        assert!(!looks_like_html_document("<!-- unterminated"));
    }

    #[test]
    fn html_name_without_any_tag_is_plain_text() {
        let got = read_bytes("r.html", "标题\n第一段\n第二段".as_bytes()).unwrap();
        assert_eq!(got.format, super::super::SourceFormat::Text);
        assert_eq!(got.text, "标题\n第一段\n第二段");
        assert!(has_tags("a<p>b") && has_tags("</div>") && has_tags("<!DOCTYPE html>"));
        assert!(!has_tags("1 < 2 且 3 > 2") && !has_tags("《条例》"));
    }
}
