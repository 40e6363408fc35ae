#!/usr/bin/env python3
"""Generates data/places_gbt2260.tsv: every county-level division of China (市辖区, 县级市, 县,
自治县, 旗, 自治旗, 特区, 林区) under its prefecture (or province), with the names reports use.

The source is a snapshot of github.com/modood/Administrative-divisions-of-China (the National
Bureau of Statistics' 统计用区划代码, which follow GB/T 2260). Bring it here with the agent tool
`fetch github:modood/Administrative-divisions-of-China`, or `git clone` it, then:

    python3 scripts/places_gbt2260.py GIT_DIR            # writes data/places_gbt2260.tsv
    python3 scripts/places_gbt2260.py GIT_DIR --check    # also lists every corpus hit of a new name
    python3 scripts/places_gbt2260.py GIT_DIR --former AREACODES_GIT_DIR
        # also the names the county-level divisions bore before a change since FORMER_SINCE
        # (禄丰县 of 禄丰市, 2021), from github.com/yescallop/areacodes (CC0): `fetch
        # github:yescallop/areacodes`

Provinces and prefecture-level divisions are the hand-made rows of data/jurisdictions.tsv (the
script checks that each one the dataset lists is there, under the same province); a county-level
division that jurisdictions.tsv already holds (the districts and counties of 北京, 天津, 上海, 重庆)
is left to it. Edit names in the lists below or in jurisdictions.tsv, not in the generated file.
"""

import collections
import csv
import io
import json
import pathlib
import re
import subprocess
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
HAND_MADE = ROOT / "data" / "jurisdictions.tsv"
OUT = ROOT / "data" / "places_gbt2260.tsv"
CORPUS = [ROOT / "data" / "reports", ROOT / "tests" / "corpus"]
REPOSITORY = "github.com/modood/Administrative-divisions-of-China"

# Entries of the statistical code list that are not county-level divisions: the 管理区 of
# 大兴安岭地区 (232761-4), 大柴旦行政委员会 and the three island groups of 三沙市. Codes whose
# fifth digit is 7 (development zones, new areas, 管理区) become zone rows, and the entries that
# repeat a prefecture without counties (东莞市, 中山市, 儋州市, 嘉峪关市) are dropped.
NOT_DIVISIONS = {"232761", "232762", "232763", "232764", "632857", "460321", "460322", "460323"}

# Official names that are also ordinary words or occur inside common phrases (中心城区, 近郊区,
# 矿区治理, 老城区改造, 港口区域, 省、市和县三级, 云南县域, 沿海城市, 新兴城市, 各项城市, 相应城市,
# 示范县, 小康县, 解放区, 比如县级, 合作市场, 东方市场, 旅游资源县, 西南部县域): they are no alias,
# and the row's canonical name carries the parent (阳泉市城区, 海南省东方市). Found by searching
# the test corpus (--check) and jieba's dictionary for words that hold a name. The list is data
# (`word_like_place_names` of rule_vocabulary.toml), which govkg reads too: such a name is looked
# up only before a body's form or at the start of a word in a text's opening.
COMMON_WORDS = set(
    tomllib.loads((ROOT / "data" / "rule_vocabulary.toml").read_text(encoding="utf-8"))[
        "word_like_place_names"
    ]
)

# The 56 ethnic groups without 族, longest first: 自治县 names are <place><group>族…自治县.
ETHNIC_GROUPS = sorted(
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 "
    "乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺".split(),
    key=len,
    reverse=True,
)

# Short forms of autonomous counties that are another place or an ordinary word (河南县级).
BAD_SHORT_FORMS = {"河南县"}


def git(git_dir, *args):
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], check=True, capture_output=True, text=True
    ).stdout


def hand_made_rows():
    lines = HAND_MADE.read_text(encoding="utf-8").splitlines()
    rows = [l.split("\t") for l in lines if l.strip() and not l.startswith("#")][1:]
    return [r + [""] * (4 - len(r)) for r in rows]


