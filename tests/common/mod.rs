//! Helpers shared by the integration tests: run the real binary on real files.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub fn govkg() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_govkg"));
    cmd.current_dir(repo());
    cmd.env_remove("GOVKG_DATA");
    cmd
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn reports() -> PathBuf {
    repo().join("data/reports")
}

pub fn report(prefix: &str) -> PathBuf {
    let dir = reports();
    std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .unwrap_or_else(|| panic!("no report {prefix} in {}", dir.display()))
}

/// The `more/` texts, copied into the repository (tests/corpus/README.md).
pub fn more_text(prefix: &str) -> Option<PathBuf> {
    let dir = repo().join("tests/corpus/more");
    std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("govkg runs")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs and insists on success, showing stderr otherwise.
pub fn ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "command failed: {:?}\nstderr: {}",
        cmd,
        stderr(&out)
    );
    stdout(&out)
}

/// A store built once from the bundled reports, shared by the tests of one binary.
pub fn bundled_store() -> &'static Path {
    static STORE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = STORE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        ok(govkg()
            .args(["build", "--quiet", "--store"])
            .arg(&store)
            .arg(reports()));
        (dir, store)
    });
    path
}

/// Extraction JSON of one file.
pub fn extract(path: &Path) -> serde_json::Value {
    let out = ok(govkg().arg("extract").arg(path));
    serde_json::from_str(out.lines().next().expect("one line")).expect("JSON")
}

pub fn names(x: &serde_json::Value, field: &str, key: &str) -> Vec<String> {
    x[field]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[key].as_str().unwrap().to_string())
        .collect()
}

/// A Python that can `import` all of `modules`: the project's test venv (scripts/setup.sh
/// installs them there; GOVKG_TEST_VENV), else python3. Panics when neither can: setup was skipped.
#[allow(dead_code)]
pub fn python_with(modules: &str) -> String {
    let venv = std::env::var_os("GOVKG_TEST_VENV")
        .map_or_else(|| repo().join(".venv-test"), PathBuf::from)
        .join("bin/python3");
    let candidates = [venv.to_string_lossy().into_owned(), "python3".to_string()];
    candidates
        .into_iter()
        .find(|python| {
            std::process::Command::new(python)
                .args(["-c", &format!("import {modules}")])
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .unwrap_or_else(|| panic!("Python with {modules} (scripts/setup.sh installs them)"))
}
