//! Report metadata: title, year, and who wrote it, read from the heading block.
//!
//! The furniture words and title endings are data: page_furniture.tsv (use `heading`) and
//! `[metadata]` of rule_vocabulary.toml.

use super::{AgencyRef, Context, JurisdictionRef, Mention, PlaceRef, Referent};
use crate::knowledge::Entry;
use crate::model::Span;
use crate::segment;

#[derive(Debug, Clone, Default)]
pub struct Metadata {
    pub title: Option<String>,
    /// The title's lines (a heading may run over two lines).
    pub title_spans: Vec<Span>,
    /// The end of the heading block: text before it is not body.
    pub heading_end: usize,
    pub year: Option<i32>,
    /// Who the heading says wrote the report.
    pub author: Option<AgencyRef>,
    /// A place named in the title (东丽区2024年…), when the heading names no body.
    pub title_place: Option<crate::knowledge::PlaceName>,
    /// Where the heading names an author no other rule found (荷塘区城市更新服务中心), which
    /// is then a mention of it.
    pub author_span: Option<Span>,
}

impl Metadata {
    /// The heading's mention of an author no other rule found, to put in place of the mentions
    /// inside it (the place of 荷塘区城市更新服务中心).
    pub fn add_author_mention(&self, mentions: &mut Vec<Mention>) {
        let (Some(span), Some(author)) = (self.author_span, &self.author) else {
            return;
        };
        mentions.retain(|m| !span.contains(m.span));
        let at = mentions.partition_point(|m| m.span < span);
        mentions.insert(
            at,
            Mention {
                span,
                referent: Referent::Agency(author.clone()),
            },
        );
    }
}

/// Reads the heading block; `agencies_and_places` are the agency and place mentions of the text,
/// in order.
pub fn read(cx: &Context<'_>, agencies_and_places: &[Mention]) -> Metadata {
    let words = &cx.knowledge.vocabulary.metadata;
    let mut heading: Vec<Span> = Vec::new();
    let mut heading_end = 0;
    let mut after_body = false;
    // A metadata label whose value is on the next line (来源: / 新疆政府网, 来 源 / 虎跳峡镇): that
    // line is furniture too.
    let mut after_label = false;
    let mut heading_full = false;
    let mut past_banner = false;
    let ends_title = |t: &str| words.title_endings.iter().any(|e| t.ends_with(e.as_str()));
    for (index, line) in segment::lines(cx.text).take(HEADING_LINES).enumerate() {
        // A metadata table's title row (标  题 河南省人民政府关于…的报告): its value is the heading.
        let line = Span::new(line.start + title_label_len(cx, cx.slice(line)), line.end);
        let raw = cx.slice(line);
        let cleaned = clean_heading_line(raw);
        let furniture = is_furniture(cx, raw);
        let value_of_label =
            std::mem::replace(&mut after_label, furniture && is_label_alone(cx, &cleaned));
        let skipped = cleaned.is_empty() || furniture || value_of_label || is_salutation(&cleaned);
        if skipped {
            if heading.is_empty() {
                continue;
            }
            // What stood above a breadcrumb (当前位置: 首页>…) was the page's menu or share
            // buttons (新闻中心 组织机构…, 关注 · 微博): the heading comes after it.
            if is_breadcrumb(cx, raw) {
                heading.clear();
                heading_full = false;
                continue;
            }
            // A portal's banner (山南市人民政府) over page furniture (今天是: …) may stand above
            // the heading: look on, past the furniture and the menus, for a complete title to
            // replace it.
            if past_banner {
                continue;
            }
            if heading.len() == 1 && !ends_title(&cleaned_heading(cx, &heading)) {
                past_banner = true;
                continue;
            }
            break;
        }
        if heading_full {
            break;
        }
        // A short line that names no body or place and does not end like a title (有效, 支持IPv6,
        // 通知公告) is a banner, a column or a metadata value before the heading: passed over;
        // so is a column that ends like one but has no year either (工作报告).
        if heading.is_empty()
            && (!ends_title(&cleaned) || first_year(&cleaned).is_none())
            && is_short_naming_nobody(&cleaned, line, agencies_and_places)
        {
            continue;
        }
        // A spaced-out letterhead (青 海 省 卫 生 健 康 委) is no part of the title; it may name
        // the author (see `spaced_letterhead`).
        if heading.is_empty() && spaced_out(raw.trim()).is_some() {
            continue;
        }
        // A section heading (一、…, (一)…) is the body's start, never the title.
        let is_body = cleaned.chars().count() > 60
            || cleaned.ends_with('。')
            || words
                .lead_sentence_endings
                .iter()
                .any(|e| cleaned.ends_with(e.as_str()))
            || is_section_heading(&cleaned, cx.knowledge.vocabulary.enumeration().numerals);
        // A portal may put a slogan or a lead line above the heading: look on for a complete
        // title in the first lines, but take nothing else after body text.
        if is_body {
            if heading.is_empty() && index < LEAD_LINES {
                after_body = true;
                continue;
            }
            break;
        }
        let complete = ends_title(&cleaned) && first_year(&cleaned).is_some();
        // Past a banner, only a complete title is taken; else the banner stays what it was.
        if past_banner && !complete {
            continue;
        }
        if after_body && !complete {
            // A column name between the lead text and the title (司法信息) is passed over too.
            if index < LEAD_LINES && cleaned.chars().count() <= COLUMN_NAME_CHARS {
                continue;
            }
            break;
        }
        // A column name above a complete title (区内新闻, 通知公告) is no part of it; nor is a
        // portal's banner (左贡县人民政府 / 政府信息公开) above a title that names its own
        // subject before its year (碧土乡2024年…报告), where a continued heading's second line
        // starts with 关于 or the year.
        let short_lines_before = heading
            .iter()
            .all(|s| clean_heading_line(cx.slice(*s)).chars().count() <= COLUMN_NAME_CHARS);
        // A line that opened a 关于 phrase (兰州新区管理委员会关于报送 / 《…情况》的报告) is the
        // heading's first line, whatever the next one names.
        let opened_about = heading
            .last()
            .is_some_and(|s| cx.slice(*s).contains(words.heading_about.as_str()));
        if complete
            && !opened_about
            && (short_lines_before || names_own_subject(&cleaned, &words.heading_about))
        {
            heading.clear();
        }
        heading.push(trimmed_line_span(cx, line));
        heading_end = line.end;
        if ends_title(&cleaned_heading(cx, &heading)) {
            break;
        }
        // Three lines are a heading, unless a breadcrumb follows (checked on the next line).
        heading_full = heading.len() >= 3;
    }
    let title: Option<String> = (!heading.is_empty())
        .then(|| {
            heading
                .iter()
                .map(|s| clean_heading_line(cx.slice(*s)))
                .collect::<String>()
        })
        .map(|t| t.trim_start_matches('#').trim().to_string());
    // The title's year; else the latest year in the opening lines (a regulation's last
    // amendment), not counting the page's metadata (发布日期:2025-04-01 above a 2024 report)
    // but the document's number (国发〔2019〕5号).
    let year = title.as_deref().and_then(first_year).or_else(|| {
        let opening = &cx.text[..floor(cx.text, 600)];
        opening
            .lines()
            .take(12)
            .filter(|l| is_document_number(l.trim()) || !is_furniture(cx, l))
            .filter_map(|l| first_year(&without_titles(l)))
            .max()
    });

    let mut meta = Metadata {
        title,
        title_spans: heading.clone(),
        heading_end,
        year,
        ..Default::default()
    };
    if let Some(title) = meta.title.clone() {
        find_author(cx, &title, &heading, agencies_and_places, &mut meta);
    }
    // A letterhead names the author better than a heading that names no place: a relative
    // form after a title that names nobody (省政府 of 在省委省政府的坚强领导下) is a guess.
    let named_in_full = match &meta.author {
        Some(AgencyRef::National(_)) => true,
        Some(
            AgencyRef::Form { jurisdiction, .. }
            | AgencyRef::Department { jurisdiction, .. }
            | AgencyRef::Subdistrict { jurisdiction, .. },
        ) => matches!(jurisdiction, JurisdictionRef::Named(_)),
        Some(_) => false,
        None => meta.title_place.is_some(),
    };
    if !named_in_full {
        if let Some((agency, span)) = spaced_letterhead(cx) {
            meta.author = Some(agency);
            meta.author_span = Some(span);
        }
    }
    if meta.author.is_none() && meta.title_place.is_none() {
        opening_subject(cx, agencies_and_places, &mut meta);
    }
    // A page that starts at a section (一、工作开展情况) has lost its heading: the first body it
    // names stands for the author, as after a heading that names none.
    if meta.author.is_none() && meta.title_place.is_none() && starts_at_section(cx) {
        meta.author = first_body(cx, agencies_and_places, meta.heading_end);
    }
    if meta.author.is_none() && meta.title_place.is_none() {
        meta.author = publisher(cx, agencies_and_places);
    }
    if matches!(meta.author, None | Some(AgencyRef::Author)) && meta.title_place.is_none() {
        if let Some(body) = body_of_own_titles(cx, agencies_and_places) {
            meta.author = Some(body);
        }
    }
    meta
}

