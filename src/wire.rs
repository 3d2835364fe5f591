//! How [`crate::protocol`] messages cross `postMessage`: serde, in
//! postcard's compact binary form, as a `Uint8Array`. Both ends are this
//! crate, so the format needs no field names; its decoders are far smaller
//! code than those of a self-describing format, and the page's first load
//! has a size budget.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

/// Turns a message into a `Uint8Array` to post.
pub fn encode<T: Serialize>(msg: &T) -> Result<JsValue, String> {
    let bytes = postcard::to_allocvec(msg).map_err(|e| e.to_string())?;
    Ok(js_sys::Uint8Array::from(bytes.as_slice()).into())
}

/// Reads a message back.
pub fn decode<T: DeserializeOwned>(value: JsValue) -> Result<T, String> {
    let bytes = js_sys::Uint8Array::new(&value).to_vec();
    postcard::from_bytes(&bytes).map_err(|e| e.to_string())
}

/// Reports a panic on the console: its message when it is a plain string,
/// and its place. (Smaller than `console_error_panic_hook`, which formats
/// the message and captures a JS stack: the first load has a size budget.)
pub fn report_panics() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("(no message)");
        let (file, line) = info.location().map_or(("?", 0), |l| (l.file(), l.line()));
        web_sys::console::error_4(
            &"greenboard panicked:".into(),
            &message.into(),
            &file.into(),
            &line.into(),
        );
    }));
}
