//! End-to-end tests: the built site served on 127.0.0.1 and driven in
//! headless Chromium through chromedriver, one module per area of the
//! explorer (`cargo test --test e2e dialects::` runs one area):
//!
//! - `dashboard`: the demo loaded, the dashboard's charts, a bar drilled
//!   down by click or keyboard;
//! - `loading`: dumps and databases from the address (`?db=`), files
//!   picked, dropped or pasted, bad files, the dataset picker, workers that
//!   cannot start, attached databases;
//! - `dialects`: VibeSQL, cosmo-sokol and the other seed systems' dumps,
//!   newer `sqlite3` shell dumps, FTS5;
//! - `workbench`: presets, typed queries, SQL errors, responsiveness, the
//!   editor, the schema browser, math functions, keyboard shortcuts, the
//!   theme;
//! - `answers`: the result table (large answers, copying, values as text,
//!   sorting), saving answers, charts and their drill-down, the run diff;
//! - `charts`: rows sharing x combined as chosen, checked against the
//!   `sqlite3` shell; the builder's menus after a change, back and a link;
//!   a chart of a whole table kept small;
//! - `saved_state`: saved queries and history, the address, back and forward;
//! - `never_traps`: Stop and Esc on runaway queries and loads, a query
//!   waiting behind another, the address after a stop, a crash and the new
//!   worker, the time limit;
//! - `health`: what broke, since when, and is it flaky: the health
//!   presets' answers in the browser against native SQLite;
//! - `kept`: data kept in the browser: a revisit answered 304, a picked
//!   file after a reload, changes and Reset, the Data menu's list, no room;
//! - `accessibility`: the axe audit and the phone layout;
//! - `action`: the site the GitHub Action writes, under a sub-path, with
//!   the run it added;
//! - `offline`: the service worker: the explorer opens with no network
//!   after one visit, a new build is taken whole or not at all, the site
//!   installs as an app (also under a sub-path);
//! - `support`: what they share (with `tests/support/`: the site's server
//!   and the browser).
//!
//! Build the site first (the README's test command does both):
//! `trunk build` into dist/, and `trunk build --public-url /greenboard/ --dist dist-sub`.

#![cfg(not(target_family = "wasm"))]

mod accessibility;
mod action;
mod answers;
mod charts;
mod dashboard;
mod dialects;
mod health;
mod kept;
mod loading;
mod never_traps;
mod offline;
mod ranges;
mod saved_state;
mod support;
mod workbench;
