//! policygen's native fast path for matched CloudTrail records.
//!
//! The Python scan finds a file's candidate records (a wanted principal's bytes in them) and checks
//! that each parses; this module then reads each candidate's fields the mapper's reading depends on and
//! builds a key of them. A record whose key was seen before is counted here, per principal and mapping,
//! with its first and last eventTime, and never becomes a Python dict; every other record goes back to
//! the Python scan (`Take::scan` returns it), which maps it as it always did and registers the reading
//! under the key (`Take::register`), so that the next such record is counted here.
//!
//! The key holds every field the mapper reads, as its JSON text (the Python memo key's components:
//! `plans.memo_key`), or more: two records with the same key were read alike by the mapper, so counting
//! the second by the first's reading is exact. Whatever this module cannot decide as the Python scan
//! would (a cut session ARN, an escaped string, an issuer that is no requested role, a linked call, a
//! record outside the window that returned something) goes back to Python whole.

use foldhash::{HashMap, HashMapExt, HashSet};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};
use std::fmt::Write;

/// A JSON value's text, as the record holds it (the Python scan validated the record before).
type Raw<'a> = &'a [u8];

/// The index of the first byte from `at` that is no JSON blank. Inlined, with a first test for what
/// compact JSON always has there (a byte past the space): called after nearly every token of a record,
/// the loop's four compares were 1 % of a scan of every role.
#[inline(always)]
fn skip_blank(text: &[u8], mut at: usize) -> usize {
    if text.get(at).is_none_or(|&byte| byte > b' ') {
        return at;
    }
    while at < text.len() && matches!(text[at], b' ' | b'\t' | b'\n' | b'\r') {
        at += 1;
    }
    at
}

/// The bytes of `word` equal to `byte`, as their high bits; exact up to the lowest one (what is used).
fn bytes_equal(word: u64, byte: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let diff = word ^ (ONES * byte as u64);
    diff.wrapping_sub(ONES) & !diff & (ONES << 7)
}

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64 as simd;

/// The bytes of the sixteen at `here` (inside `text`, which the callers check) that `marked` marks, as
/// the low sixteen bits: SSE2, part of every x86-64.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn block_bits(text: &[u8], here: usize, marked: impl Fn(simd::__m128i) -> simd::__m128i) -> u32 {
    // SAFETY: SSE2 is part of x86-64
    unsafe { simd::_mm_movemask_epi8(marked(block_at(text, here))) as u32 }
}

/// The sixteen bytes at `here`, which must lie inside `text` (asserted).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn block_at(text: &[u8], here: usize) -> simd::__m128i {
    assert!(here + 16 <= text.len());
    // SAFETY: SSE2 is part of x86-64, and the 16 bytes read are inside `text` (asserted above)
    unsafe { simd::_mm_loadu_si128(text.as_ptr().add(here) as *const simd::__m128i) }
}

/// The bytes of `block` equal to `byte` (all ones where they are).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn bytes_of(block: simd::__m128i, byte: u8) -> simd::__m128i {
    // SAFETY: SSE2 is part of x86-64
    unsafe { simd::_mm_cmpeq_epi8(block, simd::_mm_set1_epi8(byte as i8)) }
}

/// The index after the string whose opening quote is at `at`: sixteen bytes at a time where SSE2 is (every
/// x86-64), then eight, to the first quote or backslash (an escape's next byte never ends the string).
// inlined into every walk: a record has ~60 strings, and the call's entry and the block constants reloaded
// per string were ~4 % of the reader's time (steady-state reads of the 50 set's records in cache: 1.89 ->
// 1.81 us a record)
#[inline(always)]
fn skip_string(text: &[u8], at: usize) -> Option<usize> {
    let mut here = at + 1;
    #[cfg(target_arch = "x86_64")]
    {
        while here + 16 <= text.len() {
            let found = block_bits(text, here, |block| {
                let (quote, slash) = (bytes_of(block, b'"'), bytes_of(block, b'\\'));
                // SAFETY: SSE2 is part of x86-64
                unsafe { simd::_mm_or_si128(quote, slash) }
            });
            if found == 0 {
                here += 16;
                continue;
            }
            here += found.trailing_zeros() as usize;
            if text[here] == b'"' {
                return Some(here + 1);
            }
            here += 2;
        }
    }
    while here + 8 <= text.len() {
        let word = u64::from_le_bytes(text[here..here + 8].try_into().ok()?);
        let found = bytes_equal(word, b'"') | bytes_equal(word, b'\\');
        if found == 0 {
            here += 8;
            continue;
        }
        here += (found.trailing_zeros() / 8) as usize;
        if text[here] == b'"' {
            return Some(here + 1);
        }
        here += 2;
    }
    while here < text.len() {
        match text[here] {
            b'"' => return Some(here + 1),
            b'\\' => here += 2,
            _ => here += 1,
        }
    }
    None
}

/// The bytes a container's skip stops at: a string's quote and the brackets.
const STRUCTURAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[b'{' as usize] = true;
    table[b'}' as usize] = true;
    table[b'[' as usize] = true;
    table[b']' as usize] = true;
    table
};

/// The index of the first `STRUCTURAL` byte at or after `here` (the length if none): the next four bytes
/// one by one (between a container's strings there are mostly one or two: `:`, `,`), then sixteen at a
/// time where SSE2 is (numbers, literals, spaces). Steady-state reads of the 50 set's records in cache:
/// 1.81 -> 1.74 us a record; sixteen at a time from the first byte was slower (1.93).
#[inline(always)]
fn next_structural(text: &[u8], mut here: usize) -> usize {
    let near = (here + 4).min(text.len());
    while here < near {
        if STRUCTURAL[text[here] as usize] {
            return here;
        }
        here += 1;
    }
    #[cfg(target_arch = "x86_64")]
    {
        while here + 16 <= text.len() {
            let found = block_bits(text, here, |block| {
                // SAFETY: SSE2 is part of x86-64
                unsafe {
                    // `[` and `]` are `{` and `}` but for bit 0x20
                    let folded = simd::_mm_or_si128(block, simd::_mm_set1_epi8(0x20));
                    let brackets =
                        simd::_mm_or_si128(bytes_of(folded, b'{'), bytes_of(folded, b'}'));
                    simd::_mm_or_si128(bytes_of(block, b'"'), brackets)
                }
            });
            if found != 0 {
                return here + found.trailing_zeros() as usize;
            }
            here += 16;
        }
    }
    while here < text.len() && !STRUCTURAL[text[here] as usize] {
        here += 1;
    }
    here
}

/// The index after the value that starts at `at`: a string, a scalar, or an object or array skipped by
/// its brackets (strings jumped over whole, so brackets in them do not count).
fn skip_value(text: &[u8], at: usize) -> Option<usize> {
    match *text.get(at)? {
        b'"' => skip_string(text, at),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut here = at;
            while here < text.len() {
                if !STRUCTURAL[text[here] as usize] {
                    here = next_structural(text, here + 1);
                    continue;
                }
                match text[here] {
                    b'"' => {
                        here = skip_string(text, here)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(here + 1);
                        }
                    }
                    _ => {}
                }
                here += 1;
            }
            None
        }
        _ => {
            let mut here = at;
            while here < text.len()
                && !matches!(
                    text[here],
                    b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'
                )
            {
                here += 1;
            }
            Some(here)
        }
    }
}

/// How deep a candidate's containers may nest for the check to decide (simdjson's parser takes 1024
/// levels; CloudTrail's records nest a few).
const SURE_DEPTH: usize = 128;

/// Whether `text` is one JSON object (RFC 8259, blanks around it) that simdjson's parser reads, where the
/// scan asked simdjson before: `each_member_checked`'s check.
fn surely_json_object(text: &[u8]) -> bool {
    each_member_checked(text, None, |_, _, _| {}).is_ok()
}

/// The members whose values `CheckedValues` holds: a session's identity repeats in each of its records
/// (~500 bytes of ~1,500 in CloudTrail's, two objects deep: a third of what checking a record cost),
/// the TLS details in each call to one endpoint.
const REPEATED_MEMBERS: [&[u8]; 2] = [b"userIdentity", b"tlsDetails"];

/// Bytes of a held value its lookup hashes; shorter values are not held.
const HELD_HEAD: usize = 48;

/// Values held at most (~600 bytes each, `MAX_HELD_LEN` at most), all forgotten past it.
const MAX_HELD_VALUES: usize = 4096;

/// A value held by `CheckedValues`, and whether it holds a byte past ASCII.
type HeldValue = (Box<[u8]>, bool);

/// Objects of `REPEATED_MEMBERS` a record's check found valid, so that a later record's is checked by
/// comparing it with one: a JSON value's text that starts with a whole valid object is that object (its
/// last bracket ends the value), so the walk goes on after it as after checking it.
#[derive(Default)]
struct CheckedValues {
    // hash of a value's first `HELD_HEAD` bytes -> the values
    by_head: HashMap<u64, Vec<HeldValue>>,
    held: usize,
}

impl CheckedValues {
    fn head_hash(head: &[u8]) -> u64 {
        use std::hash::BuildHasher;
        foldhash::fast::FixedState::with_seed(0x5eed).hash_one(head)
    }

    /// The end of the value at `at` when it is one held (`past_ascii` set if that one has a byte past
    /// ASCII), else None.
    fn end_of_held(&self, text: &[u8], at: usize, past_ascii: &mut bool) -> Option<usize> {
        let head = text.get(at..at + HELD_HEAD)?;
        let held = self.by_head.get(&Self::head_hash(head))?;
        let rest = &text[at..];
        let (value, high) = held.iter().find(|(value, _)| rest.starts_with(value))?;
        *past_ascii |= *high;
        Some(at + value.len())
    }

    fn hold(&mut self, value: &[u8]) {
        if value.len() < HELD_HEAD || value.len() > MAX_HELD_LEN || value.first() != Some(&b'{') {
            return;
        }
        if self.held >= MAX_HELD_VALUES {
            self.by_head.clear();
            self.held = 0;
        }
        let high = !value.is_ascii();
        self.by_head
            .entry(Self::head_hash(&value[..HELD_HEAD]))
            .or_default()
            .push((value.into(), high));
        self.held += 1;
    }
}

/// `each_member`, the object also checked in the same walk to be one simdjson reads, where the scan
/// asked simdjson before (the check and a second walk were ~0.7 us of a record's ~3 in the reader):
/// Err when it is not one, or this cannot be sure of simdjson's answer, and the caller asks simdjson
/// then (a number with an exponent or more than 18 digits, which simdjson may refuse as out of range;
/// a `\u` escape of a surrogate, whose pairing this does not check; nesting past `SURE_DEPTH`). Bytes
/// past ASCII are checked as UTF-8 once, over the whole text, as simdjson does. `each` is given every
/// member, with whether its name holds an escape.
/// `held`: objects of `REPEATED_MEMBERS` checked before, compared instead of checked, and those
/// checked here added.
fn each_member_checked<'a>(
    text: &'a [u8],
    mut held: Option<&mut CheckedValues>,
    mut each: impl FnMut(Raw<'a>, bool, Raw<'a>),
) -> Result<(), ()> {
    let mut past_ascii = false;
    let mut at = skip_blank(text, 0);
    if text.get(at) != Some(&b'{') {
        return Err(());
    }
    at = skip_blank(text, at + 1);
    if text.get(at) != Some(&b'}') {
        loop {
            let mut escaped = false;
            let (name_end, value) =
                member_start(text, at, &mut past_ascii, &mut escaped).ok_or(())?;
            let name = &text[at + 1..name_end - 1];
            at = value;
            let repeated = !escaped && REPEATED_MEMBERS.contains(&name);
            let value_end = match held.as_deref_mut().filter(|_| repeated) {
                Some(held) => match held.end_of_held(text, at, &mut past_ascii) {
                    Some(end) => end,
                    None => {
                        let end = checked_value_end(text, at, &mut past_ascii).ok_or(())?;
                        held.hold(&text[at..end]);
                        end
                    }
                },
                None => checked_value_end(text, at, &mut past_ascii).ok_or(())?,
            };
            each(name, escaped, &text[at..value_end]);
            at = skip_blank(text, value_end);
            match text.get(at) {
                Some(b',') => at = skip_blank(text, at + 1),
                Some(b'}') => break,
                _ => return Err(()),
            }
        }
    }
    if skip_blank(text, at + 1) != text.len() || past_ascii && std::str::from_utf8(text).is_err() {
        return Err(());
    }
    Ok(())
}

/// The index right after the value that starts at `at`, every value in it checked as
/// `each_member_checked` says; None when one is not surely valid. One loop and a stack of closing
/// brackets, no recursion.
fn checked_value_end(text: &[u8], mut at: usize, past_ascii: &mut bool) -> Option<usize> {
    let mut closers = [0u8; SURE_DEPTH];
    let mut depth = 0usize;
    loop {
        // a value starts at `at`
        match *text.get(at)? {
            open @ (b'{' | b'[') => {
                if depth == SURE_DEPTH {
                    return None;
                }
                let close = open + 2; // `}` and `]` follow `{` and `[` but for one character
                closers[depth] = close;
                depth += 1;
                at = skip_blank(text, at + 1);
                if text.get(at) == Some(&close) {
                    depth -= 1;
                    at += 1;
                } else {
                    if open == b'{' {
                        at = member_start(text, at, past_ascii, &mut false)?.1;
                    }
                    continue;
                }
            }
            b'"' => at = checked_string_end(text, at, past_ascii, &mut false)?,
            b't' => at = literal_end(text, at, b"true")?,
            b'f' => at = literal_end(text, at, b"false")?,
            b'n' => at = literal_end(text, at, b"null")?,
            b'-' | b'0'..=b'9' => at = sure_number_end(text, at)?,
            _ => return None,
        }
        // after a value: the next one, or the containers that close here
        loop {
            if depth == 0 {
                return Some(at);
            }
            at = skip_blank(text, at);
            match *text.get(at)? {
                b',' => {
                    at = skip_blank(text, at + 1);
                    if closers[depth - 1] == b'}' {
                        at = member_start(text, at, past_ascii, &mut false)?.1;
                    }
                    break;
                }
                close if close == closers[depth - 1] => {
                    depth -= 1;
                    at += 1;
                }
                _ => return None,
            }
        }
    }
}

/// A member whose name's string starts at `at`, checked: the index after that string and where the
/// value starts (blanks skipped); `escaped` set when the name holds an escape.
#[inline(always)]
fn member_start(
    text: &[u8],
    at: usize,
    past_ascii: &mut bool,
    escaped: &mut bool,
) -> Option<(usize, usize)> {
    if text.get(at) != Some(&b'"') {
        return None;
    }
    let name_end = checked_string_end(text, at, past_ascii, escaped)?;
    let colon = skip_blank(text, name_end);
    (text.get(colon) == Some(&b':')).then(|| (name_end, skip_blank(text, colon + 1)))
}