def stem_of_autonomous(name, suffix):
    """长阳土家族自治县 → 长阳; None when the name is the group itself (鄂温克族自治旗)."""
    rest = name[: -len(suffix)]
    while rest.endswith("族"):
        body = rest[:-1]
        group = next((g for g in ETHNIC_GROUPS if body.endswith(g)), None)
        if group is None:
            return None
        rest = body[: -len(group)]
    return rest if len(rest) >= 1 and rest != name[: -len(suffix)] else None


def is_city_district(name):
    """A 市辖区 (named after its city in official names: 杭州市钱塘区), not a 林区 or 特区."""
    return name.endswith("区") and not name.endswith(("林区", "特区"))


def load_dataset(git_dir):
    read = lambda f: json.loads(git(git_dir, "show", f"HEAD:dist/{f}"))
    provinces = {p["code"]: p["name"] for p in read("provinces.json")}
    cities = {c["code"]: c for c in read("cities.json")}
    listed = [a for a in read("areas.json") if a["code"] not in NOT_DIVISIONS]
    areas = [
        a
        for a in listed
        if a["code"][4] != "7" and a["name"] != cities[a["cityCode"]]["name"]
    ]
    zones = [a for a in listed if a["code"][4] == "7"]
    return provinces, cities, areas, zones


# How reports shorten a zone's kind (长春经济技术开发区 → 长春经开区, 郑州高新技术产业开发区 →
# 郑州高新区), and a trailing word that is the zone's committee, not its name.
ZONE_SHORT_KINDS = [
    ("经济技术开发区", "经开区"),
    ("高新技术产业开发区", "高新区"),
    ("高新技术产业园区", "高新区"),
]
ZONE_COMMITTEE = "管委会"


def zone_rows(zones, provinces, cities, taken):
    """The development zones, new areas and 管理区 of the statistical code list (fifth code digit
    7), as zone rows under their city: the official name, the name without a leading province
    (河北沧州经济开发区 → 沧州经济开发区) and the short kinds (经开区, 高新区), each only where it
    names no other place."""
    province_shorts = sorted(
        {re.sub("(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)$", "", p) for p in provinces.values()},
        key=len,
        reverse=True,
    )
    rows = []
    for zone in zones:
        name = zone["name"].removesuffix(ZONE_COMMITTEE)
        parent, _ = parent_of(zone, provinces, cities)
        forms = [name]
        # The city's name without its ending: 沧州 of 沧州市, 阿拉善 of 阿拉善盟.
        city = re.sub("(市|盟|地区|自治州)$", "", parent)
        lead = next((p for p in province_shorts if name.startswith(p)), None)
        if lead and lead != city and name[len(lead):].startswith(city):
            forms.append(name[len(lead):])
        if name.startswith(parent) and parent != city:
            forms.append(city + name[len(parent):])
            # A 管理区 goes by its own name (岳阳市屈原管理区: 屈原管理区).
            if name.endswith("管理区"):
                forms.append(name[len(parent):])
        for form in list(forms):
            for kind, short in ZONE_SHORT_KINDS:
                if form.endswith(kind):
                    forms.append(form[: -len(kind)] + short)
        rows.append([name, "zone", parent, forms[1:], zone["code"]])
    names = collections.Counter(n for r in rows for n in [r[0], *r[3]])
    kept = []
    for row in rows:
        if row[0] in taken or names[row[0]] > 1:
            continue
        row[3] = [a for a in row[3] if names[a] == 1 and a not in taken]
        kept.append(row)
    return kept


def check_hand_made(rows, provinces, cities):
    canon = {r[0]: r for r in rows}
    for p in provinces.values():
        assert canon.get(p, [None, None])[1] == "provincial", f"{p}: not a provincial row"
    prefectures = 0
    for c in cities.values():
        if c["name"] in canon:
            row = canon[c["name"]]
            assert row[1] == "prefectural" and row[2] == provinces[c["provinceCode"]], row
            prefectures += 1
    return prefectures


