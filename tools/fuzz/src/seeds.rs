//! Seeds of each target, made from the texts in the repository (`data/reports`,
//! `tests/corpus`, the reader's fixtures): pieces of at most [`MAX_SEED`] bytes, as text,
//! Markdown, HTML, DOCX and UTF-16 files for `read`, a few requests for `http`; plus the files
//! in `fuzz/seeds/<target>/` (the committed seed set and every input that once failed).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::targets::READ_EXTENSIONS;

/// The largest seed: libFuzzer mutates small inputs fastest, and no shape that ever cost
/// govkg more than linear time needed more than a few kilobytes to show.
pub const MAX_SEED: usize = 4096;

/// The repository's root (this crate is `tools/fuzz`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The seeds of the target `name`: those made from the repository's texts, then the files in
/// `fuzz/seeds/<name>/`, without duplicates.
pub fn for_target(name: &str) -> Vec<Vec<u8>> {
    let mut seeds = match name {
        "read" => read_seeds(),
        "http" => http_seeds(),
        _ => text_pieces().into_iter().map(String::into_bytes).collect(),
    };
    seeds.extend(files_in(&repo_root().join("fuzz/seeds").join(name)));
    let mut seen = std::collections::HashSet::new();
    seeds.retain(|s| seen.insert(s.clone()));
    seeds
}

/// The files of a folder, sorted by name (none when it does not exist).
pub fn files_in(dir: &Path) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

/// Every text file of the repository's corpora, sorted by path.
fn corpus_files() -> Vec<PathBuf> {
    let root = repo_root();
    let mut files = Vec::new();
    for dir in ["data/reports", "tests/corpus/ext", "tests/corpus/more"] {
        if let Ok(entries) = std::fs::read_dir(root.join(dir)) {
            files.extend(
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "txt")),
            );
        }
    }
    files.sort();
    files
}

/// The opening of each corpus text, and a piece of the middle of the long ones; each at most
/// [`MAX_SEED`] bytes and ending at a line break.
pub fn text_pieces() -> Vec<String> {
    let mut pieces = Vec::new();
    for path in corpus_files() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        pieces.push(piece(&text, 0));
        if text.len() > 4 * MAX_SEED {
            pieces.push(piece(&text, text.len() / 2));
        }
    }
    pieces.retain(|p| !p.trim().is_empty());
    pieces
}

/// The whole lines of `text` from the first line start at or after `from`, up to MAX_SEED bytes.
fn piece(text: &str, from: usize) -> String {
    let start = match text.get(from..).and_then(|rest| rest.find('\n')) {
        Some(i) if from > 0 => from + i + 1,
        _ => 0,
    };
    let rest = text.get(start..).unwrap_or("");
    let mut end = rest.len().min(MAX_SEED);
    while !rest.is_char_boundary(end) {
        end -= 1;
    }
    let cut = rest[..end].rfind('\n').map_or(end, |i| i + 1);
    rest[..cut].to_string()
}

/// The selector byte of an extension in [`READ_EXTENSIONS`].
fn selector(ext: &str) -> u8 {
    READ_EXTENSIONS
        .iter()
        .position(|e| *e == ext)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(0)
}

fn with_selector(ext: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![selector(ext)];
    out.extend_from_slice(bytes);
    out
}

/// `read` seeds: each piece as text; a few as Markdown, HTML, DOCX, UTF-16 and without an
/// extension; the reader's fixtures (a GBK page, a Markdown report).
fn read_seeds() -> Vec<Vec<u8>> {
    let pieces = text_pieces();
    let mut seeds: Vec<Vec<u8>> = pieces
        .iter()
        .map(|p| with_selector("txt", p.as_bytes()))
        .collect();
    for p in pieces.iter().step_by(6) {
        let lines: Vec<&str> = p.lines().collect();
        seeds.push(with_selector("md", markdown(&lines).as_bytes()));
        seeds.push(with_selector("html", html(&lines).as_bytes()));
        seeds.push(with_selector("", html(&lines).as_bytes()));
        seeds.push(with_selector("docx", &docx(&lines)));
        seeds.push(with_selector("txt", &utf16le(p)));
    }
    let fixtures = repo_root().join("crates/read/tests/fixtures");
    for (file, ext) in [("report_gbk.html", "html"), ("report.md", "md")] {
        if let Ok(bytes) = std::fs::read(fixtures.join(file)) {
            seeds.push(with_selector(ext, &bytes));
        }
    }
    seeds
}