fn literal_end(text: &[u8], at: usize, literal: &[u8]) -> Option<usize> {
    text[at..]
        .starts_with(literal)
        .then_some(at + literal.len())
}

/// The index after the number at `at`, when it is one simdjson surely reads: the JSON grammar, no
/// exponent and at most 18 digits (any such integer fits 64 bits, any such decimal a double).
fn sure_number_end(text: &[u8], at: usize) -> Option<usize> {
    let digit = |here: usize| matches!(text.get(here), Some(b'0'..=b'9'));
    let mut here = at + usize::from(text[at] == b'-');
    let first = here;
    match text.get(here) {
        Some(b'0') => here += 1,
        Some(b'1'..=b'9') => {
            while digit(here) {
                here += 1;
            }
        }
        _ => return None,
    }
    let mut digits = here - first;
    if text.get(here) == Some(&b'.') {
        here += 1;
        let fraction = here;
        while digit(here) {
            here += 1;
        }
        if here == fraction {
            return None;
        }
        digits += here - fraction;
    }
    (digits <= 18 && !matches!(text.get(here), Some(b'e' | b'E'))).then_some(here)
}

/// The index after the string whose opening quote is at `at`, its escapes checked and no control
/// character in it; `past_ascii` set when a byte past ASCII was seen (here or in the bytes read after
/// the string's end, which only asks for the whole text's UTF-8 check).
#[inline(always)]
fn checked_string_end(
    text: &[u8],
    at: usize,
    past_ascii: &mut bool,
    escaped: &mut bool,
) -> Option<usize> {
    let mut here = at + 1;
    loop {
        #[cfg(target_arch = "x86_64")]
        while here + 16 <= text.len() {
            let block = block_at(text, here);
            // SAFETY: SSE2 is part of x86-64
            let (stops, high) = unsafe {
                let limit = simd::_mm_set1_epi8(0x1f);
                let control = simd::_mm_cmpeq_epi8(simd::_mm_max_epu8(block, limit), limit);
                let ends = simd::_mm_or_si128(bytes_of(block, b'"'), bytes_of(block, b'\\'));
                let stops = simd::_mm_or_si128(ends, control);
                (
                    simd::_mm_movemask_epi8(stops),
                    simd::_mm_movemask_epi8(block),
                )
            };
            *past_ascii |= high != 0;
            if stops != 0 {
                here += stops.trailing_zeros() as usize;
                break;
            }
            here += 16;
        }
        match *text.get(here)? {
            b'"' => return Some(here + 1),
            b'\\' => {
                *escaped = true;
                here = escape_end(text, here)?;
            }
            0..=0x1f => return None,
            byte => {
                *past_ascii |= byte >= 0x80;
                here += 1;
            }
        }
    }
}

/// The index after the escape whose backslash is at `at`: one of JSON's, a `\u` of four hex digits that
/// is no surrogate.
fn escape_end(text: &[u8], at: usize) -> Option<usize> {
    match *text.get(at + 1)? {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(at + 2),
        b'u' => {
            let mut code = 0u32;
            for &digit in text.get(at + 2..at + 6)? {
                code = code * 16 + (digit as char).to_digit(16)?;
            }
            (!(0xd800..0xe000).contains(&code)).then_some(at + 6)
        }
        _ => None,
    }
}

/// Calls `each` with an object's members in document order (the order a Python dict keeps): each name's
/// text between its quotes and its value's text. None when `text` is not one object, a name holds an
/// escape (the name Python reads is then not these bytes), or `each` says so.
fn each_member<'a>(
    text: &'a [u8],
    mut each: impl FnMut(Raw<'a>, Raw<'a>) -> Option<()>,
) -> Option<()> {
    let mut at = skip_blank(text, 0);
    if text.get(at) != Some(&b'{') {
        return None;
    }
    at = skip_blank(text, at + 1);
    if text.get(at) == Some(&b'}') {
        return Some(());
    }
    loop {
        if text.get(at) != Some(&b'"') {
            return None;
        }
        let end = skip_string(text, at)?;
        let name = &text[at + 1..end - 1];
        if name.contains(&b'\\') {
            return None;
        }
        at = skip_blank(text, end);
        if text.get(at) != Some(&b':') {
            return None;
        }
        at = skip_blank(text, at + 1);
        let value_end = skip_value(text, at)?;
        each(name, &text[at..value_end])?;
        at = skip_blank(text, value_end);
        match text.get(at) {
            Some(b',') => at = skip_blank(text, at + 1),
            Some(b'}') => return Some(()),
            _ => return None,
        }
    }
}

/// Whether two member names are equal: eight bytes at a time from both ends, where a slice comparison
/// called `memcmp` for each of a record's ~20 names against each wanted one of its length (a tenth of
/// the reader's time on records it counts).
#[inline]
fn same_name(a: &[u8], b: &[u8]) -> bool {
    let size = a.len();
    if size != b.len() {
        return false;
    }
    if !(8..=16).contains(&size) {
        return a == b;
    }
    let word = |text: &[u8], at: usize| u64::from_le_bytes(text[at..at + 8].try_into().unwrap());
    word(a, 0) == word(b, 0) && word(a, size - 8) == word(b, size - 8)
}

/// The named members of an object (None for absent or null ones, as Python's ``get`` reads both), or
/// None when the object cannot be read here or names one of them twice (Python keeps the last).
fn fields<'a, const N: usize>(text: Raw<'a>, names: [&[u8]; N]) -> Option<[Option<Raw<'a>>; N]> {
    let mut found: [Option<Raw<'a>>; N] = [None; N];
    let mut seen = [false; N];
    each_member(text, |name, value| {
        pick(&names, &mut found, &mut seen, name, value).then_some(())
    })?;
    Some(found)
}

/// `fields` of an object also checked to be one simdjson reads (`each_member_checked`), in one walk: Err
/// when it is not surely one; Ok(None) where `fields` gives None (a wanted name twice, an escaped name).
fn fields_checked<'a, const N: usize>(
    text: Raw<'a>,
    names: [&[u8]; N],
    held: &mut CheckedValues,
) -> Result<Option<[Option<Raw<'a>>; N]>, ()> {
    let mut found: [Option<Raw<'a>>; N] = [None; N];
    let mut seen = [false; N];
    let mut readable = true;
    each_member_checked(text, Some(held), |name, escaped, value| {
        readable = readable && !escaped && pick(&names, &mut found, &mut seen, name, value);
    })?;
    Ok(readable.then_some(found))
}

/// One member for `fields`: its value kept when its name is wanted and it is not null; false when that
/// name came before.
#[inline(always)]
fn pick<'a, const N: usize>(
    names: &[&[u8]; N],
    found: &mut [Option<Raw<'a>>; N],
    seen: &mut [bool; N],
    name: Raw<'a>,
    value: Raw<'a>,
) -> bool {
    if let Some(slot) = names.iter().position(|wanted| same_name(wanted, name)) {
        if seen[slot] {
            return false;
        }
        seen[slot] = true;
        if value != b"null" {
            found[slot] = Some(value);
        }
    }
    true
}

/// The record's members the reader looks at, in `Record`'s order.
const RECORD_FIELDS: [&[u8]; 12] = [
    b"eventSource",
    b"eventName",
    b"eventType",
    b"eventTime",
    b"errorCode",
    b"errorMessage",
    b"awsRegion",
    b"recipientAccountId",
    b"requestParameters",
    b"responseElements",
    b"resources",
    b"userIdentity",
];

struct Record<'a> {
    event_source: Option<Raw<'a>>,
    event_name: Option<Raw<'a>>,
    event_type: Option<Raw<'a>>,
    event_time: Option<Raw<'a>>,
    error_code: Option<Raw<'a>>,
    error_message: Option<Raw<'a>>,
    aws_region: Option<Raw<'a>>,
    recipient_account_id: Option<Raw<'a>>,
    request_parameters: Option<Raw<'a>>,
    response_elements: Option<Raw<'a>>,
    resources: Option<Raw<'a>>,
    user_identity: Option<Raw<'a>>,
}

impl<'a> Record<'a> {
    fn read(text: Raw<'a>) -> Option<Self> {
        fields(text, RECORD_FIELDS).map(Self::of)
    }

    /// `read` of a record also checked to be an object simdjson reads (`fields_checked`).
    fn read_checked(text: Raw<'a>, held: &mut CheckedValues) -> Result<Option<Self>, ()> {
        Ok(fields_checked(text, RECORD_FIELDS, held)?.map(Self::of))
    }

    fn of(found: [Option<Raw<'a>>; 12]) -> Self {
        let [event_source, event_name, event_type, event_time, error_code, error_message, aws_region, recipient_account_id, request_parameters, response_elements, resources, user_identity] =
            found;
        Record {
            event_source,
            event_name,
            event_type,
            event_time,
            error_code,
            error_message,
            aws_region,
            recipient_account_id,
            request_parameters,
            response_elements,
            resources,
            user_identity,
        }
    }
}

struct Identity<'a> {
    kind: Option<Raw<'a>>,
    arn: Option<Raw<'a>>,
    account_id: Option<Raw<'a>>,
    session_context: Option<Raw<'a>>,
}

impl<'a> Identity<'a> {
    fn read(text: Raw<'a>) -> Option<Self> {
        let [kind, arn, account_id, session_context] = fields(
            text,
            [b"type".as_slice(), b"arn", b"accountId", b"sessionContext"],
        )?;
        Some(Identity {
            kind,
            arn,
            account_id,
            session_context,
        })
    }
}

/// What the mapper's plan for one event reads, as `EventMapper.memo_shape` gives it.
struct Shape {
    param_keys: HashSet<Vec<u8>>,
    reads_names: bool,
    reads_caller: bool,
    reads_response: bool,
}

/// The tallies of records counted by a template: (principal, entry) -> slots' texts joined by NUL -> tally.
type SlotTallies = HashMap<(u32, u32), HashMap<Box<[u8]>, Tally>>;

/// A drained tally of an exact reading: (principal, entry, count, and when Python adds its uses (none
/// were registered with it) its first and last eventTime).
type Row = (u32, u32, u64, Option<(String, String)>);

/// The drained tallies of one principal's records counted by one template: (principal, entry, their
/// count).
type Group = (u32, u32, u64);

/// The uses of one principal's records counted here (by exact readings and by templates), allowed or
/// denied, since the last drain: (principal, denied, packed), `usage.UsageTable.add_packed`'s form:
/// columns joined by GS (0x1D), each's items by RS (0x1E): the actions, then five columns for each: how
/// many of its rows were one call each (they come first), the counts and last eventTimes of the other
/// rows, the first eventTime of every row, every row's resource (a template's slots' texts filled in),
/// each resource once. One string pickles as one copy, and an action's calls made once are added by the
/// parent a dict update at a time; lists of strings cost a worker and the parent a Python step per string,
/// and a string per template a step per template (`templates.derive` keeps the separators out of every
/// form and ids out of the actions; `register` packs no reading whose text holds a separator).
type Pack<'py> = (u32, bool, Bound<'py, PyString>);

/// What `drain` gives: the rows of exact readings, the records of each template per principal (neither of
/// plain readings, `Uses::plain`), the records of plain readings per principal, the packed uses, the
/// records outside the window, those of an account or Region not asked for, and the EKS Pod Identity
/// sessions met since the last drain, (role's principal index, session ARN) in the order of their
/// numbers.
type Drained<'py> = (
    Vec<Row>,
    Vec<Group>,
    Vec<(u32, u64)>,
    Vec<Pack<'py>>,
    u64,
    u64,
    Vec<(u32, String)>,
);

/// A tally's principal index with this bit set is the number of an EKS Pod Identity session of a role
/// whose sessions are kept apart (`Take::session`): its records are counted for the role, and their
/// actions for the session too, as the Python scan records them in the session's own usage.
const SESSION_FLAG: u32 = 1 << 31;

/// `usage.SESSION_RESOURCE`: a session's usage holds its calls by action alone.
const SESSION_RESOURCE: &str = "*";

/// A drain's calls: (principal, denied) -> action -> resource -> tally, every reading's of a principal.
type Calls<'a> = HashMap<(u32, bool), HashMap<&'a str, HashMap<String, Tally>>>;

/// A principal's calls by action and resource as `usage.UsageTable.add_packed` takes them: the actions
/// joined by `ITEM_SEPARATOR`, then per action (`COLUMN_SEPARATOR` before each column) the number of
/// resources called once, the counts and last times of the others, every resource's first time and the
/// resources, the ones called once first (each column's items joined by `ITEM_SEPARATOR`).
fn pack<'a>(
    by_action: impl IntoIterator<Item = (&'a str, HashMap<String, Tally>)>,
) -> Result<String, std::str::Utf8Error> {
    let (mut actions, mut sections) = (String::new(), String::new());
    let (mut firsts, mut counts, mut lasts, mut resources) =
        (String::new(), String::new(), String::new(), String::new());
    for (action, by_resource) in by_action {
        let mut rows: Vec<(String, Tally)> = by_resource.into_iter().collect();
        rows.sort_by_key(|(_, tally)| tally.count > 1); // stable: rows of one call first
        let single = rows
            .iter()
            .take_while(|(_, tally)| tally.count == 1)
            .count();
        for column in [&mut firsts, &mut counts, &mut lasts, &mut resources] {
            column.clear();
        }
        for (row, (resource, tally)) in rows.iter().enumerate() {
            let separator = (row > 0).then_some(ITEM_SEPARATOR);
            // ASCII: checked before it was taken (`Take::read`)
            firsts.extend(separator);
            firsts.push_str(std::str::from_utf8(&tally.first)?);
            resources.extend(separator);
            resources.push_str(resource);
            if row >= single {
                let separator = (row > single).then_some(ITEM_SEPARATOR);
                counts.extend(separator);
                write!(counts, "{}", tally.count).expect("writing to a String");
                lasts.extend(separator);
                lasts.push_str(std::str::from_utf8(&tally.last)?);
            }
        }
        if !actions.is_empty() {
            actions.push(ITEM_SEPARATOR);
        }
        actions.push_str(action);
        write!(sections, "{COLUMN_SEPARATOR}{single}").expect("writing to a String");
        for column in [&counts, &lasts, &firsts, &resources] {
            sections.push(COLUMN_SEPARATOR);
            sections.push_str(column);
        }
    }
    actions.push_str(&sections);
    Ok(actions)
}

