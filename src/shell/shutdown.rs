//! SIGTERM / SIGINT handling: the first signal asks every task to wind down
//! (stop pulling, finish what is in flight); a second one exits at once.

use tokio::sync::watch;

/// A cloneable view of "has shutdown been requested?".
#[derive(Debug, Clone)]
pub struct Shutdown {
    rx: watch::Receiver<bool>,
}

/// The side that requests shutdown (signals, tests, fatal errors).
#[derive(Debug, Clone)]
pub struct ShutdownTrigger {
    tx: watch::Sender<bool>,
}

/// A linked trigger and view.
pub fn channel() -> (ShutdownTrigger, Shutdown) {
    let (tx, rx) = watch::channel(false);
    (ShutdownTrigger { tx }, Shutdown { rx })
}

impl ShutdownTrigger {
    /// Requests shutdown; idempotent.
    pub fn trigger(&self) {
        self.tx.send_replace(true);
    }
}

impl Shutdown {
    /// Whether shutdown has been requested.
    pub fn is_requested(&self) -> bool {
        *self.rx.borrow()
    }

    /// Resolves once shutdown is requested (at once if it already was).
    pub async fn requested(&self) {
        let mut rx = self.rx.clone();
        // An error means every trigger is gone: nobody can ask any more, so
        // wait forever rather than shutting down by accident.
        if rx.wait_for(|requested| *requested).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Listens for SIGTERM and SIGINT on the current tokio runtime: the first
/// triggers `trigger`, the second exits the process with status 130.
pub fn listen_for_signals(trigger: ShutdownTrigger) -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::spawn(async move {
        let mut received = 0;
        loop {
            let name = tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = int.recv() => "SIGINT",
            };
            received += 1;
            if received == 1 {
                tracing::info!(
                    signal = name,
                    "shutdown requested: finishing in-flight messages"
                );
                trigger.trigger();
            } else {
                tracing::warn!(
                    signal = name,
                    "second signal: exiting now; unacked messages will be redelivered"
                );
                std::process::exit(130);
            }
        }
    });
    Ok(())
}
