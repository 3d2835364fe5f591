//! The GitHub Action's subcommand (`greenboard ci`) and `greenboard site`,
//! driven as the Action and a user drive them: in a git repository, with
//! the environment GitHub Actions sets, the previous history served on
//! 127.0.0.1. (The site they write is checked in the browser by the
//! end-to-end tests, `tests/e2e/action.rs`.)

#![cfg(not(target_family = "wasm"))]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

mod scratch;
use scratch::Scratch;

/// The binary under test.
fn greenboard() -> Command {
    Command::new(env!("CARGO_BIN_EXE_greenboard"))
}

/// Standard error, as text.
fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `greenboard site -o OUTPUT FLAG INPUT`, one dataset (`--db` or `--dump`).
fn site_of(output: &Path, flag: &str, input: &Path) -> Output {
    greenboard()
        .arg("site")
        .arg("-o")
        .arg(output)
        .arg(flag)
        .arg(input)
        .output()
        .unwrap()
}

/// A static server on 127.0.0.1 for `dir`, in a thread: 200 with the file,
/// 404 when there is none, 500 for any path under `/broken/`. Records the
/// paths asked for.
struct Served {
    origin: String,
    asked: Arc<Mutex<Vec<String>>>,
}

fn serve(dir: PathBuf) -> Served {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = asked.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            // The rest of the head.
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok() && header.trim() != "" {
                header.clear();
            }
            let path = line.split(' ').nth(1).unwrap_or("/").to_string();
            log.lock().unwrap().push(path.clone());
            let file = dir.join(path.trim_start_matches('/'));
            let (status, body) = if path.starts_with("/broken/") {
                ("500 Internal Server Error", b"down".to_vec())
            } else {
                match std::fs::read(&file) {
                    Ok(bytes) => ("200 OK", bytes),
                    Err(_) => ("404 Not Found", b"not found".to_vec()),
                }
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    Served { origin, asked }
}

/// A git repository with one commit; returns its commit.
fn git_repo(dir: &Path) -> String {
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    git(&["init", "-q", "-b", "main"]);
    std::fs::write(dir.join("README"), "widgets\n").unwrap();
    git(&["add", "README"]);
    git(&[
        "-c",
        "user.name=CI",
        "-c",
        "user.email=ci@example.org",
        "commit",
        "-qm",
        "first",
    ]);
    git(&["rev-parse", "HEAD"])
}

/// A JUnit report of `cases`: (name, outcome, message) with outcome pass,
/// fail or skip.
fn report(cases: &[(&str, &str, &str)]) -> String {
    let mut xml = format!(
        "<?xml version=\"1.0\"?>\n<testsuites><testsuite name=\"widgets\" tests=\"{}\">\n",
        cases.len()
    );
    for (name, outcome, message) in cases {
        let inner = match *outcome {
            "fail" => format!("<failure message=\"{message}\">at widgets.rs:1</failure>"),
            "skip" => "<skipped/>".to_string(),
            _ => String::new(),
        };
        xml.push_str(&format!(
            "<testcase classname=\"widgets\" name=\"{name}\" time=\"0.010\">{inner}</testcase>\n"
        ));
    }
    xml + "</testsuite></testsuites>\n"
}

/// The environment GitHub Actions sets for a push to main (or a pull
/// request into main from `fix`), with the job summary in `summary`.
fn github_env(cmd: &mut Command, commit: &str, summary: &Path, pr: bool) {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_REPOSITORY", "acme/widgets")
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_RUN_ID", "4242")
        .env("GITHUB_SHA", commit)
        .env("GITHUB_STEP_SUMMARY", summary)
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_NAME", "runner-1");
    if pr {
        cmd.env("GITHUB_EVENT_NAME", "pull_request")
            .env("GITHUB_REF_NAME", "7/merge")
            .env("GITHUB_HEAD_REF", "fix")
            .env("GITHUB_BASE_REF", "main");
    } else {
        cmd.env("GITHUB_EVENT_NAME", "push")
            .env("GITHUB_REF_NAME", "main");
    }
}

/// Runs `greenboard ci ARGS` in `repo` as GitHub Actions would.
fn ci(repo: &Path, commit: &str, summary: &Path, pr: bool, args: &[&str]) -> Output {
    let mut cmd = greenboard();
    github_env(&mut cmd, commit, summary, pr);
    cmd.arg("ci").args(args).current_dir(repo).output().unwrap()
}

/// The SQL answer of `sql` on the history in site `dir`, as text rows.
fn history_rows(dir: &Path, sql: &str) -> Vec<String> {
    let out = greenboard()
        .args(["query", "--format", "csv", "--dump"])
        .arg(dir.join("static").join(dataset_file(dir)))
        .arg(sql)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect()
}

/// The first dataset's file name in site `dir`.
fn dataset_file(dir: &Path) -> String {
    let list: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("static/datasets.json")).unwrap()).unwrap();
    list[0]["url"]
        .as_str()
        .unwrap()
        .trim_start_matches("static/")
        .to_string()
}

