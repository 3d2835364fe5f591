//! The page's side of the worker: spawns it, sends typed requests, and routes
//! each response to the handler of the request it answers. It also stops
//! the worker ([`stop`]) and replaces one that died: the requests it was
//! running are answered [`Response::Halted`], those still waiting go to the
//! new worker once the page has reopened the data in it ([`on_restart`]),
//! except, when the reader stopped what the page shows running, what the
//! reader asked ([`send_asked`]), whether or not the worker had begun it.

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, Event, MessageEvent, Worker};

use crate::protocol::{Fetched, Request, RequestId, Response};
use crate::wire;

type Handler = Box<dyn Fn(Response)>;

/// A request the worker has not finished answering.
struct Pending {
    id: RequestId,
    /// Whether the worker has begun it ([`Response::Started`]); loads and
    /// queries say so, other requests are quick.
    started: bool,
    /// The request, to send again to a new worker if it had not begun
    /// (loads are not: the page reopens the data itself).
    resend: Option<Request>,
    /// Whether the reader asked it (their query), rather than the page.
    asked: bool,
}

struct Bridge {
    worker: Worker,
    /// The worker's script.
    url: String,
    next_id: RequestId,
    ready: bool,
    /// Requests sent before the worker said it was ready.
    queue: Vec<Request>,
    handlers: HashMap<RequestId, Handler>,
    /// What was sent and not finished, in order.
    pending: Vec<Pending>,
}

thread_local! {
    static BRIDGE: RefCell<Option<Bridge>> = const { RefCell::new(None) };
    /// What reopens the data in a new worker.
    static ON_RESTART: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
    static ON_NEWS: RefCell<Option<News>> = const { RefCell::new(None) };
}

/// What takes the news that answers no request.
type News = Box<dyn Fn(Fetched)>;

/// `take` gets what the worker tells unasked: what reading a file by
/// ranges has cost.
pub fn on_news(take: impl Fn(Fetched) + 'static) {
    ON_NEWS.with_borrow_mut(|r| *r = Some(Box::new(take)));
}

/// `reopen` is called when a new worker replaces a stopped or dead one,
/// before the requests that were waiting are sent to it: it should load the
/// data again (from the browser's storage when it is kept there).
pub fn on_restart(reopen: impl Fn() + 'static) {
    ON_RESTART.with_borrow_mut(|r| *r = Some(Box::new(reopen)));
}

/// Whether there is something to stop: the worker is running a request (a
/// query or a load), or what the reader asked waits for it.
pub fn busy() -> bool {
    BRIDGE.with_borrow(|b| {
        b.as_ref()
            .is_some_and(|b| b.pending.iter().any(|p| p.started || p.asked))
    })
}

/// Whether the worker has nothing to do: no request sent and unanswered.
/// What the page asks by itself waits for this, so that it never holds up
/// what its reader asks.
pub fn idle() -> bool {
    BRIDGE.with_borrow(|b| b.as_ref().is_some_and(|b| b.ready && b.pending.is_empty()))
}

/// Whether request `id` waits behind another one.
pub fn waiting(id: RequestId) -> bool {
    BRIDGE.with_borrow(|b| {
        b.as_ref().is_some_and(|b| {
            b.pending.iter().any(|p| p.id == id && !p.started)
                && b.pending.iter().any(|p| p.started && p.id != id)
        })
    })
}

/// Stops whatever the worker is doing: it is replaced by a new one, which
/// reopens the data. With `asked`, what the reader asked ([`send_asked`])
/// stops too, begun or not (the page shows it running); without, what of
/// it waited goes on in the new worker (the page shows it waiting).
pub fn stop(asked: bool) {
    restart(Stop::Stopped { asked });
}

/// Why the worker is replaced.
enum Stop {
    /// The reader stopped it; `asked`: with what they asked.
    Stopped { asked: bool },
    /// It died, for this reason.
    Crashed(String),
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
    let on_error = std::rc::Rc::new(on_error);
    let on_message = listen(&worker, {
        let on_error = on_error.clone();
        move |e| on_error(e)
    });
    hand_module(&worker, move |e| on_error(e));
    BRIDGE.with_borrow_mut(|b| {
        *b = Some(Bridge {
            worker,
            url: url.to_string(),
            next_id: 1,
            ready: false,
            queue: Vec::new(),
            handlers: HashMap::new(),
            pending: Vec::new(),
        });
    });
    // What the worker said before anyone listened, in order.
    for event in early {
        let _ = on_message.call1(&JsValue::NULL, &event);
    }
    Ok(())
}

/// Listens to `worker`: its messages are dispatched; when it dies after it
/// started, it is replaced, and `on_error` hears of a worker that could not
/// start at all.
fn listen(worker: &Worker, on_error: impl Fn(String) + 'static) -> js_sys::Function {
    let on_fail = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
        let ready = BRIDGE.with_borrow(|b| b.as_ref().is_some_and(|b| b.ready));
        if ready {
            restart(Stop::Crashed(crash_words(&event)));
        } else {
            on_error(failure(&event));
        }
    });
    worker.set_onerror(Some(on_fail.as_ref().unchecked_ref()));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        match wire::decode::<Response>(event.data()) {
            Ok(resp) => dispatch(resp),
            Err(e) => web_sys::console::error_1(&format!("bad response: {e}").into()),
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let function: js_sys::Function = on_message
        .as_ref()
        .unchecked_ref::<js_sys::Function>()
        .clone();
    on_fail.forget();
    on_message.forget();
    function
}

