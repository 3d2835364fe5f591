//! The SQLite Web Worker's entry point.

fn main() {
    greenboard::worker::start();
}