/// Two pushes to main: the first finds no site yet (404) and starts the
/// history; the second fetches the first's site from the server, adds its
/// run, compares it with the first in the job summary and fails on the
/// regression when asked.
#[test]
fn each_push_adds_its_run_to_the_history_the_site_holds() {
    let dir = Scratch::new("action-pushes");
    let repo = dir.join("repo");
    std::fs::create_dir(&repo).unwrap();
    let commit = git_repo(&repo);
    let served = serve(dir.to_path_buf());
    let summary = dir.join("summary.md");
    std::fs::create_dir_all(repo.join("target/junit")).unwrap();
    std::fs::write(
        repo.join("target/junit/a.xml"),
        report(&[
            ("draws", "pass", ""),
            ("clips", "pass", ""),
            ("audio", "skip", ""),
        ]),
    )
    .unwrap();
    std::fs::write(
        repo.join("target/junit/b.xml"),
        report(&[("scales", "pass", "")]),
    )
    .unwrap();
    let history = format!("{}/site/", served.origin);
    let site = dir.join("site");
    let site_arg = site.to_str().unwrap();

    let first = ci(
        &repo,
        &commit,
        &summary,
        false,
        &[
            "--reports",
            "target/junit/*.xml",
            "--history",
            &history,
            "--site",
            site_arg,
        ],
    );
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("starting a new history"),
        "{}",
        stderr(&first)
    );
    assert!(site.join("index.html").is_file());
    assert_eq!(
        history_rows(
            &site,
            "SELECT branch_name, git_commit, run_url, total_tests, passed FROM test_runs"
        ),
        [format!(
            "main,{commit},https://github.com/acme/widgets/actions/runs/4242,4,3"
        )]
    );
    let said = std::fs::read_to_string(&summary).unwrap();
    assert!(said.contains("3 passed, 0 failed, 1 skipped"), "{said}");
    assert!(said.contains("nothing (first run)"), "{said}");
    // The site's dataset is named after the repository.
    let list = std::fs::read_to_string(site.join("static/datasets.json")).unwrap();
    assert!(list.contains("widgets test results"), "{list}");

    // The second push: one test breaks, one is new and fails.
    std::fs::remove_file(repo.join("target/junit/b.xml")).unwrap();
    std::fs::write(
        repo.join("target/junit/a.xml"),
        report(&[
            ("draws", "fail", "expected 3 pixels, got 4"),
            ("clips", "pass", ""),
            ("audio", "skip", ""),
            ("blends", "fail", "no blend mode"),
        ]),
    )
    .unwrap();
    std::fs::remove_file(&summary).unwrap();
    let second = ci(
        &repo,
        &commit,
        &summary,
        false,
        &[
            "--reports",
            "target/junit/*.xml",
            "--history",
            &history,
            "--site",
            site_arg,
            "--fail-on",
            "regressions",
        ],
    );
    assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("1 of them regression(s)"),
        "{}",
        stderr(&second)
    );
    assert!(
        served
            .asked
            .lock()
            .unwrap()
            .iter()
            .any(|p| p.ends_with(".sql.gz"))
    );
    // The site holds both runs, whatever the exit code.
    assert_eq!(
        history_rows(
            &site,
            "SELECT id, passed, failed FROM test_runs ORDER BY id"
        ),
        ["1,3,0", "2,1,2"]
    );
    let said = std::fs::read_to_string(&summary).unwrap();
    assert!(said.contains("2 new failures"), "{said}");
    assert!(
        said.contains(&format!(
            "| [widgets::draws]({history}?test=widgets%3A%3Adraws) | widgets | fail | pass | expected 3 pixels, got 4 |"
        )),
        "{said}"
    );
    assert!(
        said.contains("widgets%3A%3Ablends) | widgets | fail | new test | no blend mode |"),
        "{said}"
    );
    assert!(said.contains("run 1 (main"), "{said}");
    assert!(
        said.contains(&format!("[Explore every result in greenboard]({history})")),
        "{said}"
    );
}