/// `usage.UsageTable`'s packed strings (`pack`'s form) as one, each action's calls on a resource added
/// up (`Tally::join`); None when one is not of that form, or a row's time is no CloudTrail time (Python
/// then adds them one by one, as it adds any). A ServiceAccount's table is given a packed string per Pod
/// Identity session (a pod's credentials are new every few hours) and a drain, each a few actions on
/// `SESSION_RESOURCE`: cut and added in Python one by one, 16,800 sessions' were 1.2 s of a profiled
/// 1M-event scan (7.1 -> 6.8 CPU s without it); a parent's table, one per worker batch.
#[pyfunction]
fn merge_packed(packs: Vec<String>) -> Option<String> {
    let mut order: Vec<&str> = Vec::new();
    let mut by_action: HashMap<&str, HashMap<String, Tally>> = HashMap::new();
    let time = |text: &str| -> Option<Time> { text.as_bytes().try_into().ok() };
    for packed in &packs {
        let columns: Vec<&str> = split_ascii(packed, COLUMN_SEPARATOR).collect();
        let actions: Vec<&str> = split_ascii(columns[0], ITEM_SEPARATOR).collect();
        if columns.len() != 1 + 5 * actions.len() {
            return None;
        }
        for (index, &action) in actions.iter().enumerate() {
            let [single, counts, lasts, firsts, resources] = columns[1 + 5 * index..6 + 5 * index]
            else {
                return None;
            };
            let single: usize = single.parse().ok()?;
            let resources: Vec<&str> = split_ascii(resources, ITEM_SEPARATOR).collect();
            let firsts: Vec<&str> = split_ascii(firsts, ITEM_SEPARATOR).collect();
            let (counts, lasts): (Vec<&str>, Vec<&str>) = if single < resources.len() {
                (
                    split_ascii(counts, ITEM_SEPARATOR).collect(),
                    split_ascii(lasts, ITEM_SEPARATOR).collect(),
                )
            } else {
                (Vec::new(), Vec::new())
            };
            if firsts.len() != resources.len()
                || single > resources.len()
                || counts.len() != resources.len() - single
                || lasts.len() != counts.len()
            {
                return None;
            }
            let by_resource = by_action.entry(action).or_insert_with(|| {
                order.push(action);
                HashMap::new()
            });
            for (row, resource) in resources.iter().enumerate() {
                let first = time(firsts[row])?;
                let tally = if row < single {
                    Tally {
                        count: 1,
                        first,
                        last: first,
                    }
                } else {
                    let count = counts[row - single]
                        .parse()
                        .ok()
                        .filter(|&count| count > 1)?;
                    let last = time(lasts[row - single])?;
                    Tally { count, first, last }
                };
                add_calls(by_resource, resource, &tally);
            }
        }
    }
    let merged = order.into_iter().map(|action| {
        let by_resource = by_action.remove(action).unwrap_or_default();
        (action, by_resource)
    });
    pack(merged).ok()
}

/// `text.split(separator)` for an ASCII separator, found by `memchr`: str's search for a char was ~120
/// instructions a piece, most of `merge_packed`'s time (a fleet's packs hold hundreds of thousands).
fn split_ascii(text: &str, separator: char) -> impl Iterator<Item = &str> {
    debug_assert!(separator.is_ascii());
    let mut ends = memchr::memchr_iter(separator as u8, text.as_bytes()).chain([text.len()]);
    let mut start = 0;
    std::iter::from_fn(move || {
        let end = ends.next()?;
        // an ASCII byte ends no UTF-8 sequence early: both cuts fall between characters
        let piece = &text[start..end];
        start = end + 1;
        Some(piece)
    })
}

/// Calls of one action on `resource`, added to those a drain holds already.
fn add_calls(by_resource: &mut HashMap<String, Tally>, resource: &str, tally: &Tally) {
    match by_resource.get_mut(resource) {
        Some(held) => held.join(tally),
        None => {
            by_resource.insert(resource.to_string(), *tally);
        }
    }
}

/// A candidate record `scan_file` leaves to Python: its start and end in the file's text, its key id.
type Candidate = (usize, usize, i64);

/// What `scan_file` read of a file: its candidates, and those it leaves to Python.
type Taken = (usize, Vec<Candidate>);

/// `usage.COLUMN_SEPARATOR` and `usage.ITEM_SEPARATOR`: a pack's columns and their items.
const COLUMN_SEPARATOR: char = '\x1d';
const ITEM_SEPARATOR: char = '\x1e';

/// A template's uses (`Template.use_form`): each action's text (no slot in it) and its resource's
/// pieces.
struct Uses {
    actions: Vec<String>,
    resources: Vec<Vec<Piece>>,
    denied: bool,
    // a mapped reading without notes: its records add to their principal's count alone (`drain` sums
    // them, where a row each was a Python step each: ~370,000 in the 500-principal set's drains)
    plain: bool,
}

/// The uses a form's pieces hold, their strings joined by NUL: None when an action holds a slot or the
/// strings do not pair up.
fn uses_of(form: Vec<Piece>) -> Option<Uses> {
    let mut strings: Vec<Vec<Piece>> = vec![Vec::new()];
    for piece in form {
        match piece {
            Piece::Text(text) => {
                for (index, part) in text.split('\0').enumerate() {
                    if index > 0 {
                        strings.push(Vec::new());
                    }
                    if !part.is_empty() {
                        strings.last_mut()?.push(Piece::Text(part.to_string()));
                    }
                }
            }
            slot => strings.last_mut()?.push(slot),
        }
    }
    if !strings.len().is_multiple_of(2) {
        return None;
    }
    let mut uses = Uses {
        actions: Vec::new(),
        resources: Vec::new(),
        denied: false,
        plain: false,
    };
    let mut strings = strings.into_iter();
    while let (Some(action), Some(resource)) = (strings.next(), strings.next()) {
        let mut text = String::new();
        for piece in action {
            match piece {
                Piece::Text(part) => text.push_str(&part),
                Piece::Slot(_) => return None,
            }
        }
        uses.actions.push(text);
        uses.resources.push(resource);
    }
    Some(uses)
}

/// A piece of a template's uses (`Template.use_form`, a `str.format` string): text, or slot N's text.
enum Piece {
    Text(String),
    Slot(usize),
}

/// `use_form`'s pieces: `{N}` a slot, `{{` and `}}` a brace; None for anything else, which `template`
/// refuses (ValueError): `templates.derive` makes no such form.
fn pieces(form: &str) -> Option<Vec<Piece>> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = form.chars().peekable();
    while let Some(char) = chars.next() {
        match char {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut digits = String::new();
                loop {
                    match chars.next()? {
                        '}' => break,
                        digit if digit.is_ascii_digit() => digits.push(digit),
                        _ => return None,
                    }
                }
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                out.push(Piece::Slot(digits.parse().ok()?));
            }
            '}' => return None,
            other => text.push(other),
        }
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    Some(out)
}

/// `use_form.format(*slots)` into `out`: false when a slot it names is not there (Python's format would
/// raise).
fn render(form: &[Piece], joined: &[u8], out: &mut String) -> bool {
    out.clear();
    for piece in form {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Slot(index) => match joined.split(|&byte| byte == 0).nth(*index) {
                // a slot is ASCII letters and digits (`slot_class`)
                Some(slot) if slot.is_ascii() => out.extend(slot.iter().map(|&byte| byte as char)),
                _ => return false,
            },
        }
    }
    true
}

/// A time as CloudTrail writes it ("2026-09-01T00:00:00Z"): the reader takes no other (`Take::read`),
/// held inline so that a tally allocates nothing.
type Time = [u8; 20];

fn time_text(time: &Time) -> String {
    String::from_utf8_lossy(time).into_owned() // ASCII: checked before it was taken
}

#[derive(Clone, Copy)]
struct Tally {
    count: u64,
    first: Time,
    last: Time,
}

/// `podidentity.is_pod_identity_session`: an assumed-role ARN whose session name EKS Pod Identity gives
/// (`eks-<cluster>-<pod>-<uuid>`).
fn is_pod_identity_session(arn: &str) -> bool {
    arn.contains(":assumed-role/")
        && arn[arn.rfind('/').map_or(0, |at| at + 1)..].starts_with("eks-")
}

/// A string's text when the JSON holds it without escapes (the same text Python reads), else None. One
/// pass, sixteen bytes at a time, for a backslash and for bytes past ASCII (only then is the text checked
/// as UTF-8): a slice's `contains` and `from_utf8` were ~150 instructions a call on the short texts read
/// several times a record (its source and name, its time, the caller's ARN), 1.7 % of a scan of every
/// role.
fn plain(raw: Raw<'_>) -> Option<&str> {
    let inner = raw.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    let mut past_ascii = false;
    // the whole blocks first where SSE2 is (every x86-64), the rest a byte at a time
    #[cfg(target_arch = "x86_64")]
    let at = {
        let mut at = 0;
        while at + 16 <= inner.len() {
            let block = block_at(inner, at);
            // SAFETY: SSE2 is part of x86-64
            let (escapes, high) = unsafe {
                (
                    simd::_mm_movemask_epi8(bytes_of(block, b'\\')),
                    simd::_mm_movemask_epi8(block),
                )
            };
            if escapes != 0 {
                return None;
            }
            past_ascii |= high != 0;
            at += 16;
        }
        at
    };
    #[cfg(not(target_arch = "x86_64"))]
    let at = 0;
    for &byte in &inner[at..] {
        if byte == b'\\' {
            return None;
        }
        past_ascii |= byte >= 0x80;
    }
    if past_ascii {
        std::str::from_utf8(inner).ok()
    } else {
        // SAFETY: ASCII is UTF-8
        Some(unsafe { std::str::from_utf8_unchecked(inner) })
    }
}

/// A value's text when it is a string: None when it is absent, null or no string; Err when it holds an
/// escape (or is no UTF-8), whose text only Python reads.
fn string_of(raw: Option<Raw<'_>>) -> Result<Option<&str>, ()> {
    match raw {
        Some(value) if value.first() == Some(&b'"') => plain(value).map(Some).ok_or(()),
        _ => Ok(None),
    }
}

/// A value when it is an object (Python's `Mapping`): None for any other, or none.
fn object_of(raw: Option<Raw<'_>>) -> Option<Raw<'_>> {
    raw.filter(|value| value.first() == Some(&b'{'))
}

/// Calls `each` with an array's elements in order; None when `text` is not one array, or `each` says so.
fn each_element<'a>(text: &'a [u8], mut each: impl FnMut(Raw<'a>) -> Option<()>) -> Option<()> {
    let mut at = skip_blank(text, 0);
    if text.get(at) != Some(&b'[') {
        return None;
    }
    at = skip_blank(text, at + 1);
    if text.get(at) == Some(&b']') {
        return Some(());
    }
    loop {
        let end = skip_value(text, at)?;
        each(&text[at..end])?;
        at = skip_blank(text, end);
        match text.get(at) {
            Some(b',') => at = skip_blank(text, at + 1),
            Some(b']') => return Some(()),
            _ => return None,
        }
    }
}

/// The session tags `podidentity.pod_identity_session` reads: the namespace, the ServiceAccount and the
/// pod (`podidentity.NAMESPACE_TAG`, `SERVICE_ACCOUNT_TAG`, `POD_TAG`).
const NAMESPACE_TAG: &str = "kubernetes-namespace";
const SERVICE_ACCOUNT_TAG: &str = "kubernetes-service-account";
const POD_TAG: &str = "kubernetes-pod-name";

/// An EKS Pod Identity session's start (`UsageSummary.own_session`'s arguments): its role, its session's
/// ARN, its ServiceAccount ("namespace/name") and its pod.
type SessionStart = (String, String, String, String);

/// Slots per key at most; a record with more is keyed exactly, never by a template.
const MAX_SLOTS: usize = 64;

/// The kinds of a token's characters (`slot_class`): 1 a digit, 2 a lower hex letter, 4 an upper one, 8
/// another ASCII letter, 0 no token character.
const TOKEN_BYTE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = match byte as u8 {
            b'0'..=b'9' => 1,
            b'a'..=b'f' => 2,
            b'A'..=b'F' => 4,
            b'g'..=b'z' | b'G'..=b'Z' => 8,
            _ => 0,
        };
        byte += 1;
    }
    table
};

/// Whether a token (a run of ASCII letters and digits) is a slot: digits alone (an account, a Region's
/// number, the numbers in an object key), or 4 to 255 hex digits with a digit among them (a key or an
/// instance id; a shorter one could be a name, `ec2`). Ids change from call to call where names do not;
/// a token of other letters stays in the key as it is.
/// `kinds`: the token's characters' kinds (`TOKEN_BYTE`, or-ed). The class: 0 digits alone, 1 lower hex,
/// 2 upper hex, 3 both (the reader adds 4 for a token that starts with a letter).
fn slot_class(kinds: u8, length: usize) -> Option<u8> {
    if length > 255 || kinds & 1 == 0 || kinds & 8 != 0 {
        return None;
    }
    if kinds & 6 != 0 && length < 4 {
        return None;
    }
    Some((kinds >> 1) & 3)
}

/// A record's key under construction. Slotting, its template: its text with each slot (a token
/// `slot_class` accepts, in a string) replaced by a mark of its class, its length and the first earlier
/// slot of the same text (and of the same text but for case), and the slots' texts in order; two records
/// with the same template differ only in their slots. Not slotting, its exact key: each part as it is,
/// after its length. Both are built of the same parts in the same order, each told apart by its length,
/// so two records with the same exact key have the same template and slots: the exact key is a copy of
/// the parts, where marking the slots reads every byte (half the records of a scan for every role of a
/// cluster repeat an earlier record's key, and are counted by it without a template).
struct KeyBuilder<'a> {
    key: Vec<u8>,
    slots: Vec<&'a [u8]>,
    // no escape in any string the key holds and at most MAX_SLOTS slots: a template may stand for it
    templatable: bool,
    slotting: bool,
    // the parts in order, kept while the exact key is built so that the template is built from them
    // (`replayed`) without reading the record again: `Take::key`'s walk of the request and reading of
    // the identity were ~1,700 instructions a record, done twice for the three in four records of a scan
    // of every role that are counted by a template
    steps: Vec<KeyStep<'a>>,
    // the slots marked in the part being slotted, for `SlotMemo` to keep
    found: Vec<MemoSlot>,
    // a part's token was left unmarked for want of room (`MAX_SLOTS`): its template is no memo's
    slots_full: bool,
}

/// A part of a key as `KeyBuilder` was given it.
#[derive(Clone, Copy)]
enum KeyStep<'a> {
    Byte(u8),
    Absent,
    Part(&'a [u8], bool),
}

impl<'a> KeyBuilder<'a> {
    /// A builder writing into `key` (cleared): the reader hands each record the buffer of the last, so
    /// that a record's key allocates nothing.
    fn new(mut key: Vec<u8>, slotting: bool) -> Self {
        key.clear();
        KeyBuilder {
            key,
            slots: if slotting {
                Vec::with_capacity(16)
            } else {
                Vec::new()
            },
            templatable: slotting,
            slotting,
            steps: Vec::new(),
            found: Vec::new(),
            slots_full: false,
        }
    }