def parent_of(area, provinces, cities):
    """The canonical name of the prefecture, or of the province for the counties it governs
    directly (and for the districts of 北京, 天津, 上海, 重庆)."""
    city = cities[area["cityCode"]]["name"]
    province = provinces[area["provinceCode"]]
    return (province, None) if city.endswith(("市辖区", "县级行政区划")) or city == "县" else (city, province)


def generate(rows, provinces, cities, areas):
    canon = {r[0] for r in rows}
    # A county-level row of jurisdictions.tsv, by parent and canonical name, replaces ours.
    hand_children = {(r[2], r[0]) for r in rows}
    hand_names = canon | {a for r in rows for a in r[3].split("|") if a}
    count = collections.Counter(a["name"] for a in areas)
    out, skipped = [], 0
    for area in areas:
        name = area["name"]
        parent, province = parent_of(area, provinces, cities)
        qualified = parent + name
        if (parent, qualified) in hand_children or (parent, name) in hand_children:
            skipped += 1
            continue
        bare_ok = (
            not is_city_district(name)
            and count[name] == 1
            and name not in hand_names
            and name not in COMMON_WORDS
        )
        canonical = name if bare_ok else qualified
        aliases = []
        if name != canonical and name not in COMMON_WORDS:
            aliases.append(name)
        if qualified != canonical:
            aliases.append(qualified)
        if province:
            aliases.append(province + qualified)
        shorts = []
        for suffix, short in (("自治县", "县"), ("自治旗", "旗")):
            stem = stem_of_autonomous(name, suffix) if name.endswith(suffix) else None
            if stem:
                shorts += [stem + short, stem + suffix]
        out.append([canonical, "district", parent, aliases, area["code"], shorts, province])
    # A short form of an autonomous county must name nothing else.
    names = collections.Counter(n for r in out for n in [r[0], *r[3], *r[5]])
    for row in out:
        row[3] += [
            s
            for s in row[5]
            if names[s] == 1 and s not in hand_names | BAD_SHORT_FORMS | COMMON_WORDS
        ]
    return out, skipped


# Changes since this year count: reports of the last decade still use the names they replaced.
FORMER_SINCE = 2014
FORMER_REPOSITORY = "github.com/yescallop/areacodes"
# Former names that are also word sequences of ordinary prose (担任县委, 平安县城, 新建县级,
# 纵横县域): no alias. 横县 is kept: a two-character place after another character and before 级
# or 域 (纵横县域) is dropped by the scan (level_word_tails in rule_vocabulary.toml).
FORMER_EXCLUDED = {"任县", "平安县", "新建县"}


def add_former_names(out, taken, git_dir):
    """A county-level division's former name (禄丰县, a 县 until 2021: now 禄丰市) as a place of its
    own, under the parent of the division it became: a report written before the change names
    its bodies by it (禄丰县人民政府, 县委 of a 县), from areacodes' result.csv (code, names, status,
    years in use, new code). Only a change since FORMER_SINCE whose record points to one division
    still in use, and only a name that names nothing else; returns how many were added."""
    text = git(git_dir, "show", "HEAD:result.csv").lstrip("\ufeff")
    records = list(csv.DictReader(io.StringIO(text)))
    in_use = {r["代码"] for r in records if r["状态"] == "在用" and r["级别"] == "县级"}
    by_code = {r[4]: r for r in out}
    formers = collections.defaultdict(set)
    old_codes = {}
    for r in records:
        ended = r["变更/弃用时间"]
        if r["级别"] != "县级" or r["状态"] == "在用" or not ended or int(ended) < FORMER_SINCE:
            continue
        new = r["新代码"].split(";")
        if len(new) != 1 or "[" in new[0] or new[0] not in in_use or new[0] not in by_code:
            continue
        formers[r["名称"]].add(new[0])
        old_codes[r["名称"]] = r["代码"]
    added = 0
    for name, codes in sorted(formers.items()):
        row = by_code[next(iter(codes))]
        if len(codes) > 1 or name in taken | COMMON_WORDS | FORMER_EXCLUDED or name == row[0]:
            continue
        if name in row[3] or is_city_district(name) and len(name) <= 3:
            continue
        parent, province = row[2], row[6]
        aliases = [parent + name] + ([province + parent + name] if province else [])
        out.append([name, "district", parent, aliases, old_codes[name], [], province])
        taken.add(name)
        added += 1
    return added


