//! Where a run comes from, when the command line does not say: the CI
//! service's environment variables (GitHub Actions, GitLab CI, Buildkite,
//! Jenkins), then git, then the machine itself.

use super::PlatformSpec;

/// What could be learnt about the run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Detected {
    /// The CI service, or "git", or "" when nothing was found.
    pub source: &'static str,
    /// The branch.
    pub branch: Option<String>,
    /// The commit.
    pub commit: Option<String>,
    /// A link to the CI job.
    pub run_url: Option<String>,
    /// What triggered the run.
    pub trigger: Option<String>,
    /// The machine's name.
    pub runner_host: Option<String>,
}

/// Reads the run's context from `env` (a variable lookup) and `git` (runs
/// git with the given arguments, giving its trimmed output).
pub fn detect(
    env: impl Fn(&str) -> Option<String>,
    git: impl Fn(&[&str]) -> Option<String>,
) -> Detected {
    let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let mut d = if var("GITHUB_ACTIONS").as_deref() == Some("true") {
        Detected {
            source: "GitHub Actions",
            branch: var("GITHUB_HEAD_REF").or_else(|| var("GITHUB_REF_NAME")),
            commit: var("GITHUB_SHA"),
            run_url: match (
                var("GITHUB_SERVER_URL"),
                var("GITHUB_REPOSITORY"),
                var("GITHUB_RUN_ID"),
            ) {
                (Some(s), Some(r), Some(id)) => Some(format!("{s}/{r}/actions/runs/{id}")),
                _ => None,
            },
            trigger: var("GITHUB_EVENT_NAME").and_then(|e| {
                match e.as_str() {
                    "push" => Some("commit"),
                    "pull_request" | "pull_request_target" => Some("pr"),
                    "schedule" => Some("scheduled"),
                    "workflow_dispatch" => Some("manual"),
                    _ => None,
                }
                .map(str::to_string)
            }),
            runner_host: var("RUNNER_NAME"),
        }
    } else if var("GITLAB_CI").is_some() {
        Detected {
            source: "GitLab CI",
            branch: var("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME")
                .or_else(|| var("CI_COMMIT_BRANCH"))
                .or_else(|| var("CI_COMMIT_REF_NAME")),
            commit: var("CI_COMMIT_SHA"),
            run_url: var("CI_JOB_URL"),
            trigger: var("CI_PIPELINE_SOURCE").and_then(|s| {
                match s.as_str() {
                    "push" => Some("commit"),
                    "merge_request_event" => Some("pr"),
                    "schedule" => Some("scheduled"),
                    "web" | "api" => Some("manual"),
                    _ => None,
                }
                .map(str::to_string)
            }),
            runner_host: var("CI_RUNNER_DESCRIPTION"),
        }
    } else if var("BUILDKITE").as_deref() == Some("true") {
        let pr = var("BUILDKITE_PULL_REQUEST").is_some_and(|p| p != "false");
        Detected {
            source: "Buildkite",
            branch: var("BUILDKITE_BRANCH"),
            commit: var("BUILDKITE_COMMIT"),
            run_url: var("BUILDKITE_BUILD_URL"),
            trigger: if pr {
                Some("pr".into())
            } else {
                var("BUILDKITE_SOURCE").and_then(|s| {
                    match s.as_str() {
                        "webhook" => Some("commit"),
                        "schedule" => Some("scheduled"),
                        "ui" | "api" => Some("manual"),
                        _ => None,
                    }
                    .map(str::to_string)
                })
            },
            runner_host: var("BUILDKITE_AGENT_NAME"),
        }
    } else if var("JENKINS_URL").is_some() {
        Detected {
            source: "Jenkins",
            branch: var("CHANGE_BRANCH")
                .or_else(|| var("BRANCH_NAME"))
                .or_else(|| var("GIT_BRANCH").map(|b| b.trim_start_matches("origin/").to_string())),
            commit: var("GIT_COMMIT"),
            run_url: var("BUILD_URL"),
            trigger: var("CHANGE_ID").map(|_| "pr".to_string()),
            runner_host: var("NODE_NAME"),
        }
    } else {
        Detected::default()
    };
    if d.branch.is_none() || d.commit.is_none() {
        let branch = git(&["rev-parse", "--abbrev-ref", "HEAD"]).filter(|b| b != "HEAD");
        let commit = git(&["rev-parse", "HEAD"]);
        if (d.branch.is_none() && branch.is_some()) || (d.commit.is_none() && commit.is_some()) {
            if d.source.is_empty() {
                d.source = "git";
            }
            d.branch = d.branch.or(branch);
            d.commit = d.commit.or(commit);
        }
    }
    d.runner_host = d.runner_host.or_else(|| var("HOSTNAME"));
    d
}

