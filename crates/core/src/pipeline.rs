//! The pure part of the pipeline for one document, in the order the data needs it: each step
//! reads what the steps before it made, and nothing after.

use crate::budget::{Budget, OverBudget, UNLIMITED};
use crate::extract::{self, metadata, relations, Context};
use crate::knowledge::Knowledge;
use crate::model::{Document, Extraction};
use crate::resolve::{self, ReportContext};

/// Everything govkg knows about one report, as the published record.
pub fn process(doc: &Document, knowledge: &Knowledge) -> Extraction {
    // An unlimited budget is never spent: this is always the extraction.
    process_within(doc, knowledge, &UNLIMITED).unwrap_or_default()
}

/// [`process`] within a time budget: the same record, or [`OverBudget`] when the budget runs
/// out first (the stages look at it between them and in their loops, see [`crate::budget`]).
pub fn process_within(
    doc: &Document,
    knowledge: &Knowledge,
    budget: &Budget,
) -> Result<Extraction, OverBudget> {
    let over = |spent: bool| if spent { Err(budget.over()) } else { Ok(()) };
    // Segment: titles, quotations and the tables' names found in the text.
    let context = Context::with_budget(&doc.text, knowledge, budget);
    over(budget.check())?;
    // The report's context first: its heading, author and place chain, decided once from the
    // heading and the names of bodies and places.
    let mut bodies_and_places = extract::bodies_and_places(&context);
    over(budget.check())?;
    let heading = metadata::read(&context, &bodies_and_places);
    let report = ReportContext::decide(knowledge, &context, &heading, &bodies_and_places);
    heading.add_author_mention(&mut bodies_and_places);
    extract::subdistricts_as_bodies(&context, &mut bodies_and_places, heading.heading_end);
    // Then every mention, then the relation candidates between them.
    let mentions = extract::all_mentions(&context, bodies_and_places);
    over(budget.check())?;
    let candidates = relations::find(&context, &mentions);
    over(budget.check())?;
    // Last, mentions and relations resolved against the report's context.
    let extraction = resolve::resolve(doc, knowledge, &report, &heading, &mentions, &candidates);
    over(budget.check())?;
    Ok(extraction)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The built-in tables, loaded once for every test of this module.
    fn knowledge() -> &'static Knowledge {
        static KNOWLEDGE: std::sync::OnceLock<Knowledge> = std::sync::OnceLock::new();
        KNOWLEDGE.get_or_init(|| Knowledge::embedded().unwrap())
    }

    fn run(text: &str) -> Extraction {
        process(&doc(text.to_string()), knowledge())
    }

    fn agency_names(x: &Extraction) -> Vec<String> {
        x.agencies.iter().map(|a| a.canonical.clone()).collect()
    }

    fn place_names(x: &Extraction) -> Vec<String> {
        x.places.iter().map(|p| p.canonical.clone()).collect()
    }

    fn doc(text: String) -> Document {
        Document {
            id: "t".into(),
            name: "t.txt".into(),
            text,
            format: "text".into(),
            encoding: "UTF-8".into(),
        }
    }

    /// An issuing verb or a body right before a title: the `issued` relation, with the words
    /// that say so as evidence, and the same agency as the document's issuer.
    #[test]
    fn a_body_or_verb_before_a_title_issued_it() {
        let knowledge = knowledge();
        let text = "天津市东丽区司法局2024年法治政府建设年度报告\n\
                    2024年，我局制定《东丽区普法责任清单》，\
                    国家发展改革委《全国优化营商环境情况交流》刊发我区经验。\n";
        let x = process(&doc(text.to_string()), knowledge);
        let issued: Vec<(&str, &str, &str)> = x
            .issued
            .iter()
            .map(|r| (r.agency.as_str(), r.document.as_str(), r.evidence.as_str()))
            .collect();
        assert_eq!(
            issued,
            [
                (
                    "天津市东丽区司法局",
                    "东丽区普法责任清单",
                    "我局制定《东丽区普法责任清单》"
                ),
                (
                    "中华人民共和国国家发展和改革委员会",
                    "全国优化营商环境情况交流",
                    "国家发展改革委《全国优化营商环境情况交流》"
                ),
            ]
        );
        let chars: Vec<char> = text.chars().collect();
        for r in &x.issued {
            let span = r.span.unwrap();
            let quoted: String = chars[span.start..span.end].iter().collect();
            assert_eq!(quoted, r.evidence);
            let document = x.policy_documents.iter().find(|d| d.title == r.document);
            assert_eq!(document.unwrap().issuer.as_deref(), Some(r.agency.as_str()));
        }
    }

    /// The author from every heading form: the title's start, the place after the title's year,
    /// a joint heading or subject (the government of the two), and the first sentence when there
    /// is no heading or only a salutation naming the addressee.
    #[test]
    fn the_author_comes_from_every_heading_form() {
        let knowledge = knowledge();
        let cases = [
            (
                "2024年甘肃省法治政府建设情况报告\n一、主要举措\n",
                "甘肃省人民政府",
            ),
            (
                "中共凤凰县委 凤凰县人民政府关于2023年度法治政府建设情况的报告\n一年来,全县…\n",
                "凤凰县人民政府",
            ),
            (
                "2024年,贵州省司法厅坚持以习近平法治思想为指导,扎实推进法治政府建设。\n",
                "贵州省司法厅",
            ),
            (
                "县委、县政府:\n2023年,在县委、县政府的坚强领导下,宁乡市坚持依法行政。\n",
                "宁乡市人民政府",
            ),
            (
                "2023年以来,遵义市委、市政府深入学习贯彻习近平法治思想。\n",
                "遵义市人民政府",
            ),
            (
                "2024年,在县委的坚强领导下,在县人大的监督支持下,我县坚持依法行政。\
                 贯彻《阳城县优化营商环境办法》。\n",
                "阳城县人民政府",
            ),
            (
                "法治是治国理政的基本方式。2022年,在市委、县委的领导下,全县推进依法行政,\
                 高台县各部门依法履职。\n",
                "高台县人民政府",
            ),
            (
                "2023年,巴州党委、政府坚持以习近平法治思想为指导。\n",
                "巴音郭楞蒙古自治州人民政府",
            ),
            (
                "东府〔2024〕41号\n市政府并市委:\n2024年,东辽县纵深推进法治政府建设。\n",
                "东辽县人民政府",
            ),
            (
                "网站标识码:6302230002 主办单位:互助县人民政府办公室\n\
                 青公网安备 63022302000103号 备案号:青ICP备16000286号-1\n\
                 2024年,互助县法治政府建设工作在县委、县政府的领导下推进。\n",
                "互助土族自治县人民政府",
            ),
            (
                "无障碍 一网搜 登录| 注册\n政务服务 中国政府网 省政府网 English 日本語 站群导航\n关闭\n\
                 当前位置:  首页 >  政务 >  通知公告\n长春市人民政府关于\n\
                 2023年度法治政府建设情况的报告\n2023年,在省委、省政府的领导下,推进法治建设。\n",
                "长春市人民政府",
            ),
            // A heading that names nobody: the opening's subject, not its framing bodies.
            (
                "关于2024年法治政府建设情况的报告\n\n2024年,在市委、市政府正确领导下,\
                 市司法局深入推进依法行政,为大连发展提供法治保障。\n",
                "大连市司法局",
            ),
            // A menu's short entries and a date line before a headingless opening.
            (
                "站群导航\n\nAQI\n\n  • 轻度污染\n  • 中度污染\n\n2024-03-15来源:\n\n\
                 2023年,吉林省人民政府坚持依法行政。\n",
                "吉林省人民政府",
            ),
        ];
        for (text, author) in cases {
            let x = process(&doc(text.to_string()), knowledge);
            assert_eq!(x.author.as_deref(), Some(author), "{text}");
            assert!(x.agencies.iter().any(|a| a.canonical == author), "{text}");
        }
        // A salutation is not a title.
        let x = process(&doc(cases[3].0.to_string()), knowledge);
        assert_eq!(x.title, None);
        // A care-mode banner, an index number and a list bullet are no part of the title, nor is
        // the page's date line, and the index number's year is not the report's.
        let x = process(
            &doc(
                "关怀版 网站支持IPv6\n\n首页 > 政务公开 > 其他\n\n  • 736916951/2024-000784\n\
                  • 黑龙江省司法厅关于2023年法治政府建设情况的报告\n  • 2024年03月04日 15时06分\n\n\
                  2023年,省司法厅推进法治建设。\n"
                    .to_string(),
            ),
            knowledge,
        );
        assert_eq!(
            x.title.as_deref(),
            Some("黑龙江省司法厅关于2023年法治政府建设情况的报告")
        );
        assert_eq!(x.year, Some(2023));
        // A source label's value on its own line is no title, and a portal's name no body; a
        // cited plan's years are not the report's.
        let x = process(
            &doc("2024\n04/07\n来源:\n新疆政府网\n【字体:大中小】\n访问量:次\n\
                  根据《法治政府建设实施纲要(2021—2025年)》要求,现将自治区2023年度法治政府建设情况报告如下。\n"
                .to_string()),
            knowledge,
        );
        assert_eq!(x.title, None);
        assert_eq!(x.year, Some(2023));
        assert!(x
            .agencies
            .iter()
            .all(|a| a.mentions.iter().all(|m| m != "新疆政府")));
        // A menu line or share buttons above a breadcrumb are no heading.
        let x = process(
            &doc(
                "新闻中心 组织机构 信息公开 在线办事\n当前位置:首页>>专题专栏>>法治政府建设\n\
                  山西省农业农村厅2021年度法治政府建设情况报告\n时间:2022年01月19日 来源:法规处\n"
                    .to_string(),
            ),
            knowledge,
        );
        assert_eq!(
            x.title.as_deref(),
            Some("山西省农业农村厅2021年度法治政府建设情况报告")
        );
        // Three lines of share buttons are no heading either.
        let x = process(
            &doc("• 扫一扫\n    关注 · 微博\n  • 扫一扫\n    关注 · 微信\n当前位置: 首页>政务公开>公示信息\n\n\
                  南昌高新区2023年法治政府建设工作报告\n\n2023年,高新区坚持依法行政。\n"
                .to_string()),
            knowledge,
        );
        assert_eq!(
            x.title.as_deref(),
            Some("南昌高新区2023年法治政府建设工作报告")
        );
        assert_eq!(
            x.author.as_deref(),
            Some("南昌高新技术产业开发区管理委员会")
        );
        // Labels alone on their lines (来 源 spaced to align, 公开日期) put their values on the
        // next line; 标题 puts the title there.
        let x = process(
            &doc(
                "政府信息公开\n索引号\n文  号\n2025\n来 源\n虎跳峡镇\n公开日期\n2026-02-05\n\
                  虎跳峡镇人民政府2025年法治政府建设工作报告\n发布时间:2026-02-05\n"
                    .to_string(),
            ),
            knowledge,
        );
        assert_eq!(
            x.title.as_deref(),
            Some("虎跳峡镇人民政府2025年法治政府建设工作报告")
        );
        let x = process(
            &doc("标题:\n郑州市司法局2024年法治政府建设年度报告\n一、主要举措\n".to_string()),
            knowledge,
        );
        assert_eq!(
            x.title.as_deref(),
            Some("郑州市司法局2024年法治政府建设年度报告")
        );
    }

    /// A law's short name is a whole word; a city's 规定 is a government rule, a district's a
    /// policy document.
    #[test]
    fn law_names_are_whole_words_and_city_regulations_are_rules() {
        let knowledge = knowledge();
        let text = "绍兴市司法局2023年法治政府建设情况报告\n\
                    开展涉侨公证法律服务,完善公司法人治理结构,宣传公证法。\n\
                    贯彻《绍兴市电梯安全管理规定》和《越城区行政规范性文件管理规定》,\
                    学习《浙江省学习、使用和推广普通话的若干规定》。\n";
        let x = process(&doc(text.to_string()), knowledge);
        let laws: Vec<(&str, &str)> = x
            .laws
            .iter()
            .map(|l| (l.canonical.as_str(), l.kind.as_str()))
            .collect();
        assert!(laws.contains(&("中华人民共和国公证法", "law")), "{laws:?}");
        assert!(!laws.iter().any(|l| l.0.contains("公司法")), "{laws:?}");
        let notary = x.laws.iter().find(|l| l.canonical.ends_with("公证法"));
        assert_eq!(notary.map(|l| l.mentions.len()), Some(1));
        assert!(
            laws.contains(&("绍兴市电梯安全管理规定", "rule")),
            "{laws:?}"
        );
        assert!(x
            .policy_documents
            .iter()
            .any(|d| d.title == "越城区行政规范性文件管理规定"));
        // 、 joins words inside a title.
        assert!(
            laws.contains(&("浙江省学习、使用和推广普通话的若干规定", "rule")),
            "{laws:?}"
        );
    }

    /// Relative forms along the report's place chain, at levels beyond 省/市/区/县: in a county
    /// report of an autonomous prefecture 州委 is the prefecture's and 自治区党委 the region's; a
    /// form with no referent at any level of the chain (省委 in an autonomous region) is dropped.
    #[test]
    fn relative_forms_follow_the_place_chain_at_every_level() {
        let knowledge = knowledge();
        let text = "玛纳斯县2024年法治政府建设情况报告\n\
                    在自治区党委、州委、县委的领导下,县政府落实州政府部署,省委要求。\n";
        let x = process(&doc(text.to_string()), knowledge);
        let agencies: Vec<&str> = x.agencies.iter().map(|a| a.canonical.as_str()).collect();
        for expected in [
            "中共新疆维吾尔自治区委员会",
            "中共昌吉回族自治州委员会",
            "中共玛纳斯县委员会",
            "玛纳斯县人民政府",
            "昌吉回族自治州人民政府",
        ] {
            assert!(agencies.contains(&expected), "{expected}: {agencies:?}");
        }
        assert!(!agencies.iter().any(|a| a.contains("省")), "{agencies:?}");
        let text = "兴安盟2024年法治政府建设情况报告\n盟委、盟行署高度重视。\n";
        let x = process(&doc(text.to_string()), knowledge);
        assert_eq!(x.author.as_deref(), Some("兴安盟行政公署"));
        let agencies: Vec<&str> = x.agencies.iter().map(|a| a.canonical.as_str()).collect();
        assert!(agencies.contains(&"中共兴安盟委员会"), "{agencies:?}");
    }

    /// A report that opens with a 地区 department (地区司法处) is the 地区's that its titles name,
    /// though its region, which every 地区 of it votes for, is named more often.
    #[test]
    fn a_level_word_author_takes_the_place_of_that_level() {
        let x = run(
            "2023年以来,地区司法处坚持以习近平新时代中国特色社会主义思想为指导,\
                     深入贯彻习近平总书记关于西藏工作的重要指示和党的治藏方略,落实地委部署。\n\
                     研究制定了《阿里地区行政执法案例指导制度》。\n",
        );
        assert_eq!(x.author.as_deref(), Some("阿里地区司法处"));
        assert_eq!(x.jurisdiction.as_deref(), Some("阿里地区"));
        assert!(agency_names(&x).contains(&"中共阿里地区委员会".to_string()));
    }

    /// A department written after its government's full name is the author, by that name, and
    /// its short form in the text is the author too.
    #[test]
    fn a_department_after_its_government_is_the_author() {
        let x = run(
            "大兴安岭地区行政公署司法局2023年度法治政府建设年度工作报告\n\
                     年初以来,地区司法局在地委行署的坚强领导下,推进法治建设。\n",
        );
        assert_eq!(x.author.as_deref(), Some("大兴安岭地区行政公署司法局"));
        let agencies = agency_names(&x);
        assert!(
            !agencies.contains(&"大兴安岭地区司法局".to_string()),
            "{agencies:?}"
        );
        assert!(
            agencies.contains(&"大兴安岭地区行政公署".to_string()),
            "{agencies:?}"
        );
        // Right under a breadcrumb written with slashes, too.
        let x = run("首页 / 政务公开 / 年度报告\n\
                     大兴安岭地区行政公署司法局2023年度法治政府建设年度工作报告\n\
                     来源:地区司法局\n年初以来,地区司法局推进法治政府建设。\n");
        assert_eq!(
            x.title.as_deref(),
            Some("大兴安岭地区行政公署司法局2023年度法治政府建设年度工作报告")
        );
        assert_eq!(x.author.as_deref(), Some("大兴安岭地区行政公署司法局"));
        // The government itself, before its year, is still the author of its own report.
        let x = run("大兴安岭地区行政公署2023年度法治政府建设工作报告\n行署高度重视。\n");
        assert_eq!(x.author.as_deref(), Some("大兴安岭地区行政公署"));
    }

    /// A place inside a quoted honour or brand (“清风辽宁政务窗口”) is no vote for the report's
    /// place; a quote that starts with a place still is one.
    #[test]
    fn a_place_inside_a_quoted_honour_is_no_vote() {
        let x = run("2024年,街道党工委坚持依法行政,便民服务大厅获评“清风辽宁政务窗口”。\n");
        assert_eq!(x.jurisdiction, None);
        let x = run("2024年,全省坚持依法行政,推行“辽宁政务服务网”建设。\n");
        assert_eq!(x.jurisdiction.as_deref(), Some("辽宁省"));
    }

    /// A body's study group that studies a law cites it too; 政府党组 alone is the party group
    /// of the report's own government.
    #[test]
    fn a_body_studying_a_law_cites_it_and_a_bare_government_party_group_is_the_own() {
        let x = run("海口市人民政府2022年法治政府建设情况报告\n\
                     市委理论学习中心组专题学习《中华人民共和国行政复议法》,\
                     召开市委常委会4次、政府党组会5次。\n");
        let cites: Vec<(&str, &str)> = x
            .cites
            .iter()
            .map(|c| (c.agency.as_str(), c.law.as_str()))
            .collect();
        let law = "中华人民共和国行政复议法";
        assert!(cites.contains(&("中共海口市委员会", law)), "{cites:?}");
        assert!(cites.contains(&("海口市人民政府", law)), "{cites:?}");
        let agencies = agency_names(&x);
        assert!(
            agencies.contains(&"中共海口市人民政府党组".to_string()),
            "{agencies:?}"
        );
        // Another body's act on a law is no study: only the author cites it.
        let x = run("海口市人民政府2022年法治政府建设情况报告\n\
                     市委印发《中华人民共和国行政复议法》释义。\n");
        assert!(x.cites.iter().all(|c| c.agency == "海口市人民政府"));
    }

    /// 和平区 is a district of 天津 and of 沈阳: the report's place decides, and a report
    /// elsewhere leaves it unresolved instead of taking the first.
    #[test]
    fn a_shared_place_name_follows_the_report() {
        let (places, agencies) = (place_names, agency_names);
        let tianjin =
            run("东丽区2024年法治政府建设年度报告\n我区与和平区司法局、和平区开展合作。\n");
        assert!(agencies(&tianjin).contains(&"天津市和平区司法局".to_string()));
        assert!(places(&tianjin).contains(&"天津市和平区".to_string()));
        let shenyang = run("沈阳市2024年法治政府建设年度报告\n全市与和平区开展合作。\n");
        assert!(places(&shenyang).contains(&"沈阳市和平区".to_string()));
        let elsewhere = run("上海市2024年法治政府建设年度报告\n本市与和平区司法局开展合作。\n");
        assert!(!places(&elsewhere).iter().any(|p| p.ends_with("和平区")));
        assert!(!agencies(&elsewhere).iter().any(|a| a.contains("和平区")));
        // A report whose own name is shared: the places it names decide which.
        let own =
            run("和平区2024年法治政府建设年度报告\n和平区在天津市委领导下，落实天津市部署。\n");
        assert_eq!(own.jurisdiction.as_deref(), Some("天津市和平区"));
        // …also when the city is named only at the start of the titles and names it cites.
        let cited = run("和平区城市管理委员会\n2024年法治政府建设年度报告\n\
             宣传《天津市法治宣传教育条例》，用好“天津干部在线学习”平台。\n");
        assert_eq!(cited.jurisdiction.as_deref(), Some("天津市和平区"));
        assert_eq!(cited.author.as_deref(), Some("天津市和平区城市管理委员会"));
        let county = run("浚县2024年法治政府建设年度报告\n我县落实县司法局部署。\n");
        assert_eq!(county.jurisdiction.as_deref(), Some("浚县"));
        assert!(agencies(&county).contains(&"浚县司法局".to_string()));
        // In a county-level city's report 市 is that city, not its prefecture.
        let city = run("新乐市2024年法治政府建设年度报告\n我市落实市委部署。\n");
        assert_eq!(city.jurisdiction.as_deref(), Some("新乐市"));
        assert!(agencies(&city).contains(&"中共新乐市委员会".to_string()));
        assert!(places(&city).contains(&"新乐市".to_string()));
    }

    /// A township's report (places_townships.tsv): its name in the opening is the place that
    /// writes, under its county; 街道 is run by its 办事处, and the relative forms of the township
    /// and of the county above resolve along that chain. A township name that is also a word
    /// (小城镇) is no place in the body.
    #[test]
    fn a_township_writes_under_its_county() {
        let agencies = agency_names;
        let town = run("小龙门乡2024年法治政府建设情况报告
             2024年，我乡在县委领导下，乡党委研究部署法治建设。
");
        assert_eq!(town.jurisdiction.as_deref(), Some("辰溪县小龙门乡"));
        assert_eq!(town.author.as_deref(), Some("辰溪县小龙门乡人民政府"));
        assert!(agencies(&town).contains(&"中共辰溪县小龙门乡委员会".to_string()));
        assert!(agencies(&town).contains(&"中共辰溪县委员会".to_string()));
        let street = run("西翥街道办事处2025年度法治政府建设情况工作报告
             在区委区政府的领导下，街道党工委理论学习中心组开展学法。
");
        assert_eq!(street.author.as_deref(), Some("昆明市五华区西翥街道办事处"));
        assert!(agencies(&street).contains(&"中共昆明市五华区西翥街道工作委员会".to_string()));
        assert!(agencies(&street).contains(&"中共昆明市五华区委员会".to_string()));
        // A town name two counties share: the county in a body's name decides.
        let shared = run("2025年,郑庄镇在沁水县委、县政府的坚强领导下,推进法治建设。\n");
        assert_eq!(shared.author.as_deref(), Some("沁水县郑庄镇人民政府"));
        assert!(agencies(&shared).contains(&"沁水县人民政府".to_string()));
        // A zone's report: its 管委会 and 党工委 standing alone are its own; a 街道's 党工委 too.
        let zone = run(
            "长春经开区2024年法治政府建设情况报告\n2024年，管委会党工委理论学习中心组开展学法。\n",
        );
        assert_eq!(zone.author.as_deref(), Some("长春经济技术开发区管理委员会"));
        assert!(agencies(&zone).contains(&"中共长春经济技术开发区工作委员会".to_string()));
        let street =
            run("西翥街道办事处2025年度法治政府建设情况工作报告\n党工委、办事处召开会议。\n");
        assert!(agencies(&street).contains(&"中共昆明市五华区西翥街道工作委员会".to_string()));
        let county =
            run("沁水县2024年法治政府建设情况报告\n县政府与开发区管委会、党工委召开会议。\n");
        assert!(agencies(&county).iter().all(|a| !a.contains("工作委员会")));
        // 新区 before a body is the new area of the report's chain, not the district whose 区
        // ends the word; a 街道 whose chain holds no new area leaves it unresolved.
        let new_area =
            run("大连金普新区2024年法治政府建设情况报告\n新区党工委、新区管委会召开会议。\n");
        assert!(agencies(&new_area).contains(&"中共大连金普新区工作委员会".to_string()));
        let street = run("梅溪湖街道2023年法治政府建设工作报告\n梅溪湖街道在新区党工委、管委会的坚强领导下推进法治建设。\n");
        let names = agencies(&street);
        assert!(
            names.iter().all(|a| !a.contains("岳麓区工作委员会")),
            "{names:?}"
        );
        // A township's 党委 standing alone is its own; a class of committees or a village's
        // is nobody's, and a county's report has no township to give it.
        let town = run("2024年,宁安镇在县委、县政府的领导下推进法治建设。党委书记带头学法,党委会专题研学,督促各级党委(党组)和村党委履责。\n");
        let town_agencies = agencies(&town);
        assert!(
            town_agencies.contains(&"中共中宁县宁安镇委员会".to_string()),
            "{town_agencies:?}"
        );
        let committee = town
            .agencies
            .iter()
            .find(|a| a.canonical == "中共中宁县宁安镇委员会");
        assert_eq!(committee.map(|a| a.spans.len()), Some(2));
        let county = run("沁水县2024年法治政府建设情况报告\n党委书记带头学法。\n");
        assert!(agencies(&county).iter().all(|a| a != "中共沁水县委员会"));
        // Named nowhere with its county, the levels of the relative forms decide: 宁安镇 is a
        // town of 宁安市 and of 中宁县, and 县委 fits only the county.
        let by_forms =
            run("2024年,宁安镇在县委、县政府的坚强领导下,在县司法局的指导下推进法治建设。\n");
        assert_eq!(by_forms.author.as_deref(), Some("中宁县宁安镇人民政府"));
        assert!(agencies(&by_forms).contains(&"中宁县司法局".to_string()));
        let by_city = run("2024年,宁安镇在市委、市政府的坚强领导下推进法治建设。\n");
        assert_eq!(by_city.author, None, "both towns lie under a 市");
        let body = format!(
            "东丽区2024年法治政府建设年度报告\n{}推进小城镇建设，建设宜居乡村。\n",
            "我区坚持依法行政。".repeat(30)
        );
        assert!(run(&body)
            .places
            .iter()
            .all(|p| !p.canonical.ends_with("镇") && !p.canonical.ends_with("乡")));
    }

    /// A heading that names a department no table knows after its place: that department
    /// (not the place's government) wrote the report, and 我局 is it.
    #[test]
    fn a_department_no_table_knows_is_read_from_the_heading() {
        let x = run("荷塘区城市更新服务中心2024年度法治政府建设情况报告\n我中心落实区委部署。\n");
        assert_eq!(x.author.as_deref(), Some("株洲市荷塘区城市更新服务中心"));
        let author = x
            .agencies
            .iter()
            .find(|a| a.canonical == "株洲市荷塘区城市更新服务中心");
        let mentions = author.map(|a| a.mentions.clone()).unwrap_or_default();
        assert_eq!(mentions, vec!["荷塘区城市更新服务中心", "我中心"]);
        assert_eq!(x.jurisdiction.as_deref(), Some("株洲市荷塘区"));
        // Its other name in brackets after it.
        let x = run(
            "荷塘区城市更新服务中心(更新办)2024年度法治政府建设情况报告\n我中心落实区委部署。\n",
        );
        assert_eq!(x.author.as_deref(), Some("株洲市荷塘区城市更新服务中心"));
        let x = run("荷塘区2024年度法治政府建设情况报告\n区政府落实区委部署。\n");
        assert_eq!(x.author.as_deref(), Some("株洲市荷塘区人民政府"));
        // After a level character, it is the department of the report's place at that level.
        let x = run("区城市更新服务中心关于2024年度法治政府建设情况的报告\n荷塘区推进依法行政。\n");
        assert_eq!(x.author.as_deref(), Some("株洲市荷塘区城市更新服务中心"));
        let x = run("荷塘区文旅体局2024年度法治政府建设情况报告\n我局开展普法。\n");
        assert_eq!(x.author.as_deref(), Some("株洲市荷塘区文化旅游体育局"));
        // Headingless, in the opening sentence: its county is the report's place, before a
        // province a cited title names.
        let x = run("2025年,扎囊县编译局党组在县委、县政府的坚强领导下,\
                     以《西藏自治区学习、使用和发展藏语文的若干规定》为遵循。\n");
        assert_eq!(x.author.as_deref(), Some("扎囊县编译局"));
        assert_eq!(x.jurisdiction.as_deref(), Some("扎囊县"));
        assert!(agency_names(&x).contains(&"中共扎囊县委员会".to_string()));
    }

    /// 关于 before the heading's place (关于祁阳市2024年度…) does not hide it: a county-level
    /// city's report, whose 市委 and 市政府 are its own.
    #[test]
    fn a_heading_may_start_with_about() {
        let x = run("关于祁阳市2024年度法治政府建设情况的报告\n2024年,在市委的领导下,市政府推进法治政府建设。\n");
        assert_eq!(x.author.as_deref(), Some("祁阳市人民政府"));
        assert!(agency_names(&x).contains(&"中共祁阳市委员会".to_string()));
    }

    /// Metadata lines whose labels a portal spaced out (索 引 号) are furniture all the same: no
    /// title, and the opening sentence names the author.
    #[test]
    fn spaced_metadata_labels_are_no_title() {
        let x = run(
            "索 引 号: 001-2025-00003\n备注/文号: 镛委〔2025〕5号\n发布机构: 古镛镇人民政府\n\
                     中共将乐县委员会,将乐县人民政府:\n\
                     2024年,古镛镇在县委、县政府的指导下推进法治政府建设。\n",
        );
        assert_eq!(x.title, None);
        assert_eq!(x.author.as_deref(), Some("将乐县古镛镇人民政府"));
        assert!(agency_names(&x).contains(&"中共将乐县委员会".to_string()));
        // The other labels of an information-disclosure table.
        let x = run("公开方式: | 主动公开 | 公开时限: | 长期公开 |\n文件编号: | 发布机构: | 湖州市交通运输局 |\n\
                     2024年湖州市交通运输局推进综合执法改革。\n");
        assert_eq!(x.title, None);
        assert_eq!(x.author.as_deref(), Some("湖州市交通运输局"));
        // A cover letter first: the publisher label names the author.
        let x = run(
            "公开方式: | 主动公开 |\n文件编号: | 发布机构: | 湖州市交通运输局 |\n\
                     中共湖州市委、湖州市人民政府:\n\
                     根据有关要求,现将我局《2024年度工作总结》随文上报。\n特此报告。\n",
        );
        assert_eq!(x.author.as_deref(), Some("湖州市交通运输局"));
        let x =
            run("信息分类: 县区\n体裁分类: 工作报告\n浑源县2025年法治政府建设年度报告\n正文。\n");
        assert_eq!(x.title.as_deref(), Some("浑源县2025年法治政府建设年度报告"));
    }

    /// A report without a heading that calls itself one of 法治建设 (not 法治政府建设) is the
    /// party committee's; one that does not is the government's.
    #[test]
    fn a_headingless_report_of_the_partys_work_is_the_committees() {
        let x = run("2020年,武山县法治建设工作坚持以人民为中心。县政府推进依法行政。\n");
        assert_eq!(x.author.as_deref(), Some("中共武山县委员会"));
        let x = run("2022年度,巴楚县坚持依法治县。\n现将2022年度法治建设工作情况报告如下:\n");
        assert_eq!(x.author.as_deref(), Some("中共巴楚县委员会"));
        let x = run("2022年度,巴楚县坚持依法行政,推进法治建设工作。\n现将有关情况报告如下:\n");
        assert_eq!(x.author.as_deref(), Some("巴楚县人民政府"));
    }

    /// A portal's banner and column above a title that names its own subject are no part of
    /// it: the township wrote the report, not the county whose site shows it.
    #[test]
    fn a_banner_above_a_complete_title_is_no_part_of_it() {
        let x = run(
            "左贡县人民政府\n政府信息公开\n碧土乡2024年法治政府建设情况报告\n\
                     2024年,在县委、县政府的领导下,碧土乡推进依法治乡工作。\n",
        );
        assert_eq!(x.title.as_deref(), Some("碧土乡2024年法治政府建设情况报告"));
        assert_eq!(x.author.as_deref(), Some("左贡县碧土乡人民政府"));
        // Nor is a banner over page furniture (a date line, a breadcrumb) and then the title;
        // without a complete title after the furniture, the banner stays the heading.
        let x = run(
            "左贡县人民政府\n今天是: 2018年9月10日 星期一\n当前位置: 首页>新闻中心 > 通告公示\n\n\
                     碧土乡2024年法治政府建设情况报告\n2024年,碧土乡推进依法治乡工作。\n",
        );
        assert_eq!(x.title.as_deref(), Some("碧土乡2024年法治政府建设情况报告"));
        assert_eq!(x.author.as_deref(), Some("左贡县碧土乡人民政府"));
        // Menus between the furniture and the title are passed over too.
        let x = run(
            "中国政府网   吉林省人民政府网   左贡县人民政府网\n信息报送    站群导航      登录\n关闭\n\n\
             县(区)\n\n双辽市人民政府 梨树县人民政府\n\n首页>>政务信息>>公示公告\n\n\
             碧土乡2024年法治政府建设情况报告\n\n2024年,碧土乡推进依法治乡工作。\n",
        );
        assert_eq!(x.title.as_deref(), Some("碧土乡2024年法治政府建设情况报告"));
        assert_eq!(x.author.as_deref(), Some("左贡县碧土乡人民政府"));
        let x =
            run("左贡县人民政府\n今天是: 2018年9月10日 星期一\n\n一、主要举措\n县政府推进工作。\n");
        assert_eq!(x.title.as_deref(), Some("左贡县人民政府"));
        // A heading over two lines is still one heading.
        let x = run("中共海南省委 海南省人民政府\n关于2022年法治政府建设情况的报告\n正文。\n");
        assert_eq!(
            x.title.as_deref(),
            Some("中共海南省委 海南省人民政府关于2022年法治政府建设情况的报告")
        );
    }

    /// 和 before 县委 joins two bodies; it is no part of 和县 (安徽), whose own committee is still
    /// found where the name stands alone or after its parent.
    #[test]
    fn a_two_character_county_name_inside_a_phrase_is_no_place() {
        let x = run("凤鸣镇2025年法治政府建设情况报告\n\
                     在县委、县政府的领导和县委依法治县办的指导下推进工作。\n");
        assert!(
            agency_names(&x).iter().all(|a| !a.contains("和县")),
            "{:?}",
            agency_names(&x)
        );
        let x = run("2024年,和县人民政府部署工作。马鞍山市和县委依法治县办开展督察。\n");
        let names = agency_names(&x);
        assert!(
            names.iter().any(|a| a.ends_with("和县人民政府")),
            "{names:?}"
        );
        assert!(
            names
                .iter()
                .any(|a| a.ends_with("和县委全面依法治县委员会办公室")),
            "{names:?}"
        );
    }

    /// A breadcrumb over two lines is furniture: the title is the line after it, whose place's
    /// government wrote the report (not the 司法局 of the source line).
    #[test]
    fn a_breadcrumb_continued_on_a_second_line_is_no_title() {
        let x = run(
            "当前位置 : 首页\n> 陇西动态 > 政务公告\n2025年陇西县法治政府建设情况\n\
                     日期 : 2026-01-15  文章来源 : 司法局\n\
                     2025年,陇西县政府坚持依法行政。\n",
        );
        assert_eq!(x.title.as_deref(), Some("2025年陇西县法治政府建设情况"));
        assert_eq!(x.author.as_deref(), Some("陇西县人民政府"));
    }

    /// A joint heading with one body per line: the government among them wrote the report.
    #[test]
    fn a_joint_heading_over_lines_is_written_by_the_government() {
        let x = run(
            "中共云阳县凤鸣镇委员会\n云阳县凤鸣镇人民政府\n关于2025年法治政府建设情况的报告\n\
                     县委、县政府:\n2025年,凤鸣镇推进法治建设。\n",
        );
        assert_eq!(x.author.as_deref(), Some("重庆市云阳县凤鸣镇人民政府"));
        // Written together with no mark between them.
        let x = run("中共盘锦市委盘锦市人民政府关于2023年法治政府建设情况的报告\n2023年,盘锦市推进法治建设。\n");
        assert_eq!(x.author.as_deref(), Some("盘锦市人民政府"));
    }

    /// A headingless opening whose subject is a level word (自治区) is the government of the
    /// report's place at that level; 政府 of a 盟 is its 行政公署.
    #[test]
    fn a_level_word_opening_the_report_is_its_government() {
        let x = run("2022年,自治区坚持依法行政,推进法治内蒙古建设,全区各级政府依法履职。\n");
        assert_eq!(x.author.as_deref(), Some("内蒙古自治区人民政府"));
        let x = run("2023年,我盟坚持依法行政,兴安盟法治政府建设取得新成效。\n");
        assert_eq!(x.author.as_deref(), Some("兴安盟行政公署"));
        // 全市 is a city, not the province every named city votes for; without any subject,
        // the deictic form the text uses most says the level.
        let city = "印发《景德镇市重点任务分工方案》,推动浮梁县、全市各乡镇落实,考察江西讲话精神,全省领先。\n";
        let x = run(&format!(
            "2023年,在省委、省政府和市委坚强领导下,全市各级行政机关坚持依法行政。\n{city}"
        ));
        assert_eq!(x.jurisdiction.as_deref(), Some("景德镇市"));
        assert_eq!(x.author.as_deref(), Some("景德镇市人民政府"));
        let x = run(&format!(
            "2023年,各级行政机关坚持依法行政,全市推进法治建设。\n{city}"
        ));
        assert_eq!(x.jurisdiction.as_deref(), Some("景德镇市"));
    }

    /// 依法治县委办公室 is the rule-of-law committee's office, not 县委办公室; 宪法宣誓 is a
    /// ceremony, not a citation of the Constitution.
    #[test]
    fn committee_offices_and_oaths_are_read_whole() {
        let x = run(
            "甘谷县2024年法治政府建设工作总结\n依法治县委办公室主任召开会议,落实宪法宣誓等制度。\n",
        );
        let names = agency_names(&x);
        assert!(
            names.contains(&"中共甘谷县委全面依法治县委员会办公室".to_string()),
            "{names:?}"
        );
        assert!(
            !names.contains(&"中共甘谷县委员会办公室".to_string()),
            "{names:?}"
        );
        assert!(x.laws.is_empty(), "{:?}", x.laws);
    }

    /// A leading group's office after a level character or a place is a body of that place;
    /// one after a word holding the level character (市场) or a level with no place in the
    /// report's chain (省 in a 上海市浦东新区 report) is none.
    #[test]
    fn a_leading_groups_office_is_a_body_of_its_place() {
        let x = run("上海市浦东新区2024年法治政府建设情况报告\n\
             发挥市法治政府建设工作领导小组办公室作用,履行省深入推进依法行政工作领导小组办公室职责,\
             成立由区长任组长的区营商环境领导小组办公室,市场监管领导小组办公室。\n");
        let names = agency_names(&x);
        for expected in [
            "上海市法治政府建设工作领导小组办公室",
            "上海市浦东新区营商环境领导小组办公室",
        ] {
            assert!(names.iter().any(|n| n == expected), "{expected}: {names:?}");
        }
        assert!(
            !names
                .iter()
                .any(|n| n.contains("深入推进") || n.contains("监管")),
            "{names:?}"
        );
        // The group itself after a place at its clause's start; not a role after a body.
        let x = run("海西州人民政府2020年度法治政府建设工作报告\n\
             调整海西州深入推进依法行政加快建设法治政府工作领导小组,明确第一责任人。\
             州委、州政府主要领导担任法治政府建设工作领导小组组长。\n");
        let names = agency_names(&x);
        assert!(
            names.contains(
                &"海西蒙古族藏族自治州深入推进依法行政加快建设法治政府工作领导小组".into()
            ),
            "{names:?}"
        );
        assert_eq!(
            names.iter().filter(|n| n.ends_with("领导小组")).count(),
            1,
            "{names:?}"
        );
    }

    /// A bare 示范创建 (no name before it) is the 法治政府 one; with a name, it is that name's.
    #[test]
    fn a_bare_programme_head_stands_for_its_initiative() {
        let x = run("青海省司法厅2021年法治政府建设情况报告\n\
             部署推进示范创建、法治督察等重点工作,开展商业秘密保护示范创建。\
             择优推荐项目申报全省示范创建。\n");
        let spans = x.initiatives.iter().flat_map(|i| &i.spans);
        assert!(
            !spans.clone().any(|m| m.text.contains("项目")),
            "{:?}",
            x.initiatives
        );
        let names: Vec<&str> = x.initiatives.iter().map(|i| i.canonical.as_str()).collect();
        assert!(names.contains(&"法治政府建设示范创建"), "{names:?}");
        assert!(names.contains(&"商业秘密保护示范创建"), "{names:?}");
    }

    /// A named 街道 of the township table in the body is a body of level subdistrict; a town
    /// named beside it stays a place.
    #[test]
    fn a_named_subdistrict_in_the_body_is_a_body() {
        let x = run("抚顺市顺城区2024年法治政府建设年度报告\n\
             组织宣讲。前甸镇、长春街道等单位主要负责人参加。\n");
        let subdistrict = x
            .agencies
            .iter()
            .find(|a| a.canonical == "抚顺市顺城区长春街道");
        assert_eq!(subdistrict.map(|a| a.level.as_str()), Some("subdistrict"));
        assert!(place_names(&x).contains(&"抚顺市顺城区前甸镇".to_string()));
    }

    /// A heading line that opens a 关于 phrase continues on the next line, even where that
    /// line reads like a complete title of its own.
    #[test]
    fn a_heading_line_ending_in_an_open_about_phrase_continues() {
        let x = run("当前位置 : 门户网站 >> 政府信息公开 >> 政策 >>\n\n\
             兰州新区管理委员会关于报送\n《兰州新区2022年度法治政府建设情况》的报告\n\n\
             来源:兰州新区管理委员会\n\n省政府:\n现将情况随文呈报。\n");
        assert_eq!(
            x.title.as_deref(),
            Some("兰州新区管理委员会关于报送《兰州新区2022年度法治政府建设情况》的报告")
        );
    }

    /// A column named like a title but without a year (工作报告) above a breadcrumb is no heading.
    #[test]
    fn a_column_that_ends_like_a_title_is_no_heading() {
        let x = run(
            "今天是:2021年3月29日 星期一\n工作报告\n\n您所在的位置:政务公开 > 工作报告\n\n\
             2020年静海区法治政府建设情况报告\n文章来源:司法局 更新时间:2021/03/29\n\n\
             2020年,静海区坚持依法行政。\n",
        );
        assert_eq!(x.title.as_deref(), Some("2020年静海区法治政府建设情况报告"));
        assert_eq!(x.author.as_deref(), Some("天津市静海区人民政府"));
    }

    /// A 街道's office, named after the government that sends it, wrote the report.
    #[test]
    fn a_subdistrict_office_named_after_its_government_is_the_author() {
        let x = run(
            "广州市海珠区人民政府南华西街道办事处关于2024年度法治政府建设情况的报告\n\
             2024年,我街道坚持依法行政。\n",
        );
        assert_eq!(x.author.as_deref(), Some("广州市海珠区南华西街道办事处"));
    }

    /// A court takes the name of its place's level: 省法院 is the high court, 市法院 the
    /// intermediate court, 县法院 the county's 人民法院.
    #[test]
    fn a_court_is_named_by_the_level_of_its_place() {
        let province = run(
            "山东省人民政府关于2023年度法治政府建设情况的报告\n省政府、省法院建立健全联动机制。\n",
        );
        assert!(agency_names(&province).contains(&"山东省高级人民法院".to_string()));
        let county =
            run("浚县人民政府关于2024年法治政府建设情况的报告\n市法院、县法院开展巡回审判。\n");
        let names = agency_names(&county);
        assert!(
            names.contains(&"鹤壁市中级人民法院".to_string()),
            "{names:?}"
        );
        assert!(names.contains(&"浚县人民法院".to_string()), "{names:?}");
    }

    /// A metadata table's title row (标  题 …) gives the title without its label.
    #[test]
    fn a_title_row_of_a_metadata_table_gives_the_title() {
        let x = run("发文机关 河南省人民政府 成文日期\n\
             标  题 河南省人民政府关于2023年度法治政府建设情况的报告\n\
             发文字号 豫政文〔2024〕46号\n\n河南省人民政府\n关于2023年度法治政府建设情况的报告\n");
        assert_eq!(
            x.title.as_deref(),
            Some("河南省人民政府关于2023年度法治政府建设情况的报告")
        );
        assert_eq!(x.author.as_deref(), Some("河南省人民政府"));
    }

    /// In a 街道's own report, the 街道 named in the body is its office, the author: one body,
    /// with the mention.
    #[test]
    fn a_subdistrict_named_in_its_own_report_is_the_author() {
        let x = run("荷泉街道2021年度法治政府建设工作报告\n\
             区人民政府:\n现将荷泉街道2021年度法治政府建设工作报告如下。\
             钟山区荷泉街道党工委组织学习。\n");
        assert_eq!(x.author.as_deref(), Some("六盘水市钟山区荷泉街道办事处"));
        let names = agency_names(&x);
        assert!(
            !names.contains(&"六盘水市钟山区荷泉街道".to_string()),
            "{names:?}"
        );
        let author = x
            .agencies
            .iter()
            .find(|a| Some(&a.canonical) == x.author.as_ref());
        assert!(
            author.is_some_and(|a| a.spans.iter().any(|s| s.text == "荷泉街道")),
            "{:?}",
            x.agencies
        );
    }

    /// A title that is a newspaper's name alone names the newspaper, a body of kind media.
    #[test]
    fn a_title_that_is_a_newspapers_name_is_the_newspaper() {
        let x = run("湖南省司法厅2023年法治政府建设情况报告\n我厅经验在《人民日报》刊发。\n");
        let media = x.agencies.iter().find(|a| a.canonical == "人民日报社");
        assert_eq!(media.map(|a| a.kind.as_str()), Some("media"));
        assert!(x.policy_documents.iter().any(|d| d.title == "人民日报"));
    }

    /// A relative author's place from the places the text names: the city rather than its
    /// province when the votes tie, and never a place written with its province (a partner).
    #[test]
    fn the_own_place_is_voted_for_by_the_texts_own_names() {
        let knowledge = knowledge();
        let run = |text: &str| process(&doc(text.to_string()), knowledge);
        let city = run("2024年,市委、市政府部署工作,新乐市等地取得成效。\n");
        assert_eq!(city.jurisdiction.as_deref(), Some("石家庄市"));
        let partner = run("区市场监管局关于2023年法治政府建设情况的报告\n\
                           我局与四川省成都市新都区联合执法。\n");
        assert_eq!(partner.jurisdiction, None);
        // A county named only in a title its party committee issued.
        let county = run(
            "2024年,我县深入推进依法行政。结合《中共绥滨县委全面依法治县委员会\
                          2024年工作要点》,县委、县政府部署工作。\n",
        );
        assert_eq!(county.author.as_deref(), Some("绥滨县人民政府"));
    }

    /// A district report addressed to its city names its own towns but not itself: a town of
    /// the city, when the text names none of the city's counties, votes for its district. A
    /// municipality is too large for that (宜居乡村 is no vote for 酉阳县's 宜居乡).
    #[test]
    fn a_town_of_the_addressed_city_places_a_district_report() {
        let x = run("中共景德镇市委、景德镇市人民政府:\n\
                     2022年,我区全面推进依法行政。今年,鲇鱼山镇、区财政局等部门现场述法。\n");
        assert_eq!(x.author.as_deref(), Some("景德镇市昌江区人民政府"));
        assert!(agency_names(&x).contains(&"景德镇市昌江区财政局".to_string()));
        let past_the_opening = "全面推进依法行政,持续优化营商环境。".repeat(20);
        let x = run(&format!(
            "重庆市人民政府工作通报\n{past_the_opening}\n重庆市大力推进生态工程建设,打造宜居乡村。\n"
        ));
        assert!(!place_names(&x).iter().any(|p| p.contains("宜居乡")));
    }

    /// A letterhead spaced out one character at a time names the author when the heading below
    /// it names none.
    #[test]
    fn a_spaced_letterhead_names_the_author() {
        let x = run("青 海 省 卫 生 健 康 委\n2023年法治政府建设工作总结\n\
                     一年来,在省委省政府的坚强领导下,我委深入推进法治政府建设。\n");
        assert_eq!(x.author.as_deref(), Some("青海省卫生健康委员会"));
        assert_eq!(x.title.as_deref(), Some("2023年法治政府建设工作总结"));
        // The title written again below the page's metadata line is not the opening; the
        // subject after the framing clause is, and a body's party group stands for the body.
        let x = run(
            "2024年度法治政府建设工作报告\n来源: 发布时间:2025-02-26 浏览次数:\n\
                     2024年度法治政府建设工作报告\n\
                     近年来,在县委、县政府的领导下,宁县教育局党组坚持依法治教。\n",
        );
        assert_eq!(x.author.as_deref(), Some("宁县教育局"));
        // A spaced label is no letterhead.
        let x = run("来 源\n2023年法治政府建设工作总结\n一年来,我委深入推进法治政府建设。\n");
        assert_eq!(x.author, None);
    }

    /// A department's branch in a county (凤凰分局) is a body of its own, written after the
    /// department; as a heading's author, its county is the report's place.
    #[test]
    fn a_departments_branch_in_a_county_is_a_body() {
        let x = run("湘西自治州生态环境局凤凰分局 2024年度法治政府建设的报告\n\
                     2024年湘西州生态环境局凤凰分局深入学习贯彻习近平法治思想,落实县委部署。\n");
        assert_eq!(
            x.author.as_deref(),
            Some("湘西土家族苗族自治州生态环境局凤凰分局")
        );
        assert_eq!(x.jurisdiction.as_deref(), Some("凤凰县"));
        assert!(agency_names(&x).contains(&"中共凤凰县委员会".to_string()));
        let x = run("重庆市璧山区人民政府2024年法治政府建设年度报告\n\
                     会同重庆市公安局璧山区分局开展联合执法,市公安局分局配合。\n");
        let names = agency_names(&x);
        assert!(
            names.contains(&"重庆市公安局璧山区分局".to_string()),
            "{names:?}"
        );
        // A county of another city is no branch of this department.
        let x = run("湘西州生态环境局融安分局开展执法。\n");
        assert!(!agency_names(&x).iter().any(|n| n.ends_with("分局")));
    }

    /// In a township report a bare 党委 after a verb (召开党委会议, 纳入党委中心组) is the
    /// township's committee; inside a longer word (村党委) it is none.
    #[test]
    fn a_bare_committee_after_a_verb_in_a_township_report() {
        let x = run("水宽乡2025年度法治政府建设报告\n\
                     2025年,水宽乡召开党委会议专题研究法治建设工作2次,纳入党委中心组学习。\n");
        let committee = x
            .agencies
            .iter()
            .find(|a| a.canonical == "中共芷江侗族自治县水宽乡委员会");
        assert!(committee.is_some(), "{:?}", agency_names(&x));
        // So is a bare 党组 after a function word, in a department's report (通过党组中心组学习).
        let x = run("西双版纳州人民政府办公室2024年法治政府建设年度报告\n\
                     通过党组中心组学习、专题讲座等形式学习习近平法治思想。\n");
        let names = agency_names(&x);
        assert!(
            names.contains(&"中共西双版纳傣族自治州人民政府办公室党组".to_string()),
            "{names:?}"
        );
        // And 政府党组 after 召开, in a government's report.
        let x =
            run("乌审旗人民政府2024年法治政府建设年度报告\n多次召开政府党组会议研究法治工作。\n");
        let names = agency_names(&x);
        assert!(
            names.contains(&"中共乌审旗人民政府党组".to_string()),
            "{names:?}"
        );
        let x = run("水宽乡2025年度法治政府建设报告\n2025年,指导各村党委开展学法。\n");
        let names = agency_names(&x);
        assert!(!names.iter().any(|n| n.starts_with("中共")), "{names:?}");
    }

    /// A county of one character (成县) after another word's character and before a form is
    /// that word's end and a level (完成县政府常务会议题); after a place it is the county.
    #[test]
    fn a_one_character_county_inside_a_word_is_a_level() {
        let x = run("阳城县人民政府关于2024年法治政府建设情况的报告\n\
                     全年共完成县政府常务会议题42件。\n");
        let names = agency_names(&x);
        assert!(!names.contains(&"成县人民政府".to_string()), "{names:?}");
        let government = x.agencies.iter().find(|a| a.canonical == "阳城县人民政府");
        assert!(government.is_some_and(|a| a.mentions.contains(&"县政府".to_string())));
        let x = run("陇南市人民政府2024年法治政府建设年度报告\n指导陇南市成县政府开展复议。\n");
        let names = agency_names(&x);
        assert!(names.contains(&"成县人民政府".to_string()), "{names:?}");
    }

    /// A report that calls itself only 我局 is the bureau whose full name opens a title it says
    /// it issued; its lead sentence (…报告如下:) is no title. A superior's title it only
    /// carries out (贯彻《…》) names no author.
    #[test]
    fn a_body_named_only_in_its_own_titles_is_the_author() {
        let x = run("根据工作安排,现将我局2024年法治政府建设工作情况报告如下:\n\
                     一、主要举措和成效\n\
                     我局制定了《六盘水市文体广电旅游局2024年法治政府建设工作要点》,推进依法行政。\n");
        assert_eq!(x.title, None);
        assert_eq!(x.author.as_deref(), Some("六盘水市文体广电旅游局"));
        let x = run(
            "根据工作安排,现将我局2024年法治政府建设工作情况报告如下:\n\
                     一、主要举措和成效\n\
                     我局贯彻《六盘水市文体广电旅游局2024年法治政府建设工作要点》,推进依法行政。\n",
        );
        assert_eq!(x.author, None);
    }

    /// A department no table knows that writes the author's own name short (政数局 of 政务服务和
    /// 数字化建设管理局) is the author; another body of the place is not.
    #[test]
    fn the_authors_name_written_short_is_the_author() {
        let x = run(
            "梨树县政务服务和数字化建设管理局2025年法治政府建设年度报告\n\
                     2025年,梨树县政数局坚持依法行政,梨树县民宗局配合。\n",
        );
        let names = agency_names(&x);
        assert!(!names.contains(&"梨树县政数局".to_string()), "{names:?}");
        let author = x
            .agencies
            .iter()
            .find(|a| a.canonical == "梨树县政务服务和数字化建设管理局");
        assert!(author.is_some_and(|a| a.mentions.contains(&"梨树县政数局".to_string())));
        assert!(
            names.contains(&"梨树县民族宗教事务局".to_string()),
            "{names:?}"
        );
    }

    /// A body's unit named right after it (禁毒大队, 文城大队) is a body of its own under the body's
    /// full name; an act (组建禁毒大队) names no unit. A unit's report is its body's place.
    #[test]
    fn a_bodys_unit_is_a_body() {
        let x = run("文昌市人民政府关于2020年度法治政府建设情况的报告\n\
                     市公安局禁毒大队被评为先进集体,市消防救援支队文城大队获表彰。\
                     市公安局组建禁毒大队开展行动。\n");
        let names = agency_names(&x);
        for name in ["文昌市公安局禁毒大队", "文昌市消防救援支队文城大队"] {
            assert!(names.contains(&name.to_string()), "{names:?}");
        }
        assert!(
            !names.iter().any(|n| n.ends_with("组建禁毒大队")),
            "{names:?}"
        );
        let x = run("柳州市城市管理局执法支队2024年法治政府建设年度报告\n\
                     2024年,支队在市委、市政府领导下推行“721”工作法。\n");
        assert_eq!(x.author.as_deref(), Some("柳州市城市管理局执法支队"));
        assert_eq!(x.jurisdiction.as_deref(), Some("柳州市"));
    }

    /// A body's other nameplates in brackets after it (市数据局(市营商环境建设局、市行政审批局))
    /// are the same body; a party office in brackets after a bureau is a second body.
    #[test]
    fn other_nameplates_in_brackets_are_the_same_body() {
        let x = run("关于鞍山市数据局2025年法治政府建设情况的报告\n\
                     2025年,市数据局(市营商环境建设局、市行政审批局)在市委、市政府的坚强领导下,\
                     推行“证照分离”改革。\n");
        let bureau = x.agencies.iter().find(|a| a.canonical == "鞍山市数据局");
        let mentions = &bureau.expect("the bureau").mentions;
        for name in ["市营商环境建设局", "市行政审批局"] {
            assert!(mentions.contains(&name.to_string()), "{mentions:?}");
        }
        assert!(!agency_names(&x).contains(&"鞍山市行政审批局".to_string()));
        let x = run("浚县司法局2024年法治政府建设年度报告\n\
                     县司法局(县委依法治县办)组织开展“八五”普法。\n");
        let names = agency_names(&x);
        assert!(
            names.contains(&"中共浚县委全面依法治县委员会办公室".to_string()),
            "{names:?}"
        );
    }

    /// A term number between a level character and a form (市七届人大常委会) is part of the
    /// body's name as written; 藏 stands for 西藏 as 疆 for 新疆 (依法治藏).
    #[test]
    fn a_term_number_after_a_level_and_the_tibetan_level_character() {
        let x = run("三亚市人民政府关于2020年度法治政府建设情况的报告\n\
                     2021年4月30日在市七届人大常委会第四十九次会议上\n");
        let names = agency_names(&x);
        assert!(
            names.contains(&"三亚市人民代表大会常务委员会".to_string()),
            "{names:?}"
        );
        let x = run("日喀则市人民政府关于2023年法治政府建设情况的报告\n\
                     在自治区党委全面依法治藏委员会的指导下,全市推进依法行政。自治区藏医院开展义诊。\n");
        let names = agency_names(&x);
        assert!(
            names.contains(&"中共西藏自治区委全面依法治藏委员会".to_string()),
            "{names:?}"
        );
        assert!(!names.iter().any(|n| n.contains("医院")), "{names:?}");
    }

    /// Within its budget a report gives what it gives without one; a spent budget is an error
    /// naming it.
    #[test]
    fn a_budget_changes_nothing_until_it_is_spent() {
        use std::time::Duration;
        let knowledge = Knowledge::embedded().unwrap();
        let d = doc(include_str!("../../../data/reports/002_efc6be8a1984df28.txt").to_string());
        let free = process(&d, &knowledge);
        let within = process_within(&d, &knowledge, &Budget::from_now(Duration::from_secs(600)));
        assert_eq!(
            serde_json::to_string(&within.unwrap()).unwrap(),
            serde_json::to_string(&free).unwrap()
        );
        let spent = process_within(&d, &knowledge, &Budget::from_now(Duration::ZERO));
        assert_eq!(spent.unwrap_err(), OverBudget(Duration::ZERO));
        assert_eq!(
            OverBudget(Duration::from_secs(60)).to_string(),
            "took longer than its budget of 60 s"
        );
    }

    /// Characters the rules react to, mixed with anything else.
    fn report_like() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "《",
            "》",
            "“",
            "”",
            "<",
            ">",
            "〈",
            "〉",
            "区",
            "市",
            "委",
            "党组",
            "中院",
            "三",
            "第",
            "届",
            "街道",
            "大学",
            "区司法局",
            "政务服务办",
            "我办",
            "宪法",
            "民法典",
            "专项行动",
            "改革",
            "“证照分离”",
            "，",
            "。",
            "、",
            "\n",
            "2025年",
            "东丽区",
            "天津",
            "报告",
            " ",
            "\u{2002}",
            "办",
            "中共",
            "法",
            "条例",
            "中华人民共和国",
        ]);
        prop::collection::vec(
            prop_oneof![pieces.prop_map(str::to_string), any::<String>()],
            0..60,
        )
        .prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]
        #[test]
        fn extraction_never_panics_and_spans_are_valid(text in report_like()) {
            let knowledge = knowledge();
            let chars: Vec<char> = text.chars().collect();
            let x = process(&doc(text.clone()), knowledge);
            for a in &x.agencies {
                for s in &a.spans {
                    prop_assert!(s.start <= s.end && s.end <= chars.len());
                    prop_assert_eq!(chars[s.start..s.end].iter().collect::<String>(), s.text.clone());
                }
            }
        }
    }
}