/// A report that names itself only 我局 and nothing else: the body whose full name opens a
/// title the report says it issued (制定了《六盘水市文体广电旅游局2024年…工作要点》), when that name
/// ends with the self-reference's last character (局).
fn body_of_own_titles(cx: &Context<'_>, found: &[Mention]) -> Option<AgencyRef> {
    let own_endings: Vec<char> = found
        .iter()
        .filter(|m| m.referent == Referent::Agency(AgencyRef::Author))
        .filter_map(|m| cx.slice(m.span).chars().next_back())
        .collect();
    if own_endings.is_empty() {
        return None;
    }
    let verbs = &cx.knowledge.vocabulary.laws.issuing_verbs;
    found.iter().find_map(|m| {
        let Referent::Agency(
            agency @ (AgencyRef::Form {
                jurisdiction: JurisdictionRef::Named(_),
                ..
            }
            | AgencyRef::Department {
                jurisdiction: JurisdictionRef::Named(_),
                ..
            }),
        ) = &m.referent
        else {
            return None;
        };
        let title = cx.title_containing(m.span)?;
        let before = cx.text[..title.outer.start].trim_end_matches('了');
        let issued = verbs.iter().any(|v| before.ends_with(v.as_str()));
        let own = cx
            .slice(m.span)
            .chars()
            .next_back()
            .is_some_and(|c| own_endings.contains(&c));
        (title.inner.start == m.span.start && issued && own).then(|| agency.clone())
    })
}

/// A letterhead spaced out one character at a time (青 海 省 卫 生 健 康 委) in the heading lines:
/// the body it spells when that is a national body or a place and one of its bodies, with the
/// letterhead as its mention. The table names are looked up in the letterhead without its spaces.
fn spaced_letterhead(cx: &Context<'_>) -> Option<(AgencyRef, Span)> {
    segment::lines(cx.text)
        .take(HEADING_LINES)
        .find_map(|line| {
            let raw = cx.slice(line);
            let trimmed = raw.trim();
            let name = spaced_out(trimmed)?;
            let hits = cx.knowledge.scan(&name);
            let agency = match hits[..] {
                [(0, end, Entry::NationalAgency(n))] if end == name.len() => AgencyRef::National(n),
                [(0, place_end, Entry::Place(place)), (form_start, end, Entry::AgencyForm(form))]
                    if place_end == form_start && end == name.len() =>
                {
                    AgencyRef::Form {
                        form,
                        jurisdiction: JurisdictionRef::Named(place),
                    }
                }
                _ => return None,
            };
            let start = line.start + (raw.len() - raw.trim_start().len());
            Some((agency, Span::new(start, start + trimmed.len())))
        })
}

