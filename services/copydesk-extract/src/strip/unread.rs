//! Which attributes the cut before the parse drops: those extraction never reads.

use super::scan::holds;

/// Attributes extraction never asks for, by lower- or upper-case name:
/// event handlers, ARIA state other than labels (and what labels a panel) and hiding, loading hints,
/// tooltips, forms, table and frame presentation, SVG and XML namespaces,
/// microdata types (only `itemprop` is read), text direction,
/// and `data-*` unless its name speaks of what extraction looks for
/// (lazy image sources, dates, authors, component names).
pub(crate) fn unread_attribute(name: &[u8]) -> bool {
    // Most of a page's attributes have one of these names, all read: they
    // are answered before any case folding or search.
    if READ_OFTEN.contains(&name) {
        return false;
    }
    unread_slowly(name)
}

/// Whether an attribute is a `style` that cannot hide its element: extraction
/// reads a style only for `display:none` and `visibility:hidden`, so one
/// that says neither "none" nor "hidden" (in any case) goes. Most styles
/// are presentation: 37,000 of the 43,000 on the dev pages, 2% of the
/// bytes the parse reads. `value` is what follows the name (`="..."`).
pub(crate) fn idle_style(name: &[u8], value: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"style") && !holds(value, b"none") && !holds(value, b"hidden")
}

/// The commonest attribute names (lower case, as pages write them), all read.
const READ_OFTEN: &[&[u8]] =
    &[b"class", b"href", b"id", b"src", b"style", b"rel", b"alt", b"content", b"name", b"type", b"property", b"role"];

fn unread_slowly(name: &[u8]) -> bool {
    const DATA_KEPT: &[&[u8]] =
        &[b"src", b"original", b"date", b"time", b"author", b"publish", b"testid", b"component", b"e2e"];
    /// The bytes a kept word starts with, from the list itself.
    const STARTS_KEPT: [bool; 256] = {
        let mut starts = [false; 256];
        let mut i = 0;
        while i < DATA_KEPT.len() {
            starts[DATA_KEPT[i][0] as usize] = true;
            i += 1;
        }
        starts
    };
    let prefix = |p: &[u8]| name.get(..p.len()).is_some_and(|n| n.eq_ignore_ascii_case(p));
    if prefix(b"on") && name.len() > 2 {
        return name[2..].iter().all(u8::is_ascii_alphabetic);
    }
    if prefix(b"aria-") {
        return !(name.eq_ignore_ascii_case(b"aria-label")
            || name.eq_ignore_ascii_case(b"aria-hidden")
            || name.eq_ignore_ascii_case(b"aria-labelledby"));
    }
    if prefix(b"data-") {
        let rest = &name[5..];
        // Lower-cased once, then each place that starts a kept word is
        // tried: a case-blind comparison of every window with every word
        // was a third of the cut's attribute work.
        let mut buf = [0u8; 64];
        let Some(lower) = buf.get_mut(..rest.len()) else {
            return !DATA_KEPT.iter().any(|k| rest.windows(k.len()).any(|w| w.eq_ignore_ascii_case(k)));
        };
        lower.copy_from_slice(rest);
        lower.make_ascii_lowercase();
        let lower = &*lower;
        return !(0..lower.len())
            .any(|at| STARTS_KEPT[usize::from(lower[at])] && DATA_KEPT.iter().any(|k| lower[at..].starts_with(k)));
    }
    // Every page's every attribute comes here: one match on the lower-cased
    // name, not a comparison with each of the names.
    let mut lower = [0u8; 17];
    let Some(lower) = lower.get_mut(..name.len()) else { return false };
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    matches!(
        &*lower,
        b"tabindex"
            | b"target"
            | b"loading"
            | b"decoding"
            | b"sizes"
            | b"fetchpriority"
            | b"crossorigin"
            | b"integrity"
            | b"referrerpolicy"
            | b"nonce"
            | b"async"
            | b"defer"
            | b"title"
            | b"value"
            | b"placeholder"
            | b"autocomplete"
            | b"align"
            | b"valign"
            | b"border"
            | b"cellpadding"
            | b"cellspacing"
            | b"bgcolor"
            | b"frameborder"
            | b"allowfullscreen"
            | b"allow"
            | b"scrolling"
            | b"hreflang"
            | b"media"
            | b"xmlns"
            | b"xmlns:xlink"
            | b"xml:space"
            | b"viewbox"
            | b"focusable"
            | b"language"
            | b"action"
            | b"method"
            | b"for"
            | b"maxlength"
            | b"required"
            | b"checked"
            | b"accesskey"
            | b"colspan"
            | b"rowspan"
            | b"nowrap"
            | b"marginheight"
            | b"marginwidth"
            | b"hspace"
            | b"vspace"
            | b"allowtransparency"
            | b"background"
            | b"shape"
            | b"coords"
            | b"itemscope"
            | b"itemtype"
            | b"typeof"
            | b"version"
            | b"layout"
            | b"dir"
            | b"as"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kept `data-*` words are found whatever their case, inside longer names too.
    #[test]
    fn data_names_that_speak_of_what_is_read_are_kept() {
        for name in [&b"data-src"[..], b"data-lazy-SRC", b"DATA-PublishedTime", b"data-e2e-x", b"data-testid"] {
            assert!(!unread_attribute(name), "{}", String::from_utf8_lossy(name));
        }
        let long = [&b"data-"[..], &[b'x'; 70], b"Author"].concat();
        assert!(!unread_attribute(&long));
        for name in [&b"data-toggle"[..], b"data-id", b"DATA-TRACK", b"data-"] {
            assert!(unread_attribute(name), "{}", String::from_utf8_lossy(name));
        }
    }

    #[test]
    fn the_commonest_names_are_read() {
        for name in READ_OFTEN {
            assert!(!unread_slowly(name), "{}", String::from_utf8_lossy(name));
        }
        assert!(unread_attribute(b"onclick") && unread_attribute(b"TABINDEX") && !unread_attribute(b"CLASS"));
    }
}
