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