/// A line of single Chinese characters between spaces (青 海 省 卫 生 健 康 委), without its
/// spaces; None for any other line, and for a spaced label (来 源).
fn spaced_out(line: &str) -> Option<String> {
    /// Fewer characters than this spaced out are a label, not a letterhead.
    const MIN_CHARS: usize = 4;
    let one_char_words = line.split_whitespace().all(|word| {
        let mut chars = word.chars();
        chars.next().is_some_and(super::is_han) && chars.next().is_none()
    });
    (one_char_words && line.split_whitespace().count() >= MIN_CHARS)
        .then(|| line.split_whitespace().collect())
}

/// The body a page's publisher label names (发布机构: 湖州市交通运输局), for a report whose heading
/// and opening name no author (a cover letter comes first: 现将我局…随文上报).
fn publisher(cx: &Context<'_>, found: &[Mention]) -> Option<AgencyRef> {
    let labels = &cx.knowledge.vocabulary.metadata.publisher_labels;
    segment::lines(cx.text)
        .take(HEADING_LINES)
        .find_map(|line| {
            if !holds_any_word(cx.slice(line), labels) {
                return None;
            }
            found.iter().find_map(|m| match &m.referent {
                Referent::Agency(agency)
                    if line.contains(m.span) && *agency != AgencyRef::Author =>
                {
                    Some(agency.clone())
                }
                _ => None,
            })
        })
}

/// A line that is only a document's number (东府〔2024〕41号, 京政发[2023]3号): no title.
fn is_document_number(line: &str) -> bool {
    /// A document number is a few characters of issuer, the year, a number and 号.
    const LONGEST: usize = 24;
    let Some(rest) = line.strip_suffix('号') else {
        return false;
    };
    let Some((issuer, year_and_number)) = rest.split_once(['〔', '[', '［']) else {
        return false;
    };
    let Some((year, number)) = year_and_number.split_once(['〕', ']', '］']) else {
        return false;
    };
    line.chars().count() <= LONGEST
        && !issuer.is_empty()
        && year.len() == 4
        && year.chars().all(|c| c.is_ascii_digit())
        && !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit())
}

/// The heading's lines, cleaned and joined.
fn cleaned_heading(cx: &Context<'_>, heading: &[Span]) -> String {
    heading
        .iter()
        .map(|s| clean_heading_line(cx.slice(*s)))
        .collect()
}

/// Whether a line (`cleaned`, spanning `line`) is no longer than a column name and names no body
/// or place: a banner, a column or a menu entry.
fn is_short_naming_nobody(cleaned: &str, line: Span, found: &[Mention]) -> bool {
    cleaned.chars().count() <= COLUMN_NAME_CHARS && !names_body_or_place(line, found)
}

/// Whether one of the mentions `found` (in text order) lies in `line`.
fn names_body_or_place(line: Span, found: &[Mention]) -> bool {
    let i = found.partition_point(|m| m.span.start < line.start);
    found.get(i).is_some_and(|m| m.span.end <= line.end)
}

/// Whether the text's first line of words is a section heading.
fn starts_at_section(cx: &Context<'_>) -> bool {
    let numerals = cx.knowledge.vocabulary.enumeration().numerals;
    segment::lines(cx.text)
        .map(|l| clean_heading_line(cx.slice(l)))
        .find(|l| !l.is_empty())
        .is_some_and(|l| is_section_heading(&l, numerals))
}

/// Whether `line` starts like a section heading: a numeral and 、 (一、), or a numeral in
/// brackets ((一), （二）).
fn is_section_heading(line: &str, numerals: &str) -> bool {
    let rest = line
        .strip_prefix(['(', '（'])
        .unwrap_or(line)
        .trim_start_matches(|c| numerals.contains(c));
    rest.len() < line.len()
        && line[..line.len() - rest.len()]
            .chars()
            .any(|c| numerals.contains(c))
        && rest.starts_with(['、', ')', '）'])
}

/// Whether a complete title names its subject before its year (碧土乡2024年…报告), as a
/// heading's first line does, not its continuation (关于2024年…, 2024年…).
fn names_own_subject(title: &str, about: &str) -> bool {
    let before_year = title
        .split(|c: char| c.is_ascii_digit())
        .next()
        .unwrap_or_default();
    before_year.chars().count() >= 2 && !before_year.starts_with(about)
}

/// A breadcrumb line: two marks or more (首页>政务公开>公示信息).
fn is_breadcrumb(cx: &Context<'_>, line: &str) -> bool {
    let marks = &cx.knowledge.vocabulary.metadata.breadcrumb_marks;
    line.matches(|c| marks.contains(c)).count() >= 2
}

