//! The Graph-compatible API under `/v1.0/security`: the same entities, field names and
//! query options as Microsoft Graph's Secure Score endpoints, so existing scripts work
//! unchanged against Rampart with a Rampart token.

pub mod error;
pub mod odata;
