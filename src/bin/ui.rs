//! The browser UI's entry point.

fn main() {
    greenboard::ui::start();
}