    /// An exact key's builder that keeps its parts (`steps`, cleared: the reader hands each record the
    /// room of the last's) for `replayed`.
    fn recording(key: Vec<u8>, mut steps: Vec<KeyStep<'static>>) -> Self {
        steps.clear();
        let mut builder = Self::new(key, false);
        // the same room for parts of this record's lifetime (an empty vector's allocation, reused)
        builder.steps = steps.into_iter().map(|_| unreachable!()).collect();
        builder
    }

    /// The template of the exact key `steps` were recorded for, written into `key`: the same parts in
    /// the same order, as `Take::key` would give them slotting.
    fn replayed(key: Vec<u8>, steps: &[KeyStep<'a>], memo: &mut SlotMemo) -> Self {
        let mut builder = Self::new(key, true);
        for step in steps {
            match *step {
                KeyStep::Byte(byte) => builder.byte(byte),
                KeyStep::Absent => builder.absent(),
                KeyStep::Part(part, whole_string) => builder.memo_part(part, whole_string, memo),
            }
        }
        builder
    }

    /// `part` slotting, the part's marks taken from `memo` when it holds the same text: only the marks'
    /// earlier slots of the same text (`same`, `alike`) differ from one record to the next, and are found
    /// again. Most of a record's parts (its event, Region, account, the identity's type, a bucket) repeat
    /// an earlier record's; slotting each was ~380 instructions, most of what a record's template cost.
    fn memo_part(&mut self, part: &'a [u8], whole_string: bool, memo: &mut SlotMemo) {
        if part.len() > MEMO_PART_LEN {
            return self.part(part, whole_string);
        }
        let index = memo.index(part, whole_string);
        let held = &memo.parts[index];
        if held.filled && held.whole_string == whole_string && held.part == part {
            if held.escaped {
                self.templatable = false;
                return self.unslotted(part);
            }
            // with room for every mark, as when it was slotted (else slotted again: a token past
            // `MAX_SLOTS` stays unmarked)
            if self.slots.len() + held.slots.len() <= MAX_SLOTS {
                self.key
                    .extend_from_slice(&(held.slotted.len() as u32).to_le_bytes());
                let base = self.key.len();
                self.key.extend_from_slice(&held.slotted);
                for slot in &held.slots {
                    let token = &part[slot.start as usize..slot.end as usize];
                    let (same, alike) = self.earlier(token, slot.class);
                    let mark = base + slot.mark as usize;
                    self.key[mark] = same;
                    self.key[mark + 1] = alike;
                    self.slots.push(token);
                }
                return;
            }
        }
        let at = self.key.len();
        self.found.clear();
        self.slots_full = false;
        let escaped = !self.part_slotted(part, whole_string);
        let held = &mut memo.parts[index];
        held.filled = !self.slots_full;
        held.whole_string = whole_string;
        held.escaped = escaped;
        held.part.clear();
        held.part.extend_from_slice(part);
        held.slotted.clear();
        held.slots.clear();
        if !escaped {
            held.slotted.extend_from_slice(&self.key[at + 4..]);
            held.slots.extend(self.found.iter().map(|slot| MemoSlot {
                mark: slot.mark - (at + 4) as u32,
                ..*slot
            }));
        }
    }

    /// The first earlier slot of the same text, and of the same text but for case: the mapper compares
    /// some names so (a caller's own name in a request), and a template stands for records whose slots
    /// are alike in both.
    fn earlier(&self, token: &[u8], class: u8) -> (u8, u8) {
        let same = self
            .slots
            .iter()
            .position(|slot| *slot == token)
            .map_or(u8::MAX, |index| index as u8);
        let alike = if class == 0 {
            same // digits alone: alike but for case only when the same
        } else {
            self.slots
                .iter()
                .position(|slot| slot.eq_ignore_ascii_case(token))
                .map_or(u8::MAX, |index| index as u8)
        };
        (same, alike)
    }

    /// The room of the recorded parts, for the next record's (`recording`).
    fn take_steps(&mut self) -> Vec<KeyStep<'static>> {
        let mut steps = std::mem::take(&mut self.steps);
        steps.clear();
        steps.into_iter().map(|_| unreachable!()).collect()
    }

    fn byte(&mut self, byte: u8) {
        if !self.slotting {
            self.steps.push(KeyStep::Byte(byte));
        }
        self.key.push(byte);
    }

    /// A field absent or null: a mark no text can be (Python reads both as None).
    fn absent(&mut self) {
        if !self.slotting {
            self.steps.push(KeyStep::Absent);
        }
        self.key.extend_from_slice(&u32::MAX.to_le_bytes());
    }

    /// A string's text (a name, an ARN), its tokens slotted.
    fn text(&mut self, part: &'a [u8]) {
        self.part(part, true);
    }

    /// A JSON value's text, the tokens of its strings slotted (a number's digits are not: Python's
    /// substitution, `templates._substituted`, changes strings only).
    fn json(&mut self, part: &'a [u8]) {
        self.part(part, false);
    }

    fn raw(&mut self, raw: Option<Raw<'a>>) {
        match raw {
            Some(value) => self.json(value),
            None => self.absent(),
        }
    }

    fn part(&mut self, part: &'a [u8], whole_string: bool) {
        if !self.slotting {
            self.steps.push(KeyStep::Part(part, whole_string));
            return self.unslotted(part);
        }
        self.part_slotted(part, whole_string);
    }

    /// A part as it is, after its length: an exact key's, or a template's part that holds an escape.
    fn unslotted(&mut self, part: &[u8]) {
        self.key
            .extend_from_slice(&(part.len() as u32).to_le_bytes());
        self.key.extend_from_slice(part);
    }

    /// A part slotted, after its length; false at an escape (a token's text is not the string's), the
    /// part then kept as it is.
    fn part_slotted(&mut self, part: &'a [u8], whole_string: bool) -> bool {
        let at = self.key.len();
        self.key.extend_from_slice(&0u32.to_le_bytes());
        let slots = self.slots.len();
        if !self.slotted(part, whole_string) {
            self.key.truncate(at);
            self.slots.truncate(slots);
            self.templatable = false;
            self.unslotted(part);
            return false;
        }
        let length = (self.key.len() - at - 4) as u32;
        self.key[at..at + 4].copy_from_slice(&length.to_le_bytes());
        true
    }

    /// The part with its slots marked; false, and the key and slots then half-written, at an escape.
    /// Only a token with a digit can be a slot (`slot_class`), so the walk leaps from digit to digit
    /// (and, in a JSON value, quote to quote, which say whether a token lies in a string) sixteen bytes
    /// at a time, and reads a token's bytes only around a digit: a byte at a time over the whole part
    /// was ~8 % of a scan where every record is a wanted principal's.
    fn slotted(&mut self, part: &'a [u8], whole_string: bool) -> bool {
        let mut in_string = whole_string;
        let mut copied = 0;
        let mut here = 0;
        loop {
            here = next_digit_or_quote(part, here, !whole_string);
            if here == part.len() {
                break;
            }
            match part[here] {
                b'"' => {
                    in_string = !in_string;
                    here += 1;
                    continue;
                }
                b'\\' => return false,
                _ => {}
            }
            // the token around the digit: back to the byte before it that is none (the walk stopped
            // after a quote or a token, neither a token byte, so never into a token read before), then on
            let mut start = here;
            while start > 0 && TOKEN_BYTE[part[start - 1] as usize] != 0 {
                start -= 1;
            }
            let mut kinds = 0u8;
            let mut end = start;
            while end < part.len() && TOKEN_BYTE[part[end] as usize] != 0 {
                kinds |= TOKEN_BYTE[part[end] as usize];
                end += 1;
            }
            here = end;
            let token = &part[start..end];
            let Some(mut class) = slot_class(kinds, token.len()).filter(|_| in_string) else {
                continue;
            };
            // whether it starts with a letter: made-up ids keep each character's kind, so two slots of
            // different first kinds sort alike in every reading a template is checked on, and a record
            // whose hex id starts with a digit instead must not share the template (a reading that picks
            // the least id would pick another)
            if TOKEN_BYTE[token[0] as usize] & 6 != 0 {
                class |= 4;
            }
            if self.slots.len() == MAX_SLOTS {
                self.templatable = false;
                self.slots_full = true;
                continue;
            }
            let (same, alike) = self.earlier(token, class);
            self.key.extend_from_slice(&part[copied..start]);
            self.found.push(MemoSlot {
                start: start as u32,
                end: end as u32,
                class,
                mark: (self.key.len() + 3) as u32,
            });
            self.key
                .extend_from_slice(&[0xFF, class, token.len() as u8, same, alike]);
            self.slots.push(token);
            copied = end;
        }
        self.key.extend_from_slice(&part[copied..]);
        true
    }
}

/// The index of the first ASCII digit or backslash at or after `here`, or quote when `quotes` (the
/// length if none): sixteen bytes at a time where SSE2 is.
#[inline(always)]
fn next_digit_or_quote(text: &[u8], mut here: usize, quotes: bool) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        while here + 16 <= text.len() {
            let found = block_bits(text, here, |block| {
                // SAFETY: SSE2 is part of x86-64; bytes past ASCII are negative as i8, so no digit
                unsafe {
                    let digits = simd::_mm_and_si128(
                        simd::_mm_cmpgt_epi8(block, simd::_mm_set1_epi8(b'0' as i8 - 1)),
                        simd::_mm_cmplt_epi8(block, simd::_mm_set1_epi8(b'9' as i8 + 1)),
                    );
                    let marked = simd::_mm_or_si128(digits, bytes_of(block, b'\\'));
                    if quotes {
                        simd::_mm_or_si128(marked, bytes_of(block, b'"'))
                    } else {
                        marked
                    }
                }
            });
            if found != 0 {
                return here + found.trailing_zeros() as usize;
            }
            here += 16;
        }
    }
    while here < text.len()
        && !(text[here].is_ascii_digit() || text[here] == b'\\' || quotes && text[here] == b'"')
    {
        here += 1;
    }
    here
}

/// The longest part `SlotMemo` holds: the parts that repeat (events, Regions, accounts, names) are
/// short, and a long one is slotted as it is.
const MEMO_PART_LEN: usize = 256;

/// How many parts `SlotMemo` holds, each in the place its hash gives (a later part of that place takes
/// it): a trail's repeated parts number hundreds, and a record's one-off ids (an object's key) take a
/// place of a repeated one now and then, which is slotted again when next met. Each holds at most
/// `MEMO_PART_LEN` bytes of text, its slotted text and `MAX_SLOTS` slots (~1.8 KB): ~7 MB at most.
const MEMO_PARTS: usize = 4096;

/// A slot of a part slotted: where its token lies in the part, its class (`slot_class`, and 4 for one
/// starting with a letter) and where its `same` mark lies in the part's slotted text (its `alike` mark
/// after it).
#[derive(Clone, Copy)]
struct MemoSlot {
    start: u32,
    end: u32,
    class: u8,
    mark: u32,
}

#[derive(Default)]
struct MemoPart {
    filled: bool,
    whole_string: bool,
    escaped: bool,
    part: Vec<u8>,
    slotted: Vec<u8>,
    slots: Vec<MemoSlot>,
}

/// Parts of records' keys slotted before (`KeyBuilder::memo_part`), kept between records.
struct SlotMemo {
    parts: Vec<MemoPart>,
}

impl SlotMemo {
    fn new() -> Self {
        SlotMemo {
            parts: (0..MEMO_PARTS).map(|_| MemoPart::default()).collect(),
        }
    }

    fn index(&self, part: &[u8], whole_string: bool) -> usize {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = foldhash::fast::FixedState::with_seed(0x51075).build_hasher();
        hasher.write(part);
        hasher.write_u8(whole_string as u8);
        hasher.finish() as usize & (MEMO_PARTS - 1)
    }
}

fn trim(text: &[u8]) -> &[u8] {
    let start = skip_blank(text, 0);
    let mut end = text.len();
    while end > start && matches!(text[end - 1], b' ' | b'\t' | b'\n' | b'\r') {
        end -= 1;
    }
    &text[start..end]
}

/// Whether a parameter's value leaves it unset (`plans.EMPTY_VALUES`: None, "", [], {}).
fn is_empty_value(raw: Raw<'_>) -> bool {
    let text = trim(raw);
    if text == b"null" || text == b"\"\"" {
        return true;
    }
    let inner = |open: u8, close: u8| {
        text.len() >= 2
            && text[0] == open
            && text[text.len() - 1] == close
            && trim(&text[1..text.len() - 1]).is_empty()
    };
    inner(b'[', b']') || inner(b'{', b'}')
}

/// `plans.holds_arn` or `records.encoded_arn`: a string starting with "arn:", or "arn%3a" in any case (a
/// URL-encoded ARN, which `records.arns_decoded` decodes), or a list whose first item starts with "arn:".
/// None when it cannot be told from the text without unescaping (the record then goes to Python).
fn holds_arn(raw: Raw<'_>) -> Option<bool> {
    let text = trim(raw);
    let listed = text.first() == Some(&b'[');
    let first = if listed {
        &text[skip_blank(text, 1)..]
    } else {
        text
    };
    if first.first() != Some(&b'"') {
        return Some(false);
    }
    let end = skip_string(first, 0)?;
    let head = &first[1..end - 1];
    if head.contains(&b'\\') {
        return None;
    }
    let encoded = !listed && head.len() >= 6 && head[..6].eq_ignore_ascii_case(b"arn%3a");
    Some(head.starts_with(b"arn:") || encoded)
}

/// A record Python reads first in its file: its exact key, its template, its slots' texts when a
/// template could stand for it, its principal, session and time, and the reading registered for it or
/// the template that counted it (`by_template`).
struct Pending {
    exact: Vec<u8>,
    template: Vec<u8>,
    slots: Option<Vec<String>>,
    principal: u32,
    session: Option<u32>,
    time: Time,
    entry: Option<u32>,
    template_entry: Option<u32>,
}

/// What `Take::principal` made of a userIdentity's text, its members as offsets in that text (`Identity`),
/// None when it is not an object this reads.
struct IdentityRead {
    members: Option<[Option<(u32, u32)>; 4]>,
    principal: Result<Option<u32>, ()>,
}

/// A userIdentity text and its reading.
type HeldIdentity = (Box<[u8]>, IdentityRead);

/// Distinct userIdentity texts `Take::identity` holds (each a few hundred bytes) before it starts again.
const MAX_IDENTITIES: usize = 4096;

/// The longest value `Take::identity` and `CheckedValues` hold: CloudTrail's userIdentity objects are
/// well under it, and a longer one (a hostile file's) is read each time rather than held, so that what
/// is held stays within a few MB whatever the input.
const MAX_HELD_LEN: usize = 4096;

