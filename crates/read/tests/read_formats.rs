//! Integration tests of the read stage through the library API, on copies of a real report
//! (`data/reports/004_bf516dcb483bd87d.txt`) converted to other encodings and formats at test
//! time, plus the small fixtures in `tests/fixtures/formats/`.

use std::io::Write;
use std::path::{Path, PathBuf};

use govkg_read::{collect_inputs, read_bytes, read_source, ReadError, SourceFormat};

const REPORT: &str = "data/reports/004_bf516dcb483bd87d.txt";

/// The repository's root, where the bundled reports and the copied corpus are.
fn manifest_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn report_path() -> PathBuf {
    manifest_dir().join(REPORT)
}

fn report_text() -> String {
    std::fs::read_to_string(report_path())
        .expect("the report fixture data/reports/004_… is present")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write fixture");
    p
}

fn one_line_error(r: Result<govkg_read::SourceText, ReadError>) -> String {
    let e = r.expect_err("an error").to_string();
    assert!(!e.is_empty() && !e.contains('\n'), "not one line: {e:?}");
    e
}

#[test]
fn utf8_original_is_read_verbatim() {
    let original = report_text();
    let got = read_source(&report_path()).unwrap();
    assert_eq!(got.format, SourceFormat::Text);
    assert_eq!(got.encoding, "UTF-8");
    assert_eq!(got.text, original);
    // EN SPACE inside lines survives.
    assert!(got.text.contains('\u{2002}'));
}

#[test]
fn gb18030_copy_reads_as_original() {
    let original = report_text();
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&original);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "really a legacy encoding"
    );
    let dir = tempfile::tempdir().unwrap();
    let got = read_source(&write(dir.path(), "report_gb.txt", &bytes)).unwrap();
    assert_eq!(got.encoding, "GB18030");
    assert_eq!(got.format, SourceFormat::Text);
    assert_eq!(got.text, original);
}

#[test]
fn gbk_copy_reports_gb18030() {
    // GBK has no EN SPACE; a GBK file would have plain spaces there.
    let original = report_text().replace('\u{2002}', " ");
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&original);
    assert!(!unmappable);
    let got = read_bytes("report_gbk", &bytes).unwrap();
    assert_eq!(got.encoding, "GB18030");
    assert_eq!(got.text, original);
}

#[test]
fn bom_and_crlf_copies_read_as_original() {
    let original = report_text();
    let dir = tempfile::tempdir().unwrap();

    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(original.as_bytes());
    let got = read_source(&write(dir.path(), "bom.txt", &bom)).unwrap();
    assert_eq!(got.encoding, "UTF-8 (BOM)");
    assert_eq!(got.text, original);

    let crlf = original.replace('\n', "\r\n");
    let got = read_source(&write(dir.path(), "crlf.txt", crlf.as_bytes())).unwrap();
    assert_eq!(got.encoding, "UTF-8");
    assert_eq!(got.text, original);

    let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
    utf16.extend(crlf.encode_utf16().flat_map(|u| u.to_le_bytes()));
    let got = read_source(&write(dir.path(), "utf16.txt", &utf16)).unwrap();
    assert_eq!(got.encoding, "UTF-16LE");
    assert_eq!(got.text, original);
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Navigation, toolbar and footer strings of the generated page (none occurs in the report).
const CHROME: &[&str] = &[
    "网站首页",
    "机构职能",
    "互动交流",
    "办事服务",
    "无障碍",
    "当前位置",
    "字体",
    "打印本页",
    "关闭窗口",
    "分享到",
    "版权所有",
    "ICP备",
    "网站标识码",
    "站内搜索",
    "天津市静海区人民政府 2019年12月3日星期二",
];

/// A realistic government-site page around the report: top bar with the site name and date,
/// accessibility toolbar, navigation bar, search form, breadcrumb, the title as `<h1>`, the
/// publication line, the body in `<div class="TRS_Editor">`, a toolbar, related links and a
/// footer. Returns the page and the lines the reader must produce.
fn government_page(report: &str) -> (String, Vec<String>) {
    let mut lines = report.lines();
    let top = lines
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .trim()
        .to_string();
    let mut title = String::new();
    let mut source_line = String::new();
    let mut body = Vec::new();
    for line in lines {
        let t = line.trim();
        if t.is_empty() || t == "无障碍 简体| 繁体" {
            continue;
        }
        if title.is_empty() && t.ends_with("年度报告") {
            title = t.to_string();
        } else if source_line.is_empty() && t.starts_with("来源") {
            source_line = t.to_string();
        } else {
            body.push(line.to_string());
        }
    }
    assert!(!title.is_empty() && !source_line.is_empty() && body.len() > 20);
    let paragraphs: String = body
        .iter()
        .map(|l| format!("<p style=\"text-indent:2em\">{}</p>\n", html_escape(l)))
        .collect();
    let page = format!(
        r##"<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{title}_天津市静海区人民政府</title>
<link rel="stylesheet" href="/css/style.css" />
<script type="text/javascript">var siteName = "天津市静海区人民政府"; function doZoom(s) {{ }}</script>
<style>.TRS_Editor p {{ font-size: 16px; }}</style>
</head>
<body>
<div class="top-bar"><div class="w1200"><span class="site">{top}</span>
<div id="wza" class="wza-toolbar"><a href="javascript:void(0)" id="cniil_wza">无障碍</a> <a href="#" id="jt">简体</a>| <a href="#" id="ft">繁体</a></div></div></div>
<div class="header"><a href="/"><img src="/images/logo.png" alt="天津市静海区人民政府" /></a>
<form class="search-form" action="/search"><input type="text" name="q" placeholder="站内搜索" /><button>搜索</button></form></div>
<div class="nav"><ul>
<li><a href="/">网站首页</a></li><li><a href="/jg/">机构职能</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/bsfw/">办事服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="container">
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/fzzfjs/">法治政府建设</a></div>
<div class="article">
<h1 class="article-title">{title}</h1>
<div class="article-info"><span>{source_line}</span></div>
<div class="article-tools">【字体：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】</div>
<div class="TRS_Editor">
{paragraphs}</div>
<div class="article-bottom"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
<div class="bdshare"><span>分享到：</span><a class="bds_weixin">微信</a><a class="bds_tsina">微博</a></div>
</div>
</div>
<div class="footer"><p>主办：天津市静海区人民政府办公室 承办：静海区政务服务办公室</p>
<p>版权所有：天津市静海区人民政府 津ICP备05009235号-1 网站标识码：1202230001</p>
<p><a href="/sitemap/">网站地图</a> | <a href="/lxwm/">联系我们</a></p></div>
<script>(function(){{ var s = document.createElement("script"); }})();</script>
</body>
</html>
"##
    );
    let mut expected = vec![title, source_line];
    expected.extend(
        body.iter()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty()),
    );
    (page, expected)
}

