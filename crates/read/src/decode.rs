//! Character encodings: BOMs, UTF-8, UTF-16, and the Chinese legacy encodings (GB18030/GBK, Big5)
//! detected with chardetng and decoded with encoding_rs.

use encoding_rs::{Encoding, BIG5, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8};

use super::ReadError;

/// Decoded text and the name of the encoding that was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decoded {
    pub text: String,
    pub encoding: String,
}

/// Decodes the bytes of a text-like file. `declared` is an encoding declared inside the file (an
/// HTML `<meta charset>`), used when the bytes are not valid UTF-8.
///
/// Order: BOM (UTF-8, UTF-16LE, UTF-16BE) → valid UTF-8 → declared encoding → UTF-8 with a few
/// broken bytes → chardetng's guess among GB18030/Big5 (GB18030 otherwise). A result with
/// replacement characters in more than 0.1% of its characters is rejected.
pub(crate) fn decode(
    bytes: &[u8],
    declared: Option<&'static Encoding>,
) -> Result<Decoded, ReadError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let (text, bad) = decode_with(UTF_8, rest);
        return if bad == 0 {
            Ok(decoded(text, "UTF-8 (BOM)"))
        } else if tolerable(&text, bad) {
            Ok(decoded(text, "UTF-8 (BOM, lossy)"))
        } else {
            Err(encoding_error(&["UTF-8"]))
        };
    }
    for (bom, enc) in [(b"\xFF\xFE", UTF_16LE), (b"\xFE\xFF", UTF_16BE)] {
        if let Some(rest) = bytes.strip_prefix(bom.as_slice()) {
            let (text, bad) = decode_with(enc, rest);
            return if tolerable(&text, bad) {
                Ok(decoded(text, enc.name()))
            } else {
                Err(encoding_error(&[enc.name()]))
            };
        }
    }
    if bytes.contains(&0) {
        return utf16_without_bom(bytes)
            .ok_or_else(|| ReadError::Binary("contains NUL bytes".to_string()));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(decoded(text.to_string(), "UTF-8"));
    }
    let mut tried: Vec<&'static str> = vec!["UTF-8"];
    if let Some(enc) = declared.map(superset) {
        if enc != UTF_8 {
            let (text, bad) = decode_with(enc, bytes);
            if tolerable(&text, bad) {
                return Ok(decoded(text, display_name(enc)));
            }
            tried.push(display_name(enc));
        }
    }
    let (text, bad) = decode_with(UTF_8, bytes);
    if tolerable(&text, bad) {
        return Ok(decoded(text, "UTF-8 (lossy)"));
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Allow);
    let candidates: &[&'static Encoding] = if guess == BIG5 {
        &[BIG5, GB18030]
    } else {
        &[GB18030]
    };
    for &enc in candidates {
        if tried.contains(&display_name(enc)) {
            continue;
        }
        let (text, bad) = decode_with(enc, bytes);
        if tolerable(&text, bad) {
            return Ok(decoded(text, display_name(enc)));
        }
        tried.push(display_name(enc));
    }
    Err(encoding_error(&tried))
}

fn decoded(text: String, encoding: &str) -> Decoded {
    Decoded {
        text,
        encoding: encoding.to_string(),
    }
}

fn encoding_error(tried: &[&str]) -> ReadError {
    let mut list: Vec<&str> = tried.to_vec();
    if !list.contains(&"GB18030") && !list.iter().any(|t| t.starts_with("UTF-16")) {
        list.push("GB18030");
    }
    ReadError::Encoding {
        tried: list.join(", "),
    }
}

