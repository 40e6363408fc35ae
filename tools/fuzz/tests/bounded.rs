//! The bounded fuzz pass of the stable test suite: every target on each of its seeds and on a
//! fixed number of seeded mutations of them — the same target bodies libFuzzer runs (fuzz/).
//! A failure names the target, the mutation's seed and the input's index, and writes the input
//! to `fuzz/artifacts/bounded/` (ignored by git) so that `cargo fuzz run TARGET FILE` or a test
//! can replay it. `GOVKG_FUZZ_SEED` and `GOVKG_FUZZ_INPUTS` (mutated inputs per target) replay or
//! extend it.

use std::panic::{catch_unwind, AssertUnwindSafe};

use govkg_fuzz::mutate::{mutate, Rng};
use govkg_fuzz::{all_targets, seeds, Target};

/// Mutated inputs per target: under a minute for all four on this project's 2-core machines.
const INPUTS: u64 = 20_000;
/// Largest mutated input (a seed is at most 4 KiB; runs and repeats grow it).
const MAX_LEN: usize = 64 * 1024;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs one input; on a panic, keeps the input and says how to get it again.
fn run_one(target: &Target, input: &[u8], what: &str) {
    let outcome = catch_unwind(AssertUnwindSafe(|| (target.run)(input)));
    if let Err(payload) = outcome {
        let dir = seeds::repo_root().join("fuzz/artifacts/bounded");
        let file = dir.join(format!("{}-{}", target.name, what.replace([' ', '='], "-")));
        let kept = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&file, input));
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_string()))
            .unwrap_or_default();
        panic!(
            "fuzz target {} failed on {what} ({} bytes, kept in {}: {kept:?}): {message}",
            target.name,
            input.len(),
            file.display()
        );
    }
}

fn bounded_pass(target: Target) {
    let seed = env_number("GOVKG_FUZZ_SEED", 0x60C6);
    let total = env_number("GOVKG_FUZZ_INPUTS", INPUTS);
    let inputs = seeds::for_target(target.name);
    assert!(
        inputs.len() >= 5,
        "{}: only {} seeds",
        target.name,
        inputs.len()
    );
    for (i, input) in inputs.iter().enumerate() {
        run_one(&target, input, &format!("seed {i}"));
    }
    let mut rng = Rng::new(seed ^ target.name.len() as u64);
    for n in 0..total {
        let input = &inputs[n as usize % inputs.len()];
        let other = &inputs[rng.below(inputs.len())];
        let mutated = mutate(input, other, &mut rng, MAX_LEN);
        run_one(
            &target,
            &mutated,
            &format!("GOVKG_FUZZ_SEED={seed} input {n}"),
        );
    }
    eprintln!(
        "{}: {} seeds, {total} mutated inputs (GOVKG_FUZZ_SEED={seed})",
        target.name,
        inputs.len(),
    );
}

fn target(name: &str) -> Target {
    all_targets()
        .into_iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no fuzz target {name}"))
}

#[test]
fn read_survives_its_seeds_and_their_mutations() {
    bounded_pass(target("read"));
}

#[test]
fn extract_survives_its_seeds_and_their_mutations() {
    bounded_pass(target("extract"));
}

#[test]
fn rdf_survives_its_seeds_and_their_mutations() {
    bounded_pass(target("rdf"));
}

#[test]
fn http_survives_its_seeds_and_their_mutations() {
    bounded_pass(target("http"));
}
