//! DOCX: `word/document.xml` streamed with quick-xml, one line per paragraph.

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::NsReader;
use zip::result::ZipError;
use zip::ZipArchive;

use super::{one_line, ReadError, MAX_DOCX_XML_BYTES};

const W_NS: &[u8] = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const W_NS_STRICT: &[u8] = b"http://purl.oclc.org/ooxml/wordprocessingml/main";
const MC_NS: &[u8] = b"http://schemas.openxmlformats.org/markup-compatibility/2006";

/// What a ZIP archive is, as far as the reader is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Probe {
    Docx,
    NoDocument,
    Broken(String),
}

/// Looks into a ZIP archive for a Word main document part.
pub(crate) fn probe(bytes: &[u8]) -> Probe {
    let archive = match ZipArchive::new(Cursor::new(bytes)) {
        Ok(a) => a,
        Err(e) => return Probe::Broken(one_line(&e.to_string())),
    };
    match document_part(&archive) {
        Some(_) => Probe::Docx,
        // An encrypted package is an OLE file, not a ZIP; a ZIP with encrypted entries is
        // reported when its document part is opened.
        None if archive.is_empty() => Probe::Broken("empty ZIP archive".to_string()),
        None => Probe::NoDocument,
    }
}

/// The main document part: `word/document.xml`, else another `word/document*.xml`.
fn document_part<R: Read + std::io::Seek>(archive: &ZipArchive<R>) -> Option<String> {
    if archive.index_for_name("word/document.xml").is_some() {
        return Some("word/document.xml".to_string());
    }
    let mut names: Vec<&str> = archive
        .file_names()
        .filter(|n| n.starts_with("word/document") && n.ends_with(".xml") && !n.contains("/_rels/"))
        .collect();
    names.sort_unstable();
    names.first().map(|n| (*n).to_string())
}

/// Extracts the text of a DOCX: paragraphs in document order, one per line (table rows as one
/// line with cells separated by tabs). Returns the text and the XML part's encoding.
pub(crate) fn extract(bytes: &[u8]) -> Result<(String, String), ReadError> {
    let mut archive = ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ReadError::CorruptDocx(one_line(&e.to_string())))?;
    let name = document_part(&archive).ok_or_else(|| {
        ReadError::CorruptDocx("the archive has no word/document.xml".to_string())
    })?;
    let xml = {
        let file = archive.by_name(&name).map_err(|e| match e {
            ZipError::UnsupportedArchive(msg) if msg == ZipError::PASSWORD_REQUIRED => {
                ReadError::EncryptedDocx
            }
            ZipError::UnsupportedArchive(msg) if msg.contains("AES") || msg.contains("ncrypt") => {
                ReadError::EncryptedDocx
            }
            other => ReadError::CorruptDocx(format!(
                "cannot open {name}: {}",
                one_line(&other.to_string())
            )),
        })?;
        if file.encrypted() {
            return Err(ReadError::EncryptedDocx);
        }
        if file.size() > MAX_DOCX_XML_BYTES {
            return Err(ReadError::DocxTooLarge {
                limit: MAX_DOCX_XML_BYTES,
            });
        }
        let mut xml = Vec::new();
        file.take(MAX_DOCX_XML_BYTES + 1)
            .read_to_end(&mut xml)
            .map_err(|e| {
                ReadError::CorruptDocx(format!(
                    "cannot decompress {name}: {}",
                    one_line(&e.to_string())
                ))
            })?;
        if xml.len() as u64 > MAX_DOCX_XML_BYTES {
            return Err(ReadError::DocxTooLarge {
                limit: MAX_DOCX_XML_BYTES,
            });
        }
        xml
    };
    let (xml, encoding) = xml_to_utf8(xml, &name)?;
    let text =
        paragraphs(&xml).map_err(|e| ReadError::CorruptDocx(format!("bad XML in {name}: {e}")))?;
    Ok((text, encoding))
}