/// A line of web-page furniture or metadata (来源, 发布时间, 首页 >, a breadcrumb's second line
/// `> 政务公告`, spaced labels 索 引 号): never title, never body.
fn is_furniture(cx: &Context<'_>, line: &str) -> bool {
    let marks = &cx.knowledge.vocabulary.metadata.breadcrumb_marks;
    // A breadcrumb's second line starts with a mark; a breadcrumb after some banner text holds
    // two (… > 政策文件 > 市政府文件).
    line.trim_start().starts_with(|c| marks.contains(c))
        || is_breadcrumb(cx, line)
        || is_document_number(line.trim())
        || holds_any_word(line, &cx.knowledge.heading_furniture)
        // An index number or a date alone (736916951/2024-000784, 2025年03月19日 09时07分).
        || line
            .chars()
            .all(|c| !super::is_han(c) || cx.knowledge.vocabulary.metadata.date_chars.contains(c))
}

/// A metadata label with its value on the next line: ending with a colon (来源:), or a label of
/// the page furniture alone (来 源, 公开日期).
fn is_label_alone(cx: &Context<'_>, cleaned: &str) -> bool {
    let unspaced: String = cleaned.chars().filter(|c| !c.is_whitespace()).collect();
    if cx
        .knowledge
        .vocabulary
        .metadata
        .title_labels
        .contains(&unspaced)
    {
        return false;
    }
    is_salutation(cleaned) || cx.knowledge.heading_furniture.contains(&unspaced)
}

/// The length in bytes of a title label that opens `line` with its value after it on the same
/// line (标  题 X, 标题: X; portals space a label's characters to align them); 0 without one.
fn title_label_len(cx: &Context<'_>, line: &str) -> usize {
    let labels = &cx.knowledge.vocabulary.metadata.title_labels;
    let mut unspaced = String::new();
    for (at, c) in line.char_indices() {
        if c.is_whitespace() {
            continue;
        }
        unspaced.push(c);
        if !labels.iter().any(|l| l.starts_with(unspaced.as_str())) {
            return 0;
        }
        let end = at + c.len_utf8();
        let rest = &line[end..];
        let value_follows =
            rest.starts_with(char::is_whitespace) || unspaced.ends_with([':', '：']);
        if labels.contains(&unspaced) && value_follows && !rest.trim().is_empty() {
            return line.len() - rest.trim_start().len();
        }
    }
    0
}

/// Whether `line` holds one of `words`, as written or with its white space taken out (portals
/// space labels to align them: 索 引 号).
fn holds_any_word(line: &str, words: &[String]) -> bool {
    if words.iter().any(|w| line.contains(w.as_str())) {
        return true;
    }
    if !line.trim().contains(char::is_whitespace) {
        return false;
    }
    let unspaced: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    words.iter().any(|w| unspaced.contains(w.as_str()))
}

/// The lines a heading, its page furniture and metadata are looked for in.
const HEADING_LINES: usize = 12;

/// Lines above a heading that may be a slogan or lead text, not yet the report.
const LEAD_LINES: usize = 4;
/// The longest column name a portal puts above a title (通知公告, 区内新闻).
const COLUMN_NAME_CHARS: usize = 6;

/// A short line ending with a colon before any title is a salutation naming the addressee
/// (市委、市政府:), not a heading: the report is written to that body, not by it.
fn is_salutation(line: &str) -> bool {
    /// Longer lines ending with a colon are body text introducing a list.
    const LONGEST_SALUTATION: usize = 24;
    (line.ends_with(':') || line.ends_with('\u{FF1A}'))
        && line.chars().count() <= LONGEST_SALUTATION
}

/// A report without a heading names itself in its first sentence: `2023年,福建省司法厅坚持…`,
/// `2024年,在市委、市政府的正确领导下,中原区坚持…`. The subject is the body or place right
/// after the opening time phrase and a framing clause (在…下); a place is its government's.
fn opening_subject(cx: &Context<'_>, found: &[Mention], meta: &mut Metadata) {
    let words = &cx.knowledge.vocabulary.metadata;
    let Some(line) = segment::lines(cx.text)
        .filter(|l| l.start >= meta.heading_end)
        .find(|l| {
            let raw = cx.slice(*l);
            let cleaned = clean_heading_line(raw);
            // A short line naming nobody is a banner or a menu entry (• 轻度污染), not the opening;
            // nor is the title written again below the page's metadata line.
            !cleaned.is_empty()
                && meta.title.as_deref() != Some(cleaned.as_str())
                && !is_short_naming_nobody(&cleaned, *l, found)
                && !is_salutation(&cleaned)
                && !is_furniture(cx, raw)
        })
    else {
        return;
    };
    let sentence = cx.slice(line);
    let lead = sentence.len() - sentence.trim_start().len();
    let subject_of_sentence = |mut at: usize| {
        // 2024年,区司法局… and 2024年县司法局… alike: a body must start right after the
        // phrase, and after any framing clauses (在县委的领导下,在县人大…的监督下,).
        at += time_phrase_len(&cx.text[at..line.end], words);
        loop {
            let framing = framing_clause_len(&cx.text[at..line.end], words);
            if framing == 0 {
                break;
            }
            at += framing;
        }
        subject_at(cx, found, at)
    };
    // Else a preamble in the opening lines: 现将省政府2024年度…情况报告如下.
    let within = cx.text[meta.heading_end..]
        .char_indices()
        .nth(words.report_preamble_within_chars)
        .map_or(cx.text.len(), |(i, _)| meta.heading_end + i);
    let opening = &cx.text[line.start..floor(cx.text, within).max(line.start)];
    let preamble_at = opening
        .find(words.report_preamble.as_str())
        .map(|i| line.start + i + words.report_preamble.len());
    let preamble = || subject_at(cx, found, preamble_at?);
    // A report of the party's 法治建设 (not the government's 法治政府建设), as its subject's
    // words (武山县法治建设工作坚持…) or its preamble (现将2022年度法治建设工作情况报告如下) say.
    let designates_party = |at: usize| {
        let rest = &cx.text[at..];
        rest[time_phrase_len(rest, words)..].starts_with(words.party_report_designation.as_str())
    };
    // Else the second sentence, after a maxim (法治是安邦治国的基石…。2022年,…全县…).
    let second_sentence = || {
        let first_end = sentence.find(words.sentence_end.as_str())?;
        subject_of_sentence(line.start + first_end + words.sentence_end.len())
    };
    match subject_of_sentence(line.start + lead)
        .or_else(preamble)
        .or_else(second_sentence)
    {
        // A body's party group as the subject (宁县教育局党组坚持…) leads that body's work: the
        // report is the body's.
        Some(Subject::Body(AgencyRef::PartyGroupOf(body))) => meta.author = Some(*body),
        Some(Subject::Body(agency)) => meta.author = Some(agency),
        Some(Subject::Place(place, end)) => {
            meta.title_place = Some(place);
            if designates_party(end) || preamble_at.is_some_and(designates_party) {
                meta.author = Some(AgencyRef::Form {
                    form: cx.knowledge.party_committee_form,
                    jurisdiction: JurisdictionRef::Named(place),
                });
            }
        }
        None => {}
    }
}

