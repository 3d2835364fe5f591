//! One stop of the Tab key for a group of marks (a chart's bars, points or
//! cells): the arrow keys, Home and End move the focus among them.

use js_sys::Reflect;
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};

/// Moves the focus among the elements `selector` finds in `group`, as key
/// `ev` says; whether it did (the event is then taken).
pub fn rove(ev: &KeyboardEvent, group: &Element, selector: &str) -> bool {
    let key = ev.key();
    let step: i64 = match key.as_str() {
        "ArrowRight" | "ArrowDown" => 1,
        "ArrowLeft" | "ArrowUp" => -1,
        "Home" | "End" => 0,
        _ => return false,
    };
    let Ok(list) = group.query_selector_all(selector) else {
        return false;
    };
    let items: Vec<Element> = (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
        .collect();
    if items.is_empty() {
        return false;
    }
    let current = super::hit(ev.target(), selector)
        .and_then(|e| items.iter().position(|i| *i == e))
        .unwrap_or(0);
    let last = items.len() as i64 - 1;
    let next = match key.as_str() {
        "Home" => 0,
        "End" => last,
        _ => (current as i64 + step).clamp(0, last),
    } as usize;
    for (i, item) in items.iter().enumerate() {
        let _ = item.set_attribute("tabindex", if i == next { "0" } else { "-1" });
    }
    focus(&items[next]);
    ev.prevent_default();
    true
}

/// Focuses an element, HTML or SVG.
pub fn focus(el: &Element) {
    if let Ok(f) = Reflect::get(el, &"focus".into())
        && let Some(f) = f.dyn_ref::<js_sys::Function>()
    {
        let _ = f.call0(el);
    }
}