#[test]
fn html_government_page_yields_the_report_without_chrome() {
    let report = report_text();
    let (page, expected) = government_page(&report);
    for s in CHROME {
        assert!(
            expected.iter().all(|l| !l.contains(s)),
            "test precondition: the report body does not contain {s}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let got = read_source(&write(dir.path(), "report.html", page.as_bytes())).unwrap();
    assert_eq!(got.format, SourceFormat::Html);
    assert_eq!(got.encoding, "UTF-8");
    let lines: Vec<&str> = got.text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines, expected);
    for s in CHROME {
        assert!(
            !got.text.contains(s),
            "chrome string {s:?} leaked into:\n{}",
            got.text
        );
    }
    // The title is the first line.
    assert_eq!(
        got.text.lines().next(),
        expected.first().map(String::as_str)
    );
}

#[test]
fn html_government_page_in_gb2312_with_meta_charset() {
    let report = report_text();
    let (page, expected) = government_page(&report);
    let page = page.replace("charset=utf-8", "charset=gb2312");
    // Characters outside GBK (EN SPACE) become numeric character references, as on real pages.
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&page);
    assert!(unmappable);
    let got = read_bytes("report.htm", &bytes).unwrap();
    assert_eq!(got.encoding, "GB18030");
    let lines: Vec<&str> = got.text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines, expected);
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A DOCX built from the report: one `w:p` per line (the title with a heading style, one line
/// split over several runs, bookmarks, a tab-stop definition, a deleted run), plus a final
/// paragraph with a real tab.
fn report_docx(report: &str) -> Vec<u8> {
    let mut body = String::new();
    let mut split_done = false;
    for (i, line) in report.lines().enumerate() {
        let t = xml_escape(line);
        if line.trim().ends_with("年度报告") && !line.contains('来') {
            body.push_str(&format!(
                r#"<w:p><w:pPr><w:pStyle w:val="Heading1"/><w:jc w:val="center"/></w:pPr><w:bookmarkStart w:id="0" w:name="_GoBack"/><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{t}</w:t></w:r><w:bookmarkEnd w:id="0"/></w:p>"#
            ));
        } else if !split_done && line.chars().count() > 30 {
            split_done = true;
            let chars: Vec<char> = line.chars().collect();
            let parts: Vec<String> = chars
                .chunks(7)
                .map(|c| xml_escape(&c.iter().collect::<String>()))
                .collect();
            body.push_str(r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs><w:ind w:firstLine="640"/></w:pPr>"#);
            for (k, part) in parts.iter().enumerate() {
                body.push_str(&format!(
                    r#"<w:r><w:rPr><w:rFonts w:eastAsia="仿宋_GB2312"/></w:rPr><w:t xml:space="preserve">{part}</w:t></w:r>"#
                ));
                if k == 1 {
                    body.push_str(r#"<w:del w:id="9" w:author="审核人" w:date="2025-02-27T09:57:00Z"><w:r><w:delText>此处为删除的文字</w:delText></w:r></w:del>"#);
                }
            }
            body.push_str("</w:p>");
        } else if line.is_empty() {
            body.push_str(&format!(r#"<w:p w14:paraId="{i:08X}"/>"#));
        } else {
            body.push_str(&format!(
                r#"<w:p><w:r><w:t xml:space="preserve">{t}</w:t></w:r></w:p>"#
            ));
        }
        body.push('\n');
    }
    body.push_str(r#"<w:p><w:r><w:t>附件1</w:t></w:r><w:r><w:tab/><w:t>清单</w:t></w:r></w:p>"#);
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>
{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>"#
    );
    let content_types = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, data) in [
        ("[Content_Types].xml", content_types.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("word/document.xml", document.as_bytes()),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn docx_built_from_report_reads_as_its_lines() {
    let report = report_text();
    let docx = report_docx(&report);
    let dir = tempfile::tempdir().unwrap();
    let got = read_source(&write(dir.path(), "report.docx", &docx)).unwrap();
    assert_eq!(got.format, SourceFormat::Docx);
    assert_eq!(got.encoding, "UTF-8");
    let expected = format!(
        "{}\n附件1\t清单",
        report.lines().collect::<Vec<_>>().join("\n")
    );
    assert_eq!(got.text, expected);
    assert!(!got.text.contains("此处为删除的文字"));
    // Sniffed as DOCX without the extension too.
    assert_eq!(read_bytes("download", &docx).unwrap().text, expected);
}

#[test]
fn pdf_png_empty_and_invalid_bytes_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = write(
        dir.path(),
        "report.pdf",
        b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    );
    let e = one_line_error(read_source(&pdf));
    assert!(e.contains("pdftotext"), "{e}");
    let pdf_as_txt = write(dir.path(), "scan.txt", b"%PDF-1.4\n");
    assert!(one_line_error(read_source(&pdf_as_txt)).contains("pdftotext"));

    let png = write(
        dir.path(),
        "chart.png",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
    );
    assert_eq!(
        one_line_error(read_source(&png)),
        "binary file (PNG image), not a report"
    );
    let png_as_txt = write(
        dir.path(),
        "chart.txt",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    );
    assert!(one_line_error(read_source(&png_as_txt)).starts_with("binary file"));

    let empty = write(dir.path(), "empty.txt", b"");
    assert_eq!(one_line_error(read_source(&empty)), "empty file");
    let blank = write(dir.path(), "blank.html", b"<html><body>\n \n</body></html>");
    assert_eq!(
        one_line_error(read_source(&blank)),
        "no text after extracting html"
    );

    // Pseudo-random bytes (xorshift) under every extension.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for round in 0..24 {
        let bytes: Vec<u8> = (0..4096)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let ext = ["txt", "html", "md", "docx", "bin", ""][round % 6];
        let name = format!("random{round}.{ext}");
        let e = one_line_error(read_bytes(&name, &bytes));
        assert!(!e.starts_with("internal error"), "{name}: {e}");
    }
    // High bytes only (no NUL, no controls): an encoding error.
    let invalid: Vec<u8> = (0..600)
        .map(|i| [0x80u8, 0xFF, 0xC0, 0xFE][i % 4])
        .collect();
    let e = one_line_error(read_bytes("garbage.txt", &invalid));
    assert!(
        e.starts_with("not valid text in any supported encoding"),
        "{e}"
    );
}

#[test]
fn legacy_doc_suggests_docx() {
    let mut ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    ole.resize(1024, 0);
    let e = one_line_error(read_bytes("report.doc", &ole));
    assert!(e.contains(".docx"), "{e}");
}

#[test]
fn committed_fixtures() {
    let got = read_source(&fixture("report_gbk.html")).unwrap();
    assert_eq!(got.format, SourceFormat::Html);
    assert_eq!(got.encoding, "GB18030");
    assert_eq!(
        got.text,
        "某某区司法局2024年法治政府建设年度报告\n来源：某某区司法局 发布时间：2025-01-20\n\
         一、主要举措和成效\n（一）加强党的领导。区司法局坚持以习近平法治思想为指导，认真落实《法治政府建设实施纲要（2021—2025年）》。\n\
         （二）严格规范公正文明执法。全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度。"
    );

    let got = read_source(&fixture("report.md")).unwrap();
    assert_eq!(got.format, SourceFormat::Markdown);
    assert_eq!(got.encoding, "UTF-8");
    assert_eq!(
        got.text,
        "某某区2024年法治政府建设年度报告\n\n一、主要举措和成效\n\n\
         （一）加强党的领导。认真落实《法治政府建设实施纲要（2021—2025年）》。\n\
         （二）依法全面履职，推行\u{2002}“双随机、一公开”监管。\n\n\
         二、存在的不足\n\n执法人员专业素质有待提高。\n\n序号\t事项\n1\t行政许可\n"
    );
}

#[test]
fn collect_inputs_lists_the_reports_sorted() {
    let dir = manifest_dir().join("data/reports");
    let files = collect_inputs(std::slice::from_ref(&dir)).unwrap();
    assert!(files.contains(&report_path()));
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted);
    for f in &files {
        let got = read_source(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert!(!got.text.trim().is_empty());
    }
    let e = collect_inputs(&[dir.join("does-not-exist")]).unwrap_err();
    assert!(matches!(e, ReadError::NotFound(_)));
    assert!(e
        .to_string()
        .ends_with("does-not-exist: no such file or folder"));
}

/// Reads every `.txt` of the corpus in the repository (bundled reports and tests/corpus).
#[test]
fn corpus_reads_verbatim() {
    let roots = [
        manifest_dir().join("data/reports"),
        manifest_dir().join("tests/corpus"),
    ];
    let files: Vec<PathBuf> = collect_inputs(&roots)
        .unwrap()
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    assert!(!files.is_empty());
    for f in &files {
        let got = read_source(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let raw = std::fs::read_to_string(f).unwrap();
        // Verbatim apart from the documented normalisation (two reports carry Word's
        // `[bookmark: _GoBack]` debris).
        let expected = raw
            .strip_prefix('\u{FEFF}')
            .unwrap_or(&raw)
            .replace("\r\n", "\n")
            .replace("[bookmark: _GoBack]", "");
        assert_eq!(got.text, expected, "{}", f.display());
        assert_eq!(got.format, SourceFormat::Text);
        eprintln!(
            "{}\t{}\t{} chars",
            f.display(),
            got.encoding,
            got.text.chars().count()
        );
    }
    eprintln!("{} corpus files read", files.len());
}

/// What extraction finds, as sets of names, to compare formats by.
fn entities_of(text: String, format: &str) -> Vec<std::collections::BTreeSet<String>> {
    let knowledge = govkg_core::knowledge::Knowledge::embedded().unwrap();
    let doc = govkg_core::model::Document {
        id: "004".into(),
        name: "004.txt".into(),
        text,
        format: format.into(),
        encoding: String::new(),
    };
    let x = govkg_core::pipeline::process(&doc, &knowledge);
    vec![
        x.agencies.iter().map(|a| a.canonical.clone()).collect(),
        x.laws.iter().map(|a| a.canonical.clone()).collect(),
        x.policy_documents.iter().map(|a| a.title.clone()).collect(),
        x.initiatives.iter().map(|a| a.canonical.clone()).collect(),
        x.implements
            .iter()
            .map(|r| format!("{}→{}", r.agency, r.initiative))
            .collect(),
        x.cites
            .iter()
            .map(|r| format!("{}→{}", r.agency, r.law))
            .collect(),
        [
            x.title.unwrap_or_default(),
            x.author.unwrap_or_default(),
            format!("{:?}", x.year),
        ]
        .into(),
    ]
}

#[test]
fn every_format_gives_the_same_entities_as_the_plain_text() {
    let report = report_text();
    let plain = entities_of(
        read_bytes("004.txt", report.as_bytes()).unwrap().text,
        "text",
    );
    assert!(
        plain[0].len() > 5 && plain[3].len() > 10,
        "the report has entities: {plain:?}"
    );

    let (gb18030, _, _) = encoding_rs::GB18030.encode(&report);
    let read = read_bytes("004.txt", &gb18030).unwrap();
    assert_eq!(read.encoding, "GB18030");
    assert_eq!(entities_of(read.text, "text"), plain, "GB18030");

    let (page, _) = government_page(&report);
    let read = read_bytes("004.html", page.as_bytes()).unwrap();
    assert_eq!(entities_of(read.text, "html"), plain, "HTML");

    let read = read_bytes("004.docx", &report_docx(&report)).unwrap();
    assert_eq!(read.format, SourceFormat::Docx);
    assert_eq!(entities_of(read.text, "docx"), plain, "DOCX");
}
