//! Connection fairness for `signet serve`: at most `max_per_address` connections from one
//! client address, and when all `max_total` slots are taken, an idle connection (no request in
//! flight — an idle keep-alive, or a socket that never sent a request) is shed to make room,
//! taken from the address holding the most connections. Only when every connection is busy does
//! a new one wait for a slot.
//!
//! Without this, 150 idle sockets from one client under `--max-connections 100` made every
//! other client wait for the 10 s idle timeout.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

/// The live connections.
pub(crate) struct Connections {
    max_total: usize,
    max_per_address: usize,
    inner: Mutex<Inner>,
    /// Signalled whenever a connection ends.
    freed: Notify,
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    per_address: HashMap<IpAddr, usize>,
    live: HashMap<u64, Live>,
}

struct Live {
    address: IpAddr,
    activity: Arc<Activity>,
}

/// What the connection task and the accept loop share about one connection.
#[derive(Default)]
pub(crate) struct Activity {
    /// Requests in flight.
    busy: AtomicUsize,
    /// Signalled when the connection is to close (it was idle when chosen).
    pub(crate) shed: Notify,
}

impl Activity {
    /// Marks one request in flight until the returned guard drops.
    pub(crate) fn request(self: &Arc<Self>) -> RequestGuard {
        self.busy.fetch_add(1, Ordering::SeqCst);
        RequestGuard(self.clone())
    }

    /// No request in flight.
    pub(crate) fn idle(&self) -> bool {
        self.busy.load(Ordering::SeqCst) == 0
    }
}

/// A request in flight on a connection.
pub(crate) struct RequestGuard(Arc<Activity>);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Why a connection was not admitted.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Its address already holds `max_per_address` connections.
    PerAddress,
}

/// An admitted connection; dropping it frees its slot.
pub(crate) struct Admitted {
    owner: Arc<Connections>,
    id: u64,
    pub(crate) activity: Arc<Activity>,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut inner = self.owner.lock();
        if let Some(live) = inner.live.remove(&self.id)
            && let Some(n) = inner.per_address.get_mut(&live.address)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                inner.per_address.remove(&live.address);
            }
        }
        drop(inner);
        self.owner.freed.notify_waiters();
    }
}

impl Connections {
    /// `max_total` connections at once, at most `max_per_address` from one address.
    pub(crate) fn new(max_total: usize, max_per_address: usize) -> Arc<Self> {
        Arc::new(Self {
            max_total: max_total.max(1),
            max_per_address: max_per_address.max(1),
            inner: Mutex::new(Inner::default()),
            freed: Notify::new(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock leaves only counters behind; keep serving.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Admits a connection from `address`: refused when its address is at its limit; when all
    /// slots are taken, sheds an idle connection (of the address holding the most) or waits
    /// until one ends.
    pub(crate) async fn admit(self: &Arc<Self>, address: IpAddr) -> Result<Admitted, Refused> {
        loop {
            let freed = self.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            {
                let mut inner = self.lock();
                if inner.per_address.get(&address).copied().unwrap_or(0) >= self.max_per_address {
                    return Err(Refused::PerAddress);
                }
                if inner.live.len() < self.max_total {
                    return Ok(self.insert(&mut inner, address));
                }
                if let Some(victim) = idle_victim(&inner) {
                    victim.shed.notify_one();
                    // Its slot frees when its task ends; admit now (the overshoot is one
                    // connection per shed one, each closing at once).
                    return Ok(self.insert(&mut inner, address));
                }
            }
            freed.await;
        }
    }

    fn insert(self: &Arc<Self>, inner: &mut Inner, address: IpAddr) -> Admitted {
        let id = inner.next_id;
        inner.next_id = inner.next_id.wrapping_add(1);
        *inner.per_address.entry(address).or_insert(0) += 1;
        let activity = Arc::new(Activity::default());
        inner.live.insert(
            id,
            Live {
                address,
                activity: activity.clone(),
            },
        );
        Admitted {
            owner: self.clone(),
            id,
            activity,
        }
    }
}

/// The idle connection to shed: from the address with the most connections, the oldest.
fn idle_victim(inner: &Inner) -> Option<Arc<Activity>> {
    inner
        .live
        .iter()
        .filter(|(_, l)| l.activity.idle())
        .max_by_key(|(id, l)| {
            (
                inner.per_address.get(&l.address).copied().unwrap_or(0),
                core::cmp::Reverse(**id),
            )
        })
        .map(|(_, l)| l.activity.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([127, 0, 0, last])
    }

    #[tokio::test]
    async fn per_address_limit_and_idle_shedding() {
        let c = Connections::new(4, 2);
        let a1 = c.admit(ip(2)).await.unwrap();
        let a2 = c.admit(ip(2)).await.unwrap();
        assert_eq!(c.admit(ip(2)).await.err(), Some(Refused::PerAddress));
        let b1 = c.admit(ip(3)).await.unwrap();
        let _busy = b1.activity.request();
        let b2 = c.admit(ip(3)).await.unwrap();
        let _busy2 = b2.activity.request();
        // Full: the oldest idle connection of the fullest address (127.0.0.2) is shed.
        let shed = a1.activity.clone();
        let notified = shed.shed.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let _d = c.admit(ip(4)).await.unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(1), notified)
            .await
            .expect("the idle connection was not told to close");
        // Closing frees the address's slot.
        drop(a1);
        drop(a2);
        let _again = c.admit(ip(2)).await.unwrap();
    }

    #[tokio::test]
    async fn waits_when_every_connection_is_busy() {
        let c = Connections::new(1, 1);
        let a = c.admit(ip(2)).await.unwrap();
        let _busy = a.activity.request();
        let c2 = c.clone();
        let waiting = tokio::spawn(async move { c2.admit(ip(3)).await.is_ok() });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        drop(_busy);
        drop(a);
        assert!(waiting.await.unwrap());
    }
}