/// The hash `Take::identity` holds a userIdentity text by: its length and its first and last 64 bytes
/// (the principal id and ARN with the session's name, and the session's creation time), compared whole
/// when found. Hashing every byte cost half of what reading the identity again did.
fn identity_hash(text: &[u8]) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = foldhash::fast::FixedState::with_seed(0x5eed).build_hasher();
    hasher.write_usize(text.len());
    let edge = text.len().min(64);
    hasher.write(&text[..edge]);
    hasher.write(&text[text.len() - edge..]);
    hasher.finish()
}

enum Outcome {
    Skip,
    Python,
    Hit,
    Miss(Pending),
}

impl Tally {
    fn new(time: &Time) -> Self {
        Tally {
            count: 1,
            first: *time,
            last: *time,
        }
    }

    fn add(&mut self, time: &Time) {
        self.count += 1;
        if time < &self.first {
            self.first = *time;
        }
        if time > &self.last {
            self.last = *time;
        }
    }

    fn join(&mut self, other: &Tally) {
        self.count += other.count;
        if other.first < self.first {
            self.first = other.first;
        }
        if other.last > self.last {
            self.last = other.last;
        }
    }
}

#[pyclass]
struct Take {
    users: HashMap<String, u32>,
    roles: HashMap<String, u32>,
    sessions: HashSet<String>,
    unsessioned: HashSet<String>,
    // the roles kept apart (`ScanSpec.split_sessions`): by principal index, and by ARN for their
    // sessions' AssumeRole (`pod_identity_session`)
    apart: HashSet<u32>,
    split_roles: HashSet<String>,
    linked: HashSet<String>,
    start: String,
    end: String,
    shape_of: PyObject,
    // "source:name" -> its shape's place in `shape_list`
    shapes: HashMap<String, Option<u32>>,
    shape_list: Vec<Shape>,
    // exact key -> (entry of Python's readings, records counted by it since the last `forget`)
    memo: HashMap<Vec<u8>, (u32, u32)>,
    // template -> the entry of the template Python derived (`templates.derive`), as `memo`'s; None:
    // none stands for its records (their reading is not their slots substituted), each keyed exactly
    templates: HashMap<Vec<u8>, Option<(u32, u32)>>,
    // templates met once, none derived yet: deriving one maps its record two or three times again, and
    // most templates of a varied trail (a call of its own shape, made once) are never met again; the
    // second record of a template (other ids) is read in Python too, and derives it
    met_once: HashSet<Vec<u8>>,
    tallies: HashMap<(u32, u32), Tally>,
    // records counted by a template: (principal, entry) -> the slots' texts joined by NUL -> tally
    slot_tallies: SlotTallies,
    // a template's entry -> its uses' pieces (none for a template without uses)
    forms: HashMap<u32, Uses>,
    slot_rows: usize,
    // the rows of Pod Identity sessions' tallies (`tally`) since the last drain
    session_rows: usize,
    joined: Vec<u8>,
    // the last record's template and exact key, whose room the next one's take
    key_buffer: Vec<u8>,
    exact_buffer: Vec<u8>,
    // the room of the last record's recorded key parts (`KeyBuilder::recording`)
    steps_buffer: Vec<KeyStep<'static>>,
    // parts slotted before, for the templates of the next records
    slot_memo: SlotMemo,
    // userIdentity texts by `identity_hash` -> each text and its reading: a principal's records repeat
    // the text of their session's
    identities: HashMap<u64, Vec<HeldIdentity>>,
    identities_held: usize,
    // objects of records checked before (`CheckedValues`)
    checked_values: CheckedValues,
    outside: u64,
    // --account / --region (`scan.not_asked`): empty, any
    accounts: HashSet<String>,
    regions: HashSet<String>,
    filtered_out: u64,
    // this file's records Python reads first: each one's key, and the mapping registered for it
    pending: Vec<Pending>,
    pending_of: HashMap<Vec<u8>, usize>,
    // later records of a pending key: (pending id, principal, its session's index, eventTime)
    deferred: Vec<(usize, u32, Option<u32>, Time)>,
    // the Pod Identity sessions of roles kept apart: session ARN -> index (`SESSION_FLAG` set), and
    // those numbered since the last drain
    session_index: HashMap<String, u32>,
    new_sessions: Vec<(u32, String)>,
    // the Pod Identity sessions' starts read since the last `session_starts`, in the records' order
    session_starts: Vec<SessionStart>,
}

impl Take {
    /// What the mapper reads of `event`'s records (`plans.memo_key`), looked up once a record (a hash of
    /// its "source:name" was three to five a record, the linked calls' set and this map's two lookups for
    /// each of the two keys); None when only Python reads them: a linked call (its follow-up is paired in
    /// Python), or one no plan reads.
    fn shape(
        &mut self,
        py: Python<'_>,
        event: &str,
        source: &str,
        name: &str,
    ) -> PyResult<Option<u32>> {
        if let Some(&shape) = self.shapes.get(event) {
            return Ok(shape);
        }
        let shape = if self.linked.contains(event) {
            None
        } else {
            let found: Option<(Vec<String>, bool, bool, bool)> =
                self.shape_of.call1(py, (source, name))?.extract(py)?;
            found.map(|(keys, reads_names, reads_caller, reads_response)| {
                self.shape_list.push(Shape {
                    param_keys: keys.into_iter().map(String::into_bytes).collect(),
                    reads_names,
                    reads_caller,
                    reads_response,
                });
                self.shape_list.len() as u32 - 1
            })
        };
        self.shapes.insert(event.to_owned(), shape);
        Ok(shape)
    }

    /// The userIdentity `text` read (None when it is no object this reads) and its principal
    /// (`principal`), held by its text: a session's records repeat it, and reading it (the session
    /// issuer's ARN is two objects down) was a fifth of what a record cost when every record is a
    /// wanted principal's.
    fn identity<'a>(&mut self, text: Raw<'a>) -> Option<(Identity<'a>, Result<Option<u32>, ()>)> {
        let at = |raw: Option<Raw<'a>>| {
            raw.map(|raw| {
                let start = raw.as_ptr() as usize - text.as_ptr() as usize;
                (start as u32, raw.len() as u32)
            })
        };
        let of = |member: Option<(u32, u32)>| {
            member.map(|(start, length)| &text[start as usize..(start + length) as usize])
        };
        let hash = identity_hash(text);
        let held = self.identities.get(&hash).and_then(|held| {
            held.iter()
                .find(|(known, _)| **known == *text)
                .map(|(_, read)| read)
        });
        if let Some(read) = held {
            let [kind, arn, account_id, session_context] = read.members?;
            let identity = Identity {
                kind: of(kind),
                arn: of(arn),
                account_id: of(account_id),
                session_context: of(session_context),
            };
            return Some((identity, read.principal));
        }
        let identity = Identity::read(text);
        let read = match &identity {
            Some(identity) => IdentityRead {
                members: Some([
                    at(identity.kind),
                    at(identity.arn),
                    at(identity.account_id),
                    at(identity.session_context),
                ]),
                principal: self.principal(identity),
            },
            None => IdentityRead {
                members: None,
                principal: Err(()),
            },
        };
        let principal = read.principal;
        if text.len() > MAX_HELD_LEN {
            return Some((identity?, principal));
        }
        if self.identities_held >= MAX_IDENTITIES {
            self.identities.clear();
            self.identities_held = 0;
        }
        self.identities
            .entry(hash)
            .or_default()
            .push((text.into(), read));
        self.identities_held += 1;
        Some((identity?, principal))
    }

    fn principal(&self, identity: &Identity<'_>) -> Result<Option<u32>, ()> {
        let arn = identity.arn.and_then(plain).ok_or(())?;
        if let Some(&index) = self.users.get(arn) {
            return Ok(Some(index));
        }
        let prefix = &arn[..arn.rfind('/').map(|at| at + 1).unwrap_or(0)];
        if self.unsessioned.contains(prefix) {
            return Err(());
        }
        if !self.sessions.contains(prefix) {
            return Ok(None);
        }
        let [issuer] = fields(
            identity.session_context.ok_or(())?,
            [b"sessionIssuer".as_slice()],
        )
        .ok_or(())?;
        let [issuer] = fields(issuer.ok_or(())?, [b"arn".as_slice()]).ok_or(())?;
        let issuer = issuer.and_then(plain).ok_or(())?;
        self.roles.get(issuer).copied().map(Some).ok_or(())
    }

    fn read(&mut self, py: Python<'_>, record: Option<Record<'_>>) -> PyResult<Outcome> {
        let Some(record) = record else {
            return Ok(Outcome::Python);
        };
        let Some(text) = record.user_identity else {
            return Ok(Outcome::Python);
        };
        let Some((identity, found)) = self.identity(text) else {
            return Ok(Outcome::Python);
        };
        let principal = match found {
            Ok(Some(index)) => index,
            Ok(None) => return Ok(Outcome::Skip),
            // no ARN (an AWS service's call, as EKS Pod Identity's AssumeRole for a pod): Python reads
            // no principal's call in it, only a session's start (`scan._scan_dict`)
            Err(()) if identity.arn.is_none_or(|raw| raw.first() != Some(&b'"')) => {
                return Ok(match self.pod_identity_session(&record) {
                    Ok(Some(start)) => {
                        self.session_starts.push(start);
                        Outcome::Skip
                    }
                    Ok(None) => Outcome::Skip,
                    Err(()) => Outcome::Python,
                });
            }
            Err(()) => return Ok(Outcome::Python),
        };
        // an EKS Pod Identity session of a role whose sessions are kept apart: its actions also go to the
        // session's usage; the role's other sessions (a person's, CI's) are read as any principal's
        let mut read_arn = None; // the caller's ARN, when read here: the keys read it too
        let session = if self.apart.contains(&principal) {
            let Some(arn) = identity.arn.and_then(plain) else {
                return Ok(Outcome::Python);
            };
            read_arn = Some(arn);
            is_pod_identity_session(arn).then(|| self.session(principal, arn))
        } else {
            None
        };
        let Some(time) = record.event_time.and_then(plain) else {
            return Ok(Outcome::Python);
        };
        // `Window.contains_time` compares the text of a time of 20 characters (not bytes) ending in Z
        let Ok(time) = <&Time>::try_from(time.as_bytes()) else {
            return Ok(Outcome::Python);
        };
        if !time.is_ascii() || time[19] != b'Z' {
            return Ok(Outcome::Python);
        }
        if !(self.start.as_bytes() <= &time[..] && &time[..] < self.end.as_bytes()) {
            if record.response_elements.is_some() {
                return Ok(Outcome::Python); // it may return an id a call in the window names
            }
            self.outside += 1;
            return Ok(Outcome::Skip);
        }
        match self.not_asked(&record) {
            Some(true) => {
                self.filtered_out += 1;
                return Ok(Outcome::Skip);
            }
            Some(false) => {}
            None => return Ok(Outcome::Python),
        }
        let (Some(source), Some(name)) = (
            record.event_source.and_then(plain),
            record.event_name.and_then(plain),
        ) else {
            return Ok(Outcome::Python);
        };
        // "source:name" on the stack: a String per record was a tenth of this reader's time
        let mut joined = [0u8; 256];
        let length = source.len() + 1 + name.len();
        if length > joined.len() {
            return Ok(Outcome::Python);
        }
        joined[..source.len()].copy_from_slice(source.as_bytes());
        joined[source.len()] = b':';
        joined[source.len() + 1..length].copy_from_slice(name.as_bytes());
        // SAFETY: two texts joined by an ASCII colon are UTF-8
        let event = unsafe { std::str::from_utf8_unchecked(&joined[..length]) };
        let Some(shape) = self.shape(py, event, source, name)? else {
            return Ok(Outcome::Python);
        };
        let shape = &self.shape_list[shape as usize];
        let buffer = std::mem::take(&mut self.exact_buffer);
        // the caller's ARN, read once for both keys (here, not before: a record outside the window or of
        // an account or Region not asked for needs none), unless a kept-apart role's session read it above
        let caller = read_arn
            .or_else(|| identity.arn.and_then(plain))
            .unwrap_or("");
        let steps = std::mem::take(&mut self.steps_buffer);
        let recording = KeyBuilder::recording(buffer, steps);
        let Some(mut exact) = Self::key(&record, &identity, caller, shape, source, name, recording)
        else {
            return Ok(Outcome::Python);
        };
        if let Some((entry, hits)) = self.memo.get_mut(exact.key.as_slice()) {
            *hits += 1;
            let entry = *entry;
            self.tally(principal, entry, time);
            if let Some(session) = session {
                self.tally(session, entry, time);
            }
            self.steps_buffer = exact.take_steps();
            self.exact_buffer = exact.key;
            return Ok(Outcome::Hit);
        }
        let key = KeyBuilder::replayed(
            std::mem::take(&mut self.key_buffer),
            &exact.steps,
            &mut self.slot_memo,
        );
        self.steps_buffer = exact.take_steps();
        let exact = exact.key;
        let templatable = key.templatable && !key.slots.is_empty();
        if templatable {
            if let Some(Some((entry, hits))) = self.templates.get_mut(key.key.as_slice()) {
                *hits += 1;
                let entry = *entry;
                self.tally_slots(principal, entry, &key.slots, time);
                if let Some(session) = session {
                    // its calls by action alone: the template's ids make no row of their own
                    self.tally(session, entry, time);
                }
                self.exact_buffer = exact;
                self.key_buffer = key.key;
                return Ok(Outcome::Hit);
            }
        }
        let slots = templatable.then(|| {
            key.slots
                .iter()
                .map(|slot| String::from_utf8_lossy(slot).into_owned())
                .collect()
        });
        let pending = Pending {
            // kept: a first record of its key (the buffers go on to the next)
            exact: exact.clone(),
            template: key.key.clone(),
            slots,
            principal,
            session,
            time: *time,
            entry: None,
            template_entry: None,
        };
        self.exact_buffer = exact;
        self.key_buffer = key.key;
        Ok(Outcome::Miss(pending))
    }

    /// The start of an EKS Pod Identity session of a role kept apart that a record whose identity has no
    /// ARN is, as `scan.Scanner._session_start` reads it (`podidentity.pod_identity_session`: a successful
    /// AssumeRole of STS whose tags name the namespace and the ServiceAccount); Err when a text it reads
    /// holds an escape, or an errorCode is no plain string (Python then decides). Read here, the 16,800
    /// sessions' AssumeRoles of `benchmarks/rightsizing.py --pod-identity` (a pod's credentials are new
    /// every hour) were each a record parsed and read in Python.
    fn pod_identity_session(&self, record: &Record<'_>) -> Result<Option<SessionStart>, ()> {
        if self.split_roles.is_empty()
            || string_of(record.event_name)? != Some("AssumeRole")
            || string_of(record.event_source)? != Some("sts.amazonaws.com")
        {
            return Ok(None);
        }
        match record.error_code {
            None => {}
            Some(code) if code.len() > 2 && code.first() == Some(&b'"') => return Ok(None), // failed
            Some(_) => return Err(()), // "" or no string: its truth as Python tells it
        }
        // a request or response that is no object has no role or session to read (Python reads a falsy
        // one as {}, any other as none)
        let (Some(request), Some(response)) = (
            object_of(record.request_parameters),
            object_of(record.response_elements),
        ) else {
            return Ok(None);
        };
        let [role, tags] = fields(request, [b"roleArn".as_slice(), b"tags"]).ok_or(())?;
        let [assumed] = fields(response, [b"assumedRoleUser".as_slice()]).ok_or(())?;
        let session = match object_of(assumed) {
            Some(assumed) => string_of(fields(assumed, [b"arn".as_slice()]).ok_or(())?[0])?,
            None => None,
        };
        // the tags: a list of {"key", "value"}, any other item passed over, a later key's value kept
        let (mut namespace, mut account, mut pod) = (None, None, None);
        if let Some(listed) = tags.filter(|value| value.first() == Some(&b'[')) {
            each_element(listed, |tag| {
                let Some(tag) = object_of(Some(tag)) else {
                    return Some(());
                };
                let [key, value] = fields(tag, [b"key".as_slice(), b"value"])?;
                if let (Some(key), Some(value)) = (string_of(key).ok()?, string_of(value).ok()?) {
                    match key {
                        NAMESPACE_TAG => namespace = Some(value),
                        SERVICE_ACCOUNT_TAG => account = Some(value),
                        POD_TAG => pod = Some(value),
                        _ => {}
                    }
                }
                Some(())
            })
            .ok_or(())?;
        }
        let (Some(role), Some(session), Some(namespace), Some(account)) =
            (string_of(role)?, session, namespace, account)
        else {
            return Ok(None);
        };
        if !self.split_roles.contains(role) {
            return Ok(None);
        }
        Ok(Some((
            role.to_string(),
            session.to_string(),
            format!("{namespace}/{account}"),
            pod.unwrap_or("").to_string(),
        )))
    }

    /// What Python is told of one candidate (`scan`): None when it was counted here or is nobody's
    /// asked for; -1 when only Python reads it; else its key id, `-2 - id` for a later record of a key
    /// met earlier in this file.
    fn take_candidate(
        &mut self,
        py: Python<'_>,
        record: Option<Record<'_>>,
    ) -> PyResult<Option<i64>> {
        Ok(match self.read(py, record)? {
            Outcome::Skip | Outcome::Hit => None,
            Outcome::Python => Some(-1),
            Outcome::Miss(pending) => match self.pending_of.get(&pending.exact) {
                Some(&id) => {
                    let later = (id, pending.principal, pending.session, pending.time);
                    self.deferred.push(later);
                    Some(-2 - id as i64)
                }
                None => {
                    let id = self.pending.len();
                    self.pending_of.insert(pending.exact.clone(), id);
                    self.pending.push(pending);
                    Some(id as i64)
                }
            },
        })
    }

    /// `scan.not_asked`: a record of a Region or account left out (a field that is not a string is no
    /// reason to leave it out); None when a string holds an escape.
    fn not_asked(&self, record: &Record<'_>) -> Option<bool> {
        let outside = |wanted: &HashSet<String>, raw: Option<Raw<'_>>| -> Option<bool> {
            match raw {
                Some(value) if !wanted.is_empty() && value.first() == Some(&b'"') => {
                    Some(!wanted.contains(plain(value)?))
                }
                _ => Some(false),
            }
        };
        Some(
            outside(&self.regions, record.aws_region)?
                || outside(&self.accounts, record.recipient_account_id)?,
        )
    }

    /// Everything the mapper reads from the record for this event (`plans.memo_key`), as JSON texts,
    /// given to `key` (`KeyBuilder`: the exact key, its parts recorded for the template). None (the
    /// builder dropped) when only Python reads the record.
    fn key<'a>(
        record: &Record<'a>,
        identity: &Identity<'a>,
        arn: &'a str,
        shape: &Shape,
        source: &'a str,
        name: &'a str,
        mut key: KeyBuilder<'a>,
    ) -> Option<KeyBuilder<'a>> {
        key.text(source.as_bytes());
        key.text(name.as_bytes());
        key.raw(record.event_type);
        key.raw(record.error_code);
        // the message is read beside a code (`is_denied`, the refused resource); without one only whether
        // it is text counts (`scan.shape_problem` makes any other a bad record): the text of one that is not
        key.raw(match record.error_code {
            Some(_) => record.error_message,
            None => record
                .error_message
                .filter(|raw| raw.first() != Some(&b'"')),
        });
        key.raw(record.aws_region);
        key.raw(record.recipient_account_id);
        key.raw(record.resources);
        key.raw(identity.kind);
        key.raw(identity.account_id);
        let no_account = identity.account_id.is_none_or(|raw| raw == b"\"\"");
        if no_account || shape.reads_caller || !arn.starts_with("arn:") {
            key.text(arn.as_bytes()); // the account is read from the ARN then
        } else {
            // the partition, which fills every ARN (what `split(':').nth(1)` gives, found by memchr: the
            // splitter's char search was ~150 instructions a key)
            let rest = &arn.as_bytes()[4..];
            key.text(&rest[..memchr::memchr(b':', rest).unwrap_or(rest.len())]);
        }
        if shape.reads_caller {
            key.raw(identity.session_context);
        }
        key.raw(if shape.reads_response {
            record.response_elements
        } else {
            None
        });
        match record.request_parameters {
            None => key.byte(0),
            // a failed call's reading may depend on whether the request had any parameter at all
            // (throttling, IAM's refused entity): all of them, then
            Some(raw) if record.error_code.is_some() => {
                key.byte(2);
                key.json(raw);
            }
            Some(raw) if raw.first() == Some(&b'{') => {
                key.byte(1);
                let read = each_member(raw, |param, value| {
                    let arn = if shape.param_keys.contains(param) {
                        true
                    } else {
                        holds_arn(value)?
                    };
                    if arn {
                        key.byte(b'r');
                        key.text(param);
                        key.json(value);
                    } else if shape.reads_names && !is_empty_value(value) {
                        key.byte(b'n');
                        key.text(param);
                    }
                    Some(())
                });
                read?;
            }
            Some(_) => return None,
        }
        Some(key)
    }

    /// The number (`SESSION_FLAG` set) of the Pod Identity session `arn` of the role `principal`.
    fn session(&mut self, principal: u32, arn: &str) -> u32 {
        if let Some(&index) = self.session_index.get(arn) {
            return index;
        }
        let index = SESSION_FLAG | self.session_index.len() as u32;
        self.session_index.insert(arn.to_string(), index);
        self.new_sessions.push((principal, arn.to_string()));
        index
    }

    fn tally(&mut self, principal: u32, entry: u32, time: &Time) {
        match self.tallies.get_mut(&(principal, entry)) {
            Some(tally) => tally.add(time),
            None => {
                self.tallies.insert((principal, entry), Tally::new(time));
                // a principal's exact readings are bounded by the readings kept, a session's are more
                // the more sessions: held like the rows of templates (`MAX_SLOT_ROWS`, `slot_rows`)
                if principal & SESSION_FLAG != 0 {
                    self.session_rows += 1;
                }
            }
        }
    }

    /// A record counted by template `entry` with its slots' texts `slots` (`by_template`, `settle`), as
    /// `read` counts a later file's.
    fn tally_template(
        &mut self,
        principal: u32,
        session: Option<u32>,
        entry: u32,
        slots: &[String],
        time: &Time,
    ) {
        let slots: Vec<&[u8]> = slots.iter().map(|slot| slot.as_bytes()).collect();
        self.tally_slots(principal, entry, &slots, time);
        if let Some(session) = session {
            self.tally(session, entry, time);
        }
    }

    fn tally_slots(&mut self, principal: u32, entry: u32, slots: &[&[u8]], time: &Time) {
        self.joined.clear();
        for (index, slot) in slots.iter().enumerate() {
            if index > 0 {
                self.joined.push(0);
            }
            self.joined.extend_from_slice(slot);
        }
        let tallies = self.slot_tallies.entry((principal, entry)).or_default();
        match tallies.get_mut(self.joined.as_slice()) {
            Some(tally) => tally.add(time),
            None => {
                tallies.insert(self.joined.clone().into_boxed_slice(), Tally::new(time));
                self.slot_rows += 1;
            }
        }
    }
}