/// The XML part as UTF-8 (Word writes UTF-8; UTF-16 with a BOM is accepted too).
fn xml_to_utf8(xml: Vec<u8>, name: &str) -> Result<(String, String), ReadError> {
    for (bom, enc) in [
        (b"\xFF\xFE".as_slice(), encoding_rs::UTF_16LE),
        (b"\xFE\xFF".as_slice(), encoding_rs::UTF_16BE),
    ] {
        if let Some(rest) = xml.strip_prefix(bom) {
            let (text, had_errors) = enc.decode_without_bom_handling(rest);
            if had_errors {
                return Err(ReadError::CorruptDocx(format!(
                    "{name} is not valid {}",
                    enc.name()
                )));
            }
            // quick-xml (without its encoding feature) reads the text as UTF-8; the declaration's
            // encoding attribute is not consulted.
            return Ok((text.into_owned(), enc.name().to_string()));
        }
    }
    let body = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&xml);
    match std::str::from_utf8(body) {
        Ok(s) => Ok((s.to_string(), "UTF-8".to_string())),
        Err(_) => Err(ReadError::CorruptDocx(format!("{name} is not valid UTF-8"))),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    W,
    Mc,
    Other,
}

fn ns_of(res: &ResolveResult<'_>) -> Ns {
    match res {
        ResolveResult::Bound(Namespace(ns)) if *ns == W_NS || *ns == W_NS_STRICT => Ns::W,
        ResolveResult::Bound(Namespace(ns)) if *ns == MC_NS => Ns::Mc,
        _ => Ns::Other,
    }
}

/// Elements whose whole content is not displayed text: deletions, moved-away text, field
/// instructions, paragraph/run properties, and the fallback copy of alternate content.
fn ignored(ns: Ns, local: &[u8]) -> bool {
    match ns {
        Ns::W => matches!(
            local,
            b"del"
                | b"moveFrom"
                | b"delText"
                | b"instrText"
                | b"delInstrText"
                | b"pPr"
                | b"rPr"
                | b"sectPr"
        ),
        Ns::Mc => local == b"Fallback",
        Ns::Other => false,
    }
}

/// The streaming state of the paragraph walk.
#[derive(Default)]
struct Walk {
    lines: Vec<String>,
    /// Open paragraphs (text boxes nest paragraphs inside a run of another paragraph).
    paragraphs: Vec<String>,
    /// Depth inside an ignored element (0 = not ignoring).
    skip: usize,
    in_text: usize,
    in_run: usize,
    table_depth: usize,
    row: Option<Vec<String>>,
    cell: Option<String>,
}

impl Walk {
    fn push_str(&mut self, s: &str) {
        if let Some(p) = self.paragraphs.last_mut() {
            p.push_str(s);
        }
    }

    fn end_paragraph(&mut self) {
        let line = self.paragraphs.pop().unwrap_or_default();
        self.emit(line);
    }

    /// A finished paragraph goes to the enclosing paragraph's line if it is nested (text box),
    /// to the current table cell, or to the output.
    fn emit(&mut self, line: String) {
        if let Some(cell) = self.cell.as_mut() {
            let line = line.replace('\n', " ");
            if !cell.is_empty() && !line.is_empty() {
                cell.push(' ');
            }
            cell.push_str(&line);
        } else {
            self.lines.push(line);
        }
    }

    fn start(&mut self, ns: Ns, local: &[u8]) {
        if ns != Ns::W {
            return;
        }
        match local {
            b"p" => self.paragraphs.push(String::new()),
            b"r" => self.in_run += 1,
            b"t" => self.in_text += 1,
            b"tbl" => self.table_depth += 1,
            b"tr" if self.table_depth == 1 => self.row = Some(Vec::new()),
            b"tc" if self.table_depth == 1 => self.cell = Some(String::new()),
            _ => {}
        }
    }

    fn end(&mut self, ns: Ns, local: &[u8]) {
        if ns != Ns::W {
            return;
        }
        match local {
            b"p" => self.end_paragraph(),
            b"r" => self.in_run = self.in_run.saturating_sub(1),
            b"t" => self.in_text = self.in_text.saturating_sub(1),
            b"tbl" => self.table_depth = self.table_depth.saturating_sub(1),
            b"tc" if self.table_depth == 1 => {
                if let (Some(cell), Some(row)) = (self.cell.take(), self.row.as_mut()) {
                    row.push(cell);
                }
            }
            b"tr" if self.table_depth == 1 => {
                self.cell = None;
                if let Some(row) = self.row.take() {
                    self.lines.push(row.join("\t"));
                }
            }
            _ => {}
        }
    }