/// A pull request is compared with the latest run of its base branch, and
/// `--fail-on new-failures` fails it; a history that cannot be read (HTTP
/// 500) stops the step and leaves the site as it was.
#[test]
fn a_pull_request_is_compared_with_its_base_and_an_unreadable_history_stops_all() {
    let dir = Scratch::new("action-pr");
    let repo = dir.join("repo");
    std::fs::create_dir(&repo).unwrap();
    let commit = git_repo(&repo);
    let served = serve(dir.to_path_buf());
    let summary = dir.join("summary.md");
    let site = dir.join("site");
    let site_arg = site.to_str().unwrap();
    let history = format!("{}/site/", served.origin);
    // main: two runs, the second with "clips" failing.
    for (i, clips) in ["pass", "fail"].iter().enumerate() {
        std::fs::write(
            repo.join("r.xml"),
            report(&[("draws", "pass", ""), ("clips", clips, "clipped")]),
        )
        .unwrap();
        let out = ci(
            &repo,
            &commit,
            &summary,
            false,
            &[
                "--reports",
                "r.xml",
                "--history",
                &history,
                "--site",
                site_arg,
            ],
        );
        assert!(out.status.success(), "run {i}: {}", stderr(&out));
    }
    // The pull request: clips fixed, draws broken.
    std::fs::write(
        repo.join("r.xml"),
        report(&[("draws", "fail", "drew nothing"), ("clips", "pass", "")]),
    )
    .unwrap();
    std::fs::remove_file(&summary).unwrap();
    let pr = ci(
        &repo,
        &commit,
        &summary,
        true,
        &[
            "--reports",
            "r.xml",
            "--history",
            &history,
            "--fail-on",
            "new-failures",
        ],
    );
    assert_eq!(pr.status.code(), Some(1), "{}", stderr(&pr));
    let said = std::fs::read_to_string(&summary).unwrap();
    assert!(
        said.contains(
            "| [linux/x86_64](https://github.com/acme/widgets/actions/runs/4242) | fix |"
        ),
        "{said}"
    );
    assert!(said.contains("run 2 (main"), "{said}");
    assert!(said.contains("### New failures (1)"), "{said}");
    assert!(said.contains("widgets::draws"), "{said}");
    assert!(said.contains("### Fixed (1)"), "{said}");
    // Nothing was published: the site still holds main's two runs.
    assert_eq!(history_rows(&site, "SELECT COUNT(*) FROM test_runs"), ["2"]);

    // A server error is not "no history yet".
    let before = std::fs::read(site.join("static").join(dataset_file(&site))).unwrap();
    let broken = format!("{}/broken/", served.origin);
    let out = ci(
        &repo,
        &commit,
        &summary,
        false,
        &[
            "--reports",
            "r.xml",
            "--history",
            &broken,
            "--site",
            site_arg,
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("broken/static/datasets.json: HTTP 500"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(site.join("static").join(dataset_file(&site))).unwrap(),
        before
    );
}

/// A matrix's reports, one run per platform, in one step; a glob that
/// matches nothing is an error naming it, or with `--allow-missing` a
/// warning.
#[test]
fn a_matrix_stores_one_run_per_platform() {
    let dir = Scratch::new("action-matrix");
    let repo = dir.join("repo");
    std::fs::create_dir(&repo).unwrap();
    let commit = git_repo(&repo);
    let summary = dir.join("summary.md");
    for os in ["linux", "windows"] {
        std::fs::create_dir_all(repo.join(format!("reports/junit-{os}"))).unwrap();
        std::fs::write(
            repo.join(format!("reports/junit-{os}/junit.xml")),
            report(&[(
                "draws",
                if os == "windows" { "fail" } else { "pass" },
                "d3d",
            )]),
        )
        .unwrap();
    }
    let reports = "linux/x86_64: reports/junit-linux/*.xml\nwindows/x86_64: reports/junit-windows/*.xml\nmacos/aarch64: reports/junit-macos/*.xml";
    let db = dir.join("results.db");
    let missing = ci(
        &repo,
        &commit,
        &summary,
        false,
        &[
            "--reports",
            reports,
            "--history",
            "none",
            "--db",
            db.to_str().unwrap(),
        ],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("reports/junit-macos/*.xml: no report matches"),
        "{}",
        stderr(&missing)
    );
    assert!(!db.exists(), "nothing stored");
    let out = ci(
        &repo,
        &commit,
        &summary,
        false,
        &[
            "--reports",
            reports,
            "--allow-missing",
            "--history",
            "none",
            "--db",
            db.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let said = std::fs::read_to_string(&summary).unwrap();
    assert!(
        said.contains(
            "| [linux/x86_64](https://github.com/acme/widgets/actions/runs/4242) | main |"
        ),
        "{said}"
    );
    assert!(
        said.contains(
            "| [windows/x86_64](https://github.com/acme/widgets/actions/runs/4242) | main |"
        ),
        "{said}"
    );
    assert!(
        said.contains("New failures on windows/x86_64 (1)"),
        "{said}"
    );
    let runs = greenboard()
        .args(["query", "--format", "csv", "--db"])
        .arg(&db)
        .arg("SELECT p.os, r.failed FROM test_runs r JOIN platforms p ON p.id = r.platform_id ORDER BY r.id")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&runs.stdout),
        "os,failed\r\nlinux,0\r\nwindows,1\r\n"
    );
}

/// A summary of thousands of failures stays under GitHub's 65,535 bytes,
/// cutting its lists with how many more there are.
#[test]
fn a_huge_summary_is_cut_to_the_limit() {
    let dir = Scratch::new("action-huge");
    let long = "x".repeat(300);
    let names: Vec<String> = (0..4000).map(|i| format!("test_{i:05}_{long}")).collect();
    let cases: Vec<(&str, &str, &str)> = names
        .iter()
        .map(|n| (n.as_str(), "fail", "it broke"))
        .collect();
    std::fs::write(dir.join("r.xml"), report(&cases)).unwrap();
    let summary = dir.join("summary.md");
    let out = greenboard()
        .current_dir(&*dir)
        .args([
            "ci",
            "--reports",
            "r.xml",
            "--history",
            "none",
            "--branch",
            "main",
            "--commit",
            "abc",
        ])
        .arg("--summary")
        .arg(&summary)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let said = std::fs::read_to_string(&summary).unwrap();
    assert!(said.len() <= 65_535, "{} bytes", said.len());
    assert!(
        said.contains("### New failures (4,000)"),
        "{}",
        &said[..500]
    );
    assert!(said.contains("more"), "the cut is said");
    let shown = said
        .lines()
        .skip_while(|l| !l.starts_with("### New failures"))
        .take_while(|l| !l.starts_with("…and"))
        .filter(|l| l.starts_with("| widgets::test_") || l.starts_with("| [widgets::test_"))
        .count();
    // Long names are shortened, so that rows are shown at all.
    assert!(shown >= 50, "{shown} shown");
    let more = 4000 - shown;
    let more = if more >= 1000 {
        format!("{},{:03}", more / 1000, more % 1000)
    } else {
        more.to_string()
    };
    assert!(said.contains(&format!("…and {more} more")), "{shown} shown");
}

/// `greenboard site`: the explorer it carries and the data, datasets named
/// and listed; a missing input is named and an earlier site is left whole.
#[test]
fn site_writes_the_explorer_and_the_data() {
    let dir = Scratch::new("site-cmd");
    let dump = dir.join("nightly.sql.gz");
    assert!(
        greenboard()
            .args(["demo", "--scale", "1", "-o"])
            .arg(&dump)
            .status()
            .unwrap()
            .success()
    );
    let db = dir.join("weekly.db");
    assert!(
        greenboard()
            .arg("import")
            .arg(&dump)
            .arg("--db")
            .arg(&db)
            .status()
            .unwrap()
            .success()
    );
    let site = dir.join("out");
    let out = greenboard()
        .args(["site", "--title", "Acme"])
        .arg("-o")
        .arg(&site)
        .arg("--db")
        .arg(&db)
        .arg("--dump")
        .arg(&dump)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let list: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.join("static/datasets.json")).unwrap()).unwrap();
    assert_eq!(
        list,
        serde_json::json!([
            {"name": "Acme: weekly", "url": "static/weekly.sql.gz"},
            {"name": "Acme: nightly", "url": "static/nightly.sql.gz"}
        ])
    );
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        index.contains("<base href=./>") || index.contains("<base href=\"./\">"),
        "relative addresses: {index}"
    );
    for file in [
        "sw.js",
        "worker_loader.js",
        "manifest.webmanifest",
        "static/weekly.sql.gz",
    ] {
        assert!(site.join(file).is_file(), "{file}");
    }
    // Both datasets hold the demo's results.
    let count = |args: &[&std::ffi::OsStr]| {
        let out = greenboard()
            .args(["query", "--format", "csv"])
            .args(args)
            .arg("SELECT COUNT(*), SUM(outcome = 'fail') FROM test_results")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let expected = count(&["--db".as_ref(), db.as_os_str()]);
    assert!(
        expected.starts_with("\"COUNT(*)\"") || expected.contains('\n'),
        "{expected}"
    );
    for file in ["weekly", "nightly"] {
        let data = site.join(format!("static/{file}.sql.gz"));
        assert_eq!(
            count(&["--dump".as_ref(), data.as_os_str()]),
            expected,
            "{file}"
        );
    }

    // A missing input: named, and the earlier site stays as it was.
    let before = std::fs::read(site.join("static/datasets.json")).unwrap();
    let out = site_of(&site, "--db", Path::new("gone.db"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("gone.db: no such file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(site.join("static/datasets.json")).unwrap(),
        before
    );
    // Not a dump: named, nothing written.
    let png = dir.join("picture.sql");
    std::fs::write(&png, [0x89, b'P', b'N', b'G', 0xff, 0xfe]).unwrap();
    let out = site_of(&dir.join("other"), "--dump", &png);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("picture.sql: not an SQL dump"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.join("other").exists());
    // A folder that is not a site is not replaced.
    std::fs::create_dir(dir.join("mine")).unwrap();
    std::fs::write(dir.join("mine/notes.txt"), "mine").unwrap();
    let out = site_of(&dir.join("mine"), "--dump", &dump);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not a greenboard site"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("mine/notes.txt")).unwrap(),
        "mine"
    );
    // Nothing is left beside the sites.
    let mut names: Vec<String> = std::fs::read_dir(&*dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["mine", "nightly.sql.gz", "out", "picture.sql", "weekly.db"]
    );
}

/// What `cargo install` builds carries the explorer: the packaged crate,
/// built with no wasm tool on PATH (no trunk, wasm-bindgen, wasm-opt,
/// clang), writes a site of its own version.
#[test]
fn the_packaged_crate_writes_a_site_with_no_wasm_tools() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(
        root.join("explorer/index.html").is_file(),
        "explorer/ is not built: run `bash .ci/build-explorer` first"
    );
    let dir = Scratch::new("package");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let out = Command::new(&cargo)
        .args([
            "package",
            "--allow-dirty",
            "--no-verify",
            "--offline",
            "--quiet",
        ])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    assert!(out.status.success(), "cargo package: {}", stderr(&out));
    let version = env!("CARGO_PKG_VERSION");
    let crate_file = target.join(format!("package/greenboard-{version}.crate"));
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&crate_file).unwrap())
        .read_to_end(&mut bytes)
        .unwrap();
    let tar = dir.join("crate.tar");
    std::fs::write(&tar, bytes).unwrap();
    let untar = Command::new("tar")
        .arg("-xf")
        .arg(&tar)
        .arg("-C")
        .arg(&*dir)
        .status()
        .unwrap();
    assert!(untar.success());
    let unpacked = dir.join(format!("greenboard-{version}"));
    assert!(
        unpacked.join("explorer/index.html").is_file(),
        "the crate holds the explorer"
    );

    // PATH: only cargo and rustc (rustup's proxies, linked) and the system's.
    let bin = dir.join("bin");
    std::fs::create_dir(&bin).unwrap();
    for tool in ["cargo", "rustc"] {
        let which = Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {tool}"))
            .output()
            .unwrap();
        let path = String::from_utf8_lossy(&which.stdout).trim().to_string();
        std::os::unix::fs::symlink(path, bin.join(tool)).unwrap();
    }
    let path = format!("{}:/usr/bin:/bin", bin.display());
    for tool in ["trunk", "wasm-bindgen", "wasm-opt"] {
        let found = Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {tool}"))
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(
            !found.status.success(),
            "{tool} is on the PATH of the build"
        );
    }
    let build = Command::new(bin.join("cargo"))
        .args(["build", "--offline", "--quiet", "--bin", "greenboard"])
        .current_dir(&unpacked)
        .env("PATH", &path)
        .env("CARGO_TARGET_DIR", dir.join("target-link"))
        .env_remove("RUSTC_WRAPPER")
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "cargo build of the crate: {}",
        stderr(&build)
    );
    let built = dir.join("target-link/debug/greenboard");
    let dump = dir.join("results.sql.gz");
    assert!(
        Command::new(&built)
            .args(["demo", "--scale", "1", "-o"])
            .arg(&dump)
            .status()
            .unwrap()
            .success()
    );
    let site = dir.join("site");
    let out = Command::new(&built)
        .arg("site")
        .arg("-o")
        .arg(&site)
        .arg("--dump")
        .arg(&dump)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("the greenboard {version} explorer")),
        "{}",
        stderr(&out)
    );
    // The explorer is the one built: the same files as explorer/.
    for name in ["index.html", "sw.js", "worker_loader.js"] {
        assert_eq!(
            std::fs::read(site.join(name)).unwrap(),
            std::fs::read(root.join("explorer").join(name)).unwrap(),
            "{name}"
        );
    }
}

