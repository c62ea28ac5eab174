//! The public query served from memory.
//!
//! Every `public_record` is held in this process, indexed by domain, by both
//! filing numbers and by the bigrams of the 主办单位名称. It is loaded when the
//! server starts and kept current by a LIVE query on `public_record`: a
//! notification names the record that changed, which is then read again, so
//! an approval, change or cancellation made through any server reaches every
//! server's index within milliseconds. Until the index is first loaded
//! [`PublicIndex::search`] answers `None` and the caller asks the database
//! ([`super::public::search`]); once loaded it keeps answering, also while
//! it loads again after the LIVE query ended (the database went away, the
//! connection was cut), so the public query outlives a database outage.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use futures::{FutureExt, StreamExt};
use surrealdb::types::{RecordId, RecordIdKey, Value};

use super::db::Db;
use super::public::{Entry, Row, COLUMNS};
use crate::domain::lookup::{Lookup, ServiceKind, MAX_COUNT};
use crate::models::{PublicRecord, RecordPage};

/// Changed records read again per statement.
const REREAD: usize = 1_000;

/// The index; cheap to clone (one `Arc`).
#[derive(Clone, Default)]
pub struct PublicIndex(Arc<Shared>);

#[derive(Default)]
struct Shared {
    ready: AtomicBool,
    model: RwLock<Model>,
}

impl PublicIndex {
    /// Start loading and following `public_record` in the background.
    /// The task ends when the last clone of the index is dropped.
    pub fn follow(db: Db) -> PublicIndex {
        PublicIndex::follow_with(db, None)
    }

