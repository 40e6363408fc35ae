//! The synthetic corpus is deterministic and looks like reports, and `govkg bench` runs end to
//! end on a small corpus and prints every section of its table.

use std::fs;
use std::path::Path;
use std::process::Command;

use govkg_synth::{self as synth, DISTRICTS, INITIATIVES, YEARS};

/// (file name, bytes) of every file of `dir`, sorted.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let a = synth::generate(42, 20, &tmp.path().join("a"), &[]).unwrap();
    let b = synth::generate(42, 20, &tmp.path().join("b"), &[]).unwrap();
    let c = synth::generate(43, 20, &tmp.path().join("c"), &[]).unwrap();
    assert_eq!(a.reports, 20);
    assert_eq!(a.fingerprint, b.fingerprint);
    assert_ne!(a.fingerprint, c.fingerprint);
    let (fa, fb, fc) = (
        files(&tmp.path().join("a")),
        files(&tmp.path().join("b")),
        files(&tmp.path().join("c")),
    );
    assert_eq!(fa.len(), 20);
    assert_eq!(fa, fb, "same seed must give byte-identical files");
    assert_ne!(fa, fc, "another seed must give another corpus");
    assert!(fa.iter().zip(&fc).filter(|(x, y)| x.1 != y.1).count() >= 18);

    // A report does not depend on how many are generated: the small corpus is a prefix.
    synth::generate(42, 5, &tmp.path().join("d"), &[]).unwrap();
    assert_eq!(files(&tmp.path().join("d")), fa[..5].to_vec());

    // Extra sources change the corpus, deterministically.
    let extra = vec!["一、主要举措\n（一）深化改革\n深入推进“一网通办”改革，全面推行“证照分离”，持续优化营商环境，企业群众办事更加便利。各部门依法履职，行政执法更加规范。\n".repeat(3)];
    let e1 = synth::generate(42, 20, &tmp.path().join("e1"), &extra).unwrap();
    let e2 = synth::generate(42, 20, &tmp.path().join("e2"), &extra).unwrap();
    assert_eq!(e1.fingerprint, e2.fingerprint);
    assert_ne!(e1.fingerprint, a.fingerprint);
}

#[test]
fn reports_look_like_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let stats = synth::generate(7, 60, tmp.path(), &[]).unwrap();
    assert_eq!(stats.reports, 60);
    assert!(
        stats.districts >= 12,
        "60 reports should cover most of the 16 districts: {}",
        stats.districts
    );
    assert!(
        stats.mean_bytes() > 11_000.0 && stats.mean_bytes() < 17_000.0,
        "mean size {}",
        stats.mean_bytes()
    );
    for (name, bytes) in files(tmp.path()) {
        let text = String::from_utf8(bytes).unwrap_or_else(|_| panic!("{name}: not UTF-8"));
        assert!(text.len() >= 5_000, "{name}: only {} bytes", text.len());

        // NNNNN_<district>_<year>.txt
        let stem = name.strip_suffix(".txt").unwrap();
        let parts: Vec<&str> = stem.split('_').collect();
        assert_eq!(parts.len(), 3, "{name}");
        assert!(
            parts[0].len() == 5 && parts[0].bytes().all(|b| b.is_ascii_digit()),
            "{name}"
        );
        let district = DISTRICTS
            .iter()
            .find(|d| d.ascii == parts[1])
            .unwrap_or_else(|| panic!("{name}: district"));
        let year: i32 = parts[2].parse().unwrap();
        assert!(YEARS.contains(&year), "{name}");

        // The heading: who and when, ending in 报告, within the first two lines.
        let heading: String = text.lines().take_while(|l| !l.trim().is_empty()).collect();
        assert!(
            heading.ends_with("法治政府建设年度报告"),
            "{name}: heading {heading}"
        );
        assert!(
            heading.contains(&format!("{year}年")),
            "{name}: heading {heading}"
        );
        assert!(heading.contains(district.name), "{name}: heading {heading}");

        // Body: the customary parts, quoted initiatives, and the district, not the sources' ones.
        assert!(
            text.contains("一、") && text.contains("二、") && text.contains("四、"),
            "{name}: parts"
        );
        assert!(
            INITIATIVES.iter().any(|i| text.contains(&format!("“{i}”"))),
            "{name}: no quoted initiative"
        );
        assert!(
            text.matches(district.name).count() >= 2,
            "{name}: district named once only"
        );
        if district.name != "东丽区" {
            assert!(!text.contains("东丽区"), "{name}: a source's place is left");
        }
    }
}

#[test]
fn bench_runs_and_prints_every_section() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bench");
    let output = Command::new(env!("CARGO_BIN_EXE_govkg-bench"))
        .args([
            "--reports",
            "40",
            "--repeat",
            "2",
            "--query-timeout",
            "5",
            "--dir",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "bench failed:\n{stdout}\n{stderr}");
    for needle in [
        "# govkg bench — 40 reports",
        "machine:",
        "## extraction",
        "jieba-rs",
        "ratio extraction / jieba",
        "## build",
        "| 4 | disk (RocksDB), new store |",
        "| 40 | disk, rebuild into that store |",
        "| 40 | memory |",
        "## growth",
        "## queries",
        "| implementers | aggregate |",
        "| implementers | selective | initiative=",
        "| implementers | broad | initiative=",
        "| agency-profile | selective | agencyName=",
        "| agency-profile | broad | agencyName=",
        "| entity-profile | selective | entity=<https://w3id.org/govkg/id/initiative/",
        "| entity-profile | broad | entity=<https://w3id.org/govkg/id/initiative/",
        "| laws-cited | aggregate |",
        "| initiative-adoption | aggregate |",
        "| agencies | aggregate |",
    ] {
        assert!(
            stdout.contains(needle),
            "missing `{needle}` in:\n{stdout}\n{stderr}"
        );
    }
    // Every build row has figures: triples and a peak RSS.
    let build_rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("| disk") || l.contains("| memory |"))
        .collect();
    assert_eq!(build_rows.len(), 6, "{stdout}");
    for row in build_rows {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert!(
            cells[4].parse::<usize>().is_ok_and(|t| t > 0),
            "no triples: {row}"
        );
        assert!(
            cells[7].ends_with("MiB") || cells[7].ends_with("GiB"),
            "no peak RSS: {row}"
        );
    }
    // The table is kept; the corpora and stores are not.
    let md = fs::read_to_string(dir.join("bench.md")).unwrap();
    assert_eq!(md, stdout);
    assert!(
        !dir.join("corpus-40").exists()
            && !dir.join("store-40").exists()
            && !dir.join("corpus-4").exists()
    );
}

#[test]
fn load_runs_and_prints_its_table() {
    let tmp = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = Command::new(env!("CARGO_BIN_EXE_govkg-bench"))
        .current_dir(&root)
        .args(["--load", "--clients", "20", "--seconds", "1", "--dir"])
        .arg(tmp.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "load failed:\n{stdout}\n{stderr}");
    for needle in [
        "## load: 20 clients for",
        "| named query |",
        "| trivial query (ASK {}) |",
        "| static page (/, /app.js) |",
        "| slow client (head over ~2 s) |",
        "| **all** |",
        "server peak RSS: ",
    ] {
        assert!(
            stdout.contains(needle),
            "missing `{needle}` in:\n{stdout}\n{stderr}"
        );
    }
}