/// The inputs of `action.yml` with their defaults (a reader of its plain
/// two-level layout, enough for this file).
fn action_inputs(yml: &str) -> Vec<(String, Option<String>)> {
    let mut inputs = Vec::new();
    let mut within = false;
    for line in yml.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            within = line == "inputs:";
            continue;
        }
        if !within {
            continue;
        }
        if let Some(name) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':'))
            && !name.starts_with(' ')
        {
            inputs.push((name.to_string(), None));
        } else if let Some(default) = line.strip_prefix("    default: ") {
            let default = default.trim_matches('\'').to_string();
            inputs.last_mut().unwrap().1 = Some(default);
        }
    }
    inputs
}

/// The Action's two steps as GitHub runs them: `install.sh` with a binary
/// given puts it in `$GITHUB_ENV`, and `run.sh` calls it with each input
/// (its default, or the value given) in `INPUT_*`, as `action.yml` maps
/// every input.
#[test]
fn the_actions_steps_pass_every_input_to_greenboard_ci() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let yml = std::fs::read_to_string(root.join("action.yml")).unwrap();
    let inputs = action_inputs(&yml);
    assert!(inputs.len() >= 12, "{inputs:?}");
    for (name, _) in &inputs {
        if name == "binary" {
            assert!(yml.contains("GREENBOARD_BINARY: ${{ inputs.binary }}"));
            continue;
        }
        let var = format!("INPUT_{}", name.to_uppercase().replace('-', "_"));
        assert!(
            yml.contains(&format!("{var}: ${{{{ inputs.{name} }}}}")),
            "action.yml passes {name} as {var}"
        );
        assert!(
            std::fs::read_to_string(root.join(".github/action/run.sh"))
                .unwrap()
                .contains(&var),
            "run.sh reads {var}"
        );
    }

    let dir = Scratch::new("action-steps");
    let repo = dir.join("repo");
    std::fs::create_dir(&repo).unwrap();
    let commit = git_repo(&repo);
    std::fs::write(
        repo.join("junit.xml"),
        report(&[("draws", "pass", ""), ("clips", "fail", "clipped")]),
    )
    .unwrap();
    let env_file = dir.join("github_env");
    let out = Command::new("bash")
        .arg(root.join(".github/action/install.sh"))
        .env("GREENBOARD_BINARY", env!("CARGO_BIN_EXE_greenboard"))
        .env("GITHUB_ENV", &env_file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let set = std::fs::read_to_string(&env_file).unwrap();
    let installed = set.trim().strip_prefix("GREENBOARD=").unwrap().to_string();

    let summary = dir.join("summary.md");
    let mut run = Command::new("bash");
    run.arg(root.join(".github/action/run.sh"));
    github_env(&mut run, &commit, &summary, false);
    for (name, default) in &inputs {
        let var = format!("INPUT_{}", name.to_uppercase().replace('-', "_"));
        run.env(var, default.as_deref().unwrap_or(""));
    }
    run.env("INPUT_REPORTS", "junit.xml")
        .env("INPUT_HISTORY", "none")
        .env("INPUT_FAIL_ON", "new-failures")
        .env("GREENBOARD", &installed)
        .current_dir(&repo);
    let out = run.output().unwrap();
    // The defaults: a site in _site, the summary in the job summary; and
    // the failure that is new fails the step.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(repo.join("_site/index.html").is_file());
    let said = std::fs::read_to_string(&summary).unwrap();
    assert!(said.contains("1 passed, 1 failed"), "{said}");
    assert!(said.contains("widgets::clips"), "{said}");
}

