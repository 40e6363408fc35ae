//! Pathological inputs: the shapes that once made a stage of govkg take time (or memory)
//! growing faster than the input (issue 13), generated at any size. `govkg-bench --pathological`
//! times them; the integration tests run each at a few megabytes.
//!
//! Every input is deterministic: a function of its kind and size only.

use crate::BUNDLED;

/// One kind of pathological input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pathology {
    /// A report with its punctuation and line breaks removed, repeated on one line: one clause,
    /// one sentence and one line of the whole size.
    NoPunctuation,
    /// One clause naming agencies and initiatives by the thousand (区司法局“证照分离”、…):
    /// relation candidates between them grow as their product if every pair is tried.
    ManyNamesClause,
    /// A text of quotations by the thousand, most of them distinct terms.
    ManyQuotations,
    /// HTML: `<div>` opened again and again, never closed.
    NestedUnclosedHtml,
    /// HTML: the same, with inline `<font>`/`<b>` tags never closed.
    NestedUnclosedInlineHtml,
    /// HTML: `<div>` nested and closed again (`<div><div>…</div></div>`).
    NestedClosedHtml,
    /// HTML: one element with a huge number of attributes.
    ManyAttributesHtml,
    /// HTML: end tags that do not match the open elements (`<b><div></b>`, `<span><div></span>`),
    /// which html5ever ignores or answers by re-opening the formatting element, so that nesting
    /// grows though every tag has its end tag.
    MisnestedHtml,
    /// HTML: paragraphs and list items never closed (`<p>…<li>…`), as old CMS pages write them,
    /// a realistic page shape that must stay shallow however long the page is.
    UnclosedParagraphsHtml,
    /// Markdown: block quotes and list items nested deeper and deeper.
    NestedMarkdown,
}

impl Pathology {
    pub const ALL: [Pathology; 10] = [
        Pathology::NoPunctuation,
        Pathology::ManyNamesClause,
        Pathology::ManyQuotations,
        Pathology::NestedUnclosedHtml,
        Pathology::NestedUnclosedInlineHtml,
        Pathology::NestedClosedHtml,
        Pathology::ManyAttributesHtml,
        Pathology::MisnestedHtml,
        Pathology::UnclosedParagraphsHtml,
        Pathology::NestedMarkdown,
    ];

    /// A file name for the input (its extension tells govkg the format).
    pub fn file_name(self) -> &'static str {
        match self {
            Pathology::NoPunctuation => "no-punctuation.txt",
            Pathology::ManyNamesClause => "many-names-clause.txt",
            Pathology::ManyQuotations => "many-quotations.txt",
            Pathology::NestedUnclosedHtml => "nested-unclosed.html",
            Pathology::NestedUnclosedInlineHtml => "nested-unclosed-inline.html",
            Pathology::NestedClosedHtml => "nested-closed.html",
            Pathology::ManyAttributesHtml => "many-attributes.html",
            Pathology::MisnestedHtml => "misnested.html",
            Pathology::UnclosedParagraphsHtml => "unclosed-paragraphs.html",
            Pathology::NestedMarkdown => "nested.md",
        }
    }

    /// The input, about `bytes` long (never much shorter, never more than a unit longer).
    pub fn generate(self, bytes: usize) -> String {
        match self {
            Pathology::NoPunctuation => no_punctuation(bytes),
            Pathology::ManyNamesClause => many_names_clause(bytes),
            Pathology::ManyQuotations => many_quotations(bytes),
            Pathology::NestedUnclosedHtml => html_page(repeat_to("<div>", bytes), ""),
            Pathology::NestedUnclosedInlineHtml => {
                html_page(repeat_to("<font color=\"red\"><b>字", bytes), "")
            }
            Pathology::NestedClosedHtml => {
                let depth = bytes / "<div></div>".len();
                html_page("<div>".repeat(depth), &"</div>".repeat(depth))
            }
            Pathology::ManyAttributesHtml => many_attributes(bytes),
            Pathology::MisnestedHtml => html_page(
                repeat_to("<b><div></b>字<span><section></span>字", bytes),
                "",
            ),
            Pathology::UnclosedParagraphsHtml => unclosed_paragraphs(bytes),
            Pathology::NestedMarkdown => nested_markdown(bytes),
        }
    }
}

/// A real report's opening paragraph: the text inside the pathological shapes.
pub const PARAGRAPH: &str = "天津市东丽区司法局深入贯彻习近平法治思想，全面推行“证照分离”改革，\
落实《中华人民共和国行政许可法》，推进“高效办成一件事”。";

