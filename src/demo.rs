//! The demo data: 90 days of CI test results for a fictional graphics
//! library, on six platforms and several branches, generated from a fixed
//! seed so that the same code always writes the same database.
//!
//! The story it tells, for the explorer to find:
//! - `main` is healthy but a handful of tests are flaky (they flip between
//!   pass and fail, sometimes passing on a retry);
//! - from day 55 a change breaks three families of `gfx` tests on Windows
//!   only (a regression on one platform), and `fix/d3d11-present` fixes it;
//! - `feature/metal-backend` starts rough and improves;
//! - audio tests are skipped on virtual machines, dlopen tests on macOS x86_64;
//! - a streaming test times out on Windows now and then, heavy render tests
//!   on the virtual machines;
//! - a flaky failure on main is now and then re-run on the same commit
//!   (passing then, often);
//! - from day 66 `render::shadow_cascade` is 2.5 times slower on main;
//! - error messages carry quotes, newlines, unicode and HTML.

use rusqlite::{Connection, params};

/// The seed of the demo data.
pub const SEED: u64 = 0x6772_6565_6e62_6f61; // "greenboa"

/// Days of runs in the demo.
pub const DAYS: u32 = 90;

/// The first day of the demo (runs are on this day and the 89 after it).
const START: (i32, u32, u32) = (2026, 6, 1);

/// A small, fast, deterministic random source (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An integer in `[lo, hi]`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

struct Platform {
    os: &'static str,
    arch: &'static str,
    environment: &'static str,
    os_version: &'static str,
    lp_model: &'static str,
    dlopen: bool,
    notes: &'static str,
    host: &'static str,
}

const PLATFORMS: [Platform; 6] = [
    Platform {
        os: "linux",
        arch: "x86_64",
        environment: "native",
        os_version: "Ubuntu 24.04",
        lp_model: "LP64",
        dlopen: true,
        notes: "Full support",
        host: "ci-linux-x64",
    },
    Platform {
        os: "linux",
        arch: "aarch64",
        environment: "vm",
        os_version: "Debian 12 (QEMU)",
        lp_model: "LP64",
        dlopen: true,
        notes: "Full support",
        host: "ci-linux-arm64",
    },
    Platform {
        os: "windows",
        arch: "x86_64",
        environment: "native",
        os_version: "Windows 11",
        lp_model: "LLP64",
        dlopen: true,
        notes: "D3D11 backend",
        host: "ci-win-x64",
    },
    Platform {
        os: "darwin",
        arch: "aarch64",
        environment: "native",
        os_version: "macOS 14.3",
        lp_model: "LP64",
        dlopen: true,
        notes: "Metal via syslib",
        host: "ci-mac-arm64",
    },
    Platform {
        os: "darwin",
        arch: "x86_64",
        environment: "native",
        os_version: "macOS 13.6",
        lp_model: "LP64",
        dlopen: false,
        notes: "dlopen explicitly disabled",
        host: "ci-mac-x64",
    },
    Platform {
        os: "freebsd",
        arch: "x86_64",
        environment: "vm",
        os_version: "FreeBSD 14.0",
        lp_model: "LP64",
        dlopen: true,
        notes: "Full support",
        host: "ci-bsd-x64",
    },
];
const WINDOWS: usize = 2;
const MAC_X64: usize = 4;