#[pymethods]
impl Take {
    /// `users` and `roles`: requested ARN -> principal index; `sessions`: the session ARN prefixes of the
    /// requested roles, `unsessioned` those of cut session ARNs (left to Python); `split_roles`: the
    /// roles whose sessions are kept apart (their EKS Pod Identity sessions' records tallied for the
    /// session too, `Take::session`, and their AssumeRole read, `pod_identity_session`); `linked`:
    /// "source:name" of linked calls; `start`/`end`: the window as CloudTrail's 20-character times;
    /// `accounts`/`regions`: those asked for (empty: any); `shape_of(source, name)`: what the mapper reads
    /// for that event, or None when only Python may read it.
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        users: HashMap<String, u32>,
        roles: HashMap<String, u32>,
        sessions: HashSet<String>,
        unsessioned: HashSet<String>,
        split_roles: HashSet<String>,
        linked: HashSet<String>,
        start: String,
        end: String,
        accounts: HashSet<String>,
        regions: HashSet<String>,
        shape_of: PyObject,
    ) -> Self {
        let apart = split_roles
            .iter()
            .filter_map(|arn| users.get(arn).or_else(|| roles.get(arn)).copied())
            .collect();
        Take {
            users,
            roles,
            sessions,
            unsessioned,
            apart,
            split_roles,
            linked,
            start,
            end,
            shape_of,
            shapes: HashMap::new(),
            shape_list: Vec::new(),
            memo: HashMap::new(),
            templates: HashMap::new(),
            met_once: HashSet::default(),
            tallies: HashMap::new(),
            slot_tallies: HashMap::new(),
            forms: HashMap::new(),
            slot_rows: 0,
            session_rows: 0,
            joined: Vec::new(),
            key_buffer: Vec::with_capacity(1024),
            exact_buffer: Vec::with_capacity(1024),
            steps_buffer: Vec::with_capacity(64),
            slot_memo: SlotMemo::new(),
            identities: HashMap::new(),
            identities_held: 0,
            checked_values: CheckedValues::default(),
            outside: 0,
            accounts,
            regions,
            filtered_out: 0,
            pending: Vec::new(),
            pending_of: HashMap::new(),
            deferred: Vec::new(),
            session_index: HashMap::new(),
            new_sessions: Vec::new(),
            session_starts: Vec::new(),
        }
    }

    /// The candidate records (bytes, each one JSON object) Python may have to read, in order, as (index,
    /// key id): -1 for a record only Python reads; an id >= 0 for the first record of a key, the id
    /// `register` takes once Python has mapped it; `-2 - id` for a later record of that key in this file,
    /// which Python reads in its place only when that key was not registered by then (its first record
    /// came earlier), so that whatever reading it leaves (a bad record's warning) keeps the file's order.
    /// The others are counted by `settle`.
    fn scan(&mut self, py: Python<'_>, chunks: &Bound<'_, PyList>) -> PyResult<Vec<(usize, i64)>> {
        let mut back = Vec::new();
        for (index, item) in chunks.iter().enumerate() {
            let bytes = item.downcast::<PyBytes>()?;
            if let Some(key_id) = self.take_candidate(py, Record::read(bytes.as_bytes()))? {
                back.push((index, key_id));
            }
        }
        Ok(back)
    }

    /// `scan` of a whole file's candidates where they lie in its text, none copied into a bytes object:
    /// those around the principal search's offsets (`record_chunks`' bounds), each checked to be one
    /// JSON object in the walk that reads it (`Record::read_checked`) where Python asked simdjson. Gives
    /// the file's records (`count_of`, which the scan then need not call) and the number of candidates
    /// with (start, end, key id) of those Python may have to read; None for the latter when
    /// `record_chunks` would give None or a candidate is not surely an object simdjson reads, nothing
    /// read: the caller then takes `record_chunks` and simdjson's check, which decides. The copies and the
    /// check were ~1.7 us of the ~10 a record costs when every record is a candidate (500 principals
    /// making all the events).
    fn scan_file(
        &mut self,
        py: Python<'_>,
        data: &[u8],
        positions: Vec<usize>,
        needle: &[u8],
    ) -> PyResult<(usize, Option<Taken>)> {
        let starts = record_starts(data, needle);
        let counted =
            if starts.len() > 1 && starts.windows(2).any(|two| two[1] - two[0] < needle.len()) {
                count_of(data, needle) // overlapping occurrences: `bytes.count` counts them once
            } else {
                starts.len()
            };
        let Some(bounds) = candidate_bounds(data, &starts, positions, needle) else {
            return Ok((counted, None));
        };
        let mut records = Vec::with_capacity(bounds.len());
        for &(start, end) in &bounds {
            match Record::read_checked(&data[start..end], &mut self.checked_values) {
                Ok(record) => records.push(record),
                Err(()) => return Ok((counted, None)),
            }
        }
        let mut back = Vec::new();
        for (record, &(start, end)) in records.into_iter().zip(&bounds) {
            if let Some(key_id) = self.take_candidate(py, record)? {
                back.push((start, end, key_id));
            }
        }
        Ok((counted, Some((bounds.len(), back))))
    }

    /// The mapping Python made of the record `scan` gave this key id: entry `entry` of Python's list,
    /// `uses` its (action, resource) pairs when it grants any, `denied` when its calls were denied. Uses
    /// are added to the drained packs here (`drain`), unless a text holds a separator of their form:
    /// those Python adds from the row's times. `plain`: a mapped reading without notes (`native._plain`).
    #[pyo3(signature = (key_id, entry, uses=None, denied=false, plain=false))]
    fn register(
        &mut self,
        key_id: usize,
        entry: u32,
        uses: Option<Vec<(String, String)>>,
        denied: bool,
        plain: bool,
    ) {
        let separated = |text: &String| text.contains([COLUMN_SEPARATOR, ITEM_SEPARATOR]);
        if let Some(uses) = uses.filter(|uses| {
            !uses.is_empty()
                && !uses
                    .iter()
                    .any(|(action, resource)| separated(action) || separated(resource))
        }) {
            let (actions, resources) = uses
                .into_iter()
                .map(|(action, resource)| (action, vec![Piece::Text(resource)]))
                .unzip();
            self.forms.insert(
                entry,
                Uses {
                    actions,
                    resources,
                    denied,
                    plain,
                },
            );
        }
        if let Some(pending) = self.pending.get_mut(key_id) {
            pending.entry = Some(entry);
            self.memo.entry(pending.exact.clone()).or_insert((entry, 0));
        }
    }

    /// The slots' texts of the record `scan` gave this key id, when a template may stand for its records,
    /// none was tried for them yet and a record of it with other ids was read before (`met_once`): Python
    /// then derives one (or finds none) and says so (`template`).
    fn slots(&mut self, key_id: usize) -> Option<Vec<String>> {
        let pending = self.pending.get(key_id)?;
        pending.slots.as_ref()?;
        if self.templates.contains_key(&pending.template) {
            return None;
        }
        if self.met_once.insert(pending.template.clone()) {
            return None;
        }
        pending.slots.clone()
    }

    /// Counts the record `scan` gave this key id by the template of its records when one was derived
    /// since (from an earlier record of this file), as a later file's would be: true when it did (Python
    /// then does not read it, and its repeats in the file are counted so by `settle`). Where a template
    /// is met first, most of its records are in that file.
    fn by_template(&mut self, key_id: usize) -> bool {
        let Some(pending) = self.pending.get(key_id) else {
            return false;
        };
        if pending.slots.is_none() || pending.entry.is_some() {
            return false;
        }
        let Some(Some((entry, hits))) = self.templates.get_mut(&pending.template) else {
            return false;
        };
        *hits += 1;
        let entry = *entry;
        let (principal, session, time) = (pending.principal, pending.session, pending.time);
        let slots = pending.slots.clone().unwrap_or_default(); // a first record of its file's, rare
        self.tally_template(principal, session, entry, &slots, &time);
        self.pending[key_id].template_entry = Some(entry);
        true
    }

    /// The template Python derived for the records of this key id's template (entry `entry` of its
    /// list, `form` its uses' `str.format` string when it grants any, `denied` when its calls were
    /// denied, `plain` when its reading is mapped without notes), or None: no template stands for them,
    /// each is keyed exactly. A form this cannot read is refused (ValueError), never half-used.
    #[pyo3(signature = (key_id, entry, form=None, denied=false, plain=false))]
    fn template(
        &mut self,
        key_id: usize,
        entry: Option<u32>,
        form: Option<&str>,
        denied: bool,
        plain: bool,
    ) -> PyResult<()> {
        if let (Some(entry), Some(form)) = (entry, form) {
            let mut read = pieces(form).and_then(uses_of).ok_or_else(|| {
                pyo3::exceptions::PyValueError::new_err(format!("not a use form: {form:?}"))
            })?;
            read.denied = denied;
            read.plain = plain;
            self.forms.insert(entry, read);
        }
        if let Some(pending) = self.pending.get(key_id) {
            self.met_once.remove(&pending.template);
            self.templates
                .insert(pending.template.clone(), entry.map(|entry| (entry, 0)));
        }
        Ok(())
    }

    /// Counts the later records of each key registered in the last `scan`'s file (Python has read those
    /// of a key it never registered, each in its place).
    fn settle(&mut self) {
        for (id, principal, session, time) in std::mem::take(&mut self.deferred) {
            if let Some(entry) = self.pending[id].entry {
                self.tally(principal, entry, &time);
                if let Some(session) = session {
                    self.tally(session, entry, &time);
                }
            } else if let Some(entry) = self.pending[id].template_entry {
                let slots = self.pending[id].slots.clone().unwrap_or_default();
                self.tally_template(principal, session, entry, &slots, &time);
            }
        }
        self.pending.clear();
        self.pending_of.clear();
    }

    /// What `scan` counted since the last call: the rows of exact readings, the records each template
    /// counted per principal, their uses per principal (rendered here: filling them in was most of what
    /// Python did per call on a new resource), the records outside the window, and those of an account or
    /// Region not asked for.
    fn drain<'py>(&mut self, py: Python<'py>) -> PyResult<Drained<'py>> {
        let mut calls: Calls<'_> = HashMap::new();
        let mut rows: Vec<Row> = Vec::new();
        let mut plain: HashMap<u32, u64> = HashMap::new();
        for ((principal, entry), tally) in self.tallies.drain() {
            let Some(uses) = self.forms.get(&entry) else {
                let times = (time_text(&tally.first), time_text(&tally.last));
                rows.push((principal, entry, tally.count, Some(times)));
                continue;
            };
            // a session's row says no more than its packed uses do (they make its usage): left out; its
            // tallies are of exact readings and of templates alike, its uses by action alone
            let session = principal & SESSION_FLAG != 0;
            if !session {
                if uses.plain {
                    *plain.entry(principal).or_default() += tally.count;
                } else {
                    rows.push((principal, entry, tally.count, None));
                }
            }
            let by_action = calls.entry((principal, uses.denied)).or_default();
            for (action, form) in uses.actions.iter().zip(&uses.resources) {
                let by_resource = by_action.entry(action.as_str()).or_default();
                let resource = match form.as_slice() {
                    _ if session => SESSION_RESOURCE,
                    [Piece::Text(resource)] => resource.as_str(),
                    _ => continue, // an exact reading's uses are texts (`register`)
                };
                add_calls(by_resource, resource, &tally);
            }
        }
        let mut groups: Vec<Group> = Vec::new();
        let mut text = String::new();
        for ((principal, entry), tallies) in self.slot_tallies.drain() {
            let count = tallies.values().map(|tally| tally.count).sum();
            let uses = self.forms.get(&entry);
            if uses.is_some_and(|uses| uses.plain) {
                *plain.entry(principal).or_default() += count;
            } else {
                groups.push((principal, entry, count));
            }
            let Some(uses) = uses else {
                continue;
            };
            let by_action = calls.entry((principal, uses.denied)).or_default();
            for (action, form) in uses.actions.iter().zip(&uses.resources) {
                let by_resource = by_action.entry(action.as_str()).or_default();
                for (joined, tally) in &tallies {
                    if !render(form, joined, &mut text) {
                        return Err(pyo3::exceptions::PyValueError::new_err(
                            "a use form names a slot not there",
                        ));
                    }
                    add_calls(by_resource, &text, tally);
                }
            }
        }
        let mut packs: Vec<Pack<'py>> = Vec::with_capacity(calls.len());
        for ((principal, denied), by_action) in calls {
            let packed = pack(by_action)?;
            packs.push((principal, denied, PyString::new(py, &packed)));
        }
        self.slot_rows = 0;
        self.session_rows = 0;
        let mut plain: Vec<(u32, u64)> = plain.into_iter().collect();
        plain.sort_unstable();
        Ok((
            rows,
            groups,
            plain,
            packs,
            std::mem::take(&mut self.outside),
            std::mem::take(&mut self.filtered_out),
            std::mem::take(&mut self.new_sessions),
        ))
    }

    /// Forgets the registered mappings no record was counted by since the last call (most are one-off
    /// calls: a new S3 key each), keeping at most `keep` of the others, the most counted first; the
    /// kept entries are numbered anew in the order returned (their old numbers), which Python's list of
    /// readings follows. Tallies must be drained first: they hold the old numbers.
    fn forget(&mut self, keep: usize) -> Vec<u32> {
        let mut counted: Vec<(u32, u32)> = self
            .memo
            .values()
            .chain(self.templates.values().flatten())
            .filter(|(_, hits)| *hits > 0)
            .copied()
            .collect();
        counted.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        counted.truncate(keep);
        let renumbered: HashMap<u32, u32> = counted
            .iter()
            .enumerate()
            .map(|(new, (old, _))| (*old, new as u32))
            .collect();
        self.memo
            .retain(|_, (entry, hits)| match renumbered.get(entry) {
                Some(&new) => {
                    *entry = new;
                    *hits = 0;
                    true
                }
                None => false,
            });
        let forms = std::mem::take(&mut self.forms);
        self.forms = forms
            .into_iter()
            .filter_map(|(old, form)| renumbered.get(&old).map(|&new| (new, form)))
            .collect();
        self.templates.retain(|_, template| match template {
            Some((entry, hits)) => match renumbered.get(entry) {
                Some(&new) => {
                    *entry = new;
                    *hits = 0;
                    true
                }
                None => false,
            },
            None => false, // tried again once it is met again
        });
        self.met_once.clear();
        counted.into_iter().map(|(old, _)| old).collect()
    }

    fn __len__(&self) -> usize {
        self.memo.len()
    }

    /// The bytes of the records' texts held between records (`identity`, `CheckedValues`): for the
    /// test that what is held stays bounded.
    fn held_bytes(&self) -> usize {
        let identities = self.identities.values().flatten();
        let values = self.checked_values.by_head.values().flatten();
        identities.map(|(text, _)| text.len()).sum::<usize>()
            + values.map(|(value, _)| value.len()).sum::<usize>()
    }

    /// The EKS Pod Identity sessions' starts read since the last call, in the records' order
    /// (`pod_identity_session`).
    fn session_starts(&mut self) -> Vec<SessionStart> {
        std::mem::take(&mut self.session_starts)
    }

    /// The rows a drain would give of records counted by a template (Python drains past a bound, so
    /// that a scan of many one-off ids holds no more of them here than it counted in a few files), and
    /// of Pod Identity sessions' tallies, two for one: a template's row holds its slots' texts besides
    /// its tally (~110 bytes), a session's tally its key alone (~57). Counted one for one, a new session
    /// per role and hour (16,800 in 1M events) made the scan drain every principal's rows 8 times where it
    /// drained 3, and each drain gives the rows of every resource called since the last.
    fn slot_rows(&self) -> usize {
        self.slot_rows + self.session_rows / 2
    }
}

