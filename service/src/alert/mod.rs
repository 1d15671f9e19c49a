//! Alert rules (SPEC §10): what a form may ask for ([`rule`]), where a webhook may point
//! ([`address`]), whether a condition holds ([`check`], pure), the facts it is checked
//! against ([`facts`]) and the message it sends ([`message`]). The server's alert worker
//! runs them after every change to a tenant and sends what they say.

#[cfg(feature = "store")]
pub mod address;
#[cfg(feature = "store")]
pub mod check;
#[cfg(feature = "store")]
pub mod facts;
pub mod form;
#[cfg(feature = "store")]
pub mod message;
pub mod refusals;
#[cfg(feature = "store")]
pub mod rule;

#[cfg(feature = "store")]
pub use check::{check, Facts, Outcome, Said};
pub use form::RuleForm;
#[cfg(feature = "store")]
pub use message::AlertMessage;
pub use refusals::REFUSALS;
#[cfg(feature = "store")]
pub use rule::{describe, validate, AlertChannels, NewRule};