/// Hands `worker` its module, which came with the page's in one file
/// (`greenboardWorkerModule`, .ci/pack-wasm), once it is compiled: the
/// worker's loader waits for it. A build without it (`trunk serve`) leaves
/// the worker to fetch its own. `on_error` hears why, if it cannot come.
fn hand_module(worker: &Worker, on_error: impl Fn(String) + 'static) {
    let Some(module) = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"greenboardWorkerModule".into()).ok())
        .and_then(|m| m.dyn_into::<js_sys::Promise>().ok())
    else {
        return;
    };
    let worker = worker.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(module).await {
            Ok(module) => {
                let _ = worker.post_message(&module);
            }
            Err(e) => {
                let why = js_sys::Reflect::get(&e, &"message".into())
                    .ok()
                    .and_then(|m| m.as_string())
                    .unwrap_or_default();
                on_error(format!("the SQLite worker's module did not come: {why}"));
            }
        }
    });
}

/// What a worker that died after it started says, in words: the browser
/// reports a trap (`unreachable`, the end of a Rust panic or of memory) or
/// an exception, not what it means.
fn crash_words(event: &Event) -> String {
    let message = event
        .dyn_ref::<ErrorEvent>()
        .map(ErrorEvent::message)
        .unwrap_or_default();
    let lower = message.to_ascii_lowercase();
    if lower.contains("unreachable")
        || lower.contains("memory")
        || lower.contains("allocation")
        || lower.contains("out of bounds")
    {
        "the query needed more memory than the browser gives this page".to_string()
    } else if lower.contains("call stack") || lower.contains("recursion") {
        "the query nested deeper than the browser allows".to_string()
    } else if message.is_empty() {
        "SQLite stopped working (the browser gave no reason)".to_string()
    } else {
        format!("SQLite stopped working ({message})")
    }
}

/// Replaces the worker, for `why`. What it had begun is answered
/// [`Response::Halted`], and so is what the reader asked if they stopped
/// it; the rest of what waited goes to the new worker after the data is
/// reopened.
fn restart(why: Stop) {
    let (crash, asked) = match why {
        Stop::Stopped { asked } => (None, asked),
        Stop::Crashed(why) => (Some(why), false),
    };
    let Some((old, url, pending)) = BRIDGE.with_borrow_mut(|b| {
        let b = b.as_mut()?;
        Some((
            b.worker.clone(),
            b.url.clone(),
            std::mem::take(&mut b.pending),
        ))
    }) else {
        return;
    };
    old.terminate();
    let worker = match Worker::new(&url) {
        Ok(w) => w,
        Err(e) => {
            web_sys::console::error_1(&format!("cannot start a new SQLite worker: {e:?}").into());
            return;
        }
    };
    listen(&worker, |e| web_sys::console::error_1(&e.into()));
    hand_module(&worker, |e| web_sys::console::error_1(&e.into()));
    // What was queued for the old worker is pending too: it is sent again
    // below, or answered as halted.
    BRIDGE.with_borrow_mut(|b| {
        if let Some(b) = b.as_mut() {
            b.worker = worker;
            b.ready = false;
            b.queue.clear();
        }
    });
    let mut resend = Vec::new();
    for p in pending {
        let stopped = asked && p.asked;
        match p.resend {
            Some(req) if !p.started && !stopped => resend.push((req, p.asked)),
            _ => {
                let handler = BRIDGE.with_borrow_mut(|b| b.as_mut()?.handlers.remove(&p.id));
                if let Some(handler) = handler {
                    handler(Response::Halted {
                        id: p.id,
                        crash: crash.clone(),
                    });
                }
            }
        }
    }
    // The data first, then what waited for it.
    ON_RESTART.with_borrow(|r| {
        if let Some(reopen) = r {
            reopen();
        }
    });
    BRIDGE.with_borrow_mut(|b| {
        if let Some(b) = b.as_mut() {
            for (req, asked) in resend {
                b.pending.push(Pending {
                    id: req.id(),
                    started: false,
                    resend: Some(req.clone()),
                    asked,
                });
                b.queue.push(req);
            }
        }
    });
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
    if let Response::Fetched(now) = resp {
        ON_NEWS.with_borrow(|r| {
            if let Some(take) = r {
                take(now);
            }
        });
        return;
    }
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
    if let Response::Started { id } = resp {
        BRIDGE.with_borrow_mut(|b| {
            if let Some(p) = b
                .as_mut()
                .and_then(|b| b.pending.iter_mut().find(|p| p.id == id))
            {
                p.started = true;
            }
        });
    }
    // Progress comes before a load's end; a change before a query's answer.
    let last = !matches!(
        resp,
        Response::Progress { .. } | Response::Changed { .. } | Response::Started { .. }
    );
    if last {
        BRIDGE.with_borrow_mut(|b| {
            if let Some(b) = b.as_mut() {
                b.pending.retain(|p| p.id != id);
            }
        });
    }
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
    send_as(false, make, on)
}

/// [`send`] for what the reader asked: [`stop`] stops it even before the
/// worker has begun it, where what the page asked by itself is sent again.
pub fn send_asked(
    make: impl FnOnce(RequestId) -> Request,
    on: impl Fn(Response) + 'static,
) -> RequestId {
    send_as(true, make, on)
}

fn send_as(
    asked: bool,
    make: impl FnOnce(RequestId) -> Request,
    on: impl Fn(Response) + 'static,
) -> RequestId {
    let (req, ready) = BRIDGE.with_borrow_mut(|b| {
        let b = b.as_mut().expect("the worker was spawned at start-up");
        let id = b.next_id;
        b.next_id += 1;
        b.handlers.insert(id, Box::new(on));
        let req = make(id);
        let resend = match &req {
            Request::Load { .. } | Request::Reset { .. } => None,
            other => Some(other.clone()),
        };
        b.pending.push(Pending {
            id,
            started: false,
            resend,
            asked,
        });
        (req, b.ready)
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
