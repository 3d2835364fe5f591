//! The chart Web Worker's entry point.

fn main() {
    greenboard::chart_worker::start();
}
