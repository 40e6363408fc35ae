//! Extraction on texts of other genres and provinces (tests/corpus/more): national work
//! reports, State Council documents, provincial regulations. Each fact can be checked in the text.

mod common;

use common::*;

fn extract_more(prefix: &str) -> serde_json::Value {
    let path = more_text(prefix).unwrap_or_else(|| {
        panic!("tests/corpus/more/{prefix}* not found (see tests/corpus/README.md)")
    });
    extract(&path)
}

fn has(list: &[String], name: &str) -> bool {
    list.iter().any(|n| n == name)
}

#[test]
fn zhejiang_regulation_is_a_local_regulation_passed_by_the_provincial_congress() {
    // "# 浙江省综合行政执法条例" / "2021年11月25日 浙江省第十三届人民代表大会常务委员会第三十二次会议通过"
    let x = extract_more("12_");
    assert_eq!(x["author"], "浙江省人民代表大会常务委员会");
    assert_eq!(x["jurisdiction"], "浙江省");
    assert_eq!(x["year"], 2021);
    let law = x["laws"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["canonical"] == "浙江省综合行政执法条例");
    assert_eq!(
        law.expect("the regulation names itself")["kind"],
        "local_regulation"
    );
    // 《中华人民共和国行政处罚法》
    assert!(has(
        &names(&x, "laws", "canonical"),
        "中华人民共和国行政处罚法"
    ));
    // Its bodies are Zhejiang's, not Tianjin's.
    let agencies = names(&x, "agencies", "canonical");
    assert!(has(&agencies, "浙江省人民政府"), "{agencies:?}");
    assert!(agencies.iter().all(|a| !a.contains("天津")), "{agencies:?}");
}

#[test]
fn shanghai_regulation_resolves_its_bodies_in_shanghai() {
    let x = extract_more("09_");
    assert_eq!(x["jurisdiction"], "上海市");
    let agencies = names(&x, "agencies", "canonical");
    assert!(has(&agencies, "上海市人民政府"), "{agencies:?}");
    assert!(agencies.iter().all(|a| !a.contains("天津")), "{agencies:?}");
    let laws = x["laws"].as_array().unwrap();
    let national = laws
        .iter()
        .find(|l| l["canonical"] == "优化营商环境条例")
        .expect("《优化营商环境条例》");
    assert_eq!(national["kind"], "administrative_regulation");
    let local = laws
        .iter()
        .find(|l| l["canonical"] == "上海市优化营商环境条例")
        .expect("the regulation itself");
    assert_eq!(local["kind"], "local_regulation");
}

#[test]
fn state_council_opinion_on_double_random_supervision() {
    // "国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见"
    let x = extract_more("04_");
    assert_eq!(x["author"], "中华人民共和国国务院");
    assert_eq!(x["year"], 2019);
    assert!(has(
        &names(&x, "initiatives", "canonical"),
        "双随机、一公开"
    ));
    assert!(has(
        &names(&x, "agencies", "canonical"),
        "国家市场监督管理总局"
    ));
    let implements = x["implements"].as_array().unwrap();
    assert!(implements
        .iter()
        .any(|r| r["agency"] == "中华人民共和国国务院" && r["initiative"] == "双随机、一公开"));
}

#[test]
fn bare_ministry_names_in_a_national_text_are_the_national_ministries() {
    // 08 lists 负责部门 such as "发展改革委、商务部".
    let x = extract_more("08_");
    let agencies = names(&x, "agencies", "canonical");
    assert!(
        has(&agencies, "中华人民共和国国家发展和改革委员会"),
        "{agencies:?}"
    );
    assert!(has(&agencies, "中华人民共和国商务部"), "{agencies:?}");
    assert!(
        !has(&agencies, "中华人民共和国发展和改革委员会"),
        "invented name: {agencies:?}"
    );
}

#[test]
fn government_work_report_is_the_state_councils_not_the_congress() {
    // "…在第十四届全国人民代表大会第二次会议上 国务院总理 李强": the congress is the venue.
    let x = extract_more("01_");
    assert_eq!(x["author"], "中华人民共和国国务院");
    assert_eq!(x["year"], 2024);
    assert!(has(
        &names(&x, "initiatives", "canonical"),
        "高效办成一件事"
    ));
}

#[test]
fn no_generic_phrases_become_entities_in_any_text() {
    let junk = [
        "各部门",
        "有关部门",
        "相关部门",
        "监管部门",
        "各地区",
        "各单位",
        "有关单位",
    ];
    for prefix in [
        "01_", "02_", "03_", "04_", "05_", "06_", "07_", "08_", "09_", "10_", "11_", "12_", "13_",
        "14_",
    ] {
        let x = extract_more(prefix);
        for field in ["agencies", "initiatives"] {
            for entity in x[field].as_array().unwrap() {
                let canonical = entity["canonical"].as_str().unwrap();
                assert!(!junk.contains(&canonical), "{prefix}: {field} {canonical}");
                for mention in entity["mentions"].as_array().unwrap() {
                    assert!(
                        !junk.contains(&mention.as_str().unwrap()),
                        "{prefix}: {field} mention {mention}"
                    );
                }
            }
        }
    }
}