enum Subject {
    Body(AgencyRef),
    /// A place, and where its name ends.
    Place(crate::knowledge::PlaceName, usize),
}

/// The body or place whose mention starts at `at`. Bodies named jointly (石家庄市委、市政府,
/// 中共浚县县委 浚县人民政府) report as one; a report on government work is the government's.
fn subject_at(cx: &Context<'_>, found: &[Mention], at: usize) -> Option<Subject> {
    let prefixes = &cx.knowledge.vocabulary.metadata.subject_prefixes;
    let starts_subject = |m: &Mention| {
        m.span.start == at
            || prefixes
                .iter()
                .any(|p| cx.text.get(at..m.span.start) == Some(p.as_str()))
    };
    let Some(mut first) = found.iter().position(starts_subject) else {
        // 2022年,自治区坚持…: a level word alone is the report's own place at that level.
        let rest = cx.text.get(at..)?;
        let v = &cx.knowledge.vocabulary;
        let word = v
            .level_words
            .iter()
            .position(|w| rest.starts_with(w.word.as_str()))?;
        return Some(Subject::Body(AgencyRef::Form {
            form: cx.knowledge.local_government_form,
            jurisdiction: JurisdictionRef::LevelWord(word),
        }));
    };
    match &found[first].referent {
        // 我县, 全州: the report's own place, whose government reports.
        Referent::Place(PlaceRef::Deictic(c)) => {
            return Some(Subject::Body(AgencyRef::Form {
                form: cx.knowledge.local_government_form,
                jurisdiction: JurisdictionRef::Level(*c),
            }))
        }
        // A place followed by its bodies (浚县县委 浚县人民政府) is those bodies; a place
        // followed by a place within it (原州区头营镇) is the inner one's.
        Referent::Place(PlaceRef::Known(place)) => {
            let mut place = *place;
            while let Some(inner) = found.get(first + 1).and_then(|m| match m.referent {
                Referent::Place(PlaceRef::Known(inner))
                    if m.span.start == found[first].span.end =>
                {
                    Some(inner)
                }
                _ => None,
            }) {
                first += 1;
                place = inner;
            }
            let next = found.get(first + 1).filter(|m| {
                m.span.start == found[first].span.end && matches!(m.referent, Referent::Agency(_))
            });
            if next.is_none() {
                return Some(Subject::Place(place, found[first].span.end));
            }
            first += 1;
        }
        Referent::Agency(agency) if *agency != AgencyRef::Author => {
            // 广州市海珠区人民政府南华西街道办事处: a government's office in a 街道, whose name
            // starts with the government's, wrote the report.
            if township_office_follows(cx, &found[first..]) {
                first += 1;
            }
        }
        _ => return None,
    }
    joint_author(cx, &found[first..]).map(Subject::Body)
}

/// Whether a body of a township place is written right after the body `run[0]`, as `run[1]`
/// (区人民政府 + 南华西街道办事处, or + 南华西街道 + 办事处): the office alone is named.
fn township_office_follows(cx: &Context<'_>, run: &[Mention]) -> bool {
    let [body, next, ..] = run else {
        return false;
    };
    let k = cx.knowledge;
    let township_named = match &next.referent {
        Referent::Place(PlaceRef::Known(name)) => {
            k.names_townships_only(name)
                && run.get(2).is_some_and(|office| {
                    office.span.start == next.span.end
                        && matches!(office.referent, Referent::Agency(_))
                })
        }
        Referent::Agency(
            AgencyRef::Form {
                jurisdiction: JurisdictionRef::Named(name),
                ..
            }
            | AgencyRef::Subdistrict {
                jurisdiction: JurisdictionRef::Named(name),
                ..
            },
        ) => k.names_townships_only(name),
        _ => false,
    };
    township_named && next.span.start == body.span.end
}

/// The author among the bodies named jointly from `run[0]` (盟委、行署; 遵义市委、市政府): the
/// government, else the first.
fn joint_author(cx: &Context<'_>, run: &[Mention]) -> Option<AgencyRef> {
    let (joint, end) = joint_bodies(cx, run);
    let government = joint
        .iter()
        .find(|a| a.kind(cx.knowledge) == Some("government"));
    // 巴州党委、政府: a bare government word after the bodies is the government of their place.
    if let (None, Some(AgencyRef::Form { jurisdiction, .. })) = (government, joint.first()) {
        if names_bare_government(cx, end) {
            return Some(AgencyRef::Form {
                form: cx.knowledge.local_government_form,
                jurisdiction: jurisdiction.clone(),
            });
        }
    }
    let mut author = government.or(joint.first()).map(|a| (*a).clone())?;
    // 遵义市委、市政府: the relative body shares the place its partner names.
    let named_place = joint.iter().find_map(|a| match a {
        AgencyRef::Form {
            jurisdiction: JurisdictionRef::Named(place),
            ..
        } => Some(*place),
        _ => None,
    });
    if let (
        AgencyRef::Form {
            jurisdiction: jurisdiction @ JurisdictionRef::Level(_),
            ..
        },
        Some(place),
    ) = (&mut author, named_place)
    {
        *jurisdiction = JurisdictionRef::Named(place);
    }
    Some(author)
}

