//! Read stage: turns one input file (plain text, HTML, DOCX or Markdown, in UTF-8, UTF-16 or a
//! Chinese legacy encoding) into the plain text that every later character offset refers to.
//!
//! The entry points are [`read_source`] / [`read_bytes`] for one file and [`collect_inputs`] for
//! expanding files and folders. Reading never panics on any bytes: every problem is a
//! [`ReadError`] whose message is one line.
//!
//! Every format goes through the same [`normalize`] step, so offsets are stable: CRLF/CR → LF,
//! vertical tab / form feed → LF, U+FEFF dropped, `[bookmark: …]` conversion debris removed.
//! Nothing else is changed: full-width punctuation, EN SPACE (U+2002) and runs of spaces inside a
//! line are kept verbatim.

mod decode;
mod detect;
mod docx;
mod html;
mod html_bound;
mod inputs;
mod markdown;
mod normalize;
mod script;

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

pub use inputs::collect_inputs;
pub use normalize::normalize;

/// Appended to a document's encoding when its traditional characters were read as simplified.
pub const TRADITIONAL_NOTE: &str = ", traditional characters read as simplified";

/// Inputs larger than this are refused before reading by [`read_source`] (no report is anywhere
/// near this size; `govkg` sets its own, smaller limit through [`read_source_within`]).
pub const MAX_INPUT_BYTES: u64 = 512 * 1024 * 1024;
/// `word/document.xml` larger than this (uncompressed) is refused as a possible zip bomb.
pub const MAX_DOCX_XML_BYTES: u64 = 64 * 1024 * 1024;

/// What the reader produced: the plain text that all character offsets refer to, and how it was read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SourceText {
    /// The report text after extraction and normalisation.
    pub text: String,
    /// The input format that was recognised.
    pub format: SourceFormat,
    /// The character encoding actually used, e.g. "UTF-8", "UTF-8 (BOM)", "GB18030", "UTF-16LE".
    pub encoding: String,
}

/// The recognised input format (serialized lower-case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    Text,
    Html,
    Docx,
    Markdown,
}

impl SourceFormat {
    /// The lower-case name, as serialized ("text", "html", "docx", "markdown").
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Text => "text",
            SourceFormat::Html => "html",
            SourceFormat::Docx => "docx",
            SourceFormat::Markdown => "markdown",
        }
    }
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a file could not be read. Each message is one line naming the problem; errors about one
/// file do not repeat its path (the caller prefixes it), errors from [`collect_inputs`] name the
/// path they are about.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("cannot read file: {0}")]
    Io(#[source] std::io::Error),
    /// A path given to [`collect_inputs`] does not exist.
    #[error("{}: no such file or folder", .0.display())]
    NotFound(PathBuf),
    /// A folder could not be listed, or a path could not be inspected.
    #[error("{}: cannot list: {source}", .path.display())]
    Walk {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// [`read_source`] was given a folder.
    #[error("is a folder, not a file")]
    IsDirectory,
    /// A named pipe, socket or device, which reading could block on or never finish.
    #[error("not a regular file (a named pipe, socket or device); skipped")]
    NotRegularFile,
    /// The file is larger than the limit ([`MAX_INPUT_BYTES`] unless the caller set another).
    #[error("file too large ({size} bytes; the limit is {limit} bytes)")]
    TooLarge { size: u64, limit: u64 },
    /// Zero bytes.
    #[error("empty file")]
    Empty,
    /// Only whitespace (or only markup/boilerplate) after extraction.
    #[error("no text after extracting {0}")]
    NoText(SourceFormat),
    /// A PDF.
    #[error("PDF is not supported; convert it first, e.g. with `pdftotext -layout FILE out.txt`")]
    Pdf,
    /// A legacy OLE2 compound file (.doc, .xls, .ppt, .wps).
    #[error("legacy Word .doc (OLE2 compound file) is not supported; open it in Word or LibreOffice and save it as .docx or UTF-8 .txt")]
    LegacyDoc,
    /// RTF.
    #[error(
        "RTF is not supported; open it in Word or LibreOffice and save it as .docx or UTF-8 .txt"
    )]
    Rtf,
    /// A binary file of some other kind.
    #[error("binary file ({0}), not a report")]
    Binary(String),
    /// Text in no supported encoding.
    #[error("not valid text in any supported encoding (tried {tried})")]
    Encoding { tried: String },
    /// A password-protected DOCX (an encrypted OLE package, or encrypted ZIP entries).
    #[error("encrypted (password-protected) DOCX; remove the password in Word and save it again")]
    EncryptedDocx,
    /// A DOCX that is not a readable archive or whose XML is broken.
    #[error("corrupt DOCX: {0}")]
    CorruptDocx(String),
    /// `word/document.xml` exceeds [`MAX_DOCX_XML_BYTES`].
    #[error(
        "DOCX word/document.xml is larger than {limit} bytes uncompressed (possible zip bomb)"
    )]
    DocxTooLarge { limit: u64 },
    /// A bug: a dependency panicked on this input. Kept so that reading never panics.
    #[error("internal error while reading this file ({0}); please report it")]
    Internal(String),
}