    /// [`PublicIndex::follow`], loading again whenever `recoveries` changes
    /// (the database answers again after an outage, see [`super::health`]):
    /// a LIVE query may not outlive the connection it was made on, and
    /// changes made while it was down would be missed.
    pub fn follow_with(db: Db, mut recoveries: Option<tokio::sync::watch::Receiver<u64>>) -> PublicIndex {
        let index = PublicIndex::default();
        let weak = Arc::downgrade(&index.0);
        tokio::spawn(async move {
            loop {
                let outcome = match recoveries.as_mut() {
                    Some(rx) => {
                        rx.mark_unchanged();
                        tokio::select! {
                            outcome = run(&db, &weak) => outcome,
                            Ok(()) = rx.changed() => Err(reconnected()),
                        }
                    }
                    None => run(&db, &weak).await,
                };
                match outcome {
                    Ok(()) => return,
                    Err(e) => {
                        // Once loaded, the index keeps answering (a few seconds
                        // behind at worst) while it loads again: the database may
                        // be the thing that is down, and the public query is
                        // what should survive that.
                        let Some(shared) = weak.upgrade() else { return };
                        let loaded = shared.ready.load(Ordering::Acquire);
                        tracing::warn!(error = %e, loaded, "public index: the LIVE query ended; loading again");
                    }
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        index
    }

    /// True once loaded and following changes.
    pub fn is_ready(&self) -> bool {
        self.0.ready.load(Ordering::Acquire)
    }

    /// Records held (for the start-up log and the benchmark).
    pub fn len(&self) -> usize {
        self.0.model.read().map(|m| m.by_key.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The same answer as [`super::public::search`], from memory; `None`
    /// while the index is not ready.
    pub fn search(&self, lookup: &Lookup, kind: Option<ServiceKind>, page: u32, size: u32) -> Option<RecordPage> {
        if !self.is_ready() {
            return None;
        }
        let model = self.0.model.read().ok()?;
        Some(model.search(lookup, kind, page, size))
    }
}

/// Subscribe, load, then apply changes until the subscription ends.
/// `Ok` means the index was dropped.
async fn run(db: &Db, weak: &Weak<Shared>) -> Result<(), surrealdb::Error> {
    // Subscribe first, so that nothing changed during the load is missed:
    // a record named by a notification is read again after the load.
    let mut stream = db.select::<Vec<Value>>("public_record").live().await?;
    let mut changed: HashSet<String> = HashSet::new();
    let started = std::time::Instant::now();
    let model = {
        let load = load(db);
        tokio::pin!(load);
        loop {
            tokio::select! {
                model = &mut load => break model?,
                note = stream.next() => match note {
                    Some(Ok(n)) => changed.extend(key_of(&n.data)),
                    Some(Err(e)) => return Err(e),
                    None => return Err(ended()),
                },
            }
        }
    };
    let Some(shared) = weak.upgrade() else { return Ok(()) };
    let count = model.by_key.len();
    *shared.model.write().map_err(|_| poisoned())? = model;
    drop(shared);
    let changed: Vec<String> = changed.into_iter().collect();
    for keys in changed.chunks(REREAD) {
        reread(db, weak, keys).await?;
    }
    match weak.upgrade() {
        Some(shared) => shared.ready.store(true, Ordering::Release),
        None => return Ok(()),
    }
    tracing::info!(records = count, ms = started.elapsed().as_millis() as u64, "public index loaded; following changes");
    while let Some(note) = stream.next().await {
        // Take every notification already waiting (a bulk change sends many)
        // and read their records again in one statement.
        let mut keys: Vec<String> = key_of(&note?.data).into_iter().collect();
        while keys.len() < REREAD {
            match stream.next().now_or_never() {
                Some(Some(note)) => keys.extend(key_of(&note?.data)),
                Some(None) => return Err(ended()),
                None => break,
            }
        }
        keys.sort_unstable();
        keys.dedup();
        reread(db, weak, &keys).await?;
        if weak.strong_count() == 0 {
            return Ok(());
        }
    }
    Err(ended())
}

fn ended() -> surrealdb::Error {
    surrealdb::Error::internal("the LIVE query on public_record ended".to_string())
}

fn reconnected() -> surrealdb::Error {
    surrealdb::Error::internal("the database answers again after an outage".to_string())
}

fn poisoned() -> surrealdb::Error {
    surrealdb::Error::internal("the public index lock is poisoned".to_string())
}

/// The key of the record a notification is about.
fn key_of(data: &Value) -> Option<String> {
    match data.get("id") {
        Value::RecordId(id) => Some(key_string(&id.key)),
        _ => None,
    }
}

fn key_string(key: &RecordIdKey) -> String {
    match key {
        RecordIdKey::String(s) => s.clone(),
        RecordIdKey::Number(n) => n.to_string(),
        other => format!("{other:?}"),
    }
}

/// Read records again and put their current state (or their absence) in.
async fn reread(db: &Db, weak: &Weak<Shared>, keys: &[String]) -> Result<(), surrealdb::Error> {
    if keys.is_empty() {
        return Ok(());
    }
    let ids: Vec<RecordId> = keys.iter().map(|k| RecordId::new("public_record", k.as_str())).collect();
    let mut res = db.query(format!("SELECT {COLUMNS} FROM $ids")).bind(("ids", ids)).await?.check()?;
    let rows: Vec<Row> = res.take(0)?;
    let Some(shared) = weak.upgrade() else { return Ok(()) };
    let mut model = shared.model.write().map_err(|_| poisoned())?;
    let present: HashSet<&str> = rows.iter().map(|r| r.key.as_str()).collect();
    let gone: Vec<&String> = keys.iter().filter(|k| !present.contains(k.as_str())).collect();
    for key in gone {
        model.remove(key);
    }
    for row in rows {
        model.insert(row);
    }
    model.compact_if_stale();
    Ok(())
}

/// Read every record in one statement: one pass over the table. (Reading a
/// batch at a time after the last key read, by `WHERE id > … ORDER BY id
/// LIMIT` or by a record range with `LIMIT`, read the rest of the table for
/// every batch: 186 s and 11 GB at a million filings, against seconds at
/// 100 000.)
async fn load(db: &Db) -> Result<Model, surrealdb::Error> {
    let mut res = db.query(format!("SELECT {COLUMNS} FROM public_record")).await?.check()?;
    let rows: Vec<Row> = res.take(0)?;
    let mut model = Model::default();
    for row in rows {
        model.insert(row);
    }
    Ok(model)
}

/// Two characters of a lower-cased name, as one posting key.
fn bigrams(lower: &str) -> impl Iterator<Item = u64> + '_ {
    let mut chars = lower.chars();
    let mut prev = chars.next();
    chars.map(move |c| {
        let key = (u64::from(prev.map(u32::from).unwrap_or(0)) << 32) | u64::from(u32::from(c));
        prev = Some(c);
        key
    })
}

#[derive(Default)]
struct Model {
    /// Records by slot; a changed record takes a new slot, so that every
    /// posting list stays sorted by appending. Emptied slots are reclaimed by
    /// [`Model::compact_if_stale`].
    slots: Vec<Option<Held>>,
    by_key: HashMap<Box<str>, u32>,
    /// ASCII domains.
    by_domain: HashMap<Box<str>, u32>,
    by_main: HashMap<Box<str>, Vec<u32>>,
    by_service: HashMap<Box<str>, u32>,
    /// APPs by package name (lower-case); one package may be filed on
    /// several platforms of one APP, and by no other.
    by_package: HashMap<Box<str>, Vec<u32>>,
    /// Slots whose lower-cased name holds a bigram, ascending.
    grams: HashMap<u64, Vec<u32>>,
    empty: usize,
}

struct Held {
    key: Box<str>,
    ascii: Box<[Box<str>]>,
    /// The lower-cased name when it differs from the name; for an APP, the
    /// entity's name and the APP's, apart by a character no query holds.
    lower: Option<Box<str>>,
    entry: Entry,
}

/// Between the entity's and the APP's name in [`Held::lower`]: a control
/// character, which [`crate::domain::lookup::parse_lookup`] refuses.
const NAME_GAP: char = '\u{1}';

impl Held {
    fn lower(&self) -> &str {
        self.lower.as_deref().unwrap_or(&self.entry.unit_name)
    }
}

impl Model {
    fn insert(&mut self, mut row: Row) {
        let key: Box<str> = row.key.as_str().into();
        self.remove(&key);
        let ascii: Box<[Box<str>]> = row.domains.iter().map(|d| d.as_str().into()).collect();
        let app_name = std::mem::take(&mut row.app_name);
        let entry = Entry::from(row);
        let lower = entry.unit_name.to_lowercase();
        let lower = if app_name.is_empty() {
            (*lower != *entry.unit_name).then(|| lower.into_boxed_str())
        } else {
            Some(format!("{lower}{NAME_GAP}{}", app_name.to_lowercase()).into_boxed_str())
        };
        self.insert_held(Held { key, ascii, lower, entry });
    }

    fn remove(&mut self, key: &str) {
        let Some(slot) = self.by_key.remove(key) else { return };
        let Some(held) = self.slots.get_mut(slot as usize).and_then(Option::take) else { return };
        self.empty += 1;
        for d in held.ascii.iter() {
            if self.by_domain.get(d) == Some(&slot) {
                self.by_domain.remove(d);
            }
        }
        if let Some(list) = self.by_main.get_mut(&held.entry.main_licence) {
            list.retain(|s| *s != slot);
            if list.is_empty() {
                self.by_main.remove(&held.entry.main_licence);
            }
        }
        if self.by_service.get(&held.entry.service_licence) == Some(&slot) {
            self.by_service.remove(&held.entry.service_licence);
        }
        for p in held.entry.packages.iter() {
            if let Some(list) = self.by_package.get_mut(p) {
                list.retain(|s| *s != slot);
                if list.is_empty() {
                    self.by_package.remove(p);
                }
            }
        }
        // The name's postings keep the slot until compaction; a search skips
        // empty slots.
    }

    /// Rebuild when a quarter of the slots are empty.
    fn compact_if_stale(&mut self) {
        if self.empty < 1_000 || self.empty * 4 < self.slots.len() {
            return;
        }
        let old = std::mem::take(self);
        for held in old.slots.into_iter().flatten() {
            self.insert_held(held);
        }
    }

    fn insert_held(&mut self, held: Held) {
        let slot = self.slots.len() as u32;
        for gram in bigrams(held.lower()) {
            let list = self.grams.entry(gram).or_default();
            if list.last() != Some(&slot) {
                list.push(slot);
            }
        }
        for d in held.ascii.iter() {
            self.by_domain.insert(d.clone(), slot);
        }
        self.by_main.entry(held.entry.main_licence.clone()).or_default().push(slot);
        self.by_service.insert(held.entry.service_licence.clone(), slot);
        for p in held.entry.packages.iter() {
            let list = self.by_package.entry(p.clone()).or_default();
            if list.last() != Some(&slot) {
                list.push(slot);
            }
        }
        self.by_key.insert(held.key.clone(), slot);
        self.slots.push(Some(held));
    }

    fn held(&self, slot: u32) -> Option<&Held> {
        self.slots.get(slot as usize).and_then(Option::as_ref)
    }

    fn search(&self, lookup: &Lookup, kind: Option<ServiceKind>, page: u32, size: u32) -> RecordPage {
        let start = (page.saturating_sub(1) as usize) * size as usize;
        let wanted = |h: &Held| kind.is_none_or(|k| h.entry.service_type == k.service_type());
        let (total, exact, items) = match lookup {
            Lookup::Domain(d) => self.exact(self.by_domain.get(d.as_str()).copied(), &wanted, start, size),
            Lookup::ServiceLicence(l) => self.exact(self.by_service.get(l.as_str()).copied(), &wanted, start, size),
            Lookup::EntityLicence(l) | Lookup::Package(l) => {
                let slots = match lookup {
                    Lookup::Package(_) => self.by_package.get(l.as_str()),
                    _ => self.by_main.get(l.as_str()),
                };
                let mut found: Vec<&Held> = slots.into_iter().flatten().filter_map(|s| self.held(*s)).filter(|h| wanted(h)).collect();
                found.sort_by(|a, b| a.entry.service_licence.cmp(&b.entry.service_licence));
                let total = found.len();
                let items = found.into_iter().skip(start).take(size as usize).map(|h| h.entry.to_public()).collect();
                (total.min(MAX_COUNT as usize), total as u64 <= MAX_COUNT, items)
            }
            Lookup::Name(n) => self.by_name(n, &wanted, start, size as usize),
        };
        RecordPage { total: total as u64, total_exact: exact, page, size, items }
    }

    fn exact(&self, slot: Option<u32>, wanted: &dyn Fn(&Held) -> bool, start: usize, size: u32) -> (usize, bool, Vec<PublicRecord>) {
        let found: Vec<&Held> = slot.and_then(|s| self.held(s)).filter(|h| wanted(h)).into_iter().collect();
        let total = found.len();
        (total, true, found.into_iter().skip(start).take(size as usize).map(|h| h.entry.to_public()).collect())
    }

    /// Names holding `query` (case-insensitive): the shortest posting list
    /// of its bigrams is walked, each slot checked against the other lists
    /// and then as a substring. Counting stops after [`MAX_COUNT`] + 1, unless
    /// the page asked for lies further.
    fn by_name(&self, query: &str, wanted: &dyn Fn(&Held) -> bool, start: usize, size: usize) -> (usize, bool, Vec<PublicRecord>) {
        let lower = query.to_lowercase();
        let mut lists: Vec<&[u32]> = Vec::new();
        let mut seen = HashSet::new();
        for gram in bigrams(&lower) {
            if !seen.insert(gram) {
                continue;
            }
            match self.grams.get(&gram) {
                Some(list) => lists.push(list),
                None => return (0, true, Vec::new()),
            }
        }
        lists.sort_by_key(|l| l.len());
        let Some((first, others)) = lists.split_first() else { return (0, true, Vec::new()) };
        let mut cursors = vec![0usize; others.len()];
        let cap = MAX_COUNT as usize + 1;
        let mut count = 0usize;
        let mut items = Vec::new();
        'slots: for &slot in first.iter() {
            for (list, at) in others.iter().zip(cursors.iter_mut()) {
                *at = gallop(list, *at, slot);
                if list.get(*at) != Some(&slot) {
                    continue 'slots;
                }
            }
            let Some(held) = self.held(slot) else { continue };
            if !held.lower().contains(lower.as_str()) || !wanted(held) {
                continue;
            }
            if count >= start && items.len() < size {
                items.push(held.entry.to_public());
            }
            count += 1;
            if count >= cap && count >= start + size {
                break;
            }
        }
        (count.min(MAX_COUNT as usize), count <= MAX_COUNT as usize, items)
    }
}

/// The first index at or after `from` whose value is ≥ `target`.
fn gallop(list: &[u32], from: usize, target: u32) -> usize {
    let mut lo = from;
    let mut step = 1;
    let mut hi = from;
    while hi < list.len() && list[hi] < target {
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    let hi = hi.min(list.len());
    lo + list[lo..hi].partition_point(|v| *v < target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gallop_finds_the_first_not_smaller() {
        let list = [1, 3, 5, 7, 9, 11, 13, 15, 17];
        for target in 0..20 {
            for from in 0..list.len() {
                let want = from + list[from..].partition_point(|v| *v < target);
                assert_eq!(gallop(&list, from, target), want, "target {target} from {from}");
            }
        }
        assert_eq!(gallop(&[], 0, 3), 0);
    }

    #[test]
    fn bigrams_are_pairs_of_characters() {
        assert_eq!(bigrams("ab").count(), 1);
        assert_eq!(bigrams("a").count(), 0);
        assert_eq!(bigrams("有限公司").count(), 3);
        assert_eq!(bigrams("有限").next(), bigrams("x有限").nth(1));
    }
}
