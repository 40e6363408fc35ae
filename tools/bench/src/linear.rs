//! `--linear` and `--pathological`: does `govkg extract` take time and memory linear in its
//! input? Each input is written to a file and extracted by a `govkg extract FILE` child (output
//! to /dev/null), whose wall time and peak RSS are its own; a child that runs past
//! `--child-timeout` is killed and reported as such.
//!
//! The children get `GOVKG_MAX_FILE_SIZE` and `GOVKG_FILE_TIMEOUT` in their environment, so that
//! govkg's own size limit and time budget do not cut the measurement short (a govkg that
//! predates them ignores the variables).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use govkg_synth::pathological::{self, Pathology};

use crate::BenchArgs;

/// How one `govkg extract` child ended.
pub enum Ended {
    /// Exit 0.
    Done,
    /// A non-zero exit, with the last line of its standard error.
    Failed(String),
    /// Killed after the timeout.
    TimedOut,
}

/// One `govkg extract` child, measured.
pub struct ExtractRun {
    pub seconds: f64,
    pub peak_rss: Option<u64>,
    pub ended: Ended,
}

/// Runs `govkg extract FILE > /dev/null`, killing it after `timeout`.
pub fn run_extract(exe: &Path, file: &Path, timeout: Duration) -> Result<ExtractRun> {
    let stderr_path = file.with_extension("stderr");
    let stderr = fs::File::create(&stderr_path)
        .with_context(|| format!("{}: cannot write", stderr_path.display()))?;
    let started = Instant::now();
    let mut child = Command::new(exe)
        .arg("extract")
        .arg(file)
        .env("GOVKG_MAX_FILE_SIZE", "100GB")
        .env("GOVKG_FILE_TIMEOUT", format!("{}", timeout.as_secs() + 60))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .context("cannot start `govkg extract`")?;
    let (status, peak_rss) = wait_until(&mut child, started + timeout)?;
    let seconds = started.elapsed().as_secs_f64();
    let ended = match status {
        None => Ended::TimedOut,
        Some(true) => Ended::Done,
        Some(false) => {
            let text = fs::read_to_string(&stderr_path).unwrap_or_default();
            let last = text.lines().rev().find(|l| !l.trim().is_empty());
            Ended::Failed(last.unwrap_or("no output").trim().to_string())
        }
    };
    Ok(ExtractRun {
        seconds,
        peak_rss,
        ended,
    })
}