/// GBK (and its label gb2312) is decoded as its superset GB18030.
fn superset(enc: &'static Encoding) -> &'static Encoding {
    if enc == GBK {
        GB18030
    } else if enc == UTF_16LE || enc == UTF_16BE {
        // An HTML page cannot really declare UTF-16 in ASCII bytes; the HTML spec reads it as UTF-8.
        UTF_8
    } else {
        enc
    }
}

fn display_name(enc: &'static Encoding) -> &'static str {
    if enc == GB18030 {
        "GB18030"
    } else {
        enc.name()
    }
}

/// Decodes without BOM sniffing and returns the text with its count of replacement characters.
fn decode_with(enc: &'static Encoding, bytes: &[u8]) -> (String, usize) {
    let (text, _had_errors) = enc.decode_without_bom_handling(bytes);
    let bad = text.chars().filter(|&c| c == '\u{FFFD}').count();
    (text.into_owned(), bad)
}

/// At most one replacement character per thousand characters.
fn tolerable(text: &str, bad: usize) -> bool {
    bad == 0 || bad.saturating_mul(1000) <= text.chars().count()
}

/// UTF-16 without a BOM: accepted only when one byte of each pair is mostly NUL and the decoded
/// text is entirely plausible report text.
fn utf16_without_bom(bytes: &[u8]) -> Option<Decoded> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let pairs = bytes.len() / 2;
    let nul_even = bytes.iter().step_by(2).filter(|&&b| b == 0).count();
    let nul_odd = bytes.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    let enc = if nul_odd * 5 >= pairs && nul_even == 0 {
        UTF_16LE
    } else if nul_even * 5 >= pairs && nul_odd == 0 {
        UTF_16BE
    } else {
        return None;
    };
    let (text, bad) = decode_with(enc, bytes);
    if bad > 0 || !text.chars().all(plausible_char) {
        return None;
    }
    Some(decoded(text, &format!("{} (no BOM)", enc.name())))
}

fn plausible_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r')
        || matches!(c as u32,
            0x20..=0x7E
            | 0xA0..=0x24F
            | 0x2000..=0x2BFF
            | 0x3000..=0x30FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFFEF)
}

/// The encoding declared by an HTML document in its first 4 KiB: `<meta charset=…>`,
/// `<meta http-equiv="Content-Type" content="…; charset=…">` or an XML declaration's `encoding`.
pub(crate) fn html_meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = bytes.get(..bytes.len().min(4096)).unwrap_or(bytes);
    let lower: Vec<u8> = head.iter().map(|b| b.to_ascii_lowercase()).collect();
    if lower.starts_with(b"<?xml") {
        let decl_end = find(&lower, b"?>", 0).unwrap_or(lower.len());
        let decl = lower.get(..decl_end).unwrap_or(&[]);
        if let Some(i) = find(decl, b"encoding", 0) {
            if let Some(enc) = label_after(decl, i + b"encoding".len()) {
                return Some(enc);
            }
        }
    }
    let mut from = 0;
    while let Some(tag) = find(&lower, b"<meta", from) {
        let end = find(&lower, b">", tag).unwrap_or(lower.len());
        let meta = lower.get(tag..end).unwrap_or(&[]);
        let mut at = 0;
        while let Some(i) = find(meta, b"charset", at) {
            if let Some(enc) = label_after(meta, i + b"charset".len()) {
                return Some(enc);
            }
            at = i + 1;
        }
        from = end.max(tag + 1);
    }
    None
}

