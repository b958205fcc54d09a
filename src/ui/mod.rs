//! The user interface: one file per page, shared building blocks in `components`.

pub mod components;
pub mod pages;