/// Waits for the child until `deadline`, then kills it. Returns whether it succeeded (`None`:
/// killed) and its peak RSS in bytes.
#[cfg(target_os = "linux")]
fn wait_until(
    child: &mut std::process::Child,
    deadline: Instant,
) -> Result<(Option<bool>, Option<u64>)> {
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; all-zero is a valid value that wait4 overwrites.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut killed = false;
    loop {
        // SAFETY: pid is our own unreaped child; the pointers are to live locals.
        let flags = if killed { 0 } else { libc::WNOHANG };
        let r = unsafe { libc::wait4(pid, &mut status, flags, &mut usage) };
        if r == pid {
            break;
        }
        if r < 0 {
            let err = std::io::Error::last_os_error();
            if err.kind() != std::io::ErrorKind::Interrupted {
                return Err(err).context("cannot wait for `govkg extract`");
            }
            continue;
        }
        if Instant::now() >= deadline {
            // Our own child, by its pid.
            child.kill().context("cannot stop `govkg extract`")?;
            killed = true;
        } else {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    let success = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    // Linux reports ru_maxrss in KiB.
    let rss = Some(usage.ru_maxrss as u64 * 1024);
    Ok(((!killed).then_some(success), rss))
}

#[cfg(not(target_os = "linux"))]
fn wait_until(
    child: &mut std::process::Child,
    deadline: Instant,
) -> Result<(Option<bool>, Option<u64>)> {
    loop {
        if let Some(status) = child
            .try_wait()
            .context("cannot wait for `govkg extract`")?
        {
            return Ok((Some(status.success()), None));
        }
        if Instant::now() >= deadline {
            child.kill().context("cannot stop `govkg extract`")?;
            child.wait().context("cannot wait for `govkg extract`")?;
            return Ok((None, None));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn mib(bytes: Option<u64>) -> String {
    bytes.map_or("n/a".into(), |b| {
        format!("{:.0} MiB", b as f64 / (1u64 << 20) as f64)
    })
}

fn outcome(run: &ExtractRun) -> String {
    match &run.ended {
        Ended::Done => "ok".into(),
        Ended::Failed(line) => format!("exit ≠ 0: {line}"),
        Ended::TimedOut => "killed at the timeout".into(),
    }
}

fn write_input(dir: &Path, name: &str, text: &str) -> Result<PathBuf> {
    let path = dir.join(name);
    fs::write(&path, text).with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(path)
}

/// `--linear`: realistic report text of each size in `--linear-mb`, one file each; time, MB/s
/// and peak memory of `govkg extract`, and time(largest)/time(smallest) over the size ratio.
pub fn linear(args: &BenchArgs, exe: &Path) -> Result<String> {
    let dir = args.dir.join("linear");
    fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let timeout = Duration::from_secs_f64(args.child_timeout);
    let mut md = String::new();
    writeln!(
        md,
        "### linearity: `govkg extract` on generated report text\n"
    )?;
    // The cost of starting govkg and loading its tables, paid once per run whatever the size.
    let tiny = write_input(&dir, "startup.txt", &pathological::realistic(1))?;
    let startup = run_extract(exe, &tiny, timeout)?;
    writeln!(
        md,
        "startup (one {} KB report): {:.3} s, peak {}\n",
        fs::metadata(&tiny).map_or(0, |m| m.len()) / 1000,
        startup.seconds,
        mib(startup.peak_rss)
    )?;
    writeln!(md, "| input | bytes | time | MB/s | peak memory | |")?;
    writeln!(md, "|---|---:|---:|---:|---:|---|")?;
    let mut timed: Vec<(f64, f64)> = Vec::new();
    for &mb in &args.linear_mb {
        let text = pathological::realistic((mb * 1e6) as usize);
        let path = write_input(&dir, &format!("realistic-{mb}MB.txt"), &text)?;
        let run = run_extract(exe, &path, timeout)?;
        let bytes = text.len() as f64;
        writeln!(
            md,
            "| {mb} MB | {} | {:.2} s | {:.1} | {} | {} |",
            text.len(),
            run.seconds,
            bytes / 1e6 / run.seconds.max(1e-9),
            mib(run.peak_rss),
            outcome(&run)
        )?;
        eprintln!("bench: {mb} MB in {:.2} s", run.seconds);
        timed.push((bytes, run.seconds));
        if !args.keep {
            fs::remove_file(&path).ok();
        }
    }
    if let (Some(&(b0, t0)), Some(&(b1, t1))) = (timed.first(), timed.last()) {
        writeln!(
            md,
            "\ntime({})/time({})/{:.0} = {:.2} (≈ 1: linear; below 1 where startup weighs on the smallest)",
            args.linear_mb.last().copied().unwrap_or(0.0),
            args.linear_mb.first().copied().unwrap_or(0.0),
            b1 / b0.max(1.0),
            t1 / t0.max(1e-9) / (b1 / b0.max(1.0))
        )?;
    }
    Ok(md)
}

/// `--pathological`: each pathological input at `--pathological-mb`, one `govkg extract` each.
pub fn pathological(args: &BenchArgs, exe: &Path) -> Result<String> {
    let dir = args.dir.join("pathological");
    fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let timeout = Duration::from_secs_f64(args.child_timeout);
    let mut md = String::new();
    writeln!(
        md,
        "### pathological inputs: `govkg extract` ({}, timeout {:.0} s)\n",
        exe.display(),
        args.child_timeout
    )?;
    writeln!(md, "| input | bytes | time | MB/s | peak memory | |")?;
    writeln!(md, "|---|---:|---:|---:|---:|---|")?;
    let wanted = |kind: Pathology| {
        let stem = kind.file_name().split('.').next().unwrap_or("");
        args.pathological_inputs.is_empty() || args.pathological_inputs.iter().any(|n| n == stem)
    };
    for kind in Pathology::ALL.into_iter().filter(|k| wanted(*k)) {
        let mut row = String::new();
        for &mb in &args.pathological_mb {
            let text = kind.generate((mb * 1e6) as usize);
            let path = write_input(&dir, kind.file_name(), &text)?;
            let run = run_extract(exe, &path, timeout)?;
            writeln!(
                row,
                "| {} | {} | {:.2} s | {:.1} | {} | {} |",
                kind.file_name(),
                text.len(),
                run.seconds,
                text.len() as f64 / 1e6 / run.seconds.max(1e-9),
                mib(run.peak_rss),
                outcome(&run)
            )?;
            eprint!("bench: {row}");
            md.push_str(&row);
            row.clear();
            if !args.keep {
                fs::remove_file(&path).ok();
            }
        }
    }
    Ok(md)
}
