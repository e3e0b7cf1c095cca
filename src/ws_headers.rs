//! `wsHeaders` given as a function: the engine asks JS at every connection attempt, through a
//! weak threadsafe function (it never holds Node open), and awaits its promise.

use crate::authorizer::pairs;
use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;
use pusher_client::handshake_headers::{HeadersFuture, HeadersProvider};
use std::sync::Arc;

/// `() => Promise<[name, value][]>`, as `lib/ws-headers.js` wraps the app's function.
pub(crate) type JsHeaders<'a> = Function<'a, (), Promise<Vec<Vec<String>>>>;

type JsHeadersFn = ThreadsafeFunction<(), Promise<Vec<Vec<String>>>, (), Status, false, true>;

/// The app's function, asked on the engine's thread.
pub(crate) struct JsHeadersProvider(Arc<JsHeadersFn>);

impl JsHeadersProvider {
    pub(crate) fn new(f: JsHeaders<'_>) -> Result<Self> {
        let tsfn = f
            .build_threadsafe_function()
            .callee_handled::<false>()
            .weak::<true>()
            .build()?;
        Ok(JsHeadersProvider(Arc::new(tsfn)))
    }
}

impl HeadersProvider for JsHeadersProvider {
    fn headers(&self) -> HeadersFuture {
        let js = self.0.clone();
        Box::pin(async move {
            let answer = async {
                let promise = js.call_async_catch(()).await?;
                promise.await
            }
            .await
            .map_err(|e| e.reason.clone())?;
            Ok(pairs(answer))
        })
    }
}
