#!/usr/bin/env bash
# The Action's first step: puts a greenboard binary for this runner on PATH
# ($GREENBOARD_BINARY if given, else the release asset of the Action's
# version: the release tagged $GREENBOARD_REF, else the latest whose tag
# starts with it (v1 → v1.4.2), else the latest) and names it in
# $GITHUB_ENV as GREENBOARD.
set -euo pipefail
if [[ -n "${GREENBOARD_BINARY:-}" ]]; then
  [[ -x "$GREENBOARD_BINARY" ]] || { echo "::error::binary: $GREENBOARD_BINARY is not an executable file"; exit 1; }
  bin="$(cd "$(dirname "$GREENBOARD_BINARY")" && pwd)/$(basename "$GREENBOARD_BINARY")"
else
  case "${RUNNER_OS}/${RUNNER_ARCH}" in
    Linux/X64) target=x86_64-unknown-linux-gnu ;;
    Linux/ARM64) target=aarch64-unknown-linux-gnu ;;
    macOS/ARM64) target=aarch64-apple-darwin ;;
    Windows/X64) target=x86_64-pc-windows-msvc ;;
    *) echo "::error::greenboard has no release for ${RUNNER_OS}/${RUNNER_ARCH}: build it (cargo install greenboard) and give it as the binary input"; exit 1 ;;
  esac
  repo="${GREENBOARD_REPOSITORY:?no repository of the Action (github.action_repository)}"
  tag=""
  if [[ -n "${GREENBOARD_REF:-}" ]] && gh release view "$GREENBOARD_REF" -R "$repo" --json tagName >/dev/null 2>&1; then
    tag="$GREENBOARD_REF"
  else
    tags="$(gh release list -R "$repo" --exclude-drafts --exclude-pre-releases --limit 100 --json tagName --jq '.[].tagName')"
    tag="$(grep -m1 "^${GREENBOARD_REF:-}" <<<"$tags" || head -n1 <<<"$tags")"
  fi
  [[ -n "$tag" ]] || { echo "::error::$repo has no release of greenboard to download"; exit 1; }
  dir="${RUNNER_TEMP:-/tmp}/greenboard-$tag"
  mkdir -p "$dir"
  if [[ "$target" == *windows* ]]; then
    gh release download "$tag" -R "$repo" -p "greenboard-$target.zip" -D "$dir" --clobber
    (cd "$dir" && unzip -oq "greenboard-$target.zip")
    bin="$dir/greenboard.exe"
  else
    gh release download "$tag" -R "$repo" -p "greenboard-$target.tar.gz" -D "$dir" --clobber
    tar -xzf "$dir/greenboard-$target.tar.gz" -C "$dir"
    bin="$dir/greenboard"
  fi
  echo "greenboard $tag for $target"
fi
"$bin" --version
echo "GREENBOARD=$bin" >> "$GITHUB_ENV"