/// `principals.PrincipalMatcher.positions` for many principals, byte for byte the same offsets (in the
/// same order but where one pass finds both marks of an account: the records around them are what is
/// used, and `record_bounds` sorts them): each session mark (`sts::ACCOUNT:assumed-role/`) followed by
/// a wanted role's name (up to the next "/" within `max_name` bytes, or a cut session ARN's name up to its
/// quote, trailing backslashes dropped), and each user mark (`iam::ACCOUNT:user/`) inside a quoted wanted
/// user ARN (the quote before it within `max_arn` bytes). In Python this walk cost ~1.3 us per session ARN of every record in the
/// file, wanted or not: most of what asking for many principals cost.
#[pyclass(frozen)]
struct ManyProbes {
    session_marks: Vec<Vec<u8>>,
    names: HashSet<Vec<u8>>,
    user_marks: Vec<Vec<u8>>,
    user_arns: HashSet<Vec<u8>>,
    /// `::ACCOUNT:` of each account whose session mark and user mark are both searched: one pass over
    /// the file finds both (each mark is the same bytes around it), not one per mark.
    accounts: Vec<Vec<u8>>,
    max_name: usize,
    max_arn: usize,
}

const SESSION_HEAD: &[u8] = b"sts";
const SESSION_TAIL: &[u8] = b"assumed-role/";
const USER_HEAD: &[u8] = b"iam";
const USER_TAIL: &[u8] = b"user/";

#[pymethods]
impl ManyProbes {
    #[new]
    fn new(
        mut session_marks: Vec<Vec<u8>>,
        names: Vec<Vec<u8>>,
        mut user_marks: Vec<Vec<u8>>,
        user_arns: Vec<Vec<u8>>,
        max_name: usize,
        max_arn: usize,
    ) -> Self {
        let mut accounts = Vec::new();
        if !names.is_empty() && !user_arns.is_empty() {
            session_marks.retain(|mark| {
                let core = mark
                    .strip_prefix(SESSION_HEAD)
                    .and_then(|rest| rest.strip_suffix(SESSION_TAIL));
                let Some(core) = core.filter(|core| core.len() > 3) else {
                    return true;
                };
                let user_mark = [USER_HEAD, core, USER_TAIL].concat();
                let Some(at) = user_marks.iter().position(|mark| *mark == user_mark) else {
                    return true;
                };
                user_marks.remove(at);
                accounts.push(core.to_vec());
                false
            });
        }
        ManyProbes {
            session_marks,
            names: names.into_iter().collect(),
            user_marks,
            user_arns: user_arns.into_iter().collect(),
            accounts,
            max_name,
            max_arn,
        }
    }

    fn positions(&self, data: &[u8]) -> Vec<usize> {
        let mut found = Vec::new();
        for core in &self.accounts {
            for at in memchr::memmem::find_iter(data, core) {
                let (Some(head), rest) = (at.checked_sub(3), &data[at + core.len()..]) else {
                    continue;
                };
                if &data[head..at] == SESSION_HEAD && rest.starts_with(SESSION_TAIL) {
                    self.session_at(data, head, 3 + core.len() + SESSION_TAIL.len(), &mut found);
                } else if &data[head..at] == USER_HEAD && rest.starts_with(USER_TAIL) {
                    self.user_at(data, head, &mut found);
                }
            }
        }
        if !self.names.is_empty() {
            for mark in &self.session_marks {
                for at in memchr::memmem::find_iter(data, mark) {
                    self.session_at(data, at, mark.len(), &mut found);
                }
            }
        }
        if !self.user_arns.is_empty() {
            for mark in &self.user_marks {
                for at in memchr::memmem::find_iter(data, mark) {
                    self.user_at(data, at, &mut found);
                }
            }
        }
        found
    }
}

impl ManyProbes {
    /// A session mark at `at`: its offset is found when a wanted role's name follows it.
    fn session_at(&self, data: &[u8], at: usize, mark_len: usize, found: &mut Vec<usize>) {
        let start = at + mark_len;
        let window = &data[start..(start + self.max_name + 1).min(data.len())];
        let name = match memchr::memchr(b'/', window) {
            Some(end) => &window[..end],
            None => match memchr::memchr(b'"', window) {
                Some(cut) => {
                    let mut name = &window[..cut];
                    while let [rest @ .., b'\\'] = name {
                        name = rest;
                    }
                    name
                }
                None => b"",
            },
        };
        if self.names.contains(name) {
            found.push(at);
        }
    }

    /// A user mark at `at`: the offset of the quoted ARN around it is found when it is a wanted user's.
    fn user_at(&self, data: &[u8], at: usize, found: &mut Vec<usize>) {
        let low = at.saturating_sub(self.max_arn);
        let Some(quote) = memchr::memrchr(b'"', &data[low..at]) else {
            return;
        };
        let start = low + quote + 1;
        let high = (at + self.max_arn).min(data.len());
        let Some(end) = memchr::memchr(b'"', &data[at..high]) else {
            return;
        };
        if self.user_arns.contains(&data[start..at + end]) {
            found.push(start);
        }
    }
}

/// `principals.PrincipalMatcher.positions` for two principals or fewer: each probe's offsets in turn, a
/// role's only where the byte after it ends the name ("/", a quote or a backslash: `_NAME_ENDS`).
#[pyclass(frozen)]
struct FewProbes {
    probes: Vec<(Vec<u8>, bool)>,
}

#[pymethods]
impl FewProbes {
    /// `probes`: (probe, whether it is a role's) in the order Python searches them.
    #[new]
    fn new(probes: Vec<(Vec<u8>, bool)>) -> Self {
        FewProbes { probes }
    }