/// A file's name as text. Bytes that are not UTF-8 are written `%XX`, so names that differ only
/// there still give different report ids.
pub fn file_name_text(path: &Path) -> String {
    let Some(name) = path.file_name() else {
        return "report".to_string();
    };
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut text = String::with_capacity(name.len());
        for chunk in name.as_bytes().utf8_chunks() {
            text.push_str(chunk.valid());
            for byte in chunk.invalid() {
                text.push_str(&format!("%{byte:02X}"));
            }
        }
        text
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned()
    }
}

/// Reads one file and returns its report text. Never panics on any bytes.
pub fn read_source(path: &Path) -> Result<SourceText, ReadError> {
    read_source_within(path, MAX_INPUT_BYTES)
}

/// [`read_source`] refusing files larger than `max_bytes` ([`ReadError::TooLarge`]) before
/// reading them.
pub fn read_source_within(path: &Path, max_bytes: u64) -> Result<SourceText, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if meta.is_dir() {
        return Err(ReadError::IsDirectory);
    }
    // A named pipe or a device would block the build or never end: refuse before opening.
    if !meta.is_file() {
        return Err(ReadError::NotRegularFile);
    }
    if meta.len() > max_bytes {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit: max_bytes,
        });
    }
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let mut bytes = Vec::new();
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    let size = bytes.len() as u64;
    if size > max_bytes {
        return Err(ReadError::TooLarge {
            size,
            limit: max_bytes,
        });
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    read_bytes(&name, &bytes)
}

/// Same as [`read_source`], from bytes already in memory; `name` is the file name (used for the
/// extension).
pub fn read_bytes(name: &str, bytes: &[u8]) -> Result<SourceText, ReadError> {
    // Defence in depth: the reader itself does not panic, but the parsers it relies on are large;
    // a panic in one of them becomes an error for this file instead of taking the run down.
    match std::panic::catch_unwind(|| read_bytes_inner(name, bytes)) {
        Ok(result) => result,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".to_string());
            Err(ReadError::Internal(one_line(&msg)))
        }
    }
}

fn read_bytes_inner(name: &str, bytes: &[u8]) -> Result<SourceText, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    let ext = extension(name);
    let kind = detect::classify(&ext, bytes)?;
    let (format, text, encoding) = match kind {
        detect::Kind::Docx => {
            let (text, encoding) = docx::extract(bytes)?;
            (SourceFormat::Docx, text, encoding)
        }
        detect::Kind::Html => {
            let decoded = decode::decode(bytes, decode::html_meta_charset(bytes))?;
            detect::check_decoded_text(&decoded.text)?;
            if detect::has_tags(&decoded.text) {
                (
                    SourceFormat::Html,
                    html::extract(&decoded.text),
                    decoded.encoding,
                )
            } else {
                // Plain text saved with an .html name: HTML whitespace rules would merge its lines.
                (SourceFormat::Text, decoded.text, decoded.encoding)
            }
        }
        detect::Kind::Markdown => {
            let decoded = decode::decode(bytes, None)?;
            detect::check_decoded_text(&decoded.text)?;
            (
                SourceFormat::Markdown,
                markdown::strip(&decoded.text),
                decoded.encoding,
            )
        }
        detect::Kind::TextOrHtml => {
            let declared = decode::html_meta_charset(bytes);
            let decoded = decode::decode(bytes, declared)?;
            detect::check_decoded_text(&decoded.text)?;
            if detect::looks_like_html_document(&decoded.text) {
                (
                    SourceFormat::Html,
                    html::extract(&decoded.text),
                    decoded.encoding,
                )
            } else {
                (SourceFormat::Text, decoded.text, decoded.encoding)
            }
        }
    };
    let text = normalize(&text);
    if text.trim().is_empty() {
        return Err(ReadError::NoText(format));
    }
    // A report in traditional characters is read in simplified ones, at the same offsets; the
    // encoding says so.
    let (text, encoding) = match script::simplified(&text) {
        Some(simplified) => (simplified, format!("{encoding}{TRADITIONAL_NOTE}")),
        None => (text, encoding),
    };
    Ok(SourceText {
        text,
        format,
        encoding,
    })
}

