//! Pages per console. Only the public pages exist so far.

pub mod public;
