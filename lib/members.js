'use strict'
// `channel.members` of a presence channel, as pusher-js has it. User ids are strings.

class Members {
  constructor() {
    this.reset()
  }

  /** The member `{id, info}` with this id, or null. */
  get(id) {
    return Object.prototype.hasOwnProperty.call(this.members, id) ? { id, info: this.members[id] } : null
  }

  /** Calls `callback({id, info})` for each member. */
  each(callback) {
    for (const id of Object.keys(this.members)) callback(this.get(id))
  }

  setMyID(id) {
    this.myID = id
  }

  /** Rebuilds the list from `pusher:subscription_succeeded` data. */
  onSubscription(data) {
    const presence = (data && data.presence) || {}
    this.members = Object.assign({}, presence.hash || {})
    this.count = typeof presence.count === 'number' ? presence.count : Object.keys(this.members).length
    this.me = this.get(this.myID)
  }

  addMember(data) {
    const id = String(data.user_id)
    if (this.get(id) === null) this.count++
    this.members[id] = data.user_info
    return this.get(id)
  }

  removeMember(data) {
    const id = String(data.user_id)
    const member = this.get(id)
    if (member) {
      delete this.members[id]
      this.count--
    }
    return member
  }

  reset() {
    this.members = {}
    this.count = 0
    this.myID = null
    this.me = null
  }
}

module.exports = { Members }
