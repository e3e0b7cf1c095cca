//! Waiting for the server to reach a state, without polling.

use std::time::Duration;

use tokio::time::Instant;

use crate::TestServer;

/// [`TestServer::wait_for`] gave up: the condition did not hold in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("condition not met within {timeout:?}")]
pub struct WaitTimeout {
    /// How long it waited.
    pub timeout: Duration,
}

impl TestServer {
    /// Waits until `predicate` holds, re-checking it whenever the server's
    /// state changes (a connection opens or closes, a frame arrives, a
    /// subscription changes).
    ///
    /// ```no_run
    /// # async fn f(server: pusher_test_server::TestServer) {
    /// use std::time::Duration;
    /// server.wait_for(|s| s.connections().len() == 2, Duration::from_secs(5)).await.unwrap();
    /// # }
    /// ```
    pub async fn wait_for<F>(&self, predicate: F, timeout: Duration) -> Result<(), WaitTimeout>
    where
        F: Fn(&TestServer) -> bool,
    {
        let deadline = Instant::now() + timeout;
        let mut changes = self.inner().changes.subscribe();
        loop {
            if predicate(self) {
                return Ok(());
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => {
                    return if predicate(self) {
                        Ok(())
                    } else {
                        Err(WaitTimeout { timeout })
                    };
                }
            }
        }
    }
}
