//! The site the GitHub Action writes (`greenboard ci --site`), published
//! under a sub-path as GitHub Pages publishes a project's site: it opens
//! the whole history, with the run just added on its dashboard.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::support::*;

/// Runs the binary with `args` in `dir`; panics with its standard error
/// when it fails.
fn greenboard(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_greenboard"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "greenboard {args:?}: {stderr}");
    stderr
}

/// The history of the demo, published by an earlier run as a site at
/// `/prev/`; a push to main adds a run with the Action's environment; the
/// new site, served at `/widgets/`, shows every run and the new one.
#[tokio::test(flavor = "multi_thread")]
async fn the_site_the_action_writes_shows_the_new_run_under_a_sub_path() {
    let dir = TempDir::new("action-site");
    let root_dir = root();
    let demo = root_dir.join("static/demo.sql.gz");
    let prev = dir.0.join("prev");
    greenboard(
        &dir.0,
        &[
            "site",
            "-o",
            prev.to_str().unwrap(),
            "--dump",
            demo.to_str().unwrap(),
            "--title",
            "widgets test results",
        ],
        &[],
    );
    let repo = dir.0.join("repo");
    std::fs::create_dir(&repo).unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(&repo)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    git(&["init", "-q", "-b", "main"]);
    git(&[
        "-c",
        "user.name=CI",
        "-c",
        "user.email=ci@example.org",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "first",
    ]);
    let commit = git(&["rev-parse", "HEAD"]);
    std::fs::write(
        repo.join("junit.xml"),
        "<testsuite name=\"gfx\" tests=\"3\">\
           <testcase classname=\"gfx\" name=\"draws\" time=\"0.5\"/>\
           <testcase classname=\"gfx\" name=\"clips\" time=\"0.25\"><failure message=\"clipped\"/></testcase>\
           <testcase classname=\"gfx\" name=\"blends\" time=\"0.125\"/>\
         </testsuite>",
    )
    .unwrap();

    let server = Server::start(vec![
        ("/prev/", prev.clone()),
        ("/widgets/", dir.0.join("site")),
    ])
    .await;
    let summary = dir.0.join("summary.md");
    let said = greenboard(
        &repo,
        &[
            "ci",
            "--reports",
            "*.xml",
            "--history",
            &format!("{}/prev/", server.origin),
            "--site",
            dir.0.join("site").to_str().unwrap(),
            "--site-url",
            &format!("{}/widgets/", server.origin),
        ],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_REPOSITORY", "acme/widgets"),
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_REF_NAME", "main"),
            ("GITHUB_SHA", &commit),
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("GITHUB_RUN_ID", "777"),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
            ("RUNNER_OS", "Linux"),
            ("RUNNER_ARCH", "X64"),
        ],
    );
    // The demo's runs and results, as SQLite counts them.
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    greenboard::db::load::load_str(
        &conn,
        &crate::support::demo_sql(),
        greenboard::db::load::OnError::Stop,
    )
    .unwrap();
    let (runs, results): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT COUNT(*) FROM test_runs), (SELECT COUNT(*) FROM test_results)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(
        said.contains(&format!("{runs} earlier runs ({results} results)")),
        "{said}"
    );
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(summary.contains("2 passed, 1 failed"), "{summary}");
    assert!(
        summary.contains(&format!("]({}/widgets/)", server.origin)),
        "{summary}"
    );

    let b = Browser::start().await;
    b.driver
        .goto(format!("{}/widgets/", server.origin))
        .await
        .unwrap();
    let status = b.wait_loaded().await;
    assert!(status.starts_with("Loaded"), "{status}");
    let headline = b
        .wait_for(
            "const h = document.querySelector('.headline'); return h && h.textContent.includes('runs') && h.textContent;",
            Duration::from_secs(20),
        )
        .await;
    let picker = b
        .js("const s = document.querySelector('label.dataset select'); return s && s.selectedOptions[0].textContent;")
        .await;
    run_sql(
        &b,
        "SELECT r.branch_name, r.git_commit, r.run_url, r.passed, r.failed, p.os || '/' || p.arch
         FROM test_runs r JOIN platforms p ON p.id = r.platform_id ORDER BY r.id DESC LIMIT 1",
    )
    .await;
    query_outcome(&b, Duration::from_secs(20)).await.unwrap();
    let table = b.js(TABLE_JS).await;
    let png = b.driver.screenshot_as_png().await.unwrap();
    let shots = root().join("tests/screenshots/tmp");
    std::fs::create_dir_all(&shots).unwrap();
    std::fs::write(shots.join("action-site.png"), png).unwrap();
    b.quit().await;

    // The demo's runs, and the one the Action added.
    let headline = headline.as_str().unwrap_or_default();
    assert!(
        headline.contains(&format!("{} runs", runs + 1)),
        "{headline}"
    );
    assert_eq!(picker, "widgets test results");
    let row: Vec<String> = table["rows"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        row,
        [
            "main",
            commit.as_str(),
            "https://github.com/acme/widgets/actions/runs/777",
            "2",
            "1",
            "linux/x86_64"
        ]
    );
    // The browser read the new site's dump, under the sub-path.
    let dumps = server.served(".sql.gz");
    assert!(
        dumps
            .iter()
            .any(|s| s.path == "/widgets/static/results.sql.gz" && s.status == 200),
        "{dumps:?}"
    );
    assert!(
        server
            .served(".wasm.zst")
            .iter()
            .all(|s| s.path.starts_with("/widgets/"))
    );
}
