//! For backend implementors only: what a backend needs that users must not
//! reach. The [`Context`](crate::Context) trait's settings hooks
//! (`with_settings`, `update_settings`) take a [`Sealed`] token that only
//! this crate can make, so a backend implements them, and this crate's
//! provided getters and setters call them, but code outside cannot: a user
//! who could change the stored settings directly would bypass the setters
//! a backend overrides to tell its library, and the context would report
//! one setting while the library enforces another.
//!
//! ```compile_fail,E0423
//! // Users cannot reach the settings hook: no `Sealed` can be made outside ssl-api.
//! use ssl_api::{Context, spi::Sealed};
//! fn desync<C: Context>(ctx: &C) {
//!     let _ = ctx.update_settings(Sealed(()), |s| {
//!         s.set_check_hostname(false);
//!         Ok(())
//!     });
//! }
//! ```
//!
//! A backend implements the hooks over its own lock (`fn
//! update_settings<R>(&self, _: Sealed, change: impl FnOnce(&mut
//! ContextSettings) -> Result<R>) -> Result<R>`), and calls its own code, not
//! the trait method, where it needs the settings itself.

pub use crate::settings::ContextSettings;

/// Proof that a call to a settings hook comes from this crate's provided
/// methods. Backends receive one; nothing outside `ssl-api` can make one.
#[derive(Debug)]
pub struct Sealed(pub(crate) ());

impl Sealed {
    pub(crate) fn token() -> Self {
        Sealed(())
    }
}