/// A department no table knows, written in the heading's first line right after its place
/// (荷塘区文旅体局2024年度…): the Han characters up to the year or 关于, when they end like a
/// department's name; with the span of place and name.
fn unnamed_department(
    cx: &Context<'_>,
    found: &[Mention],
    line: Span,
    after_year: usize,
) -> Option<(String, Span)> {
    let place = found.iter().find(|m| {
        (m.span.start == line.start || m.span.start == after_year)
            && matches!(m.referent, Referent::Place(PlaceRef::Known(_)))
    })?;
    let (name, span) = unnamed_department_after(cx, place.span.end, line.end)?;
    Some((name, Span::new(place.span.start, span.end)))
}

/// The Han characters from `start` up to the year or 关于 before `line_end`, when they end like a
/// department's name (文旅体局): the name and its span.
fn unnamed_department_after(
    cx: &Context<'_>,
    start: usize,
    line_end: usize,
) -> Option<(String, Span)> {
    let words = &cx.knowledge.vocabulary.metadata;
    let rest = cx.text.get(start..line_end)?;
    let end = rest
        .find(|c: char| c.is_ascii_digit())
        .into_iter()
        .chain(rest.find(words.heading_about.as_str()))
        .min()
        .unwrap_or(rest.len());
    // A second name in brackets after the first (藏语委办(编译局)): the first is the name.
    let written = rest[..end].trim_end();
    let name = match segment::trailing_bracket_start(written) {
        Some(i) => &written[..i],
        None => &rest[..end],
    };
    let chars = name.chars().count();
    let department = (2..=words.department_max_chars).contains(&chars)
        && name.chars().all(super::is_han)
        && words
            .department_endings
            .iter()
            .any(|e| name.ends_with(e.as_str()));
    department.then(|| (name.to_string(), Span::new(start, start + name.len())))
}

/// A department written in the heading's first line right after its government's name, place
/// and all (大兴安岭地区行政公署司法局2023年度…): the department, named by the words after the
/// place (行政公署司法局), as the heading writes its official name.
fn department_of_government(
    cx: &Context<'_>,
    found: &[Mention],
    line: Span,
    after_year: usize,
) -> Option<(AgencyRef, Span)> {
    let k = cx.knowledge;
    let governments: Vec<&str> = [
        k.agency_forms[k.local_government_form].full.as_str(),
        k.agency_forms
            .iter()
            .find(|f| f.short == k.vocabulary.names.office_government_form)
            .map_or("", |f| f.full.as_str()),
    ]
    .into_iter()
    .filter(|f| !f.is_empty())
    .collect();
    let (government, form, place) = found.iter().find_map(|m| {
        if m.span.start != line.start && m.span.start != after_year {
            return None;
        }
        match &m.referent {
            Referent::Agency(AgencyRef::Form {
                form,
                jurisdiction: JurisdictionRef::Named(place),
            }) if governments.contains(&k.agency_forms[*form].full.as_str()) => {
                Some((m.span, *form, *place))
            }
            _ => None,
        }
    })?;
    // The place's name, then the government's form as written (行政公署).
    let place_name = cx
        .slice(government)
        .strip_suffix(k.agency_forms[form].short.as_str())
        .filter(|place_name| !place_name.is_empty())?;
    let after_place = government.start + place_name.len();
    // A body the tables know right after the government (南华西街道办事处) is read as such.
    if found.iter().any(|m| m.span.start == government.end) {
        return None;
    }
    let (department, span) = unnamed_department_after(cx, government.end, line.end)?;
    let name = format!("{}{department}", &cx.text[after_place..government.end]);
    let jurisdiction = JurisdictionRef::Named(place);
    Some((
        AgencyRef::Department { name, jurisdiction },
        Span::new(government.start, span.end),
    ))
}

/// Whether the text at `at` is a joining mark and a bare government word (、政府).
fn names_bare_government(cx: &Context<'_>, at: usize) -> bool {
    let words = &cx.knowledge.vocabulary.metadata;
    let rest = cx.text.get(at..).unwrap_or_default();
    let Some(mark) = rest.chars().next() else {
        return false;
    };
    if !words.joint_author_separators.contains(mark) {
        return false;
    }
    let rest = &rest[mark.len_utf8()..];
    // A body written there (政府办公室) would have joined the run: this is the bare word.
    words
        .bare_government_words
        .iter()
        .any(|w| rest.starts_with(w.as_str()))
}

