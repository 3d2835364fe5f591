//! Writing data out.

pub mod sql;
