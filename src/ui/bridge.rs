//! The page's side of the worker: spawns it, sends typed requests, and routes
//! each response to the handler of the request it answers.

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

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

/// Starts the worker from the script at `url` (Trunk's loader shim);
/// `on_error` hears of it if the worker fails to start or crashes.
pub fn spawn(url: &str, on_error: impl Fn(String) + 'static) -> Result<(), String> {
    let worker = Worker::new(url).map_err(|e| format!("cannot start the SQLite worker: {e:?}"))?;
    let on_fail = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
        let message = event.message();
        on_error(if message.is_empty() {
            "the SQLite worker failed to start (could its files not be loaded?)".to_string()
        } else {
            format!("the SQLite worker failed: {message}")
        });
    });
    worker.set_onerror(Some(on_fail.as_ref().unchecked_ref()));
    on_fail.forget();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        match wire::decode::<Response>(event.data()) {
            Ok(resp) => dispatch(resp),
            Err(e) => web_sys::console::error_1(&format!("bad response: {e}").into()),
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    BRIDGE.with_borrow_mut(|b| {
        *b = Some(Bridge {
            worker,
            next_id: 1,
            ready: false,
            queue: Vec::new(),
            handlers: HashMap::new(),
        });
    });
    Ok(())
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
    let last = !matches!(resp, Response::Progress { .. });
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
