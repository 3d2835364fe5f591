//! Reading and writing JSON values field by field. The page's JSON (the
//! catalog, the list of dumps, saved queries) is small and fixed in shape;
//! serde's generic JSON code would cost the first load several kilobytes.

use wasm_bindgen::{JsCast, JsValue};

/// `v[key]` (undefined when missing).
pub fn field(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// `v[key]` as text (empty when it is not a string).
pub fn text(v: &JsValue, key: &str) -> String {
    field(v, key).as_string().unwrap_or_default()
}

/// `v[key]` as text, or `None` when it is missing or null.
pub fn opt_text(v: &JsValue, key: &str) -> Option<String> {
    field(v, key).as_string()
}

/// The items of a JSON array (none if `v` is not one).
pub fn items(v: &JsValue) -> impl Iterator<Item = JsValue> {
    let array: Option<js_sys::Array> = v.clone().dyn_into().ok();
    array.into_iter().flat_map(|a| a.into_iter())
}

/// The strings of a JSON array.
pub fn strings(v: &JsValue) -> Vec<String> {
    items(v)
        .map(|s| s.as_string().unwrap_or_default())
        .collect()
}

/// A new object with `fields`.
pub fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&o, &(*k).into(), v);
    }
    o.into()
}

/// An array of `values`.
pub fn array(values: impl IntoIterator<Item = JsValue>) -> JsValue {
    values.into_iter().collect::<js_sys::Array>().into()
}
