-- greenboard test-results schema.
--
-- A superset of the cosmo-sokol `test_results.db` schema (platforms, test_runs,
-- test_results, test_history, test_coverage, in their final revised form), so
-- that its documented queries run unchanged, plus the branch dimension that
-- VibeSQL's test_runs gained (`branch_name`), and where a run came from
-- (`run_url`). Timestamps are ISO 8601 text in UTC ('YYYY-MM-DD HH:MM:SS').

-- A platform tests run on: one row per os/arch/environment/os_version.
CREATE TABLE platforms (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    os              TEXT NOT NULL,              -- linux, darwin, windows, freebsd, netbsd, openbsd
    arch            TEXT NOT NULL,              -- x86_64, aarch64
    environment     TEXT NOT NULL CHECK(environment IN ('native', 'vm', 'emulator', 'wsl')),
    os_version      TEXT,                       -- e.g. 'Ubuntu 24.04', 'macOS 14.3'
    lp_model        TEXT CHECK(lp_model IN ('LP64', 'LLP64', 'ILP32')),
    dlopen_support  INTEGER NOT NULL DEFAULT 1,
    notes           TEXT,
    active          INTEGER NOT NULL DEFAULT 1,
    UNIQUE(os, arch, environment, os_version)
);
CREATE INDEX idx_platforms_os_arch ON platforms(os, arch);

-- One execution of the test suite: on one platform, for one commit of one branch.
-- total_tests/passed/failed/skipped summarise its test_results
-- (failed counts outcomes 'fail', 'error' and 'timeout').
CREATE TABLE test_runs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    run_timestamp   TEXT NOT NULL DEFAULT (datetime('now')),
    platform_id     INTEGER NOT NULL REFERENCES platforms(id),
    git_commit      TEXT NOT NULL,
    build_id        INTEGER,                    -- optional: the build that was tested
    total_tests     INTEGER NOT NULL DEFAULT 0,
    passed          INTEGER NOT NULL DEFAULT 0,
    failed          INTEGER NOT NULL DEFAULT 0,
    skipped         INTEGER NOT NULL DEFAULT 0,
    duration_sec    INTEGER,
    trigger         TEXT CHECK(trigger IN ('manual', 'scheduled', 'commit', 'pr')),
    runner_host     TEXT,
    branch_name     TEXT,                       -- git branch the run tested
    run_url         TEXT                        -- link to the CI job
);
CREATE INDEX idx_test_runs_timestamp ON test_runs(run_timestamp);
CREATE INDEX idx_test_runs_platform ON test_runs(platform_id);
CREATE INDEX idx_test_runs_commit ON test_runs(git_commit);
CREATE INDEX idx_test_runs_branch ON test_runs(branch_name, run_timestamp);

-- One test case's outcome in one run.
CREATE TABLE test_results (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id          INTEGER NOT NULL REFERENCES test_runs(id) ON DELETE CASCADE,
    test_name       TEXT NOT NULL,              -- e.g. 'gfx::buffer_create'
    test_suite      TEXT,                       -- e.g. 'gfx'
    outcome         TEXT NOT NULL CHECK(outcome IN ('pass', 'fail', 'skip', 'error', 'timeout')),
    duration_ms     INTEGER,
    error_message   TEXT,
    stack_trace     TEXT,
    retry_count     INTEGER DEFAULT 0,          -- reruns before the recorded outcome
    UNIQUE(run_id, test_name)
);
CREATE INDEX idx_test_results_outcome ON test_results(outcome);
CREATE INDEX idx_test_results_test_name ON test_results(test_name);
CREATE INDEX idx_test_results_suite ON test_results(test_suite);

-- Per test and platform, a summary kept up to date after each ingest
-- (the "materialized view" of the cosmo-sokol design). consecutive_fails
-- counts failures since the last pass; flaky_count counts flips between
-- pass and a failure in consecutive runs (skips do not count).
CREATE TABLE test_history (
    test_name         TEXT NOT NULL,
    platform_id       INTEGER NOT NULL REFERENCES platforms(id),
    last_pass         TEXT,
    last_fail         TEXT,
    consecutive_fails INTEGER DEFAULT 0,
    flaky_count       INTEGER DEFAULT 0,        -- times the outcome flipped between runs
    total_runs        INTEGER DEFAULT 0,
    pass_rate         REAL,                     -- 0.0 to 1.0
    updated_at        TEXT NOT NULL DEFAULT (datetime('now')),
    passes            INTEGER DEFAULT 0,        -- runs that passed (pass_rate = passes / total_runs)
    last_outcome      TEXT,                     -- outcome in the latest run (to count flips)
    PRIMARY KEY(test_name, platform_id)
);

-- Code coverage per run and component.
CREATE TABLE test_coverage (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id            INTEGER NOT NULL REFERENCES test_runs(id) ON DELETE CASCADE,
    component         TEXT NOT NULL,
    lines_total       INTEGER,
    lines_covered     INTEGER,
    functions_total   INTEGER,
    functions_covered INTEGER,
    coverage_pct      REAL,
    UNIQUE(run_id, component)
);
