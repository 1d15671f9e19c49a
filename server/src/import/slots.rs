//! How many imports may run at once: one per tenant (two imports of one tenant would race
//! each other's days) and a few per server (each holds its files in memory).

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

/// Seconds a refused upload is told to wait before trying again.
pub const RETRY_AFTER_SECS: u32 = 30;

#[derive(Debug)]
pub struct ImportSlots {
    at_once: usize,
    running: Mutex<HashSet<String>>,
}

/// Why an import may not start now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    /// This tenant already has an import running.
    Tenant,
    /// The server runs as many imports as it allows.
    Server,
}

impl Busy {
    pub fn message(self) -> &'static str {
        match self {
            Busy::Tenant => {
                "Another import into this tenant is still running; wait until it has finished, then \
                 upload again."
            }
            Busy::Server => "The server is running as many imports as it allows; try again in a minute.",
        }
    }
}

/// A running import's place; dropping it (when the import ends, however it ends) frees it.
#[derive(Debug)]
pub struct ImportSlot {
    slots: Arc<ImportSlots>,
    tenant: String,
}

impl ImportSlots {
    pub fn new(at_once: usize) -> ImportSlots {
        ImportSlots { at_once: at_once.max(1), running: Mutex::new(HashSet::new()) }
    }

    /// Takes a place for an import into `tenant`, or says why there is none.
    pub fn try_start(self: &Arc<Self>, tenant: &str) -> Result<ImportSlot, Busy> {
        // Nothing panics while the set is held, and a set left by a panic is still right.
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        if running.contains(tenant) {
            return Err(Busy::Tenant);
        }
        if running.len() >= self.at_once {
            return Err(Busy::Server);
        }
        running.insert(tenant.to_owned());
        Ok(ImportSlot { slots: Arc::clone(self), tenant: tenant.to_owned() })
    }
}

impl Drop for ImportSlot {
    fn drop(&mut self) {
        self.slots.running.lock().unwrap_or_else(PoisonError::into_inner).remove(&self.tenant);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_import_per_tenant_and_a_few_per_server() {
        let slots = Arc::new(ImportSlots::new(2));
        let a = slots.try_start("a").expect("a starts");
        assert_eq!(slots.try_start("a").err(), Some(Busy::Tenant));
        let b = slots.try_start("b").expect("b starts");
        assert_eq!(slots.try_start("c").err(), Some(Busy::Server));
        drop(a);
        let _a_again = slots.try_start("a").expect("a's place was freed");
        drop(b);
        let _c = slots.try_start("c").expect("c starts once b is done");
    }
}
