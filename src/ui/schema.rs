//! The schema browser: the tables and views of every loaded database, their
//! columns with declared types, primary and foreign keys, indexes and row
//! counts. A table's name shows its first rows; a column's name goes into
//! the editor.

use leptos::prelude::*;

use super::query::run;
use super::{Store, editor};
use crate::chart::escape_html as escape;
use crate::chart::fmt_count;

use crate::protocol::{LoadSummary, Relation};

/// The relations of a load, with their row counts (the catalog's JSON,
/// as SQLite writes it, read into [`Relation`]s).
pub fn relations(summary: &LoadSummary) -> Vec<Relation> {
    let Ok(json) = js_sys::JSON::parse(&summary.catalog) else {
        return Vec::new();
    };
    let mut list: Vec<Relation> = serde_wasm_bindgen::from_value(json).unwrap_or_default();
    for r in &mut list {
        let qualified = if r.schema == "main" {
            r.name.clone()
        } else {
            format!("{}.{}", r.schema, r.name)
        };
        r.rows = summary
            .tables
            .iter()
            .find(|t| t.name == qualified)
            .map(|t| t.rows);
    }
    list
}

/// `name`, quoted only when SQL needs it to be.
fn ident(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// A relation's name as a query names it (`build.builds` outside `main`).
fn qualified(r: &Relation) -> String {
    if r.schema == "main" {
        ident(&r.name)
    } else {
        format!("{}.{}", ident(&r.schema), ident(&r.name))
    }
}

/// The browser's HTML for `list` (one handler serves every button in it).
fn render(list: &[Relation]) -> String {
    let mut html = String::new();
    let mut schema = "";
    let several = list.iter().any(|r| r.schema != "main");
    for (i, r) in list.iter().enumerate() {
        if several && r.schema != schema {
            schema = &r.schema;
            html.push_str(&format!("<h3 class=\"db\">{}</h3>", escape(schema)));
        }
        let name = escape(&r.name);
        let rows = r
            .rows
            .map(|n| format!(" · {} rows", fmt_count(n)))
            .unwrap_or_default();
        html.push_str(&format!(
            "<div class=\"relation\"><button class=\"toggle\" data-toggle aria-expanded=\"false\" \
             aria-label=\"Columns of {name}\">▸</button><button class=\"table-name\" data-table=\"{i}\" \
             data-name=\"{}\" title=\"Show its first rows\">{name}</button> <span class=\"meta\">{}{rows}</span>\
             <div class=\"relation-body\" hidden><ul>",
            escape(&qualified(r)),
            r.kind.label(),
        ));
        for c in &r.columns {
            let fk = r
                .foreign_keys
                .iter()
                .find(|f| f.from.contains(&c.name))
                .map(|f| {
                    format!(
                        " <span class=\"key\" title=\"foreign key\">→ {}</span>",
                        escape(&f.table)
                    )
                })
                .unwrap_or_default();
            html.push_str(&format!(
                "<li><button class=\"column\" data-column=\"{}\" title=\"Insert into the SQL\">{}</button> \
                 <span class=\"type\">{}</span>{}{}{fk}</li>",
                escape(&ident(&c.name)),
                escape(&c.name),
                escape(&c.decl_type),
                if c.pk > 0 { " <span class=\"key\" title=\"primary key\">PK</span>" } else { "" },
                if c.not_null { " <span class=\"meta\">not null</span>" } else { "" },
            ));
        }
        html.push_str("</ul>");
        for x in &r.indexes {
            html.push_str(&format!(
                "<p class=\"index meta\">{} {}({})</p>",
                if x.unique { "unique index" } else { "index" },
                escape(&x.name),
                escape(&x.columns.join(", ")),
            ));
        }
        html.push_str("</div></div>");
    }
    html
}

/// The tables and views of what is loaded.
#[component]
pub fn SchemaBrowser() -> impl IntoView {
    let store = expect_context::<Store>();
    let list = Memo::new(move |_| {
        store
            .loaded
            .with(|l| l.as_ref().map(|(_, s)| relations(s)).unwrap_or_default())
    });
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(button) = super::hit(ev.target(), "button") else {
            return;
        };
        if button.has_attribute("data-toggle") {
            // Shows or hides the columns, in place.
            if let Some(body) = button
                .parent_element()
                .and_then(|p| p.query_selector(".relation-body").ok().flatten())
            {
                let open = body.has_attribute("hidden");
                let _ = if open {
                    body.remove_attribute("hidden")
                } else {
                    body.set_attribute("hidden", "")
                };
                let _ = button.set_attribute("aria-expanded", if open { "true" } else { "false" });
                button.set_text_content(Some(if open { "▾" } else { "▸" }));
            }
        } else if let Some(column) = button.get_attribute("data-column") {
            editor::insert(store, &column);
        } else if let Some(r) = button
            .get_attribute("data-table")
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| list.with_untracked(|l| l.get(i).cloned()))
        {
            let sql = format!("SELECT * FROM {} LIMIT 100;", qualified(&r));
            store.preset.set(None);
            store.preset_title.set(Some(r.name.clone()));
            store.params.set(Vec::new());
            store.sql.set(sql.clone());
            run(store, sql);
        }
    };
    view! {
        <details class="schema" id="schema" open>
            <summary><h2>"Schema"</h2></summary>
            <div class="schema-list" on:click=on_click inner_html=move || list.with(|l| render(l))></div>
        </details>
    }
}