    fn empty(&mut self, ns: Ns, local: &[u8]) {
        if ns != Ns::W {
            return;
        }
        match local {
            b"p" => {
                self.paragraphs.push(String::new());
                self.end_paragraph();
            }
            b"tab" if self.in_run > 0 => self.push_str("\t"),
            b"br" | b"cr" if self.in_run > 0 => self.push_str("\n"),
            b"noBreakHyphen" if self.in_run > 0 => self.push_str("-"),
            b"tc" if self.table_depth == 1 => {
                if let Some(row) = self.row.as_mut() {
                    row.push(String::new());
                }
            }
            _ => {}
        }
    }
}

/// Walks `document.xml` and returns its paragraphs joined by `\n`.
fn paragraphs(xml: &str) -> Result<String, String> {
    let mut reader = NsReader::from_str(xml);
    let mut walk = Walk::default();
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok((res, event)) => (ns_of(&res), event),
            Err(e) => return Err(one_line(&e.to_string())),
        };
        match event {
            Event::Eof => break,
            Event::Start(e) => {
                if walk.skip > 0 {
                    walk.skip += 1;
                } else if ignored(ns, e.local_name().as_ref()) {
                    walk.skip = 1;
                } else {
                    walk.start(ns, e.local_name().as_ref());
                }
            }
            Event::End(e) => {
                if walk.skip > 0 {
                    walk.skip -= 1;
                } else {
                    walk.end(ns, e.local_name().as_ref());
                }
            }
            Event::Empty(e) if walk.skip == 0 => walk.empty(ns, e.local_name().as_ref()),
            Event::Text(t) if walk.skip == 0 && walk.in_text > 0 => {
                let s = t.decode().map_err(|e| one_line(&e.to_string()))?;
                walk.push_str(&s);
            }
            Event::CData(t) if walk.skip == 0 && walk.in_text > 0 => {
                let s = t.decode().map_err(|e| one_line(&e.to_string()))?;
                walk.push_str(&s);
            }
            Event::GeneralRef(r) if walk.skip == 0 && walk.in_text > 0 => {
                if r.is_char_ref() {
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        walk.push_str(c.encode_utf8(&mut [0u8; 4]));
                    }
                } else if let Ok(name) = r.decode() {
                    if let Some(s) = quick_xml::escape::resolve_predefined_entity(&name) {
                        walk.push_str(s);
                    }
                }
            }
            _ => {}
        }
    }
    // Unclosed paragraphs (truncated XML is an error above, but be defensive).
    while !walk.paragraphs.is_empty() {
        walk.end_paragraph();
    }
    Ok(walk.lines.join("\n"))
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

    use super::super::{read_bytes, ReadError, SourceFormat};
    use super::*;

    /// A ZIP archive with the given entries (deflated).
    pub(crate) fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><w:body>"#;
    const TAIL: &str = "<w:sectPr><w:pgSz w:w=\"11906\"/></w:sectPr></w:body></w:document>";

    fn docx(body: &str) -> Vec<u8> {
        let xml = format!("{HEAD}{body}{TAIL}");
        zip_with(&[
            ("[Content_Types].xml", b"<Types/>".as_slice()),
            ("word/document.xml", xml.as_bytes()),
        ])
    }

    fn text_of(body: &str) -> String {
        let got = read_bytes("r.docx", &docx(body)).unwrap();
        assert_eq!(got.format, SourceFormat::Docx);
        assert_eq!(got.encoding, "UTF-8");
        got.text
    }

    #[test]
    fn paragraphs_in_order_with_runs_tabs_and_breaks() {
        let body = r#"<w:p><w:pPr><w:pStyle w:val="Heading1"/><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>一、总体情况</w:t></w:r></w:p>
<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">　　静海区</w:t></w:r><w:r><w:t>政务服务办</w:t></w:r><w:r><w:tab/><w:t>A&amp;B</w:t><w:br/><w:t>第二行</w:t></w:r></w:p>
<w:p/>
<w:p><w:r><w:t>最后</w:t></w:r></w:p>"#;
        assert_eq!(
            text_of(body),
            "一、总体情况\n　　静海区政务服务办\tA&B\n第二行\n\n最后"
        );
    }

    #[test]
    fn deleted_text_fields_and_bookmarks_are_ignored() {
        let body = r#"<w:p><w:bookmarkStart w:id="0" w:name="_GoBack"/><w:r><w:t>保留</w:t></w:r><w:del w:id="1" w:author="x"><w:r><w:delText>删除的文字</w:delText></w:r></w:del><w:ins w:id="2"><w:r><w:t>插入</w:t></w:r></w:ins><w:bookmarkEnd w:id="0"/></w:p>
<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGEREF _Toc1 \h </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:footnoteReference w:id="1"/></w:r><w:moveFrom><w:r><w:t>移走</w:t></w:r></w:moveFrom></w:p>"#;
        assert_eq!(text_of(body), "保留插入\n3");
    }

    #[test]
    fn table_rows_are_lines_with_tab_separated_cells() {
        let body = r#"<w:p><w:r><w:t>表前</w:t></w:r></w:p><w:tbl><w:tblPr/><w:tr><w:tc><w:p><w:r><w:t>序号</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>事项</w:t></w:r></w:p><w:p><w:r><w:t>名称</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc><w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>内嵌</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc></w:tr></w:tbl><w:p><w:r><w:t>表后</w:t></w:r></w:p>"#;
        assert_eq!(text_of(body), "表前\n序号\t事项 名称\n1\t内嵌\n表后");
    }

    #[test]
    fn text_box_fallback_is_not_duplicated() {
        let body = r#"<w:p><w:r><w:t>正文</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"#;
        assert_eq!(text_of(body), "文本框\n正文");
    }

    #[test]
    fn bookmark_debris_in_text_is_removed() {
        let body = r#"<w:p><w:r><w:t>报告[bookmark: _GoBack]正文</w:t></w:r></w:p>"#;
        assert_eq!(text_of(body), "报告正文");
    }

    #[test]
    fn other_namespace_prefix_is_recognised() {
        let xml = r#"<x:document xmlns:x="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><x:body><x:p><x:r><x:t>前缀不同</x:t></x:r></x:p><a:t xmlns:a="urn:other">不要</a:t></x:body></x:document>"#;
        let d = zip_with(&[("word/document.xml", xml.as_bytes())]);
        assert_eq!(read_bytes("a.docx", &d).unwrap().text, "前缀不同");
    }

    /// Elements are matched by namespace, never by prefix: the WordprocessingML namespace bound
    /// to `ns0:` (as Python's ElementTree writes it), as the default namespace, or rebound inside
    /// the document reads as `w:` does; a `w:` bound to another namespace is not Word's.
    #[test]
    fn any_prefix_or_the_default_namespace_reads_as_w() {
        const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
        let expected = "第一段\t格\n第二段";
        let documents = [
            format!(
                "<ns0:document xmlns:ns0=\"{W}\"><ns0:body><ns0:p><ns0:r><ns0:t>第一段</ns0:t><ns0:tab/><ns0:t>格</ns0:t></ns0:r></ns0:p>\
                 <ns0:p><ns0:pPr><ns0:rPr><ns0:t>不要</ns0:t></ns0:rPr></ns0:pPr><ns0:r><ns0:t>第二段</ns0:t></ns0:r></ns0:p></ns0:body></ns0:document>"
            ),
            format!(
                "<document xmlns=\"{W}\"><body><p><r><t>第一段</t><tab/><t>格</t></r></p>\
                 <p><pPr><rPr><t>不要</t></rPr></pPr><r><t>第二段</t></r></p></body></document>"
            ),
            format!(
                "<a:document xmlns:a=\"{W}\"><a:body><a:p><a:r><a:t>第一段</a:t><a:tab/><a:t>格</a:t></a:r></a:p>\
                 <b:p xmlns:b=\"{W}\" xmlns:a=\"urn:other\"><a:t>不要</a:t><b:r><b:t>第二段</b:t></b:r></b:p></a:body></a:document>"
            ),
            format!(
                "<w:document xmlns:w=\"{W}\"><w:body><w:p><w:r><w:t>第一段</w:t><w:tab/><w:t>格</w:t></w:r></w:p>\
                 <w:p><w:r><w:t>第二段</w:t></w:r><x:r xmlns:x=\"urn:other\" xmlns:w=\"urn:other\"><w:t>不要</w:t></x:r></w:p></w:body></w:document>"
            ),
        ];
        for xml in &documents {
            let d = zip_with(&[("word/document.xml", xml.as_bytes())]);
            let got = read_bytes("a.docx", &d).map(|s| s.text);
            assert_eq!(got.ok().as_deref(), Some(expected), "{xml}");
        }
    }

    #[test]
    fn zip_sniffing_without_docx_extension() {
        let d = docx("<w:p><w:r><w:t>无扩展名</w:t></w:r></w:p>");
        let got = read_bytes("download", &d).unwrap();
        assert_eq!(got.format, SourceFormat::Docx);
        assert_eq!(got.text, "无扩展名");
    }

    #[test]
    fn corrupt_and_truncated_archives() {
        let d = docx("<w:p><w:r><w:t>内容</w:t></w:r></w:p>");
        let cut = d.get(..d.len() / 2).unwrap();
        let e = read_bytes("a.docx", cut).unwrap_err();
        assert!(matches!(e, ReadError::CorruptDocx(_)), "{e}");
        let bad_xml = zip_with(&[("word/document.xml", b"<w:document><w:body><w:p>".as_slice())]);
        let e = read_bytes("a.docx", &bad_xml).unwrap_err();
        assert!(
            matches!(e, ReadError::CorruptDocx(_) | ReadError::NoText(_)),
            "{e}"
        );
        let not_utf8 = zip_with(&[("word/document.xml", b"<a>\xFF\xFE\xFD</a>".as_slice())]);
        let e = read_bytes("a.docx", &not_utf8).unwrap_err();
        assert!(matches!(e, ReadError::CorruptDocx(_)), "{e}");
    }

    #[test]
    fn empty_document_is_no_text() {
        let e =
            read_bytes("a.docx", &docx("<w:p/><w:p><w:r><w:t> </w:t></w:r></w:p>")).unwrap_err();
        assert_eq!(e.to_string(), "no text after extracting docx");
    }

    /// Sets the "encrypted" flag (bit 0) in every local and central header.
    fn mark_encrypted(mut zip: Vec<u8>) -> Vec<u8> {
        let mut i = 0;
        while i + 10 <= zip.len() {
            if zip.get(i..i + 4) == Some(b"PK\x03\x04".as_slice()) {
                zip[i + 6] |= 1;
            } else if zip.get(i..i + 4) == Some(b"PK\x01\x02".as_slice()) {
                zip[i + 8] |= 1;
            }
            i += 1;
        }
        zip
    }

    #[test]
    fn encrypted_entries_are_reported() {
        let d = mark_encrypted(docx("<w:p><w:r><w:t>机密</w:t></w:r></w:p>"));
        let e = read_bytes("a.docx", &d).unwrap_err();
        assert!(matches!(e, ReadError::EncryptedDocx), "{e}");
    }

    #[test]
    fn zip_bomb_is_refused() {
        // 65 MiB of zeros inside a paragraph compresses to a few dozen KiB.
        let mut xml = Vec::with_capacity(66 << 20);
        xml.extend_from_slice(HEAD.as_bytes());
        xml.extend_from_slice(b"<w:p><w:r><w:t>");
        xml.resize(xml.len() + (65 << 20), b'0');
        xml.extend_from_slice(b"</w:t></w:r></w:p>");
        xml.extend_from_slice(TAIL.as_bytes());
        let d = zip_with(&[("word/document.xml", xml.as_slice())]);
        drop(xml);
        assert!(d.len() < 1 << 20);
        let e = read_bytes("a.docx", &d).unwrap_err();
        assert!(matches!(e, ReadError::DocxTooLarge { .. }), "{e}");
    }

    #[test]
    fn utf16_document_part() {
        let xml = format!("{HEAD}<w:p><w:r><w:t>十六位</w:t></w:r></w:p>{TAIL}");
        let bytes: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(xml.encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        let d = zip_with(&[("word/document.xml", bytes.as_slice())]);
        let got = read_bytes("a.docx", &d).unwrap();
        assert_eq!(got.text, "十六位");
        assert_eq!(got.encoding, "UTF-16LE");
    }
}