    fn positions(&self, data: &[u8]) -> Vec<usize> {
        let mut found = Vec::new();
        for (probe, role) in &self.probes {
            for at in memchr::memmem::find_iter(data, probe) {
                if !role || matches!(data.get(at + probe.len()), Some(b'/' | b'"' | b'\\')) {
                    found.push(at);
                }
            }
        }
        found
    }
}

/// `data.count(needle)` (non-overlapping occurrences, a needle of at least one byte): the scan counts
/// every file's records by their start, and CPython's search for `{"eventVersion":` ran at ~3 GB/s.
#[pyfunction]
fn count_of(data: &[u8], needle: &[u8]) -> usize {
    memchr::memmem::find_iter(data, needle).count()
}

/// `native.python_record_bounds`: the records around the principal search's offsets, as (start, end)
/// of the record start before each and the next one after it (-1: to the end of the data), in the
/// offsets' order, an offset inside a record already bounded skipped; None when an offset has no record
/// start before it. `starts`: every record start of the data, in order (`record_starts`), whose needle is
/// `needle_len` bytes: one forward pass over the file finds them all, where a search back and forth
/// from each offset went over most of every record's bytes again in a scan for every role of a cluster
/// (and the scan counts the file's records by them anyway).
fn record_bounds(
    starts: &[usize],
    needle_len: usize,
    mut positions: Vec<usize>,
) -> Option<Vec<(usize, i64)>> {
    positions.sort_unstable();
    let mut bounds = Vec::new();
    let mut end: i64 = 0;
    let mut next = 0; // the first start at or after the offset
    for found in positions {
        if (found as i64) < end || end < 0 {
            continue;
        }
        while next < starts.len() && starts[next] < found {
            next += 1;
        }
        // the last start whose needle ends at or before the offset (`rfind` in the text before it)
        let mut before = next;
        while before > 0 && starts[before - 1] + needle_len > found {
            before -= 1;
        }
        let start = *starts.get(before.checked_sub(1)?)?;
        end = starts.get(next).map_or(-1, |&at| at as i64);
        bounds.push((start, end));
    }
    Some(bounds)
}

/// Where `needle` starts in `data`: every occurrence, as `rfind` and `find` see them (a needle that can
/// overlap itself, which a record start cannot, has more than `count_of` counts).
fn record_starts(data: &[u8], needle: &[u8]) -> Vec<usize> {
    let finder = memchr::memmem::Finder::new(needle);
    if !(1..needle.len()).any(|shift| needle[shift..] == needle[..needle.len() - shift]) {
        return finder.find_iter(data).collect();
    }
    let (mut starts, mut at) = (Vec::new(), 0);
    while let Some(found) = data.get(at..).and_then(|rest| finder.find(rest)) {
        starts.push(at + found);
        at += found + 1;
    }
    starts
}

/// `bytes.rstrip()`: the ASCII whitespace Python strips (space, tab, LF, VT, FF, CR).
fn rstrip(text: &[u8]) -> &[u8] {
    let mut end = text.len();
    while end > 0 && matches!(text[end - 1], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        end -= 1;
    }
    &text[..end]
}

/// The candidate records' (start, end) in `data`: those of `record_bounds`, each without the comma after
/// it, or the last one without the file's closing `]}` (and the blanks before either); None when an
/// offset has no record start before it or a record does not end so.
fn candidate_bounds(
    data: &[u8],
    starts: &[usize],
    positions: Vec<usize>,
    needle: &[u8],
) -> Option<Vec<(usize, usize)>> {
    record_bounds(starts, needle.len(), positions)?
        .into_iter()
        .map(|(start, end)| {
            let chunk = if end >= 0 {
                rstrip(data.get(start..end as usize)?).strip_suffix(b",")?
            } else {
                rstrip(rstrip(&data[start..]).strip_suffix(b"]}")?)
            };
            Some((start, start + chunk.len()))
        })
        .collect()
}

/// `native.python_record_chunks`: the candidate records around the principal search's offsets, as their
/// starts and texts (`candidate_bounds`). The Python loop of slices and strips cost ~0.6 us per record,
/// most of a cluster-wide scan's.
#[pyfunction]
fn record_chunks<'py>(
    py: Python<'py>,
    data: &[u8],
    positions: Vec<usize>,
    needle: &[u8],
) -> Option<(Vec<usize>, Vec<Bound<'py, PyBytes>>)> {
    let bounds = candidate_bounds(data, &record_starts(data, needle), positions, needle)?;
    let starts = bounds.iter().map(|&(start, _)| start).collect();
    let chunks = bounds
        .iter()
        .map(|&(start, end)| PyBytes::new(py, &data[start..end]))
        .collect();
    Some((starts, chunks))
}

// -- policy compaction (`domain/iam/policy.py`, `compact`): the same sets, built here ------------------

/// `policy.MAX_LEVELS`.
const MAX_LEVELS: usize = 100;

/// Where `policy._SHAPE` cuts an ARN into its head and rest (the head's length), None where it does not
/// match: `arn:`, a partition and a service of at least one character, a Region and an account, their
/// colons, at least one more character, then the resource's first segment through its first `/` or `:`
/// when it has one.
fn shape_cut(arn: &str) -> Option<usize> {
    let bytes = arn.as_bytes();
    if !bytes.starts_with(b"arn:") {
        return None;
    }
    let mut at = 4;
    for needs_one in [true, true, false, false] {
        let end = at + memchr::memchr(b':', &bytes[at..])?;
        if needs_one && end == at {
            return None;
        }
        at = end + 1;
    }
    if at >= bytes.len() {
        return None;
    }
    Some(
        match bytes[at..]
            .iter()
            .position(|&byte| byte == b'/' || byte == b':')
        {
            Some(offset) => at + offset + 1,
            None => at,
        },
    )
}

/// `policy.compactable_head`: an account or a resource part in the head.
fn compactable_head(head: &str) -> bool {
    let mut parts = head.splitn(6, ':').skip(4);
    let account = parts.next().unwrap_or("");
    let resource = parts.next().unwrap_or("");
    !account.is_empty() || !resource.is_empty()
}

/// `policy._common_prefix`: the longest common prefix of the least and the greatest value (whole
/// characters), cut before any `*`, `?` or `$`, and after its last `/` when a value holds one.
fn common_prefix(values: &[&str]) -> String {
    let (Some(first), Some(last)) = (values.iter().min(), values.iter().max()) else {
        return String::new();
    };
    let mut size = first
        .bytes()
        .zip(last.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !first.is_char_boundary(size) {
        size -= 1;
    }
    let mut prefix = &first[..size];
    for wildcard in ['*', '?', '$'] {
        if let Some(cut) = prefix.find(wildcard) {
            prefix = &prefix[..cut];
        }
    }
    if values.iter().any(|value| value.contains('/')) {
        prefix = &prefix[..prefix.rfind('/').map_or(0, |cut| cut + 1)];
    }
    prefix.to_string()
}

/// `policy._compact_tree`, step for step (its docstring says why each).
fn compact_tree(rests: Vec<&str>, threshold: usize, levels: usize) -> Vec<String> {
    if rests.len() <= threshold {
        return rests.into_iter().map(str::to_string).collect();
    }
    let mut chain = String::new();
    let mut rests = rests;
    let (leaves, folders) = loop {
        let mut leaves: Vec<&str> = Vec::new();
        let mut folders: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
        for rest in &rests {
            match rest.find('/') {
                None => leaves.push(rest),
                Some(cut) => folders
                    .entry(&rest[..cut + 1])
                    .or_default()
                    .push(&rest[cut + 1..]),
            }
        }
        if !leaves.is_empty() || folders.len() != 1 || threshold < 1 {
            break (leaves, folders);
        }
        let (folder, children) = folders.into_iter().next().expect("one folder");
        chain.push_str(folder);
        rests = children;
    };
    let whole = |rests: &[&str]| vec![format!("{chain}{}*", common_prefix(rests))];
    if leaves.len() + folders.len() > threshold || levels >= MAX_LEVELS {
        return whole(&rests);
    }
    let mut inside: std::collections::BTreeMap<&str, Vec<String>> = folders
        .iter()
        .map(|(&folder, children)| {
            let kept = if children.len() <= threshold {
                children.iter().map(|child| child.to_string()).collect()
            } else {
                compact_tree(children.clone(), threshold, levels + 1)
            };
            (folder, kept)
        })
        .collect();
    let mut size = leaves.len() + inside.values().map(Vec::len).sum::<usize>();
    let mut order: Vec<&str> = inside.keys().copied().collect();
    order.sort_by_key(|folder| (std::cmp::Reverse(inside[folder].len()), *folder));
    for folder in order {
        let held = inside[folder].len();
        if size <= threshold || held == 1 {
            break;
        }
        size -= held - 1;
        inside.insert(
            folder,
            vec![format!("{}*", common_prefix(&folders[folder]))],
        );
    }
    if size > threshold {
        return whole(&rests);
    }
    let mut out: Vec<String> = leaves.iter().map(|leaf| format!("{chain}{leaf}")).collect();
    for (folder, children) in &inside {
        out.extend(
            children
                .iter()
                .map(|child| format!("{chain}{folder}{child}")),
        );
    }
    out
}

/// What `compact_resources` changes: the places of the ARNs replaced, each pattern with its count.
type Compacted = (Vec<usize>, Vec<(String, usize)>);

/// `policy.compact` of `resources` at `threshold`, as what changes: the places in `resources` of the
/// ARNs a pattern replaces, and each pattern written with how many of the ARNs it stands for
/// (`stands_for`). The caller keeps the rest as they are (the same string objects: a copy of each kept
/// ARN held every policy's resources twice while it was built). The texts are read in place.
#[pyfunction]
fn compact_resources(resources: Vec<Bound<'_, PyString>>, threshold: usize) -> PyResult<Compacted> {
    let texts: Vec<&str> = resources
        .iter()
        .map(|text| text.to_str())
        .collect::<PyResult<_>>()?;
    // head -> (place, rest) of each ARN of its shape
    let mut groups: HashMap<&str, Vec<(usize, &str)>> = HashMap::new();
    for (place, arn) in texts.iter().enumerate() {
        if let Some(cut) = shape_cut(arn) {
            groups
                .entry(&arn[..cut])
                .or_default()
                .push((place, &arn[cut..]));
        }
    }
    let (mut replaced, mut stands_for) = (Vec::new(), Vec::new());
    for (head, members) in groups {
        if members.len() <= threshold || !compactable_head(head) {
            continue;
        }
        let rests: Vec<&str> = members.iter().map(|&(_, rest)| rest).collect();
        let kept = compact_tree(rests.clone(), threshold, 0);
        let kept_rests: HashSet<&str> = kept.iter().map(String::as_str).collect();
        let literal: HashSet<&str> = rests.iter().copied().collect();
        replaced.extend(
            members
                .iter()
                .filter(|(_, rest)| !kept_rests.contains(rest))
                .map(|&(place, _)| place),
        );
        let patterns: Vec<&str> = kept_rests
            .iter()
            .copied()
            .filter(|kept| !literal.contains(kept))
            .collect();
        if !patterns.is_empty() {
            let mut ordered = rests;
            ordered.sort_unstable();
            for pattern in patterns {
                let prefix = &pattern[..pattern.len() - 1]; // every pattern ends with `*`
                let low = ordered.partition_point(|rest| *rest < prefix);
                let count = ordered[low..].partition_point(|rest| rest.starts_with(prefix));
                stands_for.push((format!("{head}{pattern}"), count));
            }
        }
    }
    Ok((replaced, stands_for))
}

/// `surely_json_object`, for the tests that hold it to simdjson.
#[pyfunction]
fn is_surely_json_object(text: &[u8]) -> bool {
    surely_json_object(text)
}

/// A text's template as `KeyBuilder` slots it (`whole_string`: all of it one string's text, else a JSON
/// value's): the text with each slot marked, the slots, and whether a template may stand for it (no more
/// than `MAX_SLOTS`); None at an escape. For the test that holds the walk to the rule it implements.
#[pyfunction]
fn slotted_text(part: &[u8], whole_string: bool) -> Option<(Vec<u8>, Vec<Vec<u8>>, bool)> {
    let mut key = KeyBuilder::new(Vec::new(), true);
    key.slotted(part, whole_string).then(|| {
        let slots = key.slots.iter().map(|slot| slot.to_vec()).collect();
        (key.key, slots, key.templatable)
    })
}

/// The template, slots and whether a template may stand for it of each key in turn, a key given as its
/// parts (a text and whether it is all one string's), slotted as the reader slots a record's key: with
/// one `SlotMemo` kept from key to key when `memo`, else each part slotted anew. For the test that holds
/// the memo's keys to those slotted anew.
#[pyfunction]
fn slotted_keys(keys: Vec<Vec<(Vec<u8>, bool)>>, memo: bool) -> Vec<(Vec<u8>, Vec<Vec<u8>>, bool)> {
    let mut held = SlotMemo::new();
    keys.iter()
        .map(|parts| {
            let key = if memo {
                let steps: Vec<KeyStep<'_>> = parts
                    .iter()
                    .map(|(part, whole_string)| KeyStep::Part(part, *whole_string))
                    .collect();
                KeyBuilder::replayed(Vec::new(), &steps, &mut held)
            } else {
                let mut key = KeyBuilder::new(Vec::new(), true);
                for (part, whole_string) in parts {
                    key.part(part, *whole_string);
                }
                key
            };
            let slots = key.slots.iter().map(|slot| slot.to_vec()).collect();
            (key.key, slots, key.templatable)
        })
        .collect()
}

/// `surely_json_object` of each text in turn, the objects of `REPEATED_MEMBERS` checked in one held for
/// the next (`CheckedValues`), as the reader checks a file's records: for the test that holds the
/// answers to those of each text checked alone.
#[pyfunction]
fn surely_json_objects(texts: Vec<Vec<u8>>) -> Vec<bool> {
    let mut held = CheckedValues::default();
    texts
        .iter()
        .map(|text| each_member_checked(text, Some(&mut held), |_, _, _| {}).is_ok())
        .collect()
}

#[pymodule]
fn policygen_native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(merge_packed, module)?)?;
    module.add_class::<FewProbes>()?;
    module.add_function(wrap_pyfunction!(count_of, module)?)?;
    module.add_function(wrap_pyfunction!(record_chunks, module)?)?;
    module.add_function(wrap_pyfunction!(is_surely_json_object, module)?)?;
    module.add_function(wrap_pyfunction!(slotted_text, module)?)?;
    module.add_function(wrap_pyfunction!(slotted_keys, module)?)?;
    module.add_function(wrap_pyfunction!(surely_json_objects, module)?)?;
    module.add_function(wrap_pyfunction!(compact_resources, module)?)?;
    module.add_class::<Take>()?;
    module.add_class::<ManyProbes>()?;
    Ok(())
}