/// `unit` repeated until the text is at least `bytes` long.
fn repeat_to(unit: &str, bytes: usize) -> String {
    unit.repeat(bytes.div_ceil(unit.len().max(1)).max(1))
}

/// Realistic report text of at least `bytes`: generated reports (seed 42) one after another,
/// as one file. The linearity benchmark's input.
pub fn realistic(bytes: usize) -> String {
    let generator = crate::Generator::new(&[]);
    let mut out = String::with_capacity(bytes + 32_000);
    let mut index = 0;
    while out.len() < bytes {
        out.push_str(&generator.report(42, index, 5).text);
        out.push('\n');
        index += 1;
    }
    out
}

fn html_page(open: String, close: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>东丽区司法局2024年法治政府建设年度报告</title></head>\
<body>{open}<p>{PARAGRAPH}</p>{close}</body></html>"
    )
}

fn no_punctuation(bytes: usize) -> String {
    let words: String = BUNDLED
        .concat()
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_ascii_punctuation() && !is_cjk_punctuation(*c))
        .collect();
    let mut out = String::with_capacity(bytes + words.len());
    while out.len() < bytes {
        out.push_str(&words);
    }
    let mut end = bytes.min(out.len());
    while !out.is_char_boundary(end) {
        end += 1;
    }
    out.truncate(end);
    out
}

fn is_cjk_punctuation(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0xFF00..=0xFF0F | 0xFF1A..=0xFF20 | 0x2010..=0x206F)
}

fn many_names_clause(bytes: usize) -> String {
    let bodies = ["区司法局", "区市场监管局", "区政务服务办", "国务院", "市委"];
    let initiatives = [
        "“证照分离”",
        "“高效办成一件事”",
        "“双随机、一公开”",
        "“放管服”",
    ];
    let mut out = String::from("东丽区司法局2024年法治政府建设年度报告\n我局会同");
    let mut i = 0;
    while out.len() < bytes {
        out.push_str(bodies[i % bodies.len()]);
        out.push_str("落实");
        out.push_str(initiatives[i % initiatives.len()]);
        out.push('、');
        i += 1;
    }
    out.push_str("取得实效。\n");
    out
}

fn many_quotations(bytes: usize) -> String {
    let heads = ["服务", "改革", "专项行动", "工程", "机制", "平台", "品牌"];
    let mut out = String::from("东丽区司法局2024年法治政府建设年度报告\n");
    let mut i = 0usize;
    while out.len() < bytes {
        // Distinct terms: a number spelled in digits keeps every quotation different.
        out.push_str(&format!(
            "开展“东丽{}{}”，“{}”“{}”",
            i,
            heads[i % heads.len()],
            heads[(i + 1) % heads.len()],
            heads[(i + 2) % heads.len()]
        ));
        out.push(if i % 20 == 19 { '。' } else { '、' });
        i += 1;
    }
    out.push('\n');
    out
}

fn many_attributes(bytes: usize) -> String {
    let mut attributes = String::with_capacity(bytes + 32);
    let mut i = 0usize;
    while attributes.len() < bytes {
        attributes.push_str(&format!(" data-a{i}=\"v{i}\""));
        i += 1;
    }
    html_page(format!("<div class=\"content\"{attributes}>"), "</div>")
}

fn unclosed_paragraphs(bytes: usize) -> String {
    let unit = format!(
        "<p>{PARAGRAPH}<ul><li>第一项<li>第二项</ul><table><tr><td>甲<td>乙<tr><td>丙</table>"
    );
    html_page(repeat_to(&unit, bytes), "")
}

fn nested_markdown(bytes: usize) -> String {
    let mut out = String::from("# 东丽区司法局2024年法治政府建设年度报告\n\n");
    let mut depth = 1usize;
    while out.len() < bytes {
        out.push_str(&"> ".repeat(depth));
        out.push_str("- ");
        out.push_str(PARAGRAPH);
        out.push('\n');
        depth += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_input_has_about_the_size_asked_for() {
        for kind in Pathology::ALL {
            for bytes in [1_000, 100_000] {
                let text = kind.generate(bytes);
                assert!(text.len() >= bytes / 2, "{kind:?}: {}", text.len());
                assert!(text.len() <= bytes * 2 + 2_000, "{kind:?}: {}", text.len());
                assert_eq!(text, kind.generate(bytes), "{kind:?} is deterministic");
            }
        }
    }

    #[test]
    fn no_punctuation_is_one_clause() {
        let text = Pathology::NoPunctuation.generate(200_000);
        assert!(!text.contains(['，', '。', '、', '\n', '“', '《']));
    }
}