/// Parses `= "label"` starting at `i` and looks the label up.
fn label_after(s: &[u8], mut i: usize) -> Option<&'static Encoding> {
    let at = |i: usize| s.get(i).copied();
    while at(i).is_some_and(|c| c.is_ascii_whitespace()) {
        i += 1;
    }
    if at(i) != Some(b'=') {
        return None;
    }
    i += 1;
    while at(i).is_some_and(|c| c.is_ascii_whitespace() || c == b'"' || c == b'\'') {
        i += 1;
    }
    let start = i;
    while at(i).is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b':' | b'.'))
    {
        i += 1;
    }
    Encoding::for_label(s.get(start..i)?)
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let tail = hay.get(from..)?;
    tail.windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::super::{read_bytes, ReadError, SourceFormat};
    use super::*;

    const SAMPLE: &str = "天津市静海区人民政府政务服务办公室2024年法治政府建设年度报告\n\
        静海区政务服务办始终坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻党的二十大精神。\n\
        （一）深入落实“放管服”改革，健全完善政府部门清单管理。";

    #[test]
    fn utf8_plain_and_with_bom() {
        let d = decode(SAMPLE.as_bytes(), None).unwrap();
        assert_eq!((d.text.as_str(), d.encoding.as_str()), (SAMPLE, "UTF-8"));
        let mut b = b"\xEF\xBB\xBF".to_vec();
        b.extend_from_slice(SAMPLE.as_bytes());
        let got = read_bytes("a.txt", &b).unwrap();
        assert_eq!(got.text, SAMPLE);
        assert_eq!(got.encoding, "UTF-8 (BOM)");
    }

    #[test]
    fn utf16_with_bom() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(SAMPLE.encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(SAMPLE.encode_utf16().flat_map(|u| u.to_be_bytes()))
            .collect();
        let got = read_bytes("a.txt", &le).unwrap();
        assert_eq!(
            (got.text.as_str(), got.encoding.as_str()),
            (SAMPLE, "UTF-16LE")
        );
        let got = read_bytes("a.txt", &be).unwrap();
        assert_eq!(
            (got.text.as_str(), got.encoding.as_str()),
            (SAMPLE, "UTF-16BE")
        );
    }

    #[test]
    fn utf16_without_bom_when_plausible() {
        let text = "2024年法治政府建设年度报告 (report)";
        let le: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let got = read_bytes("a.txt", &le).unwrap();
        assert_eq!(got.text, text);
        assert_eq!(got.encoding, "UTF-16LE (no BOM)");
    }

    #[test]
    fn gbk_and_gb18030_are_reported_as_gb18030() {
        let (gbk, _, unmappable) = GBK.encode(SAMPLE);
        assert!(!unmappable);
        let got = read_bytes("a.txt", &gbk).unwrap();
        assert_eq!(got.text, SAMPLE);
        assert_eq!(got.encoding, "GB18030");
        // A character outside GBK, only encodable in GB18030 (four-byte sequence).
        let rare = format!("{SAMPLE}\u{20AC}\u{1F600}");
        let (gb, _, unmappable) = GB18030.encode(&rare);
        assert!(!unmappable);
        let got = read_bytes("a.txt", &gb).unwrap();
        assert_eq!(got.text, rare);
        assert_eq!(got.encoding, "GB18030");
    }

    #[test]
    fn big5_is_detected() {
        let trad = "臺北市政府法治政府建設年度報告\n本府依據行政程序法及相關規定，持續推動依法行政，強化行政執法監督。\n";
        let (big5, _, unmappable) = BIG5.encode(trad);
        assert!(!unmappable);
        let got = read_bytes("a.txt", &big5).unwrap();
        // Decoded, then read in simplified characters, one for one.
        assert_eq!(got.encoding, format!("Big5{}", crate::TRADITIONAL_NOTE));
        assert_eq!(got.text.chars().count(), trad.chars().count());
        assert!(got.text.contains("法治政府建设年度报告"), "{}", got.text);
        assert!(got.text.contains("强化行政执法监督"), "{}", got.text);
    }

    #[test]
    fn html_meta_charset_is_honoured() {
        let page = format!(
            "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head>\
             <body><p>{SAMPLE}</p></body></html>"
        );
        let (bytes, _, _) = GBK.encode(&page);
        assert_eq!(html_meta_charset(&bytes), Some(GBK));
        let got = read_bytes("a.html", &bytes).unwrap();
        assert_eq!(got.encoding, "GB18030");
        assert_eq!(got.format, SourceFormat::Html);
        assert!(got.text.contains("（一）深入落实“放管服”改革"));

        assert_eq!(html_meta_charset(b"<meta charset='Big5'>"), Some(BIG5));
        assert_eq!(
            html_meta_charset(b"<?xml version=\"1.0\" encoding=\"GBK\"?><html>"),
            Some(GBK)
        );
        assert_eq!(html_meta_charset(b"<meta name=\"charset\">"), None);
        assert_eq!(html_meta_charset(b"<p>charset=gbk</p>"), None);
        assert_eq!(html_meta_charset(b"<meta charset=\"nonsense\">"), None);
    }

    #[test]
    fn valid_utf8_wins_over_a_wrong_meta_charset() {
        let page =
            format!("<html><head><meta charset=\"gbk\"></head><body><p>{SAMPLE}</p></body></html>");
        let got = read_bytes("a.html", page.as_bytes()).unwrap();
        assert_eq!(got.encoding, "UTF-8");
    }

    #[test]
    fn mostly_utf8_with_a_broken_byte_stays_utf8() {
        let mut b = SAMPLE.repeat(20).into_bytes();
        b.push(0xE5); // truncated final character
        let got = read_bytes("a.txt", &b).unwrap();
        assert_eq!(got.encoding, "UTF-8 (lossy)");
        assert!(got.text.starts_with(SAMPLE));
    }

    #[test]
    fn undecodable_bytes_are_an_error() {
        let junk: Vec<u8> = (0..200u32)
            .map(|i| if i % 2 == 0 { 0x80 } else { 0xFF })
            .collect();
        let e = read_bytes("a.txt", &junk).unwrap_err();
        assert!(matches!(e, ReadError::Encoding { .. }), "{e}");
        assert_eq!(
            e.to_string(),
            "not valid text in any supported encoding (tried UTF-8, GB18030)"
        );
    }
}