/// What a first try tripped on, each kept from happening again: a site
/// from something that is not a dump, a history named wrongly, a site
/// folder given without its history, a base branch with no run, and an
/// output that cannot be written found only at the end.
#[test]
fn wrong_inputs_never_cost_the_history() {
    let dir = Scratch::new("action-regressions");
    let summary = dir.join("summary.md");
    let site = dir.join("site");
    let site_arg = site.to_str().unwrap();
    let run = |args: &[&str]| {
        greenboard()
            .current_dir(&*dir)
            .args(["ci", "--branch", "main", "--commit", "c"])
            .args(args)
            .output()
            .unwrap()
    };
    let runs_in_site = || history_rows(&site, "SELECT COUNT(*) FROM test_runs");
    std::fs::write(
        dir.join("r.xml"),
        report(&[("draws", "pass", ""), ("clips", "fail", "x")]),
    )
    .unwrap();
    for _ in 0..2 {
        // Outside GitHub Actions, the site given is the history.
        let out = run(&["--reports", "r.xml", "--site", site_arg, "--no-summary"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(runs_in_site(), ["2"]);

    // A dump's address that is not there is an error, not a new history;
    // the site's page is its address.
    let served = serve(dir.to_path_buf());
    let out = run(&[
        "--reports",
        "r.xml",
        "--site",
        site_arg,
        "--no-summary",
        "--history",
        &format!("{}/site/static/nope.sql.gz", served.origin),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("nope.sql.gz: not there (404)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(runs_in_site(), ["2"]);
    let out = run(&[
        "--reports",
        "r.xml",
        "--site",
        site_arg,
        "--no-summary",
        "--history",
        &format!("{}/site/index.html", served.origin),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(runs_in_site(), ["3"]);

    // A base branch with no run: the run before, and the summary says so.
    let out = run(&[
        "--reports",
        "r.xml",
        "--site",
        site_arg,
        "--against",
        "develop",
        "--summary",
        summary.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = std::fs::read_to_string(&summary).unwrap();
    assert!(
        said.contains("| run 3 (main `c`) — develop has no run here |"),
        "{said}"
    );
    assert_eq!(runs_in_site(), ["4"]);

    // A summary that cannot be written stops it before anything is done.
    let out = run(&[
        "--reports",
        "r.xml",
        "--site",
        site_arg,
        "--summary",
        dir.join("no/such/folder.md").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("the summary cannot be written there"),
        "{}",
        stderr(&out)
    );
    assert_eq!(runs_in_site(), ["4"]);

    // Not a dump: refused, and the site stays.
    std::fs::write(dir.join("hello.sql"), "hello world\n").unwrap();
    let out = site_of(&site, "--dump", &dir.join("hello.sql"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("hello.sql: not an SQL dump"),
        "{}",
        stderr(&out)
    );
    assert_eq!(runs_in_site(), ["4"]);
}

#[test]
fn site_writes_databases_made_for_reading_over_http_when_asked() {
    let dir = Scratch::new("site-web-db");
    let dump = dir.join("nightly.sql.gz");
    assert!(
        greenboard()
            .args(["demo", "--scale", "1", "-o"])
            .arg(&dump)
            .status()
            .unwrap()
            .success()
    );
    let db = dir.join("weekly.db");
    assert!(
        greenboard()
            .arg("import")
            .arg(&dump)
            .arg("--db")
            .arg(&db)
            .status()
            .unwrap()
            .success()
    );
    let site = dir.join("out");
    let out = greenboard()
        .args(["site", "--web-db", "-o"])
        .arg(&site)
        .arg("--db")
        .arg(&db)
        .arg("--dump")
        .arg(&dump)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("weekly.db: made for reading over HTTP"),
        "{}",
        stderr(&out)
    );
    let list: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.join("static/datasets.json")).unwrap()).unwrap();
    assert_eq!(
        list,
        serde_json::json!([
            {"name": "weekly", "url": "static/weekly.db"},
            {"name": "nightly", "url": "static/nightly.db"}
        ])
    );
    let query = |db: &Path, sql: &str| {
        let out = greenboard()
            .args(["query", "--format", "csv", "--db"])
            .arg(db)
            .arg(sql)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let counts = "SELECT COUNT(*), SUM(outcome = 'fail') FROM test_results";
    let expected = query(&db, counts);
    for file in ["weekly", "nightly"] {
        let data = site.join(format!("static/{file}.db"));
        assert_eq!(query(&data, counts), expected, "{file}");
        // The web form: its summary tables, its index, its statistics.
        let held = query(
            &data,
            "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema WHERE name IN \
             ('summary_tests', 'summary_daily', 'idx_test_results_test_run', 'sqlite_stat1') ORDER BY name)",
        );
        assert!(
            held.contains("idx_test_results_test_run sqlite_stat1 summary_daily summary_tests"),
            "{file}: {held}"
        );
    }
}