/// The bodies named one after another from `run[0]`, separated only by a joining mark, and
/// where the last of them ends.
fn joint_bodies<'m>(cx: &Context<'_>, run: &'m [Mention]) -> (Vec<&'m AgencyRef>, usize) {
    let separators = &cx.knowledge.vocabulary.metadata.joint_author_separators;
    let mut bodies = Vec::new();
    let mut end = None;
    let mut mentions = run.iter().peekable();
    while let Some(first) = mentions.next() {
        // A place right before a body is that body's (云阳县凤鸣镇人民政府).
        let mut mention = first;
        if matches!(mention.referent, Referent::Place(_)) {
            if let Some(body) = mentions.next_if(|next| {
                next.span.start == mention.span.end && matches!(next.referent, Referent::Agency(_))
            }) {
                mention = body;
            }
        }
        if let Some(end) = end {
            let gap = cx.text.get(end..first.span.start).unwrap_or("x");
            // Written together with no mark, only a party committee and a government are two
            // bodies (中共盘锦市委盘锦市人民政府, 区委区政府).
            let joined = gap.is_empty() && party_then_government(cx, bodies.last(), mention);
            if !joined && (gap.is_empty() || !gap.chars().all(|c| separators.contains(c))) {
                break;
            }
        }
        match &mention.referent {
            Referent::Agency(agency) if *agency != AgencyRef::Author => bodies.push(agency),
            _ => break,
        }
        end = Some(mention.span.end);
    }
    (bodies, end.unwrap_or_default())
}

/// Whether `previous` is a party committee and `next` a government.
fn party_then_government(cx: &Context<'_>, previous: Option<&&AgencyRef>, next: &Mention) -> bool {
    let k = cx.knowledge;
    let Referent::Agency(next) = &next.referent else {
        return false;
    };
    previous.and_then(|a| a.kind(k)) == Some("party") && next.kind(k) == Some("government")
}

/// Length of an opening time phrase (2023年, / 2024年以来,) with its comma, or without one
/// (2024年上海市…, 2024年县司法局…); 0 when none.
fn time_phrase_len(s: &str, words: &crate::vocabulary::MetadataWords) -> usize {
    let phrase = words
        .opening_time_phrases
        .iter()
        .find(|p| s.starts_with(p.as_str()));
    if let Some(phrase) = phrase {
        let rest = &s[phrase.len()..];
        return match rest.chars().next() {
            Some(c) if words.clause_separators.contains(c) => phrase.len() + c.len_utf8(),
            _ => 0,
        };
    }
    let digits = s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits != 4 {
        return 0;
    }
    let Some(rest) = s[digits..].strip_prefix(words.year_marker.as_str()) else {
        return 0;
    };
    let rest = words
        .after_year
        .iter()
        .find_map(|w| rest.strip_prefix(w.as_str()))
        .unwrap_or(rest);
    match rest.chars().next() {
        Some(c) if words.clause_separators.contains(c) => s.len() - rest.len() + c.len_utf8(),
        _ => s.len() - rest.len(),
    }
}

/// Length of a framing clause (在市委、市政府的正确领导下,), with its comma; 0 when none.
fn framing_clause_len(s: &str, words: &crate::vocabulary::MetadataWords) -> usize {
    let Some(comma) = s.find(|c: char| words.clause_separators.contains(c)) else {
        return 0;
    };
    let frames = words
        .framing_clauses
        .iter()
        .any(|[open, close]| s.starts_with(open.as_str()) && s[..comma].ends_with(close.as_str()));
    if !frames {
        return 0;
    }
    comma + s[comma..].chars().next().map_or(0, char::len_utf8)
}

fn floor(text: &str, i: usize) -> usize {
    crate::knowledge::floor_char_boundary(text, i)
}

fn clean_heading_line(s: &str) -> String {
    let s = s.trim().trim_matches(is_line_mark);
    s[doc_number_prefix_len(s)..].trim().to_string()
}

/// `line` without its bracketed titles: a cited plan's years (《…纲要(2021—2025年)》) are not the
/// report's.
fn without_titles(line: &str) -> std::borrow::Cow<'_, str> {
    if !line.contains('《') {
        return line.into();
    }
    let mut depth = 0usize;
    line.chars()
        .filter(|&c| {
            match c {
                '《' => depth += 1,
                '》' => {
                    depth = depth.saturating_sub(1);
                    return false;
                }
                _ => {}
            }
            depth == 0
        })
        .collect::<String>()
        .into()
}

/// A table rule, a Markdown heading mark, a list bullet or white space around a heading line.
fn is_line_mark(c: char) -> bool {
    matches!(c, '|' | '#' | '•' | '●' | '·' | '■' | '◆' | '▪') || c.is_whitespace()
}

/// The length of a bracketed document number before a title ([天政发〔2026〕7号]天水市…).
fn doc_number_prefix_len(s: &str) -> usize {
    let Some(close) = ['[', '【']
        .iter()
        .find(|&&open| s.starts_with(open))
        .and_then(|_| s.find([']', '】']))
    else {
        return 0;
    };
    let inner = &s[..close];
    if inner.contains('〔') || inner.contains('号') {
        close + s[close..].chars().next().map_or(0, char::len_utf8)
    } else {
        0
    }
}

fn trimmed_line_span(cx: &Context<'_>, line: Span) -> Span {
    let s = cx.slice(line);
    let unmarked = s.trim_start_matches(is_line_mark);
    let lead = s.len() - unmarked.len() + doc_number_prefix_len(unmarked);
    let kept = s
        .trim_end_matches(|c: char| c == '|' || c.is_whitespace())
        .len();
    Span::new(line.start + lead, line.start + kept.max(lead))
}

/// The first 4-digit year (19xx/20xx) in `s`.
pub fn first_year(s: &str) -> Option<i32> {
    let chars: Vec<char> = s.chars().collect();
    chars.windows(4).enumerate().find_map(|(i, w)| {
        let digits: String = w.iter().collect();
        let before_ok = i == 0 || !chars[i - 1].is_ascii_digit();
        let after_ok = chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit());
        (before_ok && after_ok && (digits.starts_with("19") || digits.starts_with("20")))
            .then(|| digits.parse().ok())
            .flatten()
    })
}

