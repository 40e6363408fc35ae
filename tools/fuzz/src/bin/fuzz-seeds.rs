//! Writes the seeds of every target (made from the repository's texts, and `fuzz/seeds/`) into
//! `DIR/<target>/` (default `fuzz/corpus`, the working corpus of a libFuzzer run, not
//! committed), one file per seed named by its index; `cargo fuzz cmin` then makes the small set
//! that is committed in `fuzz/seeds/`.
//! `cargo run --release --offline -p govkg-fuzz --bin fuzz-seeds -- [DIR]`

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = std::env::args_os().nth(1).map_or_else(
        || govkg_fuzz::seeds::repo_root().join("fuzz/corpus"),
        PathBuf::from,
    );
    for target in govkg_fuzz::all_targets() {
        let folder = dir.join(target.name);
        let written = std::fs::create_dir_all(&folder).and_then(|()| {
            let seeds = govkg_fuzz::seeds::for_target(target.name);
            for (i, seed) in seeds.iter().enumerate() {
                std::fs::write(folder.join(format!("seed-{i:03}")), seed)?;
            }
            Ok(seeds.len())
        });
        match written {
            Ok(n) => println!("{}: {n} seeds in {}", target.name, folder.display()),
            Err(e) => {
                eprintln!("fuzz-seeds: {}: {e}", folder.display());
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
