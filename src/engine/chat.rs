//! Chat concurrency (docs/model.md, "Chat"): an agent of a group with `max_concurrent` k > 1
//! holds up to k chats at once. Each agent (a *person* here) owns k consecutive agent slots,
//! one per chat window, so every per-contact mechanic (talk, holds, approvals, transfers,
//! after-call work, resolution) runs per window unchanged; the person's id is its first slot.
//!
//! Rules:
//! - a person with any chat in hand takes no voice call, and one on a voice call takes no chat
//!   (the voice call uses the first window and fills the person);
//! - a fully free person waits in the group's idle list like any agent (so voice routing, and
//!   idle agents leaving first at a shift change, are unchanged); a person with m chats,
//!   0 < m < k, waits in the group's level-m list;
//! - an arriving chat goes to the longest-idle free person among the groups serving it, else
//!   to the least-loaded person with a free window (fewest chats, then longest at that load,
//!   then group order);
//! - when a chat ends, the person takes waiting chats of its chat skills (skill order, or
//!   with priorities or overflow delays the routed choice of `routing`) until full; when its
//!   last contact ends it is free and takes work like any agent (voice too);
//! - the overflow paths of `routing` start contacts through [`Engine::start_idle`] and
//!   [`Engine::start_partial`], so chat groups keep their window books there too;
//! - while its group has agents due to go home (headcount dropped), a person whose chat ends
//!   takes no new chat, so it drains; the first to become free go home;
//! - a chat's handle time is fixed when it starts: the drawn time × (1 + s·(m − 1)) with m the
//!   chats in hand including it and s the group's `chat_slowdown`;
//! - busy time counts a voice call as 1 agent and each chat as 1/k agent, so occupancy is busy
//!   window-time / (k × staffed time), unchanged for k = 1.
//!
//! Off (every group has k = 1) it costs one predictable branch where a contact is placed and
//! where an agent frees.

use super::{Agent, Contact, Engine, BUSY};
use crate::model::Channel;
use crate::scenario::Scenario;
use crate::stats::Observer;
use std::collections::VecDeque;

/// The engine's chat state.
pub(super) struct Chat {
    /// Some group has `max_concurrent` > 1.
    pub on: bool,
    /// Per group: windows per person (1: not a chat group).
    k: Vec<u32>,
    /// Per group: 1/k, a person's busy share per chat in hand.
    share: Vec<f64>,
    /// Per group: `chat_slowdown`.
    slowdown: Vec<f64>,
    /// Per call type: a chat.
    is_chat: Vec<bool>,
    /// Per group, per m (index m, 1 ≤ m < k): people holding m chats who can take more, in
    /// the order they reached m, as (person, stamp); an entry is stale when the person's
    /// stamp has moved on (every change of its load moves it).
    levels: Vec<Vec<VecDeque<(u32, u32)>>>,
    /// Per agent slot.
    slots: Vec<Slot>,
}

/// One agent slot (chat window); the person fields are kept on the person's first slot.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    /// The person's first slot.
    person: u32,
    /// The window holds a contact.
    busy: bool,
    /// Person: chats in hand.
    in_hand: u32,
    /// Person: on a voice call.
    voice: bool,
    /// Person: bumped at every change of load (stale-entry test of `levels`).
    stamp: u32,
    /// Person: contacts finished, over all windows (drives the learning curve).
    calls: u32,
}

impl Chat {
    /// The state for `scenario` (empty and off when every group has `max_concurrent` = 1).
    pub fn new(scenario: &Scenario) -> Chat {
        let on = scenario.agent_groups.iter().any(|g| g.max_concurrent > 1);
        let groups = if on { &scenario.agent_groups[..] } else { &[] };
        Chat {
            on,
            k: groups.iter().map(|g| g.max_concurrent).collect(),
            share: groups
                .iter()
                .map(|g| 1.0 / f64::from(g.max_concurrent))
                .collect(),
            slowdown: groups.iter().map(|g| g.chat_slowdown).collect(),
            is_chat: scenario
                .call_types
                .iter()
                .map(|c| on && c.channel == Channel::Chat)
                .collect(),
            levels: groups
                .iter()
                .map(|g| (0..g.max_concurrent).map(|_| VecDeque::new()).collect())
                .collect(),
            slots: Vec::new(),
        }
    }

    /// The person behind agent slot `agent` (a chat window's person; the slot itself when
    /// chat is off).
    pub fn person_of(&self, agent: u32) -> u32 {
        self.slots.get(agent as usize).map_or(agent, |s| s.person)
    }

    /// Group `g` holds several chats per person (only asked when `on`).
    #[inline]
    pub fn multi(&self, g: usize) -> bool {
        self.k[g] > 1
    }

