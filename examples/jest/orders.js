'use strict'
// A tiny service: follows the `orders` channel and keeps the latest order.
const Pusher = require('pusher-native')

class OrderFeed {
  /**
   * @param {string} key the Pusher app key
   * @param {Pusher.Options} options Pusher options (`{ cluster: 'eu' }` in production)
   */
  constructor(key, options) {
    this.latest = null
    this.received = 0
    this.subscriptions = 0
    this.waiters = []
    this.pusher = new Pusher(key, options)
    this.channel = this.pusher.subscribe('orders')
    this.channel.bind('pusher:subscription_succeeded', () => {
      this.subscriptions++
      this.settle()
    })
    this.channel.bind('order-placed', (order) => {
      this.latest = order
      this.received++
      this.settle()
    })
  }

  /** Resolves once `predicate(this)` holds (checked after each subscription and order). */
  until(predicate) {
    if (predicate(this)) return Promise.resolve(this)
    return new Promise((resolve) => this.waiters.push({ predicate, resolve }))
  }

  settle() {
    this.waiters = this.waiters.filter((w) => !(w.predicate(this) && (w.resolve(this), true)))
  }

  close() {
    this.pusher.disconnect()
  }
}

module.exports = { OrderFeed }
