//! How [`crate::protocol`] messages cross `postMessage`: serde, through
//! serde-wasm-bindgen, with 64-bit integers as BigInts so that they arrive exact.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

/// Turns a message into a structured-cloneable JS value.
pub fn encode<T: Serialize>(msg: &T) -> Result<JsValue, String> {
    let ser = serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(true);
    msg.serialize(&ser).map_err(|e| e.to_string())
}

/// Reads a message back.
pub fn decode<T: DeserializeOwned>(value: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
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