def corpus_hits(rows, names):
    """Every occurrence of a new name in the test corpus, with context, to review by hand."""
    texts = [p for d in CORPUS for p in sorted(d.rglob("*.txt"))]
    old = {n for r in rows for n in [r[0], *r[3].split("|")] if n}
    new = sorted({n for n in names if n not in old}, key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, new)))
    for path in texts:
        text = path.read_text(encoding="utf-8")
        for m in pattern.finditer(text):
            context = text[max(0, m.start() - 8) : m.end() + 8].replace("\n", " ")
            print(f"{path.relative_to(ROOT)}\t{m.group()}\t{context}")


def main():
    git_dir = sys.argv[1]
    commit = git(git_dir, "rev-parse", "HEAD").strip()
    date = git(git_dir, "log", "-1", "--format=%cs").strip()
    provinces, cities, areas, zones = load_dataset(git_dir)
    rows = hand_made_rows()
    prefectures = check_hand_made(rows, provinces, cities)
    out, skipped = generate(rows, provinces, cities, areas)
    taken = {n for r in rows for n in [r[0], *r[3].split("|")] if n}
    taken |= {n for r in out for n in [r[0], *r[3]]}
    zone_out = zone_rows(zones, provinces, cities, taken)
    current = len(out)
    out += zone_out
    former = ""
    if "--former" in sys.argv:
        former_dir = sys.argv[sys.argv.index("--former") + 1]
        added = add_former_names(out, taken, former_dir)
        former_commit = git(former_dir, "rev-parse", "HEAD").strip()
        former_date = git(former_dir, "log", "-1", "--format=%cs").strip()
        former = (
            f"# Former names: {added} names county-level divisions bore before a change since "
            f"{FORMER_SINCE}, places of their own under the parent of what they became; from {FORMER_REPOSITORY} commit "
            f"{former_commit} ({former_date}), result.csv (CC0)."
        )
    canonicals = collections.Counter(r[0] for r in out) + collections.Counter(r[0] for r in rows)
    assert all(n == 1 for n in canonicals.values()), [c for c, n in canonicals.items() if n > 1]
    header = [
        "# Generated by scripts/places_gbt2260.py; do not edit by hand (see data/SOURCES-knowledge.md).",
        f"# Source: {REPOSITORY} commit {commit} ({date}), dist/areas.json and cities.json.",
        f"# {len(provinces)} provincial-level and {prefectures} prefecture-level divisions are rows of",
        f"# jurisdictions.tsv; {len(areas)} county-level divisions: {skipped} there, {current} here;",
        f"# and {len(zone_out)} of the list's {len(zones)} development zones, new areas and 管理区 (code digit 5 = 7), level zone.",
        *([former] if former else []),
        "# code = the division's GB/T 2260 code (not read by govkg).",
        "canonical\tlevel\tparent\taliases\tcode",
    ]
    body = ["\t".join([r[0], r[1], r[2], "|".join(r[3]), r[4]]) for r in out]
    OUT.write_text("\n".join(header + body) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(out)} rows ({skipped} county-level rows in jurisdictions.tsv)")
    if "--check" in sys.argv:
        corpus_hits(rows, [n for r in out for n in [r[0], *r[3]]])


if __name__ == "__main__":
    main()