/// Suites and how many tests each has (300 in all).
const SUITES: [(&str, usize, &[&str]); 7] = [
    (
        "app",
        40,
        &[
            "window_create",
            "window_resize",
            "event_queue",
            "clipboard",
            "fullscreen_toggle",
            "dpi_scale",
            "cursor_lock",
            "drop_files",
        ],
    ),
    (
        "gfx",
        70,
        &[
            "buffer_create",
            "image_upload",
            "pipeline_cache",
            "shader_compile",
            "render_pass",
            "mipmaps",
            "msaa_resolve",
            "texture_array",
        ],
    ),
    (
        "audio",
        25,
        &[
            "device_open",
            "stream_mix",
            "resample",
            "latency",
            "device_reopen",
        ],
    ),
    (
        "imgui",
        45,
        &[
            "render_frame",
            "font_atlas",
            "docking",
            "input_text",
            "table_sort",
            "drag_drop",
        ],
    ),
    (
        "render",
        50,
        &[
            "shadow_cascade",
            "deferred_lights",
            "bloom",
            "tonemap",
            "instancing",
            "frame_pacing",
        ],
    ),
    (
        "loader",
        30,
        &[
            "gltf_parse",
            "image_decode",
            "stream_asset",
            "cache_evict",
            "zip_mount",
        ],
    ),
    (
        "platform",
        40,
        &[
            "dlopen_gl",
            "dlopen_vulkan",
            "thread_spawn",
            "mmap_file",
            "env_vars",
            "time_monotonic",
            "locale_utf8",
            "signal_handler",
        ],
    ),
];

struct Test {
    name: String,
    suite: &'static str,
    /// Typical duration in ms.
    base_ms: f64,
    /// Chance of a spurious failure in any run (flaky tests have a high one).
    flake: f64,
}

fn tests(rng: &mut Rng) -> Vec<Test> {
    let mut out = Vec::new();
    for (suite, count, stems) in SUITES {
        for i in 0..count {
            let stem = stems[i % stems.len()];
            let name = if i < stems.len() {
                format!("{suite}::{stem}")
            } else {
                format!("{suite}::{stem}_{:02}", i / stems.len())
            };
            let heavy = matches!(suite, "render" | "loader") && rng.chance(0.2);
            let base_ms = if heavy {
                rng.range(800, 6000) as f64
            } else {
                rng.range(2, 180) as f64
            };
            out.push(Test {
                name,
                suite,
                base_ms,
                flake: 0.001,
            });
        }
    }
    for name in FLAKY {
        if let Some(t) = out.iter_mut().find(|t| t.name == name.0) {
            t.flake = name.1;
        }
    }
    out
}

/// Tests that fail now and then, with their chance of failing in a run.
const FLAKY: [(&str, f64); 8] = [
    ("audio::device_reopen", 0.30),
    ("app::window_resize", 0.18),
    ("render::frame_pacing", 0.22),
    ("imgui::drag_drop_01", 0.12),
    ("loader::cache_evict", 0.15),
    ("platform::signal_handler", 0.10),
    ("gfx::msaa_resolve_02", 0.08),
    ("app::clipboard_03", 0.25),
];

/// Test families broken on Windows by the change that landed on day 55.
const REGRESSED: [&str; 3] = [
    "gfx::render_pass",
    "gfx::msaa_resolve",
    "gfx::texture_array",
];
const REGRESSION_DAY: u32 = 55;

/// From this day `render::shadow_cascade` takes 2.5 times as long on main.
const SLOWDOWN_DAY: u32 = 66;

struct Branch {
    name: &'static str,
    first_day: u32,
    last_day: u32,
    /// Days between runs.
    every: u32,
    platforms: &'static [usize],
    trigger: &'static str,
}

const BRANCHES: [Branch; 6] = [
    Branch {
        name: "main",
        first_day: 0,
        last_day: DAYS - 1,
        every: 3,
        platforms: &[0, 2, 3],
        trigger: "commit",
    },
    Branch {
        name: "main",
        first_day: 5,
        last_day: DAYS - 1,
        every: 6,
        platforms: &[1, 4, 5],
        trigger: "scheduled",
    },
    Branch {
        name: "release/1.4",
        first_day: 4,
        last_day: DAYS - 1,
        every: 10,
        platforms: &[0, 1, 2, 3, 4, 5],
        trigger: "commit",
    },
    Branch {
        name: "feature/metal-backend",
        first_day: 20,
        last_day: 70,
        every: 5,
        platforms: &[3, 4],
        trigger: "pr",
    },
    Branch {
        name: "feature/async-loader",
        first_day: 35,
        last_day: 80,
        every: 6,
        platforms: &[0, 2],
        trigger: "pr",
    },
    Branch {
        name: "fix/d3d11-present",
        first_day: 60,
        last_day: 84,
        every: 3,
        platforms: &[2],
        trigger: "pr",
    },
];