/// The author is the body the title starts with (天津市东丽区人民政府政务服务办公室2025年…,
/// 市政务服务办2023年…, 国务院关于…). A title that starts with a place only (东丽区2024年…) is the
/// place's government's report. A regulation's or a speech's title names no body: the first body
/// named in the rest of the heading block (…人民代表大会常务委员会…通过, 国务院总理) wrote it.
fn find_author(
    cx: &Context<'_>,
    title: &str,
    heading: &[Span],
    found: &[Mention],
    meta: &mut Metadata,
) {
    let Some(first_line) = heading.first().copied() else {
        return;
    };
    // The title starts with its author or place, perhaps after 关于 (关于祁阳市2024年度…), or
    // names it after the year (2024年上海市…).
    let words = &cx.knowledge.vocabulary.metadata;
    let about = if cx
        .slice(first_line)
        .starts_with(words.heading_about.as_str())
    {
        words.heading_about.len()
    } else {
        0
    };
    let start = first_line.start + about;
    let after_year = start + time_phrase_len(&cx.text[start..first_line.end], words);
    let subject = subject_at(cx, found, start).or_else(|| subject_at(cx, found, after_year));
    match subject {
        Some(Subject::Body(agency)) => {
            // 大兴安岭地区行政公署司法局: a department named after its government's full name.
            let department = matches!(agency, AgencyRef::Form { .. })
                .then(|| {
                    department_of_government(
                        cx,
                        found,
                        Span::new(start, first_line.end),
                        after_year,
                    )
                })
                .flatten();
            if let Some((department, span)) = department {
                meta.author = Some(department);
                meta.author_span = Some(span);
                return;
            }
            meta.author = Some(agency);
            return;
        }
        Some(Subject::Place(place, _)) => {
            meta.title_place = Some(place);
            if let Some((name, span)) =
                unnamed_department(cx, found, Span::new(start, first_line.end), after_year)
            {
                meta.author = Some(AgencyRef::Department {
                    name,
                    jurisdiction: JurisdictionRef::Named(place),
                });
                meta.author_span = Some(span);
                return;
            }
        }
        None => {
            // 省营商局关于…: a department no table knows after a level character is the
            // department of the report's place at that level.
            let level = cx.text[start..first_line.end]
                .chars()
                .next()
                .filter(|&c| cx.knowledge.vocabulary.is_level_char(c));
            if let Some(level) = level {
                let after_level = start + level.len_utf8();
                if let Some((name, span)) =
                    unnamed_department_after(cx, after_level, first_line.end)
                {
                    meta.author = Some(AgencyRef::Department {
                        name,
                        jurisdiction: JurisdictionRef::Level(level),
                    });
                    meta.author_span = Some(Span::new(start, span.end));
                    return;
                }
            }
        }
    }
    let names_a_law = words
        .law_title_endings
        .iter()
        .any(|e| title.ends_with(e.as_str()));
    // A heading that names nobody (关于2024年法治政府建设情况的报告): the opening sentence's
    // subject, past its framing clauses (在市委、市政府正确领导下,市司法局…), is the author;
    // the first body named would be the framing's.
    if meta.title_place.is_none() && !names_a_law {
        opening_subject(cx, found, meta);
        if meta.author.is_some() || meta.title_place.is_some() {
            return;
        }
    }
    if meta.title_place.is_none() || names_a_law {
        if let Some(agency) = first_body(cx, found, meta.heading_end) {
            meta.author = Some(agency);
            meta.title_place = None;
        }
    }
}

/// The first body named in the 400 bytes after `from` (with those named jointly with it).
fn first_body(cx: &Context<'_>, found: &[Mention], from: usize) -> Option<AgencyRef> {
    let words = &cx.knowledge.vocabulary.metadata;
    let window_end = floor(cx.text, from + 400);
    // A body followed by …会议上 on its line is the venue (在第十四届全国人民代表大会第二次
    // 会议上), not the author; …会议通过 is.
    let is_venue = |m: &Mention| {
        let rest = &cx.text[m.span.end..];
        let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
        line.contains(words.venue_marker.as_str())
    };
    let first = found
        .iter()
        .take_while(|m| m.span.start < window_end)
        .position(|m| match &m.referent {
            Referent::Agency(agency) => *agency != AgencyRef::Author && !is_venue(m),
            _ => false,
        })?;
    joint_author(cx, &found[first..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years() {
        assert_eq!(first_year("2018政府工作报告"), Some(2018));
        assert_eq!(first_year("东丽区2024年法治政府建设年度报告"), Some(2024));
        assert_eq!(first_year("国发〔12345〕号"), None);
        assert_eq!(first_year("no year"), None);
    }

    #[test]
    fn a_document_number_alone_is_no_title() {
        for line in [
            "东府〔2024〕41号",
            "京政发[2023]3号",
            "津滨政办［2022］12号",
        ] {
            assert!(is_document_number(line), "{line}");
        }
        for line in [
            "〔2024〕41号",
            "东府〔2024〕号",
            "关于印发东府〔2024〕41号文件的通知",
            "41号",
        ] {
            assert!(!is_document_number(line), "{line}");
        }
    }

    #[test]
    fn section_headings_are_numbered_with_a_mark() {
        let numerals = "一二三四五六七八九十";
        for line in [
            "一、2023年工作总结",
            "(一)党委统筹领导",
            "（十二）加强宣传",
            "十一、其他",
        ] {
            assert!(is_section_heading(line, numerals), "{line}");
        }
        for line in [
            "一是加强领导",
            "一网通办",
            "2024年工作报告",
            "(2024年)",
            "、一",
        ] {
            assert!(!is_section_heading(line, numerals), "{line}");
        }
    }
}