    /// Call type `c` is a chat held in a window (false when chat is off).
    #[inline]
    pub fn is_chat(&self, c: usize) -> bool {
        self.is_chat.get(c).copied().unwrap_or(false)
    }
}

impl<O: Observer> Engine<'_, O> {
    /// A new person of group `g` (not on shift before): its windows' agent slots.
    pub(super) fn new_person(&mut self, g: usize) -> u32 {
        let person = self.agents.len() as u32;
        for _ in 0..self.chat.k[g] {
            self.agents.push(Agent::new(g as u32));
            self.chat.slots.push(Slot {
                person,
                ..Slot::default()
            });
        }
        person
    }

    /// [`Engine::place`] when chat is on: the contact goes to a free person, or a chat to the
    /// least-loaded person with a free window; returned when nobody can take it (it queues).
    pub(super) fn place_with_chat(&mut self, c: usize, contact: Contact) -> Option<Contact> {
        if let Some((agent, g)) = self.longest_idle_agent(c) {
            self.start_idle(agent, g, contact);
            return None;
        }
        if !self.chat.is_chat[c] {
            return Some(contact);
        }
        let Some((person, g)) = self.partial_person(c, |_, _| true) else {
            return Some(contact);
        };
        self.start_partial(person, g, contact);
        None
    }

    /// An idle agent of group `g` (taken off the idle list) takes `contact`: in a chat group
    /// a chat takes one window and lists the person at its new load, a voice call the whole
    /// person; elsewhere the plain start. The overflow paths (see `routing`) start contacts
    /// through it too, so that chat groups keep their window books there as well.
    pub(super) fn start_idle(&mut self, agent: u32, g: usize, contact: Contact) {
        if !(self.chat.on && self.chat.multi(g)) {
            self.count_change(g, BUSY, 1.0);
            self.start_service::<false>(agent, contact);
        } else if self.chat.is_chat[contact.call_type as usize] {
            self.start_chat(agent, g, contact);
            self.list_partial(agent, g);
        } else {
            self.start_voice(agent, g, contact);
        }
    }

    /// A person taken off its level list by [`Engine::partial_person`] takes chat `contact`.
    pub(super) fn start_partial(&mut self, person: u32, g: usize, contact: Contact) {
        self.start_chat(person, g, contact);
        self.list_partial(person, g);
    }

    /// The person, among the chat groups serving chat type `c` that `eligible` admits, with
    /// a free window and some chats in hand: fewest chats, then longest at that load, then
    /// group order. Taken off its level list.
    pub(super) fn partial_person(
        &mut self,
        c: usize,
        eligible: impl Fn(&Self, usize) -> bool,
    ) -> Option<(u32, usize)> {
        // (chats in hand, listed since, group) of the best candidate so far.
        let mut best: Option<(u32, f64, usize)> = None;
        for i in 0..self.servers[c].len() {
            let g = self.servers[c][i] as usize;
            if !self.chat.multi(g) || !eligible(self, g) {
                continue;
            }
            for m in 1..self.chat.k[g] as usize {
                let Some(since) = self.front_of_level(g, m) else {
                    continue;
                };
                let better = best.is_none_or(|(bm, bs, _)| (m as u32, since) < (bm, bs));
                if better {
                    best = Some((m as u32, since, g));
                }
                break;
            }
        }
        let (m, _, g) = best?;
        // Always there: the front was just found live.
        let (person, _) = self.chat.levels[g][m as usize].pop_front()?;
        Some((person, g))
    }

    /// When the first live entry of group `g`'s level-`m` list was listed (stale entries
    /// before it are dropped); `None` when the list has none.
    fn front_of_level(&mut self, g: usize, m: usize) -> Option<f64> {
        let chat = &mut self.chat;
        while let Some(&(person, stamp)) = chat.levels[g][m].front() {
            if chat.slots[person as usize].stamp == stamp {
                return Some(self.agents[person as usize].idle_since);
            }
            chat.levels[g][m].pop_front();
        }
        None
    }

    /// A window of `person` (group `g`) takes chat `contact`.
    fn start_chat(&mut self, person: u32, g: usize, mut contact: Contact) {
        self.count_change(g, BUSY, self.chat.share[g]);
        let p = &mut self.chat.slots[person as usize];
        p.in_hand += 1;
        p.stamp = p.stamp.wrapping_add(1);
        let (m, calls) = (p.in_hand, p.calls);
        let first = person as usize;
        let window = (first..first + self.chat.k[g] as usize)
            .find(|&s| !self.chat.slots[s].busy)
            .unwrap_or(first);
        self.chat.slots[window].busy = true;
        self.agents[window].calls = calls;
        let s = self.chat.slowdown[g];
        if s > 0.0 && m > 1 {
            contact.handle *= 1.0 + s * f64::from(m - 1);
        }
        self.start_service::<false>(window as u32, contact);
    }

    /// A free `person` of group `g` takes voice `contact` in its first window.
    fn start_voice(&mut self, person: u32, g: usize, contact: Contact) {
        self.count_change(g, BUSY, 1.0);
        let p = &mut self.chat.slots[person as usize];
        p.voice = true;
        p.busy = true;
        p.stamp = p.stamp.wrapping_add(1);
        self.agents[person as usize].calls = p.calls;
        self.start_service::<false>(person, contact);
    }

    /// Lists `person` at its load if it holds some chats and has a free window.
    fn list_partial(&mut self, person: u32, g: usize) {
        let p = self.chat.slots[person as usize];
        if p.voice || p.in_hand == 0 || p.in_hand >= self.chat.k[g] {
            return;
        }
        self.agents[person as usize].idle_since = self.now;
        let level = &mut self.chat.levels[g][p.in_hand as usize];
        level.push_back((person, p.stamp));
        // Stale entries behind a long-lived front are dropped now and then, so the lists
        // stay proportional to the headcount.
        if level.len() > 64 + 4 * self.groups[g].present as usize {
            let slots = &self.chat.slots;
            level.retain(|&(q, stamp)| slots[q as usize].stamp == stamp);
        }
    }

    /// A window of a chat group's person finished its contact (replaces
    /// [`Engine::agent_frees`] for such groups).
    pub(super) fn window_frees(&mut self, window: u32) {
        let g = self.agents[window as usize].group as usize;
        let slot = &mut self.chat.slots[window as usize];
        slot.busy = false;
        let person = slot.person;
        let p = &mut self.chat.slots[person as usize];
        p.calls += 1;
        p.stamp = p.stamp.wrapping_add(1);
        if p.voice {
            p.voice = false;
            self.count_change(g, BUSY, -1.0);
        } else {
            p.in_hand -= 1;
            self.count_change(g, BUSY, -self.chat.share[g]);
        }
        if self.chat.slots[person as usize].in_hand == 0 {
            self.person_frees(person, g);
        } else if self.groups[g].leaving == 0 {
            self.take_chats(person, g);
            self.list_partial(person, g);
        }
        // else: the group is shrinking, so the person drains.
    }

    /// A person of chat group `g` holds nothing (its busy share already removed), or just
    /// came on shift: go home if the headcount dropped, else take work like any agent —
    /// a voice call, or chats until full — or wait idle. Replaces [`Engine::seek_work`].
    pub(super) fn person_frees(&mut self, person: u32, g: usize) {
        if self.groups[g].leaving > 0 {
            self.groups[g].leaving -= 1;
            self.agent_leaves(person);
            return;
        }
        match self.next_waiting::<false>(g) {
            None => self.go_idle(person, g),
            Some(contact) if !self.chat.is_chat[contact.call_type as usize] => {
                self.start_voice(person, g, contact);
            }
            Some(contact) => {
                self.start_chat(person, g, contact);
                self.take_chats(person, g);
                self.list_partial(person, g);
            }
        }
    }

    /// `person` takes waiting chats of its group's chat skills (as [`Engine::next_waiting`]
    /// chooses: priority and overflow delays when set, else skill order; oldest first) while
    /// it has a free window.
    fn take_chats(&mut self, person: u32, g: usize) {
        let k = self.chat.k[g];
        while self.chat.slots[person as usize].in_hand < k {
            match self.next_waiting_chat(g) {
                Some(contact) => self.start_chat(person, g, contact),
                None => break,
            }
        }
    }

    /// The longest-waiting live chat of group `g`'s first chat skill with a queue; with
    /// priorities or overflow delays, of its highest-priority chat skill whose oldest chat it
    /// may take (see `routing`).
    fn next_waiting_chat(&mut self, g: usize) -> Option<Contact> {
        if self.rules.routed {
            return self.next_waiting_chat_routed(g);
        }
        let scenario = self.scenario;
        for &c in &scenario.agent_groups[g].skills {
            if !self.chat.is_chat[c] || self.waiting[c] == 0 {
                continue;
            }
            while let Some((slot, generation)) = self.queues[c].pop_front() {
                let contact = self.contacts[slot as usize];
                if contact.generation == generation {
                    self.release_contact(slot);
                    self.stop_waiting(c);
                    return Some(contact);
                }
            }
        }
        None
    }
}
