//! Boilerplate marks after the flattening: the wrappers that hold the
//! page's prose are cleared at once, and the later stages' verdicts on the
//! whole page set or clear marks, with inherited flags kept in step.

use super::{Elem, Item, Page, flag};

/// The marks of short parts (captions, credits, bylines, datelines,
/// headers): a box holding paragraphs of prose is none of them.
const NARROW: u16 = flag::CAPTION | flag::CREDIT | flag::BYLINE | flag::DATE | flag::LEAD | flag::HEADER;

/// Clears the boilerplate mark of elements that hold much of the page's
/// prose: a `<form>` around the whole page (ASP.NET) or a wrapper whose
/// class says "has-sidebar" is a layout box, not a widget. Likewise for
/// the ancestors of the element the page itself marks as its main content.
pub(super) fn rescue_wrappers(elems: &mut [Elem], items: &mut [Item]) {
    let mut prose = vec![0usize; elems.len()];
    for item in items.iter() {
        if let Item::Text(b) = item
            && b.weight >= 100
            && b.link_chars * 3 < b.chars
        {
            prose[b.elem as usize] += b.weight;
        }
    }
    for i in (1..elems.len()).rev() {
        let p = elems[i].parent;
        if p != u32::MAX {
            prose[p as usize] += prose[i];
        }
    }
    let total = prose.first().copied().unwrap_or(0);
    let mut changed = false;
    // Each ancestor is walked once, however many main marks sit below it.
    let mut walked = vec![false; elems.len()];
    for i in 0..elems.len() {
        if elems[i].own & flag::MAIN == 0 || prose[i] == 0 {
            continue;
        }
        let mut up = elems[i].parent;
        while up != u32::MAX && !walked[up as usize] {
            walked[up as usize] = true;
            let e = &mut elems[up as usize];
            changed |= e.own & flag::BOILER != 0;
            e.own &= !flag::BOILER;
            up = e.parent;
        }
    }
    for (i, e) in elems.iter_mut().enumerate() {
        if e.own & flag::BOILER != 0 && prose[i] >= 600 && prose[i] * 2 >= total {
            e.own &= !flag::BOILER;
            changed = true;
        }
        // A caption, credit, byline, dateline or header is a line or two; a box
        // holding paragraphs of prose only has a misleading class name.
        if e.own & NARROW != 0 && prose[i] >= 400 {
            e.own &= !NARROW;
            changed = true;
        }
    }
    if changed {
        refresh_flags(elems, items);
    }
}

/// Recomputes inherited flags after some elements' own flags changed.
fn refresh_flags(elems: &mut [Elem], items: &mut [Item]) {
    for i in 0..elems.len() {
        let p = elems[i].parent;
        let inherited = if p == u32::MAX { 0 } else { elems[p as usize].flags };
        elems[i].flags = elems[i].own | inherited;
    }
    for item in items.iter_mut() {
        if let Item::Text(b) = item {
            b.flags = elems[b.elem as usize].flags;
        }
    }
}

impl Page {
    /// Marks elements as boilerplate that only a later look at the whole page recognises.
    pub(crate) fn mark_boiler(&mut self, which: &[u32]) {
        for &i in which {
            self.elems[i as usize].own |= flag::BOILER;
        }
        refresh_flags(&mut self.elems, &mut self.items);
    }

    /// Clears every boilerplate mark: the last resort of a page whose article sits in a box
    /// named like furniture.
    pub(crate) fn unmark_all_boiler(&mut self) {
        for e in &mut self.elems {
            e.own &= !flag::BOILER;
        }
        refresh_flags(&mut self.elems, &mut self.items);
    }

    /// Clears the boilerplate marks that only class names or ids gave;
    /// returns the elements cleared, for `remark_named_boiler`.
    pub(crate) fn unmark_named_boiler(&mut self) -> Vec<u32> {
        let mut cleared = Vec::new();
        for (i, e) in self.elems.iter_mut().enumerate() {
            if e.own & flag::NAMED != 0 {
                e.own &= !(flag::BOILER | flag::NAMED);
                cleared.push(i as u32);
            }
        }
        if !cleared.is_empty() {
            refresh_flags(&mut self.elems, &mut self.items);
        }
        cleared
    }

    /// Clears the name-given boilerplate marks of `which`.
    pub(crate) fn unmark_named(&mut self, which: &[u32]) {
        for &i in which {
            self.elems[i as usize].own &= !(flag::BOILER | flag::NAMED);
        }
        refresh_flags(&mut self.elems, &mut self.items);
    }

    /// Puts back the marks `unmark_named_boiler` cleared.
    pub(crate) fn remark_named_boiler(&mut self, cleared: &[u32]) {
        for &i in cleared {
            self.elems[i as usize].own |= flag::BOILER | flag::NAMED;
        }
        refresh_flags(&mut self.elems, &mut self.items);
    }

    /// Clears the boilerplate mark of `container` and its ancestors: once
    /// chosen as the article, it is not a widget, whatever its class says.
    pub(crate) fn unmark_boiler_above(&mut self, container: u32) {
        let mut at = container;
        while at != u32::MAX {
            self.elems[at as usize].own &= !flag::BOILER;
            at = self.elems[at as usize].parent;
        }
        refresh_flags(&mut self.elems, &mut self.items);
    }
}