fn markdown(lines: &[&str]) -> String {
    let mut md = String::from("---\ntitle: 报告\n---\n");
    for (i, line) in lines.iter().enumerate() {
        match i % 5 {
            0 => md.push_str(&format!("# {line}\n\n")),
            1 => md.push_str(&format!("> **{line}** [链接](https://www.gov.cn)\n")),
            2 => md.push_str(&format!("- `{line}`\n")),
            3 => md.push_str(&format!("| {line} | 1 |\n|---|---|\n")),
            _ => md.push_str(&format!("{line}<!-- 注 -->\n")),
        }
    }
    md
}

fn html(lines: &[&str]) -> String {
    let mut page = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>报告</title>\
         <script>var a = 1;</script></head><body><div class=\"nav\">首页 | 政务公开</div><div id=\"zoom\">",
    );
    for (i, line) in lines.iter().enumerate() {
        match i % 3 {
            0 => page.push_str(&format!("<p>{line}</p>")),
            1 => page.push_str(&format!("<div><font><b>{line}</b></font></div><br>")),
            _ => page.push_str(&format!("<table><tr><td>{line}<td>&amp;</table>")),
        }
    }
    page.push_str("</div></body></html>");
    page
}

/// A DOCX of the lines: paragraphs, a table and a deletion, stored (not deflated) so that
/// mutations reach the XML as well as the archive's headers.
pub fn docx(lines: &[&str]) -> Vec<u8> {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>",
    );
    for (i, line) in lines.iter().enumerate() {
        let line = line.replace('&', "&amp;").replace('<', "&lt;");
        if i % 4 == 3 {
            xml.push_str(&format!(
                "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>{line}</w:t></w:r></w:p></w:tc><w:tc/></w:tr></w:tbl>"
            ));
        } else {
            xml.push_str(&format!(
                "<w:p><w:r><w:t xml:space=\"preserve\">{line}</w:t><w:tab/></w:r><w:del><w:r><w:delText>删</w:delText></w:r></w:del></w:p>"
            ));
        }
    }
    xml.push_str("</w:body></w:document>");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let written = zip.start_file("word/document.xml", stored).is_ok()
        && zip.write_all(xml.as_bytes()).is_ok();
    match zip.finish() {
        Ok(cursor) if written => cursor.into_inner(),
        _ => Vec::new(),
    }
}

fn utf16le(text: &str) -> Vec<u8> {
    [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect()
}

/// `http` seeds: the requests `govkg serve` answers, and framings it must refuse.
fn http_seeds() -> Vec<Vec<u8>> {
    [
        "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "GET /sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%2010 HTTP/1.1\r\nHost: x\r\nAccept: application/sparql-results+json;q=0.9, text/csv;q=0.5, */*;q=0.1\r\n\r\n",
        "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 27\r\n\r\nquery=ASK%7B%7D&default-graph-uri=a",
        "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n5\r\nASK {\r\n1\r\n}\r\n0\r\n\r\n",
        "GET /query/agencies?place=%E5%A4%A9%E6%B4%A5&limit=5 HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /network?max-nodes=10&kind=agency HTTP/1.0\r\n\r\n",
        "HEAD /kinds HTTP/1.1\r\nHost: x\r\nAccept: text/turtle\r\n\r\n",
        "POST /sparql HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nASK{}",
        "POST /sparql HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\nffffffffffffffff\r\n",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}