/// A fake but stable commit id for a branch on a day.
fn commit(branch: &str, day: u32) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in branch.bytes().chain(day.to_le_bytes()) {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    let mut r = Rng::new(h);
    format!(
        "{:016x}{:016x}{:08x}",
        r.next_u64(),
        r.next_u64(),
        r.next_u64() as u32
    )
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y } as i64;
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `YYYY-MM-DD HH:MM:SS` for a day of the demo and a second of that day.
fn timestamp(day: u32, second: u32) -> String {
    let (y, m, d) = civil_from_days(days_from_civil(START.0, START.1, START.2) + day as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        second / 3600,
        second / 60 % 60,
        second % 60
    )
}

/// One outcome: (outcome, error message, stack trace, retries).
type Outcome = (&'static str, Option<String>, Option<String>, i64);

fn failure_message(rng: &mut Rng, test: &Test, platform: &Platform) -> (String, String) {
    let frame = format!(
        "   0: {}::{}\n             at ./src/{}/mod.rs:{}:{}\n   1: greenboard_demo::harness::run\n             at ./src/harness.rs:88:5",
        test.suite,
        test.name.rsplit("::").next().unwrap_or_default(),
        test.suite,
        rng.range(20, 900),
        rng.range(5, 40)
    );
    let msg = match rng.range(0, 6) {
        0 => format!(
            "assertion `left == right` failed\n  left: \"héllo wörld\"\n right: \"hello world\"\n  on {}/{}",
            platform.os, platform.arch
        ),
        1 => "Segfault in ImGui::Render() — frame 'main'; draw list #3".to_string(),
        2 => format!(
            "expected pixel (12, 40) to be ✓ rgba(255,255,255,255), got ✗ rgba(0,0,0,255); diff saved to 'out/{}.png'",
            test.name.replace("::", "_")
        ),
        3 => "timed out waiting for vsync: 3 frames in 500 ms (expected ≥ 28)".to_string(),
        4 => "HTML report snippet not escaped: got <script>window.__xss=1</script> in output".to_string(),
        5 => match platform.os {
            "windows" => "device lost: DXGI_ERROR_DEVICE_REMOVED (0x887A0005) \"the GPU device instance has been suspended\"".to_string(),
            "darwin" => "MTLCommandBuffer failed: Caused GPU Hang Error (00000003:kIOGPUCommandBufferCallbackErrorHang)".to_string(),
            _ => "VK_ERROR_DEVICE_LOST from vkQueueSubmit (llvmpipe; 'fence 41 never signalled')".to_string(),
        },
        _ => "called `Result::unwrap()` on an `Err` value: Os { code: 11, kind: WouldBlock, message: \"Resource temporarily unavailable\" }".to_string(),
    };
    (msg, frame)
}

#[allow(clippy::too_many_arguments)]
fn outcome(rng: &mut Rng, test: &Test, platform_ix: usize, branch: &str, day: u32) -> Outcome {
    let platform = &PLATFORMS[platform_ix];
    if test.suite == "audio" && platform.environment == "vm" {
        return (
            "skip",
            Some("no audio device in virtual machine".into()),
            None,
            0,
        );
    }
    if test.name.starts_with("platform::dlopen") && !platform.dlopen {
        return (
            "skip",
            Some("dlopen unsupported on this platform".into()),
            None,
            0,
        );
    }
    let regressed = platform_ix == WINDOWS
        && REGRESSED.iter().any(|family| test.name.starts_with(family))
        && day >= REGRESSION_DAY
        && matches!(branch, "main" | "feature/async-loader");
    if regressed {
        let (_, trace) = failure_message(rng, test, platform);
        let msg = format!(
            "D3D11: IDXGISwapChain::Present returned 0x887A0001 (DXGI_ERROR_INVALID_CALL)\nat {} after \"resize\" event",
            test.name
        );
        return ("fail", Some(msg), Some(trace), 0);
    }
    if test.name == "loader::stream_asset" && platform_ix == WINDOWS && rng.chance(0.35) {
        return (
            "timeout",
            Some("test exceeded the 30 s timeout (streamed 61% of 'city.glb')".into()),
            None,
            0,
        );
    }
    let mut p_fail = test.flake;
    if branch == "feature/metal-backend" && matches!(test.suite, "gfx" | "render") {
        // Starts broken, gets better as the branch matures.
        p_fail += (0.6 - (day.saturating_sub(20) as f64) / 100.0).max(0.05);
    }
    if platform.environment == "vm" && test.suite == "render" && test.base_ms > 500.0 {
        // Slow emulated GPUs: heavy render tests hit their time limit.
        if rng.chance(0.12) {
            return (
                "timeout",
                Some(format!(
                    "test exceeded the 30 s timeout on {} (software rasterizer)",
                    platform.os_version
                )),
                None,
                0,
            );
        }
    }
    if rng.chance(p_fail) {
        let (msg, trace) = failure_message(rng, test, platform);
        let kind = if rng.chance(0.15) { "error" } else { "fail" };
        return (kind, Some(msg), Some(trace), rng.range(0, 2) as i64);
    }
    // A flaky test that failed first and passed on a retry.
    let retries = if test.flake > 0.05 && rng.chance(test.flake / 2.0) {
        1
    } else {
        0
    };
    ("pass", None, None, retries)
}

/// Builds the demo database in `conn` (which should be empty).
pub fn generate(conn: &Connection) -> rusqlite::Result<()> {
    generate_scaled(conn, 1)
}

/// Builds the demo with `scale` times as many runs (each scheduled run
/// repeated at other hours of the same day): the same story, more data, for
/// benchmarks. Scale 1 is the demo.
pub fn generate_scaled(conn: &Connection, scale: u32) -> rusqlite::Result<()> {
    let mut rng = Rng::new(SEED);
    conn.execute_batch(crate::SCHEMA_SQL)?;
    let tx = conn.unchecked_transaction()?;
    for p in &PLATFORMS {
        tx.execute(
            "INSERT INTO platforms (os, arch, environment, os_version, lp_model, dlopen_support, notes) VALUES (?1,?2,?3,?4,?5,?6,?7)",
            params![p.os, p.arch, p.environment, p.os_version, p.lp_model, p.dlopen, p.notes],
        )?;
    }
    let tests = tests(&mut rng);
    // Every run of every branch, in time order.
    let mut runs: Vec<(u32, u32, &Branch, usize)> = Vec::new();
    for (bi, b) in BRANCHES.iter().enumerate() {
        let mut day = b.first_day;
        while day <= b.last_day {
            for &p in b.platforms {
                for k in 0..scale.max(1) {
                    let hour = (1 + (bi as u32 * 3 + p as u32) % 20 + k) % 24;
                    let second = 3600 * hour + rng.range(0, 3599) as u32;
                    runs.push((day, second, b, p));
                }
            }
            day += b.every;
        }
    }
    runs.sort_by_key(|r| (r.0, r.1, r.3));
    let mut insert_run = tx.prepare(
        "INSERT INTO test_runs (run_timestamp, platform_id, git_commit, total_tests, passed, failed, skipped, duration_sec, trigger, runner_host, branch_name, run_url) \
         VALUES (?1,?2,?3,0,0,0,0,0,?4,?5,?6,NULL)",
    )?;
    let mut insert_result = tx.prepare(
        "INSERT INTO test_results (run_id, test_name, test_suite, outcome, duration_ms, error_message, stack_trace, retry_count) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
    )?;
    let mut finish_run = tx.prepare(
        "UPDATE test_runs SET total_tests = ?2, passed = ?3, failed = ?4, skipped = ?5, duration_sec = ?6, run_url = ?7 WHERE id = ?1",
    )?;
    let mut coverage = tx.prepare(
        "INSERT INTO test_coverage (run_id, component, lines_total, lines_covered, functions_total, functions_covered, coverage_pct) VALUES (?1,?2,?3,?4,?5,?6,?7)",
    )?;
    // Re-runs draw from a stream of their own, so that adding them left
    // every other run as it was.
    let mut rerun_rng = Rng::new(SEED ^ 0x0072_6572_756e);
    let mut rerun_chance = Rng::new(SEED ^ 0x6368_616e_6365);
    let mut queue: Vec<(u32, u32, &Branch, usize, bool)> = runs
        .into_iter()
        .rev()
        .map(|(d, s, b, p)| (d, s, b, p, false))
        .collect();
    while let Some((day, second, branch, p, rerun)) = queue.pop() {
        let rng = if rerun { &mut rerun_rng } else { &mut rng };
        let platform = &PLATFORMS[p];
        insert_run.execute(params![
            timestamp(day, second),
            p as i64 + 1,
            commit(branch.name, day),
            if rerun { "manual" } else { branch.trigger },
            format!("{}-{:02}", platform.host, rng.range(1, 12)),
            branch.name,
        ])?;
        let run_id = tx.last_insert_rowid();
        let (mut passed, mut failed, mut skipped, mut total_ms) = (0i64, 0i64, 0i64, 0f64);
        let mut flaky_failed = false;
        for test in &tests {
            let (kind, msg, trace, retries) = outcome(rng, test, p, branch.name, day);
            flaky_failed |= kind != "pass" && kind != "skip" && test.flake > 0.05;
            let mut ms = test.base_ms * (0.8 + 0.4 * rng.unit());
            if p == MAC_X64 || platform.environment == "vm" {
                ms *= 1.6;
            }
            if test.name == "render::shadow_cascade" && day >= SLOWDOWN_DAY && branch.name == "main"
            {
                ms *= 2.5; // a slowdown that crept in on main
            }
            let duration = match kind {
                "skip" => None,
                "timeout" => Some(30_000i64),
                _ => Some(ms.round() as i64 + 1),
            };
            total_ms += duration.unwrap_or(0) as f64;
            match kind {
                "pass" => passed += 1,
                "skip" => skipped += 1,
                _ => failed += 1,
            }
            insert_result.execute(params![
                run_id, test.name, test.suite, kind, duration, msg, trace, retries
            ])?;
        }
        // A flaky failure on main: now and then someone re-runs the job,
        // on the same commit, 40 minutes later.
        if !rerun && flaky_failed && branch.name == "main" && rerun_chance.chance(0.25) {
            queue.push((day, second + 2400, branch, p, true));
        }
        finish_run.execute(params![
            run_id,
            tests.len() as i64,
            passed,
            failed,
            skipped,
            (total_ms / 1000.0).round() as i64,
            format!("https://ci.example.org/greenboard-demo/runs/{run_id}"),
        ])?;
        if branch.name == "main" && p == 0 && !rerun {
            for (component, lines, funcs) in [
                ("app", 5200, 410),
                ("gfx", 14800, 960),
                ("audio", 2900, 180),
                ("imgui", 9100, 720),
            ] {
                let frac = 0.62 + 0.2 * (day as f64 / DAYS as f64) + 0.03 * rng.unit();
                let covered = (lines as f64 * frac).round() as i64;
                coverage.execute(params![
                    run_id,
                    component,
                    lines,
                    covered,
                    funcs,
                    (funcs as f64 * (frac + 0.05).min(1.0)).round() as i64,
                    (1000.0 * covered as f64 / lines as f64).round() / 10.0,
                ])?;
            }
        }
    }
    drop((insert_run, insert_result, finish_run, coverage));
    crate::db::history::recompute(&tx, crate::db::history::Scope::All)?;
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil() {
        assert_eq!(timestamp(0, 3661), "2026-06-01 01:01:01");
        assert_eq!(timestamp(30, 0), "2026-07-01 00:00:00");
        assert_eq!(timestamp(89, 86399), "2026-08-29 23:59:59");
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
    }

    #[test]
    fn the_random_source_is_fixed() {
        let mut a = Rng::new(1);
        let mut b = Rng::new(1);
        assert_eq!(a.next_u64(), b.next_u64());
        assert_eq!(Rng::new(0).next_u64(), 0xe220_a839_7b1d_cdaf);
    }
}