/// The running machine as a platform (`std::env::consts` names, with
/// `macos` called `darwin` as in the schema).
pub fn this_platform() -> PlatformSpec {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    PlatformSpec {
        os: os.to_string(),
        arch: std::env::consts::ARCH.to_string(),
        environment: "native".to_string(),
        os_version: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn no_git(_: &[&str]) -> Option<String> {
        None
    }

    #[test]
    fn github_actions_pull_request() {
        let d = detect(
            env(&[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_HEAD_REF", "fix/timeouts"),
                ("GITHUB_REF_NAME", "42/merge"),
                ("GITHUB_SHA", "abc123"),
                ("GITHUB_SERVER_URL", "https://github.com"),
                ("GITHUB_REPOSITORY", "acme/widgets"),
                ("GITHUB_RUN_ID", "9001"),
                ("GITHUB_EVENT_NAME", "pull_request"),
            ]),
            no_git,
        );
        assert_eq!(d.source, "GitHub Actions");
        assert_eq!(d.branch.as_deref(), Some("fix/timeouts"));
        assert_eq!(d.commit.as_deref(), Some("abc123"));
        assert_eq!(
            d.run_url.as_deref(),
            Some("https://github.com/acme/widgets/actions/runs/9001")
        );
        assert_eq!(d.trigger.as_deref(), Some("pr"));
    }

    #[test]
    fn gitlab_buildkite_and_jenkins() {
        let d = detect(
            env(&[
                ("GITLAB_CI", "true"),
                ("CI_COMMIT_BRANCH", "main"),
                ("CI_COMMIT_SHA", "def"),
                ("CI_JOB_URL", "https://gitlab.example/j/1"),
                ("CI_PIPELINE_SOURCE", "schedule"),
            ]),
            no_git,
        );
        assert_eq!(
            (d.source, d.branch.as_deref(), d.trigger.as_deref()),
            ("GitLab CI", Some("main"), Some("scheduled"))
        );
        let d = detect(
            env(&[
                ("BUILDKITE", "true"),
                ("BUILDKITE_BRANCH", "dev"),
                ("BUILDKITE_COMMIT", "123"),
                ("BUILDKITE_BUILD_URL", "https://buildkite.com/acme/b/1"),
                ("BUILDKITE_PULL_REQUEST", "false"),
                ("BUILDKITE_SOURCE", "webhook"),
            ]),
            no_git,
        );
        assert_eq!(
            (d.source, d.trigger.as_deref()),
            ("Buildkite", Some("commit"))
        );
        let d = detect(
            env(&[
                ("JENKINS_URL", "https://jenkins.example/"),
                ("GIT_BRANCH", "origin/release/2.0"),
                ("GIT_COMMIT", "456"),
                ("BUILD_URL", "https://jenkins.example/job/7/"),
            ]),
            no_git,
        );
        assert_eq!(
            (d.source, d.branch.as_deref()),
            ("Jenkins", Some("release/2.0"))
        );
    }

    #[test]
    fn git_fills_what_the_environment_lacks() {
        let git = |args: &[&str]| match args {
            ["rev-parse", "--abbrev-ref", "HEAD"] => Some("feature/x".to_string()),
            ["rev-parse", "HEAD"] => Some("0123abcd".to_string()),
            _ => None,
        };
        let d = detect(env(&[]), git);
        assert_eq!(
            (d.source, d.branch.as_deref(), d.commit.as_deref()),
            ("git", Some("feature/x"), Some("0123abcd"))
        );
        let detached = |args: &[&str]| match args {
            ["rev-parse", "--abbrev-ref", "HEAD"] => Some("HEAD".to_string()),
            ["rev-parse", "HEAD"] => Some("0123abcd".to_string()),
            _ => None,
        };
        assert_eq!(detect(env(&[]), detached).branch, None);
    }
}