/// The lower-cased extension of a file name, without the dot ("" when there is none).
fn extension(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match base.rfind('.') {
        // A leading dot (".profile") is a hidden file, not an extension.
        Some(i) if i > 0 => base.get(i + 1..).unwrap_or("").to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// Collapses a message onto one line.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn extension_is_lower_case_and_ignores_leading_dot() {
        assert_eq!(extension("a/b/Report.TXT"), "txt");
        assert_eq!(extension("x.tar.gz"), "gz");
        assert_eq!(extension(".hidden"), "");
        assert_eq!(extension("noext"), "");
        assert_eq!(extension(""), "");
        assert_eq!(extension("dir.d\\file"), "");
    }

    #[test]
    fn format_serializes_lower_case() {
        let json = serde_json::to_string(&SourceFormat::Markdown).unwrap_or_default();
        assert_eq!(json, "\"markdown\"");
        assert_eq!(SourceFormat::Docx.to_string(), "docx");
    }

    #[test]
    fn empty_file_is_an_error() {
        assert!(matches!(read_bytes("a.txt", b""), Err(ReadError::Empty)));
        assert!(matches!(read_bytes("a.html", b""), Err(ReadError::Empty)));
        assert_eq!(
            read_bytes("a.txt", b"").map_err(|e| e.to_string()),
            Err("empty file".to_string())
        );
    }

    #[test]
    fn whitespace_only_is_no_text() {
        let e = read_bytes("a.txt", " \r\n\t\u{3000}\n".as_bytes()).unwrap_err();
        assert_eq!(e.to_string(), "no text after extracting text");
        let e = read_bytes("a.md", b"---\ntitle: x\n---\n\n<!-- c -->\n").unwrap_err();
        assert_eq!(e.to_string(), "no text after extracting markdown");
        let e = read_bytes(
            "a.html",
            b"<html><body><script>var a='\xe6\x8a\xa5';</script></body></html>",
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "no text after extracting html");
    }

    #[test]
    fn plain_text_is_kept_verbatim_apart_from_line_ends() {
        let src =
            "标题\r\n\u{2002}\u{2002}第一段，  两个空格；全角，半角,\r第二段[bookmark: _GoBack]\n";
        let got = read_bytes("r.txt", src.as_bytes()).unwrap();
        assert_eq!(
            got.text,
            "标题\n\u{2002}\u{2002}第一段，  两个空格；全角，半角,\n第二段\n"
        );
        assert_eq!(got.format, SourceFormat::Text);
        assert_eq!(got.encoding, "UTF-8");
    }

    #[test]
    fn unknown_extension_with_text_is_read_as_text() {
        let got = read_bytes("report.text", "报告正文".as_bytes()).unwrap();
        assert_eq!(got.format, SourceFormat::Text);
        let got = read_bytes("README", "报告正文".as_bytes()).unwrap();
        assert_eq!(got.format, SourceFormat::Text);
    }

    #[test]
    fn html_saved_as_txt_is_read_as_html() {
        let page = "<!DOCTYPE html><html><head><title>t</title></head><body><p>报告正文第一段</p></body></html>";
        let got = read_bytes("page.txt", page.as_bytes()).unwrap();
        assert_eq!(got.format, SourceFormat::Html);
        assert_eq!(got.text, "报告正文第一段");
    }

    #[test]
    fn every_error_message_is_one_line() {
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("a.txt", vec![]),
            ("a.pdf", b"%PDF-1.7\n".to_vec()),
            ("a.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()),
            (
                "a.doc",
                b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0\0\0\0".to_vec(),
            ),
            ("a.docx", b"not a zip at all".to_vec()),
            (
                "a.txt",
                vec![0x81, 0x20, 0xff, 0xfe, 0x80, 0x81, 0x82, 0x83],
            ),
        ];
        for (name, bytes) in cases {
            let e = read_bytes(name, &bytes).unwrap_err().to_string();
            assert!(!e.contains('\n'), "{name}: {e}");
            assert!(!e.is_empty());
        }
    }

    #[test]
    fn read_source_reports_missing_file_and_folder() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read_source(&dir.path().join("missing.txt")),
            Err(ReadError::Io(_))
        ));
        assert!(matches!(
            read_source(dir.path()),
            Err(ReadError::IsDirectory)
        ));
        let p = dir.path().join("r.md");
        std::fs::write(&p, "# 标题\n\n正文").unwrap();
        let got = read_source(&p).unwrap();
        assert_eq!(got.format, SourceFormat::Markdown);
        assert_eq!(got.text, "标题\n\n正文");
    }

    /// A small DOCX, stored (not deflated) so that flipped bytes hit the XML as well as headers.
    fn sample_docx() -> Vec<u8> {
        use std::io::Write;
        let xml = "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>\
            <w:p><w:r><w:t>标题</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>格</w:t><w:tab/></w:r></w:p></w:tc></w:tr></w:tbl>\
            <w:p><w:del><w:r><w:delText>删</w:delText></w:r></w:del><w:r><w:t>正文</w:t><w:br/></w:r></w:p></w:body></w:document>";
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let ok = zip.start_file("word/document.xml", stored).is_ok()
            && zip.write_all(xml.as_bytes()).is_ok();
        assert!(ok);
        zip.finish().map(|c| c.into_inner()).unwrap_or_default()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn read_bytes_never_panics(
            bytes in proptest::collection::vec(any::<u8>(), 0..512),
            ext in prop::sample::select(vec!["txt", "html", "docx", "md", "pdf", "bin"]),
        ) {
            let name = format!("f.{ext}");
            match read_bytes(&name, &bytes) {
                Ok(st) => prop_assert!(!st.text.trim().is_empty()),
                Err(e) => {
                    prop_assert!(!matches!(e, ReadError::Internal(_)), "{}", e);
                    prop_assert!(!e.to_string().contains('\n'));
                }
            }
        }

        #[test]
        fn read_bytes_never_panics_on_damaged_docx(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            cut in any::<prop::sample::Index>(),
            truncate in any::<bool>(),
        ) {
            let mut bytes = sample_docx();
            for (at, value) in flips {
                let i = at.index(bytes.len());
                if let Some(b) = bytes.get_mut(i) {
                    *b = value;
                }
            }
            if truncate {
                bytes.truncate(cut.index(bytes.len()));
            }
            if let Err(e) = read_bytes("f.docx", &bytes) {
                prop_assert!(!matches!(e, ReadError::Internal(_)), "{}", e);
                prop_assert!(!e.to_string().contains('\n'));
            }
        }

        #[test]
        fn read_bytes_never_panics_on_markup_like_input(
            parts in proptest::collection::vec(
                prop::sample::select(vec![
                    "<p>", "</p>", "<div class=\"TRS_Editor\">", "</div>", "<br>", "<nav>", "<h1>",
                    "报告", "正文", "**", "_", "`", "[", "](", ")", "![", "# ", "- ", "> ", "<!--",
                    "-->", "---\n", "\n", "\r\n", "\u{2002}", "[bookmark: x]", "&amp;", "<script>",
                    "| a | b |", "1. ", "\\", "<w:p>", "PK\u{3}\u{4}", "%PDF", "\0",
                ]),
                0..64,
            ),
            ext in prop::sample::select(vec!["txt", "html", "docx", "md", "pdf", "bin"]),
        ) {
            let s: String = parts.concat();
            let name = format!("f.{ext}");
            if let Err(e) = read_bytes(&name, s.as_bytes()) {
                prop_assert!(!matches!(e, ReadError::Internal(_)), "{}", e);
                prop_assert!(!e.to_string().contains('\n'));
            }
        }
    }
}
