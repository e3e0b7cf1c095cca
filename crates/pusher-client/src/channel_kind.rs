//! What a channel is, decided by its name as the Pusher protocol names channels. The one
//! place that decides it: the state machine asks here, and the Node binding exports it to JS.

/// A channel's kind, from its name's prefix.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    /// Anything else: no authorization.
    Public,
    /// `private-`: subscriptions are signed.
    Private,
    /// `presence-`: signed, with a member list.
    Presence,
    /// `private-encrypted-`: signed, and events are end-to-end encrypted.
    Encrypted,
}

impl ChannelKind {
    /// The kind of the channel called `name`.
    ///
    /// ```
    /// use pusher_client::ChannelKind;
    /// assert_eq!(ChannelKind::of("private-encrypted-x"), ChannelKind::Encrypted);
    /// assert_eq!(ChannelKind::of("presence-room"), ChannelKind::Presence);
    /// assert_eq!(ChannelKind::of("cache-news"), ChannelKind::Public);
    /// ```
    pub fn of(name: &str) -> ChannelKind {
        if name.starts_with("private-encrypted-") {
            ChannelKind::Encrypted
        } else if name.starts_with("private-") {
            ChannelKind::Private
        } else if name.starts_with("presence-") {
            ChannelKind::Presence
        } else {
            ChannelKind::Public
        }
    }

    /// Whether subscriptions must be signed.
    pub fn needs_auth(self) -> bool {
        self != ChannelKind::Public
    }

    /// `public`, `private`, `presence` or `encrypted`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Public => "public",
            ChannelKind::Private => "private",
            ChannelKind::Presence => "presence",
            ChannelKind::Encrypted => "encrypted",
        }
    }
}
