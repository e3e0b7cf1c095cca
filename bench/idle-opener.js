'use strict'
// For the diagnostic scripts: opens idle subscribed connections, a window at a time.

/**
 * Returns `openUpTo(target)`: it calls `subscribeOne(name, onSubscribed)` for channels
 * `idle-<n>` until `target` of them are subscribed, with at most `window` waiting at once.
 */
function idleOpener(subscribeOne, window = 100) {
  let opened = 0
  let subscribed = 0
  return (target) =>
    new Promise((resolve) => {
      const more = () => {
        while (opened < target && opened - subscribed < window) {
          subscribeOne(`idle-${opened++}`, () => (++subscribed === target ? resolve() : more()))
        }
      }
      more()
    })
}

module.exports = { idleOpener }
