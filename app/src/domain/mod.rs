//! The ICP filing domain, pure: no Leptos, no database. Compiled for the
//! browser (instant field messages) and the server (which checks again).

pub mod account;
pub mod app;
pub mod certificate;
pub mod chars;
pub mod blacklist;
pub mod business;
pub mod codes;
pub mod contact;
pub mod date;
pub mod detect;
pub mod feedback;
pub mod filing;
pub mod import;
pub mod error;
pub mod licence;
pub mod lookup;
pub mod net;
pub mod org_id;
pub mod personal_id;
pub mod psl;
pub mod review;
pub mod search;
pub mod site_name;
pub mod stats;
pub mod text;
pub mod workflow;

pub use error::{Field, FieldError, FieldErrors, Problem};
pub use text::{Lang, Message, Text};
