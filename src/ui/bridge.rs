//! The page's side of the worker: spawns it, sends typed requests, and routes
//! each response to the handler of the request it answers.

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, Event, MessageEvent, Worker};

use crate::protocol::{Request, RequestId, Response};
use crate::wire;

type Handler = Box<dyn Fn(Response)>;

struct Bridge {
    worker: Worker,
    next_id: RequestId,
    ready: bool,
    /// Requests sent before the worker said it was ready.
    queue: Vec<Request>,
    handlers: HashMap<RequestId, Handler>,
}

thread_local! {
    static BRIDGE: RefCell<Option<Bridge>> = const { RefCell::new(None) };
}

/// Takes the worker that `index.html` started from the script at `url`
/// (Trunk's loader shim) while this module loaded, or starts it now;
/// `on_error` hears of it if the worker fails to start or crashes.
pub fn spawn(url: &str, on_error: impl Fn(String) + 'static) -> Result<(), String> {
    let (worker, early) = match adopt() {
        Some(started) => started,
        None => (
            Worker::new(url).map_err(|e| format!("cannot start the SQLite worker: {e:?}"))?,
            js_sys::Array::new(),
        ),
    };
    // A worker that failed before the page listened has failed: the
    // caller must not go on to load through it.
    if let Some(failed) = early
        .iter()
        .find_map(|e| e.dyn_into::<Event>().ok().filter(|e| e.type_() == "error"))
    {
        return Err(failure(&failed));
    }
    let on_fail = Closure::<dyn FnMut(Event)>::new(move |event: Event| on_error(failure(&event)));
    worker.set_onerror(Some(on_fail.as_ref().unchecked_ref()));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        match wire::decode::<Response>(event.data()) {
            Ok(resp) => dispatch(resp),
            Err(e) => web_sys::console::error_1(&format!("bad response: {e}").into()),
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    BRIDGE.with_borrow_mut(|b| {
        *b = Some(Bridge {
            worker,
            next_id: 1,
            ready: false,
            queue: Vec::new(),
            handlers: HashMap::new(),
        });
    });
    // What the worker said before anyone listened, in order.
    for event in early {
        let handler: &js_sys::Function = on_message.as_ref().unchecked_ref();
        let _ = handler.call1(&JsValue::NULL, &event);
    }
    on_fail.forget();
    on_message.forget();
    Ok(())
}

/// What a worker's `error` event says: a script that cannot be fetched
/// fails with a bare `Event`, one that throws with an `ErrorEvent` and its
/// message.
fn failure(event: &Event) -> String {
    let message = event
        .dyn_ref::<ErrorEvent>()
        .map(ErrorEvent::message)
        .unwrap_or_default();
    if message.is_empty() {
        "the SQLite worker failed to start (could its files not be loaded?)".to_string()
    } else {
        format!("the SQLite worker failed: {message}")
    }
}

/// The worker `index.html` started, and the events it sent before this
/// module was there to hear them.
fn adopt() -> Option<(Worker, js_sys::Array)> {
    let window: JsValue = web_sys::window()?.into();
    let key = JsValue::from_str("greenboardWorker");
    let started = js_sys::Reflect::get(&window, &key).ok()?;
    let _ = js_sys::Reflect::delete_property(window.unchecked_ref::<js_sys::Object>(), &key);
    let field = |name: &str| js_sys::Reflect::get(&started, &JsValue::from_str(name)).ok();
    let worker = field("worker")?.dyn_into::<Worker>().ok()?;
    let early = field("early")?.dyn_into::<js_sys::Array>().ok()?;
    Some((worker, early))
}

fn dispatch(resp: Response) {
    let Some(id) = resp.id() else {
        // Ready: send what waited.
        let queued = BRIDGE.with_borrow_mut(|b| {
            b.as_mut().map(|b| {
                b.ready = true;
                std::mem::take(&mut b.queue)
            })
        });
        for req in queued.unwrap_or_default() {
            post(&req);
        }
        return;
    };
    // Progress comes before a load's end; a change before a query's answer.
    let last = !matches!(resp, Response::Progress { .. } | Response::Changed { .. });
    // The handler is taken out while it runs, so it may send new requests.
    let handler = BRIDGE.with_borrow_mut(|b| b.as_mut().and_then(|b| b.handlers.remove(&id)));
    if let Some(handler) = handler {
        handler(resp);
        if !last {
            BRIDGE.with_borrow_mut(|b| {
                if let Some(b) = b.as_mut() {
                    b.handlers.insert(id, handler);
                }
            });
        }
    }
}

fn post(req: &Request) {
    BRIDGE.with_borrow(|b| {
        if let Some(b) = b
            && let Ok(v) = wire::encode(req)
        {
            let _ = b.worker.post_message(&v);
        }
    });
}

/// Sends the request made by `make` (given a fresh id); `on` gets every
/// response to it. Returns the id.
pub fn send(make: impl FnOnce(RequestId) -> Request, on: impl Fn(Response) + 'static) -> RequestId {
    let (req, ready) = BRIDGE.with_borrow_mut(|b| {
        let b = b.as_mut().expect("the worker was spawned at start-up");
        let id = b.next_id;
        b.next_id += 1;
        b.handlers.insert(id, Box::new(on));
        (make(id), b.ready)
    });
    let id = req.id();
    if ready {
        post(&req);
    } else {
        BRIDGE.with_borrow_mut(|b| {
            if let Some(b) = b.as_mut() {
                b.queue.push(req);
            }
        });
    }
    id
}
